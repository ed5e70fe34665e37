"""Train one autoencoder configuration on the training split (Q5) (Snakemake script).

Writes the network (.npz via nnrec.model_file.save_model) and its per-epoch loss history.
"""

from nnrec import autoencoder, io, model_file
from nnrec.splits import load_split

with io.log_to(snakemake.log[0]):
    settings = dict(snakemake.params.items())
    X_train, _ = load_split(snakemake.input.train)
    X_valid, _ = load_split(snakemake.input.valid)
    run = autoencoder.train_configuration(X_train, X_valid, **settings)
    io.write_csv(run.history, snakemake.output.history)
    meta = {"sizes": run.sizes, "seconds_per_epoch": run.seconds_per_epoch, **settings}
    model_file.save_model(snakemake.output.model, run.params, run.activations, meta)
