"""Collect every benchmark's figures into results/bench.csv (Snakemake script)."""

import pandas as pd

from nnrec import io

with io.log_to(snakemake.log[0]):
    io.write_csv(pd.concat(map(pd.read_csv, snakemake.input), ignore_index=True), snakemake.output[0])
