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
def test_character_rows_name_their_source_and_how_close_it_is_to_the_homework(stage_outputs, source, data, same):
    table = report.headline_table(stage_outputs, source).set_index("quantity")
    for quantity in ("MLP test accuracy (best learning rate)", "autoencoder PSNR (homework setup)",
                     "PCA PSNR (32 components)"):
        row = table.loc[quantity]
        assert row["data"].startswith(data) and row["same_data"] == same
    assert data in table.loc["OCR character accuracy, mlp", "data"]  # the page reader's training data
    reader = table.loc["OCR reader MLP test accuracy (single characters)"]
    assert reader["measured"] == 0.87 and reader["data"].startswith(data) and reader["data"].endswith("test split")
    assert "cuda" not in " ".join(table["note"])  # the device is run information, not a result


def test_a_reference_is_shown_only_with_its_source(stage_outputs, monkeypatch):
    for reference in report.REFERENCES.values():
        assert "http" in reference.source or "handout" in reference.source, reference
    monkeypatch.setattr(report, "REFERENCES", {})
    table = report.headline_table(stage_outputs, "emnist36")
    assert (table[["reference", "reference_source", "reference_data"]] == "").all().all()
    cited = report.Reference("0.75", "A. Writer, HW5 write-up, https://example.org/hw5", "NIST36 test split")
    monkeypatch.setattr(report, "REFERENCES", {"mlp_test_acc": cited})
    row = report.headline_table(stage_outputs, "emnist36").set_index("quantity").loc[
        "MLP test accuracy (best learning rate)"]
    assert (row["reference"], row["reference_source"]) == ("0.75", cited.source)


def test_a_table_page_keeps_every_cell_and_escapes_text():
    frame = pd.DataFrame({"name": ["a<b", "link"], "value": [0.123456, float("nan")], "count": [3, 12345],
                          "ok": [True, False], "source": ["x", "https://example.org/a"]})
    page = report.table_html(frame, "T & U", note="from results/x.csv")
    assert "<title>T &amp; U</title>" in page and "from results/x.csv" in page
    assert page.count("<tr>") == 3 and page.count("<th>") == 5  # header and both rows, every column
    assert "a&lt;b" in page and "a<b" not in page
    assert '<td class="number">0.1235</td><td class="number">3</td><td>True</td>' in page
    assert '<td></td><td class="number">12345</td><td>False</td>' in page
    assert '<a href="https://example.org/a">' in page


def test_numbers_written_as_text_are_shown_short_and_empty_columns_are_named():
    frame = pd.DataFrame({"measured": ["6/6", "0.76388888", "8.4e-09", "12"], "reference": [None] * 4})
    page = report.table_html(frame, "summary")
    assert ">6/6<" in page and ">0.7639<" in page and ">8.4e-09<" in page and ">12<" in page
    assert "<th>reference</th>" not in page and "empty columns left out: reference" in page


def test_a_text_page_shows_the_text_verbatim():
    page = report.text_html("seed: 0\nocr: {a: <b>}\n", "configuration")
    assert "<pre>seed: 0\nocr: {a: &lt;b&gt;}\n</pre>" in page


