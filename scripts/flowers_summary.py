"""Q7: Flowers 17 summary table, curves and confusion matrices (Snakemake script)."""

import pandas as pd

from nnrec import io
from nnrec.plots import save
from nnrec.plots import torch as figures
from nnrec.torch_models import flowers

with io.log_to(snakemake.log[0]):
    runs = {"finetune": io.read_json(snakemake.input.finetune), "scratch": io.read_json(snakemake.input.scratch)}
    histories = {mode: pd.read_csv(path) for mode, path in zip(runs, snakemake.input.histories)}
    predictions = {mode: pd.read_csv(path) for mode, path in zip(runs, snakemake.input.predictions)}
    summary = flowers.summary_table(runs, histories)
    io.write_csv(summary, snakemake.output.summary)
    io.log.info("flowers summary:\n%s", summary.to_string(index=False))
    save(figures.flowers_curves(histories, runs), snakemake.output.curves)
    save(figures.flowers_confusion(predictions, runs), snakemake.output.confusion)
