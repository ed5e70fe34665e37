"""Q3: loss and accuracy curves, of one run or of several overlaid (Snakemake script)."""

import pandas as pd

from nnrec import data, io
from nnrec.plots import save
from nnrec.plots import training as figures

with io.log_to(snakemake.log[0]):
    metrics = [io.read_json(path) for path in snakemake.input.metrics]
    histories = {f"{m['lr_name']} (lr {m['learning_rate']:g})": pd.read_csv(path)
                 for m, path in zip(metrics, snakemake.input.histories)}
    note = figures.characters_note(data.character_source(snakemake.input.provenance))
    save(figures.run_curves(histories, snakemake.params.title, note), snakemake.output.figure)
