"""The Flowers 17 result tables: test predictions of one run and the summary of the two runs."""

import numpy as np
import pandas as pd

SUMMARY_COLUMNS = ["model", "backbone", "pretrained", "test_acc", "valid_acc", "epochs", "seconds"]


def predictions_frame(labels, pred):
    """Test predictions as a DataFrame ``label, predicted`` (class indices)."""
    return pd.DataFrame({"label": np.asarray(labels), "predicted": np.asarray(pred)})


def summary_table(runs, histories):
    """results/q7/flowers/summary.csv from the two runs' metrics and histories.

    runs: {"finetune"|"scratch": metrics dict written by the training rule}.
    Columns: model, backbone, pretrained, test_acc, valid_acc, epochs, seconds.
    """
    rows = []
    for mode, metrics in runs.items():
        rows.append(
            {
                "model": mode,
                "backbone": metrics["backbone"] if mode == "finetune" else "scratch cnn",
                "pretrained": mode == "finetune",
                "test_acc": round(metrics["test_acc"], 4),
                "valid_acc": round(metrics["valid_acc"], 4),
                "epochs": int(histories[mode]["epoch"].max()),
                "seconds": metrics["seconds"],
            }
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
