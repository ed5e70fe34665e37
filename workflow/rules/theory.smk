# Stage file: theory (placeholder until the stage lands).


rule q1:
    input:
        [],
