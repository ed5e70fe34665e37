"""Scores shared by every stage: accuracy, confusion, character error rate, PSNR."""

import numpy as np
import pandas as pd
from rapidfuzz.distance import Levenshtein
from skimage.metrics import peak_signal_noise_ratio


def accuracy(y_true, y_pred):
    """Fraction of equal entries of two (n,) integer label arrays; nan for n == 0."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"label arrays differ in shape: {y_true.shape} vs {y_pred.shape}")
    return float(np.mean(y_true == y_pred)) if len(y_true) else float("nan")


def confusion_matrix(y_true, y_pred, n_classes):
    """(n_classes, n_classes) counts; row = true class, column = predicted class."""
    cm = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(cm, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return cm


def confused_pairs(cm, labels, top=10):
    """The ``top`` most frequent off-diagonal (true, predicted) pairs, most frequent first."""
    off = cm.copy()
    np.fill_diagonal(off, 0)
    true_idx, pred_idx = np.nonzero(off)
    frame = pd.DataFrame(
        {
            "true": [labels[i] for i in true_idx],
            "predicted": [labels[j] for j in pred_idx],
            "count": off[true_idx, pred_idx],
        }
    )
    return frame.sort_values(["count", "true", "predicted"], ascending=[False, True, True]).head(top)


def _strip_whitespace(text):
    return "".join(text.split())


def char_error_rate(predicted, truth):
    """Edit distance between the texts with all whitespace removed, over the truth's length.

    Layout (spaces, line breaks) is scored separately; this measures the characters only.
    """
    truth_chars = _strip_whitespace(truth)
    if not truth_chars:
        raise ValueError("the true text has no characters to score against")
    return Levenshtein.distance(_strip_whitespace(predicted), truth_chars) / len(truth_chars)


def char_accuracy(predicted, truth):
    """1 - character error rate (can be negative when the prediction adds many characters)."""
    return 1.0 - char_error_rate(predicted, truth)


def lines_correct(predicted, truth):
    """Number of true lines reproduced exactly (compared line by line, spaces normalised)."""

    def normalise(text):
        return [" ".join(line.split()) for line in text.strip().splitlines() if line.strip()]

    pred_lines, true_lines = normalise(predicted), normalise(truth)
    return sum(p == t for p, t in zip(pred_lines, true_lines))


def psnr(reference, reconstruction):
    """PSNR in dB of one image (values in 0-1) via scikit-image, data_range 1."""
    return float(peak_signal_noise_ratio(reference, reconstruction, data_range=1.0))


def psnr_by_class(references, reconstructions, labels, class_names):
    """Mean PSNR per class plus an ``all`` row.

    references, reconstructions: (n, d) arrays in 0-1; labels: (n,) class indices.
    Returns a DataFrame with columns ``class, n, psnr_mean``.
    """
    values = np.array([psnr(r, x) for r, x in zip(references, reconstructions)])
    labels = np.asarray(labels)
    rows = [
        {"class": class_names[k], "n": int((labels == k).sum()), "psnr_mean": values[labels == k].mean()}
        for k in np.unique(labels)
    ]
    rows.append({"class": "all", "n": len(values), "psnr_mean": values.mean()})
    return pd.DataFrame(rows)
