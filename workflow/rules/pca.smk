# Stage file: pca (placeholder until the stage lands).


rule q6:
    input:
        [],
