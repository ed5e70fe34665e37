# Stage file: data (placeholder until the stage lands).


rule data:
    input:
        [],
