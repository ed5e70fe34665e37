"""The character splits: real NIST36 (resources, mirror, data.zip), else EMNIST36, else the synthetic stand-in."""

import sys
import types

import numpy as np
import pytest
from data_helpers import closed_port_url, make_emnist36_mirror, write_raw, zip_bytes

import nnrec
from nnrec import DataError, data
from nnrec.data import characters
from nnrec.data.emnist import EmnistUpstream
from nnrec.charset import one_hot


@pytest.fixture
def small_nist36(monkeypatch):
    """Pretend NIST36 has 36 / 36 / 36 rows so fake real files stay tiny."""
    monkeypatch.setattr(characters, "SPLIT_ROWS", {"train": 36, "valid": 36, "test": 36})


def make_nist36_mirror(root, rng):
    root.mkdir(parents=True)
    for split in data.CHARACTER_SPLITS:
        X = rng.random((36, 1024)).astype(np.float32)
        data.save_split(root / f"nist36_{split}.mat", split, X, one_hot(np.arange(36)))
    return root


@pytest.fixture
def fake_synth(monkeypatch):
    """Stand-in for nnrec.synth (tested in test_synth.py): records its call, writes tiny splits."""
    calls = []

    def write_synthetic_splits(paths, per_class, seed, **fonts):
        calls.append((per_class, seed, fonts))
        rng = np.random.default_rng(seed)
        for split, path in paths.items():
            n = 36 * per_class[split]
            data.save_split(path, split, rng.random((n, 1024)), one_hot(np.arange(n) % 36))
        return "fonts: train A, test B"

    module = types.SimpleNamespace(write_synthetic_splits=write_synthetic_splits)
    monkeypatch.setitem(sys.modules, "nnrec.synth", module)
    monkeypatch.setattr(nnrec, "synth", module, raising=False)
    return calls


def char_paths(root):
    return {split: root / f"{split}.mat" for split in data.CHARACTER_SPLITS}


SYNTH = {"per_class": {"train": 2, "valid": 1, "test": 1}, "fonts": ["x"]}


@pytest.fixture
def offline(tmp_path):
    """The keyword arguments that keep every upstream unreachable: a manifest, closed ports."""
    manifest = make_emnist36_mirror(tmp_path / "emnist-only")[1]
    return {"manifest": manifest, "url": closed_port_url("data.zip"),
            "emnist": EmnistUpstream(closed_port_url("gzip.zip"))}  # fmt: skip


def test_auto_uses_real_nist36_from_mirror(tmp_path, small_nist36, fake_synth, offline):
    mirror = make_nist36_mirror(tmp_path / "mirror", np.random.default_rng(3))
    paths = char_paths(tmp_path / "res")
    records = data.fetch_characters(paths, "auto", [str(mirror)], timeout=1, seed=0, synth=SYNTH, **offline)
    assert [r.source for r in records] == ["mirror"] * 3
    assert fake_synth == []
    data.write_provenance(records, tmp_path / "characters.csv")
    assert data.character_source(tmp_path / "characters.csv") == "nist36"

    # a rerun finds the recorded real files in place and reuses them
    again = data.fetch_characters(paths, "auto", [], timeout=1, seed=0, synth=SYNTH,
                                  previous=tmp_path / "characters.csv", **offline)  # fmt: skip
    assert [r.source for r in again] == ["resources"] * 3


def test_auto_falls_back_to_synthetic_offline(tmp_path, small_nist36, fake_synth, caplog, offline):
    paths = char_paths(tmp_path / "res")
    url = offline["url"]
    records = data.fetch_characters(paths, "auto", [str(tmp_path / "nothing")], timeout=1, seed=7, synth=SYNTH, **offline)
    assert [r.source for r in records] == ["synthetic"] * 3
    assert fake_synth == [({"train": 2, "valid": 1, "test": 1}, 7, {"fonts": ["x"]})]
    assert "NOT real NIST36" in records[0].note and "fonts: train A, test B" in records[0].note
    # why no real set was used, in fixed words, the same on every machine
    assert f"NOT real NIST36 ({characters.NO_REAL})" in records[0].note
    assert url not in records[0].note and url in caplog.text  # the detail goes to the log
    assert offline["emnist"].url in caplog.text
    assert data.load_split(paths["train"])[0].shape == (72, 1024)
    # synthetic files are never mistaken for real ones on a rerun
    data.write_provenance(records, tmp_path / "characters.csv")
    assert data.character_source(tmp_path / "characters.csv") == "synthetic"
    with pytest.raises(data.DataUnavailable):
        data.fetch_nist36(paths, [], timeout=1, url=url, previous=tmp_path / "characters.csv")


@pytest.mark.parametrize("source", ["nist36", "emnist36"])
def test_forced_real_set_fails_clearly_offline(tmp_path, fake_synth, offline, source):
    with pytest.raises(data.DataUnavailable, match=f"characters.source is {source} but that set cannot be had") as error:
        data.fetch_characters(char_paths(tmp_path / "res"), source, [], timeout=1, seed=0, synth=SYNTH, **offline)
    upstream = offline["url"] if source == "nist36" else offline["emnist"].url
    assert upstream in str(error.value) and "auto or synth36" in str(error.value) and fake_synth == []


