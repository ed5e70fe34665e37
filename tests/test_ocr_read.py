"""nnrec.ocr.read and nnrec.classifiers: pages read into text, classifiers loaded from files."""

import numpy as np
import pytest

from nnrec import DataError, charset, classifiers, ocr
from ocr_pages import draw_page, matched, photograph, probabilities


def test_blank_page_has_no_letters_and_empty_text():
    page = photograph(np.zeros((300, 400), bool), gradient=0.3, noise=0.03)
    result = ocr.extract_text(page, classify=lambda rows: pytest.fail("nothing to classify"))
    assert result.boxes.shape == (0, 4) and result.probs.shape == (0, 36)
    assert result.binary.min() == 1.0
    assert result.text == ""


def test_extract_text_lays_out_lines_and_words():
    # a dozen characters: on half as many, the profile of the letters' own strokes can make a
    # level page look turned by a degree or two (then the boxes lie on the turned page)
    ink, true = draw_page(["HLTF VNL", "NFT HLV"])

    def classify(rows):
        # ink share of the crop stands in for a network: all the same class here
        return charset.one_hot(np.zeros(len(rows), int))

    result = ocr.extract_text(photograph(ink), classify)
    assert result.text == "AAAA AAA\nAAA AAA"
    assert result.boxes.shape == (13, 4) and result.skew == 0.0
    assert matched(result.boxes, true) == 13


def test_word_context_reads_a_word_as_all_letters_or_all_digits():
    probs = probabilities(
        {"0": 0.6, "O": 0.4},  # word 1: "0K" -> "OK" (K is surely a letter)
        {"K": 0.9},
        {"I": 0.55, "1": 0.45},  # word 2: "I2" -> "12"
        {"2": 0.9, "Z": 0.1},
        {"5": 0.7, "S": 0.3},  # word 3: one character, no context: stays "5"
    )
    spans = [(0, 2), (2, 4), (4, 5)]
    labels = ocr.word_context_labels(probs, spans)
    assert "".join(charset.CLASSES[k] for k in labels) == "OK125"
    # without words every character keeps its own best class
    assert "".join(charset.CLASSES[k] for k in ocr.word_context_labels(probs, [])) == "0KI25"


def test_extract_text_word_context_fixes_a_digit_inside_a_word():
    ink, _ = draw_page(["HL TV"])

    def classify(rows):  # "0A 0A" letter by letter: the 0s are a near tie with O
        return probabilities(*[{"0": 0.5, "O": 0.4} if k % 2 == 0 else {"A": 0.9} for k in range(len(rows))])

    result = ocr.extract_text(photograph(ink), classify)
    assert result.text == "OA OA"
    assert result.text_without_context == "0A 0A"
    assert ocr.extract_text(photograph(ink), classify, word_context=False).text == "0A 0A"


def test_load_classifier_rejects_unknown_model_files(tmp_path):
    with pytest.raises(DataError, match="no such model"):
        classifiers.load_classifier(tmp_path / "model.npz")
    odd = tmp_path / "model.h5"
    odd.write_bytes(b"x")
    with pytest.raises(DataError, match="unknown model type"):
        classifiers.load_classifier(odd)


def test_cli_ocr_reads_with_the_reader_mlp_and_word_context_by_default():
    from nnrec import cli

    args = cli.build_parser().parse_args(["ocr", "page.jpg"])
    assert args.model is None and not args.no_word_context  # None: cli.default_model() finds the reader
    assert cli.DEFAULT_MODEL.as_posix() == "results/q4/reader/model.npz"
    assert cli.build_parser().parse_args(["ocr", "page.jpg", "--no-word-context"]).no_word_context


def test_page_record_holds_lines_boxes_and_top_classes_of_each_character():
    ink, true = draw_page(["HL T", "NF"])

    def classify(rows):  # "0A 0" then "AA": 0 and O a near tie, A sure
        return probabilities(*[{"0": 0.5, "O": 0.4} if k in (0, 2) else {"A": 0.9} for k in range(len(rows))])

    result = ocr.extract_text(photograph(ink), classify)
    record = result.as_record(top=2)
    assert record["text"] == "OA 0\nAA" and record["text_without_context"] == "0A 0\nAA"
    assert [line["text"] for line in record["lines"]] == ["OA 0", "AA"]
    assert [line["characters"] for line in record["lines"]] == [[0, 1, 2], [3, 4]]
    chars = record["characters"]
    assert ["".join(c["char"] for c in chars), "".join(c["own"] for c in chars)] == ["OA0AA", "0A0AA"]
    assert [c["line"] for c in chars] == [0, 0, 0, 1, 1]
    assert [c["word_start"] for c in chars] == [True, False, True, True, False]
    assert [[t["char"] for t in c["top"]] for c in chars[:2]] == [["0", "O"], ["A", "B"]]
    assert chars[0]["top"][0]["p"] == pytest.approx(0.5) and chars[0]["top"][1]["p"] == pytest.approx(0.4)
    boxes = [[c["box"][k] for k in ("top", "left", "bottom", "right")] for c in chars]
    assert boxes == result.boxes.tolist() and matched(np.array(boxes), true) == 5
    assert record["sheet"] is None
