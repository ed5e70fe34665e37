"""EMNIST36: the mirror's emnist36/*.mat, and EMNIST's own archive converted (a tiny fake one here)."""

import gzip
import hashlib
import struct
import time
from pathlib import Path

import numpy as np
import pytest
from data_helpers import closed_port_url, leftovers, make_emnist36_mirror, zip_bytes

from nnrec import DataError, data
from nnrec.charset import CLASSES
from nnrec.data import emnist
from nnrec.data.provenance import EMNIST36_NOTE

REAL_MIRROR = Path(__file__).parents[1].parent / "shared/data/emnist36"
MANIFEST = Path(__file__).parents[1] / "workflow/resources/checksums.sha256"
TINY = {"test": 1, "valid": 1, "train": 1}  # 3 samples per class: one for each split
L_CLASS = CLASSES.index("L")


def char_paths(root):
    return {split: Path(root) / f"{split}.mat" for split in data.CHARACTER_SPLITS}


def idx_gz(array):
    """gzip-compressed IDX (unsigned byte) bytes of ``array``."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


def upright_l():
    """A 28x28 upright "L" (ink 255): the left column and the bottom row of a box."""
    tile = np.zeros((28, 28), np.uint8)
    tile[4:24, 4] = 255
    tile[23, 4:20] = 255
    return tile


def fake_byclass(short=("G",)):
    """(images as IDX stores them, labels): 3 samples per NIST36 class (2 for ``short``), plus
    lower-case ones that must never be picked. Each upright tile carries its source index in
    its top-right pixels (high byte, low byte); the L class is an "L".
    """
    rng = np.random.default_rng(1)
    labels = [label for k, label in enumerate(emnist.BYCLASS_LABELS) for _ in range(2 if CLASSES[k] in short else 3)]
    labels = np.array(labels + [40, 50, 61] * 2)
    labels = labels[rng.permutation(len(labels))]
    upright = np.zeros((len(labels), 28, 28), np.uint8)
    for i, label in enumerate(labels):
        if label == emnist.BYCLASS_LABELS[L_CLASS]:
            upright[i] = upright_l()
        upright[i, 0, 26:] = divmod(i, 256)
    return upright.transpose(0, 2, 1), labels  # EMNIST stores each image transposed


@pytest.fixture
def fake_archive(http_folder):
    """A tiny EMNIST gzip.zip served from 127.0.0.1; yields (upstream, images, labels)."""
    folder, base = http_folder
    images, labels = fake_byclass()
    blob = zip_bytes(
        {
            f"gzip/{emnist.IDX_MEMBERS[0]}": idx_gz(images),
            f"gzip/{emnist.IDX_MEMBERS[1]}": idx_gz(labels),
            "gzip/emnist-digits-test-labels-idx1-ubyte.gz": idx_gz(labels[:5]),
        }
    )
    (folder / "gzip.zip").write_bytes(blob)
    upstream = emnist.EmnistUpstream(f"{base}/gzip.zip", hashlib.md5(blob).hexdigest(), TINY)
    yield upstream, images, labels


def source_index(rows):
    """The source index each converted row carries (see fake_byclass)."""
    upright = rows.reshape(-1, 32, 32).transpose(0, 2, 1)
    code = np.rint((1 - upright[:, 2, 28:30]) * 255).astype(int)
    return code[:, 0] * 256 + code[:, 1]


def test_idx_round_trip_and_bad_header():
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    assert (emnist.read_idx(gzip.decompress(idx_gz(array)), "x") == array).all()
    with pytest.raises(DataError, match="bad.idx: not an unsigned-byte IDX file"):
        emnist.read_idx(b"\x00\x00\x0d\x01abcd", "bad.idx")
    with pytest.raises(DataError, match="header says shape"):
        emnist.read_idx(gzip.decompress(idx_gz(array))[:-1], "short.idx")


def test_download_converts_the_byclass_test_split(tmp_path, fake_archive):
    upstream, images, labels = fake_archive
    paths = char_paths(tmp_path / "res")
    manifest = make_emnist36_mirror(tmp_path / "unused")[1]  # the mirror's hashes, not the conversion's
    records = emnist.fetch_emnist36(paths, manifest, [], timeout=5, upstream=upstream)
    assert [r.source for r in records] == ["download"] * 3
    assert records[0].location == f"{upstream.url}#{emnist.IDX_MEMBERS[0]} + {emnist.IDX_MEMBERS[1]}"
    assert records[0].note == f"{EMNIST36_NOTE}; {emnist.DOWNLOAD_NOTE}"
    seen = []
    for split, path in paths.items():
        X, Y = data.load_split(path)
        assert X.shape == ((35 if split == "train" else 36), 1024) and X.dtype == np.float32
        assert Y.dtype == np.float64 and (Y.sum(axis=1) == 1).all()
        assert X.min() >= 0 and X.max() <= 1
        cells = X.reshape(-1, 32, 32)
        assert (cells[:, :2] == 1).all() and (cells[:, -2:] == 1).all()  # 2-px white border
        assert (cells[:, :, :2] == 1).all() and (cells[:, :, -2:] == 1).all()
        # labels: each row's class is its source sample's ByClass label, A..Z then 0..9
        source = source_index(X)
        assert (emnist.BYCLASS_LABELS[Y.argmax(axis=1)] == labels[source]).all()
        seen.extend(source)
    assert len(seen) == len(set(seen)) == 36 * 3 - 1  # every upper-case/digit sample once, no lower case


def test_converted_rows_are_upright(tmp_path, fake_archive):
    upstream, _, _ = fake_archive
    paths = char_paths(tmp_path / "res")
    emnist.fetch_emnist36(paths, make_emnist36_mirror(tmp_path / "m")[1], [], timeout=5, upstream=upstream)
    X, Y = data.load_split(paths["test"])
    img = X[Y.argmax(axis=1) == L_CLASS][0].reshape(32, 32).T
    ink = img < 0.5
    expected = np.zeros((32, 32), bool)
    expected[2:30, 2:30] = upright_l() == 255
    expected[2, 28:30] = ink[2, 28:30]  # the source-index code pixels
    assert (ink == expected).all()
    assert ink[6:26, 6].all() and ink[25, 6:22].all()  # left column and bottom row: an "L"


def test_sampling_follows_the_readme(fake_archive):
    _, images, labels = fake_archive
    splits = emnist.sample_splits(labels, TINY)
    rng = np.random.default_rng(0)
    perm_a = rng.permutation(np.flatnonzero(labels == 10))  # class A is drawn first
    assert perm_a[0] in splits["test"][0] and perm_a[1] in splits["valid"][0] and perm_a[2] in splits["train"][0]
    again = emnist.convert_byclass(images, labels, TINY)
    for split, (X, Y) in emnist.convert_byclass(images, labels, TINY).items():
        assert (X == again[split][0]).all() and (Y == again[split][1]).all()


def test_same_archive_same_bytes(tmp_path, fake_archive):
    upstream, _, _ = fake_archive
    manifest = make_emnist36_mirror(tmp_path / "m")[1]
    first, second = char_paths(tmp_path / "a"), char_paths(tmp_path / "b")
    emnist.fetch_emnist36(first, manifest, [], timeout=5, upstream=upstream)
    records = emnist.fetch_emnist36(second, manifest, [], timeout=5, upstream=upstream)
    assert all(first[s].read_bytes() == second[s].read_bytes() for s in first)
    # a converted copy is reused on a rerun only when the earlier provenance records it
    data.write_provenance(records, tmp_path / "characters.csv")
    offline = emnist.EmnistUpstream(closed_port_url("gzip.zip"), upstream.md5, TINY)
    again = emnist.fetch_emnist36(second, manifest, [], timeout=1, upstream=offline, previous=tmp_path / "characters.csv")
    assert [r.source for r in again] == ["resources"] * 3 and again[0].note == EMNIST36_NOTE
    with pytest.raises(data.DataUnavailable):
        emnist.fetch_emnist36(second, manifest, [], timeout=1, upstream=offline)


def test_wrong_md5_is_an_error(tmp_path, fake_archive):
    upstream, _, _ = fake_archive
    wrong = emnist.EmnistUpstream(upstream.url, "0" * 32, TINY)
    paths = char_paths(tmp_path / "res")
    with pytest.raises(DataError, match="gzip.zip: md5 mismatch: found [0-9a-f]{32}, expected 0{32}") as error:
        emnist.fetch_emnist36(paths, make_emnist36_mirror(tmp_path / "m")[1], [], timeout=5, upstream=wrong)
    assert not isinstance(error.value, data.DataUnavailable)
    assert not (tmp_path / "res").exists() or not any((tmp_path / "res").iterdir())


def test_unreachable_archive_is_unavailable_quickly(tmp_path):
    offline = emnist.EmnistUpstream(closed_port_url("gzip.zip"), emnist.EMNIST_MD5, TINY)
    start = time.monotonic()
    with pytest.raises(data.DataUnavailable, match="emnist36/train.mat is in no mirror folder"):
        emnist.fetch_emnist36(char_paths(tmp_path), make_emnist36_mirror(tmp_path / "m")[1], [str(tmp_path / "none")],
                              timeout=2, upstream=offline)  # fmt: skip
    assert time.monotonic() - start < 10


def test_mirror_copies_are_verified(tmp_path):
    mirror, manifest = make_emnist36_mirror(tmp_path / "mirror")
    paths = char_paths(tmp_path / "res")
    offline = emnist.EmnistUpstream(closed_port_url("gzip.zip"))
    records = emnist.fetch_emnist36(paths, manifest, [str(tmp_path / "none"), str(mirror)], timeout=1, upstream=offline)
    assert [(r.source, r.location) for r in records] == [("mirror", f"mirror:emnist36/{s}.mat") for s in paths]
    assert {r.note for r in records} == {EMNIST36_NOTE}
    assert paths["valid"].read_bytes() == (mirror / "emnist36/valid.mat").read_bytes()
    # the copies match the manifest, so a rerun keeps them without any earlier provenance
    again = emnist.fetch_emnist36(paths, manifest, [], timeout=1, upstream=offline)
    assert [r.source for r in again] == ["resources"] * 3


def test_corrupt_mirror_copy_is_an_error(tmp_path):
    mirror, manifest = make_emnist36_mirror(tmp_path / "mirror")
    (mirror / "emnist36/test.mat").write_bytes(b"corrupted")
    res = tmp_path / "res"
    with pytest.raises(DataError, match="emnist36/test.mat: sha256 mismatch"):
        emnist.fetch_emnist36(char_paths(res), manifest, [str(mirror)], timeout=1,
                              upstream=emnist.EmnistUpstream(closed_port_url("gzip.zip")))  # fmt: skip
    assert not (res / "test.mat").exists() and leftovers(res) == []


@pytest.mark.skipif(not REAL_MIRROR.is_dir(), reason="no local mirror with emnist36/")
def test_real_mirror_verifies_and_is_upright(tmp_path):
    paths = char_paths(tmp_path)
    records = emnist.fetch_emnist36(paths, MANIFEST, [str(REAL_MIRROR.parent)], timeout=1,
                                    upstream=emnist.EmnistUpstream(closed_port_url("gzip.zip")))  # fmt: skip
    assert {r.source for r in records} == {"mirror"}
    for split, rows in emnist.EMNIST_ROWS.items():
        X, Y = data.load_split(paths[split], rows)
        cells = X.reshape(-1, 32, 32)
        assert (cells[:, :2] == 1).all() and (cells[:, :, -2:] == 1).all()
    # an upright "L" has more ink in its left half than its right, and in its bottom half than its top
    ink = 1 - X[Y.argmax(axis=1) == L_CLASS].reshape(-1, 32, 32).transpose(0, 2, 1).mean(axis=0)
    assert ink[:, :16].sum() > 1.5 * ink[:, 16:].sum() and ink[16:].sum() > ink[:16].sum()
