# Stage file: report (placeholder until the stage lands).


rule summary:
    input:
        [],
