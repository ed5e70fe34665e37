# Stage file: autoencoder (placeholder until the stage lands).


rule q5:
    input:
        [],
