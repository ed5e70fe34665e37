"""Figure: sample characters of each class from the train and test splits (Snakemake script)."""

import numpy as np

from nnrec import data, io
from nnrec.plots import GREY_COLOURS, save
from nnrec.plots.data import character_samples

with io.log_to(snakemake.log[0]):
    splits = {name: data.load_split(snakemake.input[name]) for name in ("train", "test")}
    rows = data.read_provenance(snakemake.input.provenance)
    source = data.CHARACTER_DATA[data.character_source(snakemake.input.provenance)]
    title = f"{source.name}: samples per class"
    fig = character_samples(
        splits,
        snakemake.params.per_class,
        np.random.default_rng(snakemake.params.seed),
        title=title,
        note=rows.note.iloc[0],
    )
    save(fig, snakemake.output[0], colours=GREY_COLOURS)
