"""Q7: training curves and test confusion matrix of one PyTorch character run (Snakemake script)."""

import pandas as pd

from nnrec import io
from nnrec.plots import save
from nnrec.plots import torch as figures

with io.log_to(snakemake.log[0]):
    metrics = io.read_json(snakemake.input.metrics)
    history = pd.read_csv(snakemake.input.history)
    predictions = pd.read_csv(snakemake.input.predictions)
    save(figures.character_curves(history, metrics), snakemake.output.curves)
    save(figures.character_confusion(predictions, metrics), snakemake.output.confusion)
