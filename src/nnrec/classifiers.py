"""Saved character classifiers -> the ``classify(rows) -> probabilities`` callables, and their scores.

Above both :mod:`nnrec.ocr` and :mod:`nnrec.torch_models` (which imports ocr's glyph code), so
neither needs the other's loader: the CLI and the rule scripts load a model here and hand the
callable to :func:`nnrec.ocr.extract_text` or :func:`nnrec.ocr.read_page`, or score it on a
NIST36-layout split with :func:`evaluate_file` or on characters of several fonts with
:func:`font_accuracy_table`. Each kind is imported only when a file of that kind is loaded, so
reading with the numpy MLP never imports torch.
"""

from pathlib import Path

import numpy as np

from nnrec import DataError, charset


def _numpy_mlp(path):
    """A reader or Q3 MLP (.npz of nnrec.model_file), its inputs prepared as its meta says."""
    from nnrec import model_file
    from nnrec.ocr.reader import reader_input_width, reader_inputs

    model = model_file.load_model(path)
    n_in, n_out = model_file.model_sizes(model)
    width = reader_input_width(model.meta, path)
    if n_in != width:
        features = model.meta.get("features", "pixels")
        raise DataError(f"{path}: the network reads {n_in} inputs; its meta's input features "
                        f"({features!r}) give {width} per character")
    if n_out != charset.N_CLASSES:
        raise DataError(f"{path}: the network has {n_out} outputs; expected {charset.N_CLASSES}, "
                        "one per class (A-Z then 0-9)")
    return lambda rows: model_file.predict_proba(model, reader_inputs(rows, model.meta))


def _torch_network(path):
    """A character network (.pt of nnrec.torch_models.characters)."""
    from nnrec.torch_models import load_character_classifier

    return load_character_classifier(path)


LOADERS = {".npz": _numpy_mlp, ".pt": _torch_network}


def load_classifier(model_path):
    """A saved character classifier -> callable (n, 1024) rows -> (n, 36) probabilities.

    ".npz": the numpy MLP of :mod:`nnrec.nn` (the Q3 network on raw pixels, or the OCR reader
    with the input features its meta names); ".pt": the PyTorch network of
    :mod:`nnrec.torch_models`. Anything else, a missing or broken file, or a network that does
    not map 1024-pixel rows to the 36 classes raises DataError naming the file.
    """
    path = Path(model_path)
    if not path.is_file():
        raise DataError(f"{path}: no such model file; train one first (e.g. `snakemake q3`)")
    if path.suffix not in LOADERS:
        raise DataError(f"{path}: unknown model type {path.suffix!r}; expected .npz (numpy MLP) or .pt (PyTorch)")
    return LOADERS[path.suffix](path)


def per_class_scores(y_true, y_pred):
    """Accuracy per class of (n,) true and predicted class indices.

    Returns a DataFrame with one row per class of :data:`nnrec.charset.CLASSES` (A-Z then 0-9)
    and columns ``class, n, correct, accuracy``; accuracy is nan for a class with no samples.
    """
    import pandas as pd  # only scores need it: reading a page with a loaded classifier does not

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    n = np.bincount(y_true, minlength=charset.N_CLASSES)
    correct = np.bincount(y_true[y_true == y_pred], minlength=charset.N_CLASSES)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(n > 0, correct / np.maximum(n, 1), np.nan)
    return pd.DataFrame({"class": charset.CLASSES, "n": n, "correct": correct, "accuracy": accuracy})


def evaluate_file(model_path, data_path):
    """Score a saved character classifier (any kind :func:`load_classifier` reads) on a
    NIST36-layout .mat file.

    Returns {"accuracy": float, "n": int, "per_class": DataFrame of :func:`per_class_scores`}.
    A broken model or data file, or one that does not fit the other, raises DataError naming it.
    """
    from nnrec.splits import load_split

    classify = load_classifier(model_path)
    X, Y = load_split(data_path)
    probs = np.asarray(classify(X))
    if probs.shape != Y.shape:
        raise DataError(f"{data_path}: labels {Y.shape}; the model {model_path} gives {probs.shape} "
                        "scores (one column per class)")
    y_true, y_pred = Y.argmax(axis=1), probs.argmax(axis=1)
    return {"accuracy": float(np.mean(y_true == y_pred)), "n": int(len(X)),
            "per_class": per_class_scores(y_true, y_pred)}


def font_accuracy_table(models, rows, labels, fonts):
    """Accuracy of each classifier on the rows of each font, and over all of them.

    models: {name: classify callable, (n, 1024) rows -> (n, 36) probabilities}; rows (n, 1024);
    labels (n,) class indices; fonts (n,) the font of each row. Returns a DataFrame with columns
    ``model, font, n, accuracy``: per model one row per font (in order of first appearance),
    then an ``overall`` row of all n rows.
    """
    import pandas as pd

    labels, fonts = np.asarray(labels), np.asarray(fonts)
    table = []
    for name, classify in models.items():
        correct = np.asarray(classify(rows)).argmax(axis=1) == labels
        for font in [*dict.fromkeys(fonts.tolist()), "overall"]:
            chosen = correct if font == "overall" else correct[fonts == font]
            table.append({"model": name, "font": font, "n": len(chosen), "accuracy": float(chosen.mean())})
    return pd.DataFrame(table, columns=["model", "font", "n", "accuracy"])
