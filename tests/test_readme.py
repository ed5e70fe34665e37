"""The README's results table is generated from summary.csv (nnrec.readme)."""

from pathlib import Path

import pandas as pd
import pytest

from nnrec import readme

ROOT = Path(__file__).resolve().parents[1]


def test_the_table_shows_the_spread_and_the_reference():
    summary = pd.DataFrame([
        {"question": "Q3", "quantity": "MLP test accuracy", "measured": "0.7639", "unit": "fraction",
         "data": "EMNIST36", "reference": "0.76-0.78", "reference_data": "NIST36 test split",
         "same_data": "similar", "n_seeds": 3, "mean": 0.7706, "sd": 0.0062},
        {"question": "Q1", "quantity": "theory claims", "measured": "6/6", "unit": "claims", "data": "random",
         "reference": "", "reference_data": "", "same_data": "", "n_seeds": None, "mean": None, "sd": None},
    ])
    lines = readme.results_table(summary).splitlines()
    assert lines[2] == ("| Q3 MLP test accuracy | 0.764 (mean 0.771 +- 0.006, 3 seeds) | 0.76-0.78 (NIST36 test split)"
                        " | EMNIST36 | similar |")
    assert lines[3].startswith("| Q1 theory claims | 6/6 |  |")
    summary["reference_source"] = ["A. Writer, https://example.org/hw5", ""]
    assert "0.76-0.78 (NIST36 test split); A. Writer, https://example.org/hw5 |" in readme.results_table(summary)


def test_without_any_reference_the_column_is_left_out():
    summary = pd.DataFrame([{"question": "Q1", "quantity": "theory claims", "measured": "6/6", "unit": "claims",
                             "data": "random", "reference": None, "reference_data": None, "same_data": "",
                             "n_seeds": None, "mean": None, "sd": None}])
    header, _, row = readme.results_table(summary).splitlines()
    assert "reference" not in header and row == "| Q1 theory claims | 6/6 | random |  |"


def test_only_the_marked_block_is_rewritten():
    text = f"intro\n{readme.START}\nold\n{readme.END}\nafter\n"
    assert readme.with_results(text, "new") == f"intro\n{readme.START}\nnew\n{readme.END}\nafter\n"
    with pytest.raises(ValueError, match="no <!-- results:start -->"):
        readme.with_results("no markers", "new")


def test_the_readme_has_the_generated_block():
    text = (ROOT / "README.md").read_text()
    assert text.count(readme.START) == 1 and text.count(readme.END) == 1


def test_points_off_a_reference_are_signed():
    assert readme.measured_text({"measured": -3.1646, "unit": "points", "n_seeds": None}) == "-3.2 points"
    assert readme.measured_text({"measured": 0.5, "unit": "points", "n_seeds": None}) == "+0.5 points"
