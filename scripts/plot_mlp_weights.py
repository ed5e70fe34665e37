"""Q3: first-layer weights before and after training as 8x8 grids (Snakemake script)."""

from nnrec import data, io, model_file
from nnrec.plots import GREY_COLOURS, save
from nnrec.plots import training as figures

with io.log_to(snakemake.log[0]):
    before = model_file.load_model(snakemake.input.initial).params["W1"]
    after = model_file.load_model(snakemake.input.model).params["W1"]
    note = figures.characters_note(data.character_source(snakemake.input.provenance))
    save(figures.weights_figure(before, after, note), snakemake.output.figure, colours=GREY_COLOURS)
