"""PCA on the training split, reconstruct the validation split (Q6) (Snakemake script).

Writes the projection matrix's shape and rank (JSON), the PSNR table per class and the
originals-above-reconstructions figure.
"""

from nnrec import charset, data, io, metrics, pca, plots
from nnrec.plots import reconstruction

with io.log_to(snakemake.log[0]):
    note = reconstruction.source_note(data.character_source(snakemake.input.provenance))
    X_train, _ = data.load_split(snakemake.input.train)
    X, Y = data.load_split(snakemake.input.valid)
    model = pca.fit(X_train, snakemake.params.components)
    recons = model.reconstruct(X)
    table = metrics.psnr_by_class(X, recons, Y.argmax(axis=1), charset.CLASSES)
    io.write_csv(table, snakemake.output.psnr)
    info = pca.summary(model) | {"psnr_valid": table["psnr_mean"].iloc[-1], "n_train": len(X_train)}
    io.write_json(info, snakemake.output.summary)
    io.log.info("PCA %s", info)

    k, psnr_all = snakemake.params.components, info["psnr_valid"]
    title = f"PCA, {k} components: validation originals (top) and reconstructions (bottom), mean PSNR {psnr_all:.2f} dB"
    fig = reconstruction.examples(X, recons, Y.argmax(axis=1), snakemake.params.show_classes, title, note)
    plots.save(fig, snakemake.output.examples, colours=plots.GREY_COLOURS)
