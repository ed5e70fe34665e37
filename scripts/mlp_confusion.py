"""Q3: confusion matrix of the best run on the test split (Snakemake script)."""

import pandas as pd

from nnrec import charset, data, io, metrics, model_file
from nnrec.plots import save
from nnrec.plots import training as figures

with io.log_to(snakemake.log[0]):
    X, Y = data.load_split(snakemake.input.test)
    predicted = model_file.predict_classes(model_file.load_model(snakemake.input.model), X)
    cm = metrics.confusion_matrix(Y.argmax(axis=1), predicted, charset.N_CLASSES)
    frame = pd.DataFrame(cm, index=pd.Index(charset.CLASSES, name="true"), columns=charset.CLASSES)
    io.write_csv(frame.reset_index(), snakemake.output.csv)
    io.write_csv(metrics.confused_pairs(cm, charset.CLASSES, top=snakemake.params.top), snakemake.output.pairs)
    accuracy = cm.trace() / cm.sum()
    title = f"Best run on the test split: accuracy {accuracy:.1%} ({cm.sum()} characters)"
    note = figures.characters_note(data.character_source(snakemake.input.provenance))
    save(figures.confusion_figure(cm, title, note), snakemake.output.figure)
