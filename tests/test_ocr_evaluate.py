"""Scoring sets of pages (nnrec.ocr.evaluate): composites written and read back, the
robustness table per transformation and reader, and the pages_dev set found in a mirror."""

import json

import imageio.v3 as iio
import numpy as np
import pytest

from nnrec import DataError, charset
from nnrec.data import check_pages_dev, find_pages_dev, read_pages_dev, sha256_file
from nnrec.ocr import evaluate
from ocr_pages import draw_page, photograph


def always(char):
    """A classifier that reads every character as ``char``."""
    def classify(rows):
        probs = np.full((len(rows), charset.N_CLASSES), 0.1 / (charset.N_CLASSES - 1))
        probs[:, charset.CLASSES.index(char)] = 0.9
        return probs
    return classify


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    ink, _ = draw_page(["HHHH", "HH HH"], height=30)
    path = tmp_path_factory.mktemp("pages") / "hh.png"
    iio.imwrite(path, np.round(photograph(ink, noise=0.01) * 255).astype(np.uint8))
    return path


def test_composites_are_written_read_and_scored_per_transformation(tmp_path, page_file):
    names = ["flat", "desk_plain", "rot+5"]
    paths = {name: tmp_path / f"{name}.jpg" for name in names}
    evaluate.write_composites(page_file, "hh", paths, seed=0)
    assert all(iio.imread(path).ndim == 3 for path in paths.values())
    items = [{"image": f"hh/{name}", "page": "hh", "transformation": name, "path": str(paths[name]),
              "truth": "HHHH\nHH HH"} for name in names]
    scores = []
    for model, char in (("mlp", "H"), ("cnn", "L")):
        scores += evaluate.score_images(items, model, always(char))
    assert [s["transformation"] for s in scores] == names * 2
    assert all("path" not in s and s["n_true"] == 8 for s in scores)
    # every H found on the flat page and on the desk: all right when read as H, all wrong as L
    by = {(s["model"], s["transformation"]): s for s in scores}
    assert by["mlp", "flat"]["char_accuracy"] == 1.0 and by["mlp", "flat"]["text"] == "HHHH\nHH HH"
    assert by["cnn", "flat"]["char_accuracy"] == 0.0

    table = evaluate.robustness_table(scores, names)
    assert list(table.columns) == evaluate.ROBUSTNESS_COLUMNS
    assert list(zip(table["transformation"], table["model"])) == [(n, m) for n in names for m in ("mlp", "cnn")]
    assert (table["n_pages"] == 1).all() and (table["n_true"] == 8).all()
    flat = table.set_index(["transformation", "model"])
    assert flat.loc[("flat", "mlp"), "vs_flat"] == 0.0


def test_robustness_table_weights_pages_by_their_characters():
    scores = [
        {"page": "a", "transformation": "flat", "model": "mlp", "n_true": 10, "char_accuracy": 1.0,
         "char_accuracy_no_context": 0.9},
        {"page": "b", "transformation": "flat", "model": "mlp", "n_true": 30, "char_accuracy": 0.6,
         "char_accuracy_no_context": 0.5},
        {"page": "a", "transformation": "rot+15", "model": "mlp", "n_true": 10, "char_accuracy": 0.5,
         "char_accuracy_no_context": 0.5},
        {"page": "b", "transformation": "rot+15", "model": "mlp", "n_true": 30, "char_accuracy": 0.5,
         "char_accuracy_no_context": 0.5},
    ]
    table = evaluate.robustness_table(scores).set_index("transformation")
    assert list(table.index) == ["flat", "rot+15"]  # the order of the composite table
    assert table.loc["flat", "char_accuracy"] == pytest.approx((10 * 1.0 + 30 * 0.6) / 40)
    assert table.loc["flat", "char_accuracy_no_context"] == pytest.approx((10 * 0.9 + 30 * 0.5) / 40)
    assert table.loc["rot+15", "vs_flat"] == pytest.approx(0.5 - 0.7)
    # over draws of the pages: page a alone lost 5 of 10 characters, b alone 3 of 30, together 8
    # of 40; each alone is drawn (twice) in about a quarter of the draws
    assert table.loc["rot+15", "vs_flat_low"] == pytest.approx(-0.5)
    assert table.loc["rot+15", "vs_flat_high"] == pytest.approx(-0.1)
    assert table.loc["flat", "vs_flat_low"] == table.loc["flat", "vs_flat_high"] == 0.0
    assert table.loc["rot+15", "n_pages"] == 2 and table.loc["rot+15", "n_true"] == 40
    # page a fell from 1.0 to 0.5, page b from 0.6 to 0.5 (more than 3 points): neither near flat
    assert table.loc["flat", "pages_near_flat"] == 2 and table.loc["rot+15", "pages_near_flat"] == 0
    scores[3]["char_accuracy"] = 0.58
    assert evaluate.robustness_table(scores).set_index("transformation").loc["rot+15", "pages_near_flat"] == 1


def test_skipped_reader_rows_keep_the_truth_counts():
    rows = evaluate.skipped_scores([{"image": "x", "path": "x.jpg", "truth": "AB C\nD"}], "tesseract")
    assert rows[0]["status"] == "skipped" and rows[0]["char_accuracy"] is None and rows[0]["n_true"] == 4


def _dev_mirror(folder, names=("one", "two")):
    dev = folder / "pages_dev"
    dev.mkdir(parents=True)
    entries = []
    for k, name in enumerate(names):
        image = dev / f"{name}.png"
        iio.imwrite(image, np.full((16, 16), 200 + k, np.uint8))
        entries.append({"file": image.name, "lines": ["AB", f"C{k}"], "sha256": sha256_file(image)})
    (dev / "truth.json").write_text(json.dumps(entries))
    return dev


def test_pages_dev_is_found_in_the_first_mirror_that_holds_it(tmp_path):
    (tmp_path / "empty").mkdir()
    dev = _dev_mirror(tmp_path / "full")
    _dev_mirror(tmp_path / "later")
    mirrors = [tmp_path / "missing", tmp_path / "empty", tmp_path / "full", tmp_path / "later"]
    assert find_pages_dev(mirrors) == dev
    assert find_pages_dev(mirrors[:2]) is None
    assert find_pages_dev([]) is None


def test_pages_dev_truth_gives_each_image_its_lines(tmp_path):
    dev = _dev_mirror(tmp_path / "m")
    pages = read_pages_dev(dev)
    assert list(pages) == ["one", "two"]
    assert pages["two"]["text"] == "AB\nC1" and pages["two"]["path"] == str(dev / "two.png")
    assert list(read_pages_dev(dev, ["two"])) == ["two"]
    check_pages_dev(pages)
    with pytest.raises(DataError, match="no page named three"):
        read_pages_dev(dev, ["three"])
    (dev / "one.png").write_bytes(b"not the image truth.json describes")
    with pytest.raises(DataError, match="sha256 mismatch"):
        check_pages_dev(pages)
    (dev / "truth.json").write_text("{not json")
    with pytest.raises(DataError, match="truth.json: cannot be read as JSON"):
        read_pages_dev(dev)
