"""Q2.1: the same training from zero weights and from Xavier weights (Snakemake script)."""

import pandas as pd

from nnrec import data, io, nn
from nnrec.plots import save
from nnrec.plots import training as figures

with io.log_to(snakemake.log[0]):
    p = snakemake.params
    train, valid = data.load_split(snakemake.input.train), data.load_split(snakemake.input.valid)
    runs = []
    for init in ("Xavier", "zero"):
        _, _, history = nn.train_mlp(train, valid, p.hidden, p.learning_rate, p.epochs,
                                     p.batch_size, p.seed, init=init.lower())
        runs.append(history.assign(init=init))
    frame = pd.concat(runs, ignore_index=True)[["init", "epoch", "train_loss", "train_acc",
                                                 "valid_loss", "valid_acc"]]
    io.write_csv(frame, snakemake.output.csv)
    note = figures.characters_note(data.character_source(snakemake.input.provenance))
    save(figures.init_study_figure(frame, note), snakemake.output.figure)
