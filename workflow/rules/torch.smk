# Stage file: torch (placeholder until the stage lands).


rule q7:
    input:
        [],
