"""PSNR per class of the autoencoders next to PCA's, as a table and one figure (Q6) (Snakemake script)."""

import pandas as pd

from nnrec import autoencoder, data, io, plots
from nnrec.plots import reconstruction

with io.log_to(snakemake.log[0]):
    note = reconstruction.source_note(data.character_source(snakemake.input.provenance))
    labels = dict(snakemake.params.labels)
    tables = {name: pd.read_csv(getattr(snakemake.input, name), dtype={"class": str}) for name in labels}
    frame = autoencoder.compare_psnr(tables, baseline="pca")
    io.write_csv(frame, snakemake.output.table)
    io.log.info("overall: %s", frame.iloc[-1].to_dict())

    columns = {f"psnr_{name}": label for name, label in labels.items()}
    title = "Validation PSNR per class: autoencoders vs PCA (same 32-number code)"
    plots.save(reconstruction.psnr_by_method(frame, columns, title, note), snakemake.output.figure)
