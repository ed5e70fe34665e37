"""The spread of the headline numbers over seeds: one value per seed and quantity, then
mean, standard deviation, min and max (results/replicates.csv, workflow/rules/replicates.smk).

Each quantity is named exactly as its row of results/summary.csv (question, quantity), so the
summary can show the spread next to the single run it reports.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# Units of the summary's trained quantities (accuracies, PSNRs), the rows that get a spread.
TRAINED_UNITS = ("fraction", "dB")
REPLICATE_COLUMNS = ["question", "quantity", "n_seeds", "mean", "sd", "min", "max", "unit", "seeds", "values"]


def _json_value(key):
    def read(paths):
        (path,) = paths
        return float(json.loads(Path(path).read_text())[key])

    return read


def _psnr_all(paths):
    (path,) = paths
    return float(pd.read_csv(path).set_index("class").loc["all", "psnr_mean"])


def _pages_accuracy(paths):
    """Character accuracy over all pages, weighted by each page's true characters."""
    from nnrec.ocr.score import accuracy_table

    table = accuracy_table([json.loads(Path(p).read_text()) for p in paths])
    return float(table.loc[table["image"] == "overall", "char_accuracy"].iloc[0])


@dataclass(frozen=True)
class Quantity:
    question: str
    name: str  # as in results/summary.csv
    unit: str
    read: object  # files of one seed -> float


QUANTITIES = {
    "q3_mlp": Quantity("Q3", "MLP test accuracy (best learning rate)", "fraction", _json_value("test_acc")),
    "q4_mlp": Quantity("Q4", "OCR character accuracy, mlp", "fraction", _pages_accuracy),
    "q5_homework": Quantity("Q5", "autoencoder PSNR (homework setup)", "dB", _psnr_all),
    "q5_improved": Quantity("Q5/Q6", "improved autoencoder PSNR (beyond the homework)", "dB", _psnr_all),
    "q7_fc": Quantity("Q7", "PyTorch FC test accuracy", "fraction", _json_value("test_acc")),
    "q7_cnn": Quantity("Q7", "PyTorch CNN test accuracy", "fraction", _json_value("test_acc")),
    "q7_cnn_ocr": Quantity("Q4", "OCR character accuracy, cnn", "fraction", _pages_accuracy),
    "q7_flowers_finetune": Quantity("Q7", "Flowers 17 test accuracy, finetune", "fraction", _json_value("test_acc")),
    "q7_flowers_scratch": Quantity("Q7", "Flowers 17 test accuracy, scratch", "fraction", _json_value("test_acc")),
}


def spread(values):
    """{n_seeds, mean, sd, min, max} of a list of floats; sd is the sample deviation (ddof 1)."""
    values = np.asarray(values, dtype=float)
    sd = float(values.std(ddof=1)) if len(values) > 1 else float("nan")
    return {"n_seeds": len(values), "mean": float(values.mean()), "sd": sd,
            "min": float(values.min()), "max": float(values.max())}


def replicate_table(files):
    """results/replicates.csv from {quantity key: {seed: [files of that seed]}} -> DataFrame.

    Columns REPLICATE_COLUMNS; ``seeds`` lists the seeds, e.g. "0 1 2", and ``values`` the
    value of each seed in that order.
    """
    rows = []
    for key, by_seed in files.items():
        quantity = QUANTITIES[key]
        seeds = sorted(by_seed, key=int)
        values = [quantity.read(by_seed[seed]) for seed in seeds]
        rows.append({"question": quantity.question, "quantity": quantity.name, **spread(values),
                     "unit": quantity.unit, "seeds": " ".join(str(s) for s in seeds),
                     "values": " ".join(f"{v:.6g}" for v in values)})
    return pd.DataFrame(rows, columns=REPLICATE_COLUMNS)


def with_spread(summary, replicates=None):
    """The summary table with columns n_seeds, mean, sd: from ``replicates`` where it has the row.

    Rows the replicates do not cover keep n_seeds 1 when they hold a trained number (an accuracy
    or a PSNR: mean = that number, sd empty) and stay empty otherwise (checks like "6/6" or the
    gradient check's error, skipped tools).
    """
    out = summary.copy()
    numeric = pd.to_numeric(out["measured"], errors="coerce")
    trained = numeric.notna() & out["unit"].isin(TRAINED_UNITS)
    out["n_seeds"] = np.where(trained, 1, pd.NA)
    numeric = numeric.where(trained)
    out["mean"], out["sd"] = numeric, np.nan
    if replicates is not None and len(replicates):
        spread_of = replicates.set_index(["question", "quantity"])
        for i, row in out.iterrows():
            key = (row["question"], row["quantity"])
            if key in spread_of.index:
                out.loc[i, ["n_seeds", "mean", "sd"]] = spread_of.loc[key, ["n_seeds", "mean", "sd"]].to_numpy()
    out["n_seeds"] = out["n_seeds"].astype("Int64")
    return out
