"""Headline numbers of every stage next to published references (Snakemake script)."""

import pandas as pd

from nnrec import data, io, replicates, report

with io.log_to(snakemake.log[0]):
    paths = {key: snakemake.input[key] for key in snakemake.input.keys() if key not in ("characters", "replicates")}
    table = report.headline_table(paths, data.character_source(snakemake.input.characters))
    table = replicates.with_spread(table, pd.read_csv(snakemake.input.replicates))
    io.write_csv(table, snakemake.output[0])
