"""Scoring read text against the truth, and the Tesseract baseline read on the same alphabet.

:func:`score_page` scores one page; :func:`accuracy_table` gathers pages into the per-model
table of the Q4 figure; :func:`run_tesseract` reads a page with the ``tesseract`` binary.
"""

import numpy as np

from nnrec import DataError, charset, metrics

def score_page(predicted, truth, n_found, predicted_without_context=None):
    """Scores of one page's predicted text against its true text.

    Returns {"n_true", "n_found", "char_accuracy", "lines_correct", "lines_true",
    "char_accuracy_no_context"}: characters in the truth (whitespace excluded), boxes found,
    1 - CER (whitespace removed), true lines reproduced exactly, true lines, and 1 - CER of
    ``predicted_without_context`` (the text read without word context, see
    :func:`nnrec.ocr.read.word_context_labels`; None when not given).
    """
    return {
        "n_true": len("".join(truth.split())),
        "n_found": int(n_found),
        "char_accuracy": metrics.char_accuracy(predicted, truth),
        "lines_correct": metrics.lines_correct(predicted, truth),
        "lines_true": len([line for line in truth.splitlines() if line.strip()]),
        "char_accuracy_no_context": (None if predicted_without_context is None
                                     else metrics.char_accuracy(predicted_without_context, truth)),
    }


def tesseract_binary():
    """Path of the ``tesseract`` executable, or None when it is not installed."""
    import shutil

    return shutil.which("tesseract")


def restrict_to_classes(text):
    """Upper-case ``text`` and keep only the 36 classes, spaces and line breaks.

    Tesseract may answer in lower case or with punctuation; our networks can only say A-Z and
    0-9, so both are scored on the same alphabet.
    """
    allowed = set(charset.CLASSES) | {" ", "\n"}
    kept = "".join(c for c in text.upper() if c in allowed)
    lines = [" ".join(line.split()) for line in kept.splitlines()]
    return "\n".join(line for line in lines if line)


def run_tesseract(page_path, timeout=120):
    """Read a page with the ``tesseract`` binary (default page segmentation, English model).

    Returns (text, boxes): the text restricted to the 36 classes (see restrict_to_classes),
    one line per line Tesseract found, and (n, 4) [y1, x1, y2, x2] word boxes. Raises
    DataError when the binary is missing or fails on the file.
    """
    import subprocess

    import pandas as pd

    binary = tesseract_binary()
    if binary is None:
        raise DataError("tesseract is not installed "
                        "(Debian/Ubuntu: apt-get install tesseract-ocr; macOS: brew install tesseract)")
    result = subprocess.run([binary, str(page_path), "stdout", "tsv"], capture_output=True,
                            text=True, timeout=timeout)
    if result.returncode != 0:
        raise DataError(f"{page_path}: tesseract failed: {result.stderr.strip()[-300:]}")
    from io import StringIO

    table = pd.read_csv(StringIO(result.stdout), sep="\t", quoting=3, keep_default_na=False,
                        dtype={"text": str})
    words = table[(table["level"] == 5) & (table["text"].str.strip() != "")]
    lines = []
    for _, line in words.groupby(["block_num", "par_num", "line_num"], sort=True):
        lines.append(" ".join(line.sort_values("word_num")["text"]))
    boxes = words[["top", "left"]].to_numpy()
    boxes = np.column_stack([boxes, boxes + words[["height", "width"]].to_numpy()])
    return restrict_to_classes("\n".join(lines)), boxes.reshape(-1, 4).astype(int)


SCORE_COLUMNS = ["image", "model", "n_true", "n_found", "char_accuracy", "lines_correct", "lines_true", "status",
                 "char_accuracy_no_context"]


def _weighted(pages, column):
    """Mean of a per-page accuracy column weighted by the pages' true characters (None if any is missing)."""
    values = pages[column]
    if values.isna().any():
        return None
    return float((values.astype(float) * pages["n_true"]).sum() / pages["n_true"].sum())


def accuracy_table(scores):
    """Per-page score dicts (see :func:`score_page`, plus image, model, status) -> DataFrame.

    Columns SCORE_COLUMNS; after each model's pages comes an ``overall`` row: characters and
    lines summed, character accuracy weighted by each page's true characters (the same as 1 -
    total edits / total characters). A model whose pages were skipped gets a skipped overall
    row with empty scores.
    """
    import pandas as pd

    frame = pd.DataFrame(scores)
    for column in SCORE_COLUMNS:
        if column not in frame:
            frame[column] = "ok" if column == "status" else None
    rows = []
    for model, pages in frame.groupby("model", sort=False):
        pages = pages.sort_values("image")
        rows.extend(pages[SCORE_COLUMNS].to_dict("records"))
        ok = pages[pages["status"] == "ok"]
        n_true = int(pages["n_true"].sum())
        if len(ok) == len(pages):
            overall = {"n_found": int(ok["n_found"].sum()), "char_accuracy": _weighted(ok, "char_accuracy"),
                       "lines_correct": int(ok["lines_correct"].sum()), "status": "ok",
                       "char_accuracy_no_context": _weighted(ok, "char_accuracy_no_context")}
        else:
            overall = {"n_found": None, "char_accuracy": None, "lines_correct": None, "status": "skipped",
                       "char_accuracy_no_context": None}
        rows.append({"image": "overall", "model": model, "n_true": n_true,
                     "lines_true": int(pages["lines_true"].sum()), **overall})
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)