def test_pages_dev_and_the_composites_get_rows_when_they_were_scored(stage_outputs, tmp_path):
    assert not report.headline_table(stage_outputs, "emnist36")["quantity"].str.contains("pages_dev|composites").any()
    dev = pd.DataFrame({"image": ["a", "b", "overall", "a", "b", "overall"], "model": ["mlp"] * 3 + ["cnn"] * 3,
                        "char_accuracy": [0.9, 0.6, 0.8, 1.0, 0.7, 0.9]})
    robustness = pd.DataFrame({"transformation": ["flat", "camera", "rot180"] * 2, "model": ["mlp"] * 3 + ["cnn"] * 3,
                               "char_accuracy": [0.97, 0.95, 0.92, 0.96, 0.95, 0.94],
                               "vs_flat": [0.0, -0.02, -0.05, 0.0, -0.01, -0.02], "n_pages": [19] * 6})
    dev.to_csv(tmp_path / "dev.csv", index=False)
    robustness.to_csv(tmp_path / "robustness.csv", index=False)
    paths = {**stage_outputs, "q4_dev": str(tmp_path / "dev.csv"), "q4_robustness": str(tmp_path / "robustness.csv")}
    table = report.headline_table(paths, "emnist36").set_index("quantity")
    mlp = table.loc["OCR character accuracy on pages_dev, mlp"]
    assert mlp["measured"] == 0.8 and "lowest b 0.600" in mlp["note"] and "EMNIST36" in mlp["data"]
    worst = table.loc["OCR composites, worst transformation vs flat, mlp"]
    assert worst["measured"] == pytest.approx(-5.0) and worst["unit"] == "points" and "rot180" in worst["data"]
    assert "more than 3 points off: rot180 -5.0" in worst["note"]
    assert "within 3 points" in table.loc["OCR composites, worst transformation vs flat, cnn", "note"]
    # with its interval over the pages
    robustness["vs_flat_low"], robustness["vs_flat_high"] = robustness["vs_flat"] - 0.04, robustness["vs_flat"] + 0.01
    robustness.to_csv(tmp_path / "robustness.csv", index=False)
    worst = report.headline_table(paths, "emnist36").set_index("quantity").loc[
        "OCR composites, worst transformation vs flat, mlp"]
    assert "more than 3 points off (in brackets: 95% of draws of the pages): rot180 -5.0 (-9.0 to -4.0)" in worst["note"]
    assert worst["data"].endswith("worst: rot180, -9.0 to -4.0 in 95% of draws of the pages")
    # a bound that rounds to no change reads +0.0, not -0.0
    robustness.loc[5, "vs_flat_high"] = -0.0004
    robustness.to_csv(tmp_path / "robustness.csv", index=False)
    cnn = report.headline_table(paths, "emnist36").set_index("quantity").loc[
        "OCR composites, worst transformation vs flat, cnn"]
    assert cnn["data"].endswith("worst: rot180, -6.0 to +0.0 in 95% of draws of the pages")


def test_a_stress_transformation_gets_its_own_row_and_is_never_the_worst(stage_outputs, tmp_path):
    robustness = pd.DataFrame({"transformation": ["flat", "camera", "squared"], "model": ["mlp"] * 3,
                               "char_accuracy": [0.97, 0.95, 0.80], "vs_flat": [0.0, -0.02, -0.17],
                               "n_pages": [19] * 3})
    robustness.to_csv(tmp_path / "robustness.csv", index=False)
    table = report.headline_table({**stage_outputs, "q4_robustness": str(tmp_path / "robustness.csv")}, "emnist36")
    table = table.set_index("quantity")
    worst = table.loc["OCR composites, worst transformation vs flat, mlp"]
    assert worst["measured"] == pytest.approx(-2.0) and "worst: camera" in worst["data"]
    assert "within 3 points" in worst["note"]
    squared = table.loc["OCR composites, squared vs flat, mlp"]
    assert squared["measured"] == pytest.approx(-17.0) and "printed on squared paper" in squared["data"]
    assert "0.800" in squared["note"] and "outside the robustness target" in squared["note"]
    # composites of the stress case alone: its row, and no worst row
    robustness[robustness["transformation"] == "squared"].to_csv(tmp_path / "robustness.csv", index=False)
    table = report.headline_table({**stage_outputs, "q4_robustness": str(tmp_path / "robustness.csv")}, "emnist36")
    assert table["quantity"].str.contains("composites").sum() == 1
    assert (table["quantity"] == "OCR composites, squared vs flat, mlp").any()


def test_the_print_faces_get_a_row_per_reader_when_they_were_scored(stage_outputs, tmp_path):
    faces = pd.DataFrame({"model": ["mlp"] * 3 + ["cnn"] * 3, "font": ["cmr10.ttf", "cmb10.ttf", "overall"] * 2,
                          "n": [36, 36, 72] * 2, "accuracy": [0.9, 0.8, 0.85, 0.95, 1.0, 0.975]})
    faces.to_csv(tmp_path / "faces.csv", index=False)
    assert not report.headline_table(stage_outputs, "emnist36")["quantity"].str.contains("print faces").any()
    table = report.headline_table({**stage_outputs, "q4_print_faces": str(tmp_path / "faces.csv")}, "emnist36")
    table = table.set_index("quantity")
    mlp, cnn = (table.loc[f"held-out print faces, character accuracy, {m}"] for m in ("mlp", "cnn"))
    assert mlp["measured"] == 0.85 and cnn["measured"] == 0.975
    assert "2 print faces" in mlp["data"] and "EMNIST36" in mlp["data"]
    assert mlp["note"] == "72 characters, lowest cmb10.ttf 0.800" and "lowest cmr10.ttf 0.950" in cnn["note"]
