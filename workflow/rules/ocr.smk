# Stage file: ocr (placeholder until the stage lands).


rule q4:
    input:
        [],
