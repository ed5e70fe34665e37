"""The spread over seeds (nnrec.replicates): per-seed values read from real-layout files."""

import json
import math

import pandas as pd
import pytest

from nnrec import replicates


def test_spread_is_mean_sample_sd_min_max():
    s = replicates.spread([0.5, 0.7, 0.6])
    assert s["n_seeds"] == 3 and s["mean"] == pytest.approx(0.6)
    assert s["sd"] == pytest.approx(0.1) and (s["min"], s["max"]) == (0.5, 0.7)
    assert math.isnan(replicates.spread([0.5])["sd"])  # one seed has no spread


def _metrics(path, test_acc):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"test_acc": test_acc, "train_seconds": 1.0}))
    return str(path)


def _psnr(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"class": ["A", "all"], "psnr_mean": [value + 1, value], "psnr_std": [0, 0]}).to_csv(path)
    return str(path)


def _page(path, n_true, accuracy):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"image": path.parent.name, "model": "mlp", "n_true": n_true, "n_found": n_true,
                                "char_accuracy": accuracy, "char_accuracy_no_context": accuracy,
                                "lines_true": 1, "lines_correct": 1, "status": "ok"}))
    return str(path)


def test_replicate_table_reads_each_seed_and_names_rows_like_the_summary(tmp_path):
    files = {
        "q3_mlp": {s: [_metrics(tmp_path / f"s{s}" / "q3.json", acc)] for s, acc in ((0, 0.7), (1, 0.8), (2, 0.75))},
        "q5_homework": {s: [_psnr(tmp_path / f"s{s}" / "psnr.csv", v)] for s, v in ((0, 15.0), (1, 16.0))},
        # pages weigh by their true characters: (10 * 1.0 + 30 * 0.5) / 40
        "q4_mlp": {0: [_page(tmp_path / "s0" / "p1" / "score.json", 10, 1.0),
                       _page(tmp_path / "s0" / "p2" / "score.json", 30, 0.5)]},
    }
    table = replicates.replicate_table(files)
    assert list(table.columns) == replicates.REPLICATE_COLUMNS
    table = table.set_index("quantity")
    q3 = table.loc["MLP test accuracy (best learning rate)"]
    assert (q3["question"], q3["n_seeds"], q3["seeds"], q3["values"]) == ("Q3", 3, "0 1 2", "0.7 0.8 0.75")
    assert q3["mean"] == pytest.approx(0.75) and q3["sd"] == pytest.approx(0.05)
    assert table.loc["autoencoder PSNR (homework setup)", "mean"] == pytest.approx(15.5)
    assert table.loc["OCR character accuracy, mlp", "mean"] == pytest.approx(0.625)


def test_summary_gains_the_spread_where_replicates_exist():
    summary = pd.DataFrame({"question": ["Q1", "Q2", "Q3", "Q6"],
                            "quantity": ["theory claims", "gradient check", "MLP test accuracy (best learning rate)",
                                         "PCA PSNR"],
                            "measured": ["6/6", 1e-8, 0.7, 16.0], "unit": ["claims", "", "fraction", "dB"]})
    spread = pd.DataFrame([{"question": "Q3", "quantity": "MLP test accuracy (best learning rate)",
                            "n_seeds": 3, "mean": 0.75, "sd": 0.05}])
    out = replicates.with_spread(summary, spread).set_index("question")
    assert (out.loc["Q3", "n_seeds"], out.loc["Q3", "mean"], out.loc["Q3", "sd"]) == (3, 0.75, 0.05)
    assert out.loc["Q3", "measured"] == 0.7  # the main run's own number stays
    assert out.loc["Q6", "n_seeds"] == 1 and out.loc["Q6", "mean"] == 16.0 and pd.isna(out.loc["Q6", "sd"])
    for untrained in ("Q1", "Q2"):  # a count and a gradient check: nothing trained, no spread
        assert pd.isna(out.loc[untrained, "n_seeds"]) and pd.isna(out.loc[untrained, "mean"])


def test_spread_figure_draws_one_row_per_quantity(tmp_path):
    from nnrec.plots import save
    from nnrec.plots.replicates import spread_figure

    table = pd.DataFrame([
        {"question": "Q3", "quantity": "acc", "n_seeds": 2, "mean": 0.5, "sd": 0.1, "unit": "fraction",
         "values": "0.4 0.6"},
        {"question": "Q5", "quantity": "psnr", "n_seeds": 1, "mean": 15.0, "sd": float("nan"), "unit": "dB",
         "values": "15"},
    ])
    fig = spread_figure(table)
    assert len(fig.axes) == 2
    save(fig, tmp_path / "spread.png")
    assert (tmp_path / "spread.png").stat().st_size > 1000


def test_no_replicated_stage_gives_an_empty_table_and_a_figure_that_says_so(tmp_path):
    from nnrec.plots import save
    from nnrec.plots.replicates import spread_figure

    table = replicates.replicate_table({})
    assert table.empty and list(table.columns) == replicates.REPLICATE_COLUMNS
    fig = spread_figure(table)
    assert "replicates.stages is empty" in fig.axes[0].texts[0].get_text()
    save(fig, tmp_path / "spread.png")
