"""Run one bench/bench_<name>.py, keeping its printed figures and its CSV rows (Snakemake script)."""

import contextlib
import runpy
import sys

from nnrec import io

with io.log_to(snakemake.log[0]), io.atomic_path(snakemake.output.text) as text:
    sys.argv = [snakemake.input.script, *snakemake.params.args, "--csv", snakemake.output.table]
    with open(text, "w") as printed, contextlib.redirect_stdout(printed):
        runpy.run_path(snakemake.input.script, run_name="__main__")
