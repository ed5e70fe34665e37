"""NIST36-layout .mat files (nnrec.splits): round trips, reproducible bytes, and every rejected layout."""

import numpy as np
import pytest
from data_helpers import leftovers, write_raw

from nnrec import DataError, splits
from nnrec.charset import one_hot


def random_split(n, rng):
    return rng.random((n, 1024)).astype(np.float32), one_hot(rng.integers(0, 36, n))


def test_save_load_round_trip(tmp_path):
    X, Y = random_split(20, np.random.default_rng(0))
    path = tmp_path / "valid.mat"
    splits.save_split(path, "valid", X, Y)
    X2, Y2 = splits.load_split(path)
    assert X2.dtype == np.float32 and X2.shape == (20, 1024)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(Y2, Y)
    assert leftovers(tmp_path) == []


def test_save_split_is_byte_for_byte_reproducible(tmp_path, monkeypatch):
    import time as time_module

    stamps = iter(["Mon Jan  1 00:00:00 2024", "Tue Feb  2 11:11:11 2025"])
    monkeypatch.setattr(time_module, "asctime", lambda *args: next(stamps))  # scipy stamps this
    X, Y = random_split(10, np.random.default_rng(9))
    splits.save_split(tmp_path / "a.mat", "test", X, Y)
    splits.save_split(tmp_path / "b.mat", "test", X, Y)
    assert (tmp_path / "a.mat").read_bytes() == (tmp_path / "b.mat").read_bytes()
    assert (tmp_path / "a.mat").read_bytes().startswith(b"MATLAB 5.0 MAT-file")


@pytest.mark.parametrize(
    "mapping, message",
    [
        ({"train_data": np.zeros((4, 1024))}, "missing key 'train_labels'"),
        ({"train_data": np.zeros((4, 1024)), "train_labels": np.zeros((4, 26))},
         r"key 'train_labels' has shape \(4, 26\); expected \(4, 36\) one-hot rows \(labels A-Z then 0-9\)"),
        ({"train_data": np.zeros((4, 32, 32)), "train_labels": one_hot([0, 1, 2, 3])}, "key 'train_data' has shape"),
        ({"train_data": np.full((4, 1024), np.nan), "train_labels": one_hot([0, 1, 2, 3])}, "4096 NaN"),
        ({"train_data": np.zeros((4, 1024)), "train_labels": one_hot([0, 1, 2, 3]) * 0.5}, "not one-hot"),
        ({"train_data": np.zeros((2, 1024)), "train_labels": np.ones((2, 36))}, "2 rows that are not one-hot"),
        ({"train_data": np.full((4, 1024), 255.0), "train_labels": one_hot([0, 1, 2, 3])},
         r"values in \[255, 255\]; looks like 0-255 pixels; divide by 255; expected 0-1"),
        ({"train_data": np.linspace(0, 255, 4096).reshape(4, 1024).astype(np.uint8), "train_labels": one_hot([0, 1, 2, 3])},
         "looks like 0-255 pixels; divide by 255"),
        ({"train_data": np.full((4, 1024), -0.3), "train_labels": one_hot([0, 1, 2, 3])},
         r"values in \[-0.3, -0.3\]; expected 0-1, up to 0.25 either side"),
        ({"train_data": np.full((4, 1024), 1.5), "train_labels": one_hot([0, 1, 2, 3])},
         r"values in \[1.5, 1.5\]; expected 0-1, up to 0.25 either side \(white"),
        ({"train_data": np.full((4, 1024), np.inf), "train_labels": one_hot([0, 1, 2, 3])},
         "key 'train_data' has 4096 NaN or infinite values; expected none"),
        ({"train_data": np.zeros((4, 1024)) + 0.5j, "train_labels": one_hot([0, 1, 2, 3])},
         r"key 'train_data' has complex values \(complex128\); expected real numbers"),
        ({"train_data": np.zeros((0, 1024)), "train_labels": np.zeros((0, 36))},
         "key 'train_data' has 0 rows; expected at least one character"),
        ({"images": np.zeros((4, 1024))}, "expected one pair of keys"),
    ],
)  # fmt: skip
def test_load_split_rejects(tmp_path, mapping, message):
    path = write_raw(tmp_path / "bad.mat", mapping)
    with pytest.raises(DataError, match=message) as error:
        splits.load_split(path)
    assert str(error.value).startswith(str(path))


def test_load_split_rejects_wrong_row_count(tmp_path):
    X, Y = random_split(5, np.random.default_rng(1))
    splits.save_split(tmp_path / "test.mat", "test", X, Y)
    with pytest.raises(DataError, match=r"has shape \(5, 1024\); expected \(1800, 1024\)"):
        splits.load_split(tmp_path / "test.mat", n_rows=1800)


@pytest.mark.parametrize("keep", [0.5, 0.05])
def test_load_split_rejects_truncated_file(tmp_path, keep):
    X, Y = random_split(50, np.random.default_rng(2))
    full = tmp_path / "train.mat"
    splits.save_split(full, "train", X, Y)
    blob = full.read_bytes()
    cut = tmp_path / "cut.mat"
    cut.write_bytes(blob[: int(len(blob) * keep)])
    with pytest.raises(DataError, match=f"{cut}: not a readable .mat file"):
        splits.load_split(cut)


def test_load_split_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        splits.load_split(tmp_path / "nope.mat")


def test_save_split_refuses_bad_arrays(tmp_path):
    with pytest.raises(DataError, match="one-hot"):
        splits.save_split(tmp_path / "t.mat", "train", np.zeros((3, 1024)), np.zeros((3, 36)))
    assert not (tmp_path / "t.mat").exists() and leftovers(tmp_path) == []


def test_load_split_rejects_an_empty_file(tmp_path):
    (tmp_path / "empty.mat").write_bytes(b"")
    with pytest.raises(DataError, match=r"empty.mat: empty file \(0 bytes\); expected a .mat"):
        splits.load_split(tmp_path / "empty.mat")


def test_pixels_slightly_outside_0_1_are_clipped_with_a_note(tmp_path, caplog):
    """Real NIST36 files overshoot at stroke edges from resampling (one spans -0.14 to 1.12)."""
    X, Y = random_split(6, np.random.default_rng(3))
    X[0, :3] = [-0.14, 1.12, 1.05]
    path = write_raw(tmp_path / "nist.mat", {"test_data": X, "test_labels": Y})
    with caplog.at_level("INFO", logger="nnrec.splits"):
        X2, Y2 = splits.load_split(path)
    assert X2.min() == 0.0 and X2.max() == 1.0
    np.testing.assert_array_equal(X2[0, :3], [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(X2[1:], X[1:])
    (note,) = [r.getMessage() for r in caplog.records if r.name == "nnrec.splits"]
    assert f"{path}: clipped 3 of 6144 pixels to 0-1 (values found in [-0.14, 1.12])" == note


def test_pixels_inside_0_1_load_without_a_note(tmp_path, caplog):
    X, Y = random_split(4, np.random.default_rng(4))
    path = write_raw(tmp_path / "clean.mat", {"test_data": X, "test_labels": Y})
    with caplog.at_level("INFO", logger="nnrec.splits"):
        splits.load_split(path)
    assert not [r for r in caplog.records if r.name == "nnrec.splits"]
