"""nnrec.ocr.score: text scored against the truth, the Tesseract answer restricted to the classes."""

import pytest

from nnrec.ocr import score

def test_score_counts_characters_without_whitespace_and_whole_lines():
    truth = "TO DO\nLIST"
    scores = score.score_page("TO DO\nLIST", truth, n_found=6)
    assert scores == {"n_true": 8, "n_found": 6, "char_accuracy": 1.0, "lines_correct": 2, "lines_true": 2,
                      "char_accuracy_no_context": None}
    # one substitution, spaces ignored for characters but not for lines
    scores = score.score_page("TODO\nL1ST", truth, n_found=8, predicted_without_context="T0D0\nL1ST")
    assert scores["char_accuracy"] == pytest.approx(1 - 1 / 8)
    assert scores["char_accuracy_no_context"] == pytest.approx(1 - 3 / 8)
    assert scores["lines_correct"] == 0


def test_accuracy_table_weights_pages_by_characters_and_marks_skipped():
    scores = [
        {"image": "a", "model": "mlp", "n_true": 10, "n_found": 10, "char_accuracy": 1.0,
         "lines_correct": 1, "lines_true": 1, "status": "ok", "char_accuracy_no_context": 0.9},
        {"image": "b", "model": "mlp", "n_true": 30, "n_found": 29, "char_accuracy": 0.6,
         "lines_correct": 0, "lines_true": 2, "status": "ok", "char_accuracy_no_context": 0.5},
        {"image": "a", "model": "tesseract", "n_true": 10, "n_found": None, "char_accuracy": None,
         "lines_correct": None, "lines_true": 1, "status": "skipped"},
    ]
    table = score.accuracy_table(scores)
    assert list(table.columns[:7]) == ["image", "model", "n_true", "n_found", "char_accuracy",
                                       "lines_correct", "lines_true"]
    overall = table[(table["image"] == "overall") & (table["model"] == "mlp")].iloc[0]
    assert overall["char_accuracy"] == pytest.approx((10 * 1.0 + 30 * 0.6) / 40)
    assert overall["char_accuracy_no_context"] == pytest.approx((10 * 0.9 + 30 * 0.5) / 40)
    assert (overall["n_true"], overall["n_found"], overall["lines_correct"], overall["lines_true"]) == (40, 39, 1, 3)
    skipped = table[table["model"] == "tesseract"]
    assert set(skipped["status"]) == {"skipped"} and skipped["char_accuracy"].isna().all()


def test_restrict_to_classes_upper_cases_and_drops_other_symbols():
    assert score.restrict_to_classes("Haikus, are\n\n eas-y!\n") == "HAIKUS ARE\nEASY"