def test_auto_uses_emnist36_when_nist36_cannot_be_had(tmp_path, small_nist36, fake_synth, offline):
    mirror, manifest = make_emnist36_mirror(tmp_path / "mirror")
    paths = char_paths(tmp_path / "res")
    kwargs = {**offline, "manifest": manifest}
    records = data.fetch_characters(paths, "auto", [str(mirror)], timeout=1, seed=0, synth=SYNTH, **kwargs)
    assert [r.source for r in records] == ["mirror"] * 3 and fake_synth == []
    assert records[0].location == "mirror:emnist36/train.mat"
    assert records[0].note == f"{data.provenance.EMNIST36_NOTE}; auto: {characters.NO_NIST36}"
    data.write_provenance(records, tmp_path / "characters.csv")
    assert data.character_source(tmp_path / "characters.csv") == "emnist36"
    # EMNIST files are never mistaken for real NIST36 on a rerun
    with pytest.raises(data.DataUnavailable):
        data.fetch_nist36(paths, [], timeout=1, url=offline["url"], previous=tmp_path / "characters.csv")
    again = data.fetch_characters(paths, "auto", [], timeout=1, seed=0, synth=SYNTH,
                                  previous=tmp_path / "characters.csv", **kwargs)  # fmt: skip
    assert [r.source for r in again] == ["resources"] * 3
    forced = data.fetch_characters(paths, "emnist36", [], timeout=1, seed=0, synth=SYNTH, **kwargs)
    assert forced[0].note == data.provenance.EMNIST36_NOTE  # no fallback to explain


def test_auto_prefers_nist36_over_emnist36(tmp_path, small_nist36, fake_synth, offline):
    mirror, manifest = make_emnist36_mirror(tmp_path / "mirror")
    make_nist36_mirror(tmp_path / "nist", np.random.default_rng(9))
    records = data.fetch_characters(char_paths(tmp_path / "res"), "auto", [str(mirror), str(tmp_path / "nist")],
                                    timeout=1, seed=0, synth=SYNTH, **{**offline, "manifest": manifest})  # fmt: skip
    assert [r.location for r in records] == [f"mirror:nist36_{s}.mat" for s in data.CHARACTER_SPLITS]


def test_synth36_never_looks_for_real_data(tmp_path, small_nist36, fake_synth, offline):
    mirror = make_nist36_mirror(tmp_path / "mirror", np.random.default_rng(4))
    records = data.fetch_characters(char_paths(tmp_path / "r"), "synth36", [str(mirror)], timeout=1, seed=0,
                                    synth=SYNTH, **offline)  # fmt: skip
    assert {r.source for r in records} == {"synthetic"}


def test_invalid_real_file_in_mirror_stops_auto(tmp_path, small_nist36, fake_synth, offline):
    mirror = make_nist36_mirror(tmp_path / "mirror", np.random.default_rng(5))
    write_raw(mirror / "nist36_valid.mat", {"valid_data": np.zeros((36, 1024)), "valid_labels": np.zeros((36, 26))})
    with pytest.raises(DataError, match="nist36_valid.mat: key 'valid_labels' has shape"):
        data.fetch_characters(char_paths(tmp_path / "r"), "auto", [str(mirror)], timeout=1, seed=0, synth=SYNTH,
                              **offline)  # fmt: skip
    assert fake_synth == []


def test_nist36_download_from_data_zip(tmp_path, small_nist36, http_folder):
    folder, base = http_folder
    made = make_nist36_mirror(tmp_path / "made", np.random.default_rng(6))
    (folder / "data.zip").write_bytes(
        zip_bytes({f"data/nist36_{s}.mat": (made / f"nist36_{s}.mat").read_bytes() for s in data.CHARACTER_SPLITS})
    )
    paths = char_paths(tmp_path / "res")
    records = data.fetch_nist36(paths, [], timeout=5, url=f"{base}/data.zip")
    assert [r.source for r in records] == ["download"] * 3
    assert records[2].location == f"{base}/data.zip#nist36_test.mat"
    assert paths["test"].read_bytes() == (made / "nist36_test.mat").read_bytes()


def test_character_samples_figure_picks_each_class(tmp_path):
    from nnrec.plots import save
    from nnrec.plots.data import character_samples, pick_per_class

    rng = np.random.default_rng(8)
    labels = np.r_[np.repeat(np.arange(36), 3), [5]]  # class 5 has 4 samples, the rest 3
    X, Y = rng.random((len(labels), 1024)), one_hot(labels)
    picks = pick_per_class(Y, 4, rng)
    assert [len(p) for p in picks] == [4 if k == 5 else 3 for k in range(36)]
    assert all((labels[p] == k).all() and len(set(p)) == len(p) for k, p in enumerate(picks))
    fig = character_samples({"train": (X, Y), "test": (X[:36], Y[:36])}, 4, rng, title="t", note="n")
    save(fig, tmp_path / "samples.png")
    assert (tmp_path / "samples.png").stat().st_size > 10_000
