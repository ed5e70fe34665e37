"""Reconstruct the validation split with a trained autoencoder (Q5) (Snakemake script).

Writes the PSNR table per class, the loss curve and the originals-above-reconstructions figure.
"""

import pandas as pd

from nnrec import autoencoder, charset, data, io, metrics, model_file, plots
from nnrec.plots import reconstruction

with io.log_to(snakemake.log[0]):
    name, show = snakemake.params.name, snakemake.params.show_classes
    note = reconstruction.source_note(data.character_source(snakemake.input.provenance))
    model = model_file.load_model(snakemake.input.model)
    X, Y = data.load_split(snakemake.input.valid)
    recons = autoencoder.reconstruct(model.params, model.activations, X)
    table = metrics.psnr_by_class(X, recons, Y.argmax(axis=1), charset.CLASSES)
    io.write_csv(table, snakemake.output.psnr)
    psnr_all = table["psnr_mean"].iloc[-1]
    io.log.info("%s: validation PSNR %.2f dB", name, psnr_all)

    history = pd.read_csv(snakemake.input.history)
    fig = plots.curves({name: history}, metrics=("loss",), title=f"{name}: squared error per image", note=note,
                       loss="squared error per image")
    plots.save(fig, snakemake.output.loss)
    title = f"{name}: validation originals (top) and reconstructions (bottom), mean PSNR {psnr_all:.2f} dB"
    plots.save(reconstruction.examples(X, recons, Y.argmax(axis=1), show, title, note), snakemake.output.examples,
               colours=plots.GREY_COLOURS)
