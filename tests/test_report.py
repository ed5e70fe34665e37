"""The summary of headline numbers (nnrec.report): each row names its data and how close it is
to the data of the published reference."""

import json

import pandas as pd
import pytest

from nnrec import report


@pytest.fixture
def stage_outputs(tmp_path):
    """Minimal files of every stage in the layouts the summary reads -> {summary key: path}."""
    def csv(name, frame):
        frame.to_csv(tmp_path / name, index=False)
        return str(tmp_path / name)

    def psnr(name, value):
        return csv(name, pd.DataFrame({"class": ["A", "all"], "psnr_mean": [value, value]}))

    (tmp_path / "fc.json").write_text(json.dumps({"test_acc": 0.6, "device": "cuda:0"}))
    (tmp_path / "cnn.json").write_text(json.dumps({"test_acc": 0.9, "device": "cuda:0"}))
    (tmp_path / "reader.json").write_text(json.dumps({"test_acc": 0.87, "n": 1800}))
    ocr = pd.DataFrame({"image": ["p1", "overall"], "model": ["mlp", "mlp"], "n_true": [10, 10],
                        "char_accuracy": [0.9, 0.9], "char_accuracy_no_context": [0.8, 0.8], "status": ["ok", "ok"]})
    return {
        "q1_checks": csv("q1.csv", pd.DataFrame({"holds": [True, True]})),
        "q2_gradcheck": csv("q2.csv", pd.DataFrame({"relative_error": [1e-9, 2e-9]})),
        "q3_summary": csv("q3.csv", pd.DataFrame({"lr_name": ["best"], "test_acc": [0.76]})),
        "q4_ocr": csv("q4.csv", ocr),
        "q4_reader": str(tmp_path / "reader.json"),
        "q5_psnr": psnr("q5.csv", 15.0),
        "q6_psnr": psnr("q6.csv", 16.0),
        "q6_comparison": csv("q6c.csv", pd.DataFrame({"class": ["all"], "psnr_ae_improved": [20.0]})),
        "q7_fc": str(tmp_path / "fc.json"),
        "q7_cnn": str(tmp_path / "cnn.json"),
        "q7_flowers": csv("flowers.csv", pd.DataFrame({"model": ["finetune"], "backbone": ["efficientnet_lite0"],
                                                       "pretrained": [True], "test_acc": [0.96]})),
    }


@pytest.mark.parametrize("source, data, same", [
    ("nist36", "NIST36", "yes"),
    ("emnist36", "EMNIST36", "similar: EMNIST (NIST SD19), not NIST36"),
    ("synthetic", "synthetic characters", "no: synthetic characters"),
])
def test_character_rows_name_their_source_next_to_the_homework_numbers(stage_outputs, source, data, same):
    table = report.headline_table(stage_outputs, source).set_index("quantity")
    for quantity, reference in (("MLP test accuracy (best learning rate)", "0.76-0.78"),
                                ("autoencoder PSNR (homework setup)", "14.6-16.1"),
                                ("PCA PSNR (32 components)", "16.35")):
        row = table.loc[quantity]
        assert row["data"].startswith(data) and row["same_data"] == same and row["reference"] == reference
    assert data in table.loc["OCR character accuracy, mlp", "data"]  # the page reader's training data
    reader = table.loc["OCR reader MLP test accuracy (single characters)"]
    assert reader["measured"] == 0.87 and reader["data"].startswith(data) and reader["data"].endswith("test split")
    assert "cuda" not in " ".join(table["note"])  # the device is run information, not a result
