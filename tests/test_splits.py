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
        ({"train_data": np.full((4, 1024), 255.0), "train_labels": one_hot([0, 1, 2, 3])}, "expected 0-1"),
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
