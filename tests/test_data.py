"""The data layer: verified fetching (resources, mirrors, download), loaders, provenance.

Everything runs on small files generated here; "upstream" is a local HTTP server or a closed
port on 127.0.0.1. Neither the network nor ../shared is needed.
"""

import functools
import http.server
import io as pyio
import socket
import sys
import tarfile
import threading
import time
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest
from dataclasses import asdict
from scipy.io import savemat

import nnrec
from nnrec import DataError, data
from nnrec.charset import one_hot


def sha(blob):
    import hashlib

    return hashlib.sha256(blob).hexdigest()


def leftovers(folder):
    """Temporary files the atomic writers would leave behind on failure."""
    return [p for p in Path(folder).rglob("*") if p.name.startswith(".") or p.suffix == ".part"]


PAGE_BYTES = {name: f"fake jpeg of {name}".encode() * 10 for name in data.PAGES}


def write_manifest(path, entries):
    lines = ["# test manifest"] + [f"{digest}  {name}" for name, digest in entries.items()]
    Path(path).write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def pages_manifest(tmp_path):
    return write_manifest(
        tmp_path / "checksums.sha256", {f"images/{n}.jpg": sha(b) for n, b in PAGE_BYTES.items()}
    )


def make_mirror(root, pages=PAGE_BYTES):
    (root / "images").mkdir(parents=True)
    for name, blob in pages.items():
        (root / "images" / f"{name}.jpg").write_bytes(blob)
    return root


def closed_port_url(name):
    """A URL on 127.0.0.1 whose port nobody listens on (connection refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"


@pytest.fixture
def http_folder(tmp_path):
    """Serve a folder over HTTP on 127.0.0.1; yields (folder, base URL)."""
    folder = tmp_path / "upstream"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------- checksums


def test_copy_verified_mismatch_names_file_and_hashes_and_leaves_nothing(tmp_path):
    src = tmp_path / "mirror" / "a.jpg"
    src.parent.mkdir()
    src.write_bytes(b"corrupted bytes")
    dest = tmp_path / "resources" / "a.jpg"
    expected = sha(b"the published bytes")
    with pytest.raises(DataError) as error:
        data.copy_verified(src, dest, expected)
    message = str(error.value)
    assert str(src) in message and expected in message and sha(b"corrupted bytes") in message
    assert not dest.exists()
    assert leftovers(dest.parent) == []


def test_copy_verified_match_copies(tmp_path):
    src = tmp_path / "a.bin"
    src.write_bytes(b"abc")
    assert data.copy_verified(src, tmp_path / "out" / "a.bin", sha(b"abc")) == sha(b"abc")
    assert (tmp_path / "out" / "a.bin").read_bytes() == b"abc"


def test_read_manifest_prefix_and_errors(tmp_path):
    path = write_manifest(tmp_path / "m", {"images/a.jpg": "a" * 64, "other/b.jpg": "b" * 64})
    assert data.read_manifest(path, "images/") == {"a.jpg": "a" * 64}
    with pytest.raises(DataError, match="no checksums"):
        data.read_manifest(path, "missing/")
    (tmp_path / "bad").write_text("not a checksum line\n")
    with pytest.raises(DataError, match="line 1"):
        data.read_manifest(tmp_path / "bad")


def test_combined_digest_matches_sha256sum_listing():
    hashes = {"b/x.jpg": "1" * 64, "a/y.jpg": "2" * 64}
    listing = f"{'2' * 64}  ./a/y.jpg\n{'1' * 64}  ./b/x.jpg\n"
    assert data.combined_digest(hashes) == sha(listing.encode())


# --------------------------------------------------------------------------- lookup order


def test_first_mirror_holding_the_file_wins_and_missing_folders_are_skipped(tmp_path, pages_manifest, caplog):
    caplog.set_level("INFO")
    first = make_mirror(tmp_path / "first")
    second = make_mirror(tmp_path / "second")
    mirrors = [str(tmp_path / "does-not-exist"), str(first), str(second)]
    dests = {"01_list": tmp_path / "res" / "01_list.jpg"}
    (record,) = data.fetch_pages(dests, pages_manifest, mirrors, timeout=1, url=closed_port_url("x.zip"))
    assert record.source == "mirror"
    # provenance names the file inside the mirror, never this machine's folder; the log says which
    assert record.location == "mirror:images/01_list.jpg"
    assert f"copied from mirror {first / 'images' / '01_list.jpg'}" in caplog.text
    assert record.dataset == "pages/01_list"
    assert record.sha256 == sha(PAGE_BYTES["01_list"])
    assert dests["01_list"].read_bytes() == PAGE_BYTES["01_list"]


def test_mirror_without_the_file_is_passed_over(tmp_path, pages_manifest, caplog):
    caplog.set_level("INFO")
    empty = tmp_path / "empty"
    empty.mkdir()
    second = make_mirror(tmp_path / "second")
    dests = {"02_letters": tmp_path / "res" / "02_letters.jpg"}
    (record,) = data.fetch_pages(dests, pages_manifest, [str(empty), str(second)], timeout=1)
    assert record.location == "mirror:images/02_letters.jpg"
    assert f"copied from mirror {second / 'images' / '02_letters.jpg'}" in caplog.text


def test_verified_resources_copy_is_preferred_over_mirrors(tmp_path, pages_manifest):
    mirror = make_mirror(tmp_path / "mirror", {n: b"corrupt" for n in PAGE_BYTES})
    dest = tmp_path / "res" / "03_haiku.jpg"
    dest.parent.mkdir()
    dest.write_bytes(PAGE_BYTES["03_haiku"])
    (record,) = data.fetch_pages({"03_haiku": dest}, pages_manifest, [str(mirror)], timeout=1)
    assert (record.source, record.location) == ("resources", str(dest))


def test_stale_resources_copy_is_replaced_from_mirror(tmp_path, pages_manifest):
    mirror = make_mirror(tmp_path / "mirror")
    dest = tmp_path / "res" / "04_deep.jpg"
    dest.parent.mkdir()
    dest.write_bytes(b"half a file")
    (record,) = data.fetch_pages({"04_deep": dest}, pages_manifest, [str(mirror)], timeout=1)
    assert record.source == "mirror"
    assert dest.read_bytes() == PAGE_BYTES["04_deep"]


def test_corrupt_mirror_file_is_an_error_not_skipped(tmp_path, pages_manifest):
    bad = make_mirror(tmp_path / "bad", {n: b"flipped bits" for n in PAGE_BYTES})
    good = make_mirror(tmp_path / "good")
    dest = tmp_path / "res" / "01_list.jpg"
    with pytest.raises(DataError, match="01_list.jpg: sha256 mismatch") as error:
        data.fetch_pages({"01_list": dest}, pages_manifest, [str(bad), str(good)], timeout=1)
    assert str(bad) in str(error.value)
    assert not dest.exists() and leftovers(dest.parent) == []


# --------------------------------------------------------------------------- download


def test_unreachable_upstream_gives_up_within_seconds(tmp_path, pages_manifest):
    url = closed_port_url("images.zip")
    start = time.monotonic()
    with pytest.raises(data.DataUnavailable, match="could not download") as error:
        data.fetch_pages({"01_list": tmp_path / "01_list.jpg"}, pages_manifest, [], timeout=2, url=url)
    assert time.monotonic() - start < 5
    assert url in str(error.value) and "data.mirrors" in str(error.value)
    assert "connection refused by 127.0.0.1" in str(error.value)
    assert not (tmp_path / "01_list.jpg").exists()


def test_silent_upstream_times_out(tmp_path, pages_manifest):
    # listens (the kernel completes the handshake) but never answers
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/images.zip"
        start = time.monotonic()
        with pytest.raises(data.DataUnavailable, match="no answer from 127.0.0.1:[0-9]+ within 0.5 s"):
            data.fetch_pages({"01_list": tmp_path / "p.jpg"}, pages_manifest, [], timeout=0.5, url=url)
        assert time.monotonic() - start < 5


def zip_bytes(members):
    buffer = pyio.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return buffer.getvalue()


def test_pages_download_from_upstream_zip(tmp_path, pages_manifest, http_folder):
    folder, base = http_folder
    (folder / "images.zip").write_bytes(zip_bytes({f"images/{n}.jpg": b for n, b in PAGE_BYTES.items()}))
    dests = {n: tmp_path / "res" / f"{n}.jpg" for n in data.PAGES}
    records = data.fetch_pages(dests, pages_manifest, [str(tmp_path / "none")], timeout=5, url=f"{base}/images.zip")
    assert [r.source for r in records] == ["download"] * 4
    assert records[0].location == f"{base}/images.zip#01_list.jpg"
    assert all(dests[n].read_bytes() == PAGE_BYTES[n] for n in data.PAGES)


def test_corrupt_download_is_rejected(tmp_path, pages_manifest, http_folder):
    folder, base = http_folder
    (folder / "images.zip").write_bytes(zip_bytes({"01_list.jpg": b"wrong"}))
    dest = tmp_path / "res" / "01_list.jpg"
    with pytest.raises(DataError, match="sha256 mismatch"):
        data.fetch_pages({"01_list": dest}, pages_manifest, [], timeout=5, url=f"{base}/images.zip")
    assert not dest.exists() and leftovers(dest.parent) == []


# --------------------------------------------------------------------------- flowers 17


def fake_flowers(root):
    """Tiny stand-in for 17flowers.tgz + datasplits.mat, and the layout split 2 must give."""
    jpg = root / "jpg"
    jpg.mkdir(parents=True)
    for i in (1, 2, 3, 5, 6, 7, 8, 80, 81, 160, 161, 1281, 1360):  # the ones the splits list
        (jpg / f"image_{i:04d}.jpg").write_bytes(f"flower {i}".encode())
    splits = {  # split 1 is a decoy: only split 2 may be used
        "trn1": np.array([[5, 6]]),
        "val1": np.array([[7]]),
        "tst1": np.array([[8]]),
        "trn2": np.array([[1, 80, 81, 1360]]),
        "val2": np.array([[2, 160]]),
        "tst2": np.array([[3, 161, 1281]]),
    }
    savemat(root / "datasplits.mat", splits)
    expected = {
        "train/0/image_0001.jpg", "train/0/image_0080.jpg", "train/1/image_0081.jpg",
        "train/16/image_1360.jpg", "val/0/image_0002.jpg", "val/1/image_0160.jpg",
        "test/0/image_0003.jpg", "test/2/image_0161.jpg", "test/16/image_1281.jpg",
    }  # fmt: skip
    with tarfile.open(root / "17flowers.tgz", "w:gz") as tar:
        tar.add(jpg, arcname="jpg")
    return expected


def flower_hashes(expected):
    return {f"oxford-flowers17/{rel}": sha(f"flower {int(rel[-8:-4])}".encode()) for rel in expected}


def test_flowers17_offline_without_mirror_fails_fast_and_leaves_nothing(tmp_path):
    manifest = write_manifest(tmp_path / "m", {"oxford-flowers17/train/0/image_0001.jpg": "0" * 64})
    urls = {"images": closed_port_url("17flowers.tgz"), "splits": closed_port_url("datasplits.mat")}
    dest = tmp_path / "res" / "flowers17"
    start = time.monotonic()
    with pytest.raises(data.DataUnavailable, match="oxford-flowers17 is in no mirror folder") as error:
        data.fetch_flowers17(dest, manifest, [str(tmp_path / "none")], timeout=2, urls=urls)
    assert time.monotonic() - start < 5 and urls["images"] in str(error.value)
    assert not dest.exists() and leftovers(dest.parent) == []


def test_partition_flowers17_uses_split_2_and_80_images_per_class(tmp_path):
    expected = fake_flowers(tmp_path / "up")
    counts = data.partition_flowers17(tmp_path / "up" / "jpg", tmp_path / "up" / "datasplits.mat", tmp_path / "out")
    found = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.jpg")}
    assert found == expected
    assert counts == {"train": 4, "val": 2, "test": 3}
    assert (tmp_path / "out/train/1/image_0081.jpg").read_bytes() == b"flower 81"


def test_flowers17_download_mirror_and_resources(tmp_path, http_folder):
    folder, base = http_folder
    expected = fake_flowers(folder)
    manifest = write_manifest(tmp_path / "manifest", flower_hashes(expected))
    urls = {"images": f"{base}/17flowers.tgz", "splits": f"{base}/datasplits.mat"}
    dest = tmp_path / "res" / "flowers17"

    record = data.fetch_flowers17(dest, manifest, [], timeout=5, urls=urls)
    assert record.source == "download"
    assert {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()} == expected
    from nnrec.io import UMASK  # staged folders and files get the usual modes, not mkdtemp's 0700

    assert dest.stat().st_mode & 0o777 == 0o777 & ~UMASK
    assert (dest / "train/0/image_0001.jpg").stat().st_mode & 0o777 == 0o666 & ~UMASK
    assert record.sha256 == data.combined_digest({rel: sha(p.read_bytes()) for rel, p in
                                                  ((p.relative_to(dest).as_posix(), p) for p in dest.rglob("*.jpg"))})  # fmt: skip

    (dest / ".snakemake_timestamp").touch()  # Snakemake's marker in directory() outputs
    again = data.fetch_flowers17(dest, manifest, [], timeout=5, urls=urls)
    assert (again.source, again.sha256) == ("resources", record.sha256)

    # a mirror copy with one corrupted image stops the fetch and leaves no partial folder
    mirror = tmp_path / "mirror" / "oxford-flowers17"
    for rel in expected:
        (mirror / rel).parent.mkdir(parents=True, exist_ok=True)
        (mirror / rel).write_bytes((dest / rel).read_bytes())
    (dest / "train/0/image_0001.jpg").write_bytes(b"stale")  # resources copy no longer verifies
    (mirror / "test/2/image_0161.jpg").write_bytes(b"corrupt")
    other = tmp_path / "res2" / "flowers17"
    with pytest.raises(DataError, match="image_0161.jpg: sha256 mismatch"):
        data.fetch_flowers17(other, manifest, [str(tmp_path / "mirror")], timeout=5, urls=urls)
    assert not other.exists() and leftovers(other.parent) == []

    (mirror / "test/2/image_0161.jpg").write_bytes(b"flower 161")
    fixed = data.fetch_flowers17(dest, manifest, [str(tmp_path / "mirror")], timeout=5, urls=urls)
    assert (fixed.source, fixed.location) == ("mirror", "mirror:oxford-flowers17")
    assert (dest / "train/0/image_0001.jpg").read_bytes() == b"flower 1"


# --------------------------------------------------------------------------- loaders


def random_split(n, rng):
    return rng.random((n, 1024)).astype(np.float32), one_hot(rng.integers(0, 36, n))


def test_save_load_round_trip(tmp_path):
    X, Y = random_split(20, np.random.default_rng(0))
    path = tmp_path / "valid.mat"
    data.save_split(path, "valid", X, Y)
    X2, Y2 = data.load_split(path)
    assert X2.dtype == np.float32 and X2.shape == (20, 1024)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(Y2, Y)
    assert leftovers(tmp_path) == []


def test_save_split_is_byte_for_byte_reproducible(tmp_path, monkeypatch):
    import time as time_module

    stamps = iter(["Mon Jan  1 00:00:00 2024", "Tue Feb  2 11:11:11 2025"])
    monkeypatch.setattr(time_module, "asctime", lambda *args: next(stamps))  # scipy stamps this
    X, Y = random_split(10, np.random.default_rng(9))
    data.save_split(tmp_path / "a.mat", "test", X, Y)
    data.save_split(tmp_path / "b.mat", "test", X, Y)
    assert (tmp_path / "a.mat").read_bytes() == (tmp_path / "b.mat").read_bytes()
    assert (tmp_path / "a.mat").read_bytes().startswith(b"MATLAB 5.0 MAT-file")


def write_raw(path, mapping):
    savemat(path, mapping)
    return path


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
        data.load_split(path)
    assert str(error.value).startswith(str(path))


def test_load_split_rejects_wrong_row_count(tmp_path):
    X, Y = random_split(5, np.random.default_rng(1))
    data.save_split(tmp_path / "test.mat", "test", X, Y)
    with pytest.raises(DataError, match=r"has shape \(5, 1024\); expected \(1800, 1024\)"):
        data.load_split(tmp_path / "test.mat", n_rows=1800)


@pytest.mark.parametrize("keep", [0.5, 0.05])
def test_load_split_rejects_truncated_file(tmp_path, keep):
    X, Y = random_split(50, np.random.default_rng(2))
    full = tmp_path / "train.mat"
    data.save_split(full, "train", X, Y)
    blob = full.read_bytes()
    cut = tmp_path / "cut.mat"
    cut.write_bytes(blob[: int(len(blob) * keep)])
    with pytest.raises(DataError, match=f"{cut}: not a readable .mat file"):
        data.load_split(cut)


def test_load_split_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        data.load_split(tmp_path / "nope.mat")


def test_save_split_refuses_bad_arrays(tmp_path):
    with pytest.raises(DataError, match="one-hot"):
        data.save_split(tmp_path / "t.mat", "train", np.zeros((3, 1024)), np.zeros((3, 36)))
    assert not (tmp_path / "t.mat").exists() and leftovers(tmp_path) == []


# --------------------------------------------------------------------------- characters


@pytest.fixture
def small_nist36(monkeypatch):
    """Pretend NIST36 has 36 / 36 / 36 rows so fake real files stay tiny."""
    monkeypatch.setattr(data, "SPLIT_ROWS", {"train": 36, "valid": 36, "test": 36})


def make_nist36_mirror(root, rng):
    root.mkdir(parents=True)
    for split in data.SPLITS:
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
    return {split: root / f"{split}.mat" for split in data.SPLITS}


SYNTH = {"per_class": {"train": 2, "valid": 1, "test": 1}, "fonts": ["x"]}


def test_auto_uses_real_nist36_from_mirror(tmp_path, small_nist36, fake_synth):
    mirror = make_nist36_mirror(tmp_path / "mirror", np.random.default_rng(3))
    paths = char_paths(tmp_path / "res")
    records = data.fetch_characters(paths, "auto", [str(mirror)], timeout=1, seed=0, synth=SYNTH,
                                    url=closed_port_url("data.zip"))  # fmt: skip
    assert [r.source for r in records] == ["mirror"] * 3
    assert fake_synth == []
    data.write_provenance(records, tmp_path / "characters.csv")
    assert data.character_source(tmp_path / "characters.csv") == "nist36"

    # a rerun finds the recorded real files in place and reuses them
    again = data.fetch_characters(paths, "auto", [], timeout=1, seed=0, synth=SYNTH,
                                  previous=tmp_path / "characters.csv")  # fmt: skip
    assert [r.source for r in again] == ["resources"] * 3


def test_auto_falls_back_to_synthetic_offline(tmp_path, small_nist36, fake_synth, caplog):
    paths = char_paths(tmp_path / "res")
    url = closed_port_url("data.zip")
    records = data.fetch_characters(paths, "auto", [str(tmp_path / "nothing")], timeout=1, seed=7, synth=SYNTH, url=url)
    assert [r.source for r in records] == ["synthetic"] * 3
    assert fake_synth == [({"train": 2, "valid": 1, "test": 1}, 7, {"fonts": ["x"]})]
    assert "NOT real NIST36" in records[0].note and "fonts: train A, test B" in records[0].note
    assert "could not be had" in records[0].note  # why the real set was not used, the same on every machine
    assert url not in records[0].note and url in caplog.text  # the detail goes to the log
    assert data.load_split(paths["train"])[0].shape == (72, 1024)
    # synthetic files are never mistaken for real ones on a rerun
    data.write_provenance(records, tmp_path / "characters.csv")
    with pytest.raises(data.DataUnavailable):
        data.fetch_nist36(paths, [], timeout=1, url=url, previous=tmp_path / "characters.csv")


def test_forced_nist36_fails_clearly_offline(tmp_path, fake_synth):
    url = closed_port_url("data.zip")
    with pytest.raises(data.DataUnavailable, match="characters.source is nist36") as error:
        data.fetch_characters(char_paths(tmp_path), "nist36", [], timeout=1, seed=0, synth=SYNTH, url=url)
    assert url in str(error.value) and fake_synth == []


def test_synth36_never_looks_for_real_data(tmp_path, small_nist36, fake_synth):
    mirror = make_nist36_mirror(tmp_path / "mirror", np.random.default_rng(4))
    records = data.fetch_characters(char_paths(tmp_path / "r"), "synth36", [str(mirror)], timeout=1, seed=0, synth=SYNTH)
    assert {r.source for r in records} == {"synthetic"}


def test_invalid_real_file_in_mirror_stops_auto(tmp_path, small_nist36, fake_synth):
    mirror = make_nist36_mirror(tmp_path / "mirror", np.random.default_rng(5))
    write_raw(mirror / "nist36_valid.mat", {"valid_data": np.zeros((36, 1024)), "valid_labels": np.zeros((36, 26))})
    with pytest.raises(DataError, match="nist36_valid.mat: key 'valid_labels' has shape"):
        data.fetch_characters(char_paths(tmp_path / "r"), "auto", [str(mirror)], timeout=1, seed=0, synth=SYNTH)
    assert fake_synth == []


def test_nist36_download_from_data_zip(tmp_path, small_nist36, http_folder):
    folder, base = http_folder
    made = make_nist36_mirror(tmp_path / "made", np.random.default_rng(6))
    (folder / "data.zip").write_bytes(
        zip_bytes({f"data/nist36_{s}.mat": (made / f"nist36_{s}.mat").read_bytes() for s in data.SPLITS})
    )
    paths = char_paths(tmp_path / "res")
    records = data.fetch_nist36(paths, [], timeout=5, url=f"{base}/data.zip")
    assert [r.source for r in records] == ["download"] * 3
    assert records[2].location == f"{base}/data.zip#nist36_test.mat"
    assert paths["test"].read_bytes() == (made / "nist36_test.mat").read_bytes()


# --------------------------------------------------------------------------- provenance


def test_provenance_rows_round_trip_and_combine(tmp_path):
    pages = [data.Fetched("pages/01_list", "mirror", "../shared/data/images/01_list.jpg", "a" * 64)]
    chars = [data.Fetched(f"characters/{s}", "synthetic", f"resources/characters/{s}.mat", "b" * 64, "NOT real")
             for s in data.SPLITS]  # fmt: skip
    data.write_provenance(pages, tmp_path / "pages.csv")
    data.write_provenance(chars, tmp_path / "characters.csv")
    header = (tmp_path / "pages.csv").read_text().splitlines()[0]
    assert header == "dataset,source,location,sha256,note"
    table = data.combine_provenance([tmp_path / "characters.csv", tmp_path / "pages.csv"])
    assert list(table.columns) == list(data.PROVENANCE_COLUMNS)
    assert list(table.source) == ["synthetic"] * 3 + ["mirror"]
    assert table.note.iloc[3] == ""
    assert data.character_source(tmp_path / "characters.csv") == "synthetic"
    with pytest.raises(DataError, match="no rows for dataset characters"):
        data.character_source(tmp_path / "pages.csv")


def test_with_origin_keeps_where_a_reused_copy_first_came_from(tmp_path):
    first = [data.Fetched("pages/01_list", "mirror", "m/images/01_list.jpg", "a" * 64),
             data.Fetched("pages/02_letters", "mirror", "m/images/02_letters.jpg", "b" * 64)]  # fmt: skip
    data.write_provenance(first, tmp_path / "pages.csv")
    reused = [data.Fetched("pages/01_list", "resources", "r/01_list.jpg", "a" * 64),
              data.Fetched("pages/02_letters", "resources", "r/02_letters.jpg", "c" * 64)]  # fmt: skip
    second = data.with_origin(reused, tmp_path / "pages.csv")
    assert second[0].note == "first fetched from mirror m/images/01_list.jpg"
    assert second[1].note == ""  # different bytes than last time: no claim about their origin
    data.write_provenance(second, tmp_path / "pages.csv")
    third = data.with_origin(reused[:1], tmp_path / "pages.csv")
    assert third[0].note == "first fetched from mirror m/images/01_list.jpg"
    assert data.with_origin(reused, tmp_path / "missing.csv") == reused


def test_provenance_rejects_unknown_source_and_columns(tmp_path):
    with pytest.raises(DataError, match="source values"):
        data.write_provenance([data.Fetched("x", "somewhere", "", "")], tmp_path / "p.csv")
    (tmp_path / "q.csv").write_text("dataset,origin\nx,y\n")
    with pytest.raises(DataError, match="columns"):
        data.read_provenance(tmp_path / "q.csv")


# --------------------------------------------------------------------------- the rule itself

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.workflow
def test_fetch_pages_rule_stops_on_corrupt_mirror_file(tmp_path):
    """`snakemake fetch_pages` in a scratch working directory whose only mirror is corrupt."""
    import subprocess

    import yaml

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text((REPO / "config" / "config.yaml").read_text())
    make_mirror(tmp_path / "mirror", {n: b"corrupted" for n in data.PAGES})
    overrides = {"data": {"mirrors": ["missing-folder", "mirror"], "download_timeout_s": 2}}
    (tmp_path / "data.yaml").write_text(yaml.safe_dump(overrides))
    command = [str(Path(sys.executable).parent / "snakemake"), "--snakefile", str(REPO / "Snakefile"),
               "fetch_pages", "--cores", "1", "--configfile", "data.yaml"]  # fmt: skip
    expected = data.read_manifest(REPO / "workflow" / "resources" / "checksums.sha256", "images/")["01_list.jpg"]

    failed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert f"mirror/images/01_list.jpg: sha256 mismatch: found {sha(b'corrupted')}, expected {expected}" in output
    assert not (tmp_path / "resources" / "images").exists() or not any((tmp_path / "resources" / "images").iterdir())

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


# --------------------------------------------------------------------------- pretrained weights


def weights_file(folder, blob=b"pretend state dict"):
    """A weights file named as torchvision names them (``name-<sha256 prefix>.pth``) -> its name."""
    name = f"squeezenet1_1-{sha(blob)[:8]}.pth"
    (folder / name).write_bytes(blob)
    return name


def test_backbone_weights_download_then_reuse(tmp_path, http_folder):
    upstream, base = http_folder
    name = weights_file(upstream)
    folder = tmp_path / "resources" / "weights"  # does not exist yet: the fetch makes it
    record = data.fetch_backbone("auto", folder, mirrors=[], timeout=5, url=f"{base}/{name}")
    assert (record.source, record.location) == ("download", f"{base}/{name}")
    assert record.dataset == "flowers17_backbone/squeezenet1_1"
    assert (folder / name).read_bytes() == (upstream / name).read_bytes()
    assert record.sha256 == sha((upstream / name).read_bytes()) and leftovers(folder) == []
    (upstream / name).unlink()  # the second time nothing is downloaded
    again = data.fetch_backbone("auto", folder, mirrors=[], timeout=5, url=f"{base}/{name}")
    assert again.source == "resources" and again.sha256 == record.sha256
    assert data.backbone_weights(asdict(again), folder, url=f"{base}/{name}") == ("squeezenet1_1", folder / name)


def test_backbone_weights_with_the_wrong_hash_are_refused_and_leave_nothing(tmp_path, http_folder):
    upstream, base = http_folder
    name = weights_file(upstream)
    (upstream / name).write_bytes(b"truncated")
    folder = tmp_path / "weights"
    with pytest.raises(DataError, match="does not start with"):
        data.fetch_backbone("auto", folder, mirrors=[], timeout=5, url=f"{base}/{name}")
    assert leftovers(folder) == []


def test_backbone_weights_from_a_mirror_or_the_torch_hub_cache(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "weights").mkdir(parents=True)
    name = weights_file(mirror / "weights")
    url = closed_port_url(name)
    record = data.fetch_backbone("auto", tmp_path / "a", mirrors=[str(mirror)], timeout=1, url=url)
    assert (record.source, record.location) == ("mirror", f"mirror:weights/{name}")

    hub = tmp_path / "torch_home" / "hub" / "checkpoints"
    hub.mkdir(parents=True)
    weights_file(hub)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    record = data.fetch_backbone("squeezenet1_1", tmp_path / "b", mirrors=[], timeout=1, url=url)
    assert (record.source, record.location) == ("resources", f"torch hub cache:checkpoints/{name}")
    assert (tmp_path / "b" / name).is_file()


def test_backbone_offline_falls_back_to_the_packaged_weights_with_a_stable_note(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    notes = set()
    for _ in range(2):  # each unreachable URL has another port: the note must not show it
        record = data.fetch_backbone("auto", tmp_path / "w", mirrors=[], timeout=1,
                                     url=closed_port_url("squeezenet1_1-b8a52dc0.pth"))
        assert record.source == "package" and record.dataset == "flowers17_backbone/efficientnet_lite0"
        notes.add(record.note)
    assert len(notes) == 1 and "could not be had" in notes.pop()
    with pytest.raises(data.DataUnavailable, match="squeezenet1_1 but its weights cannot be had"):
        data.fetch_backbone("squeezenet1_1", tmp_path / "w", mirrors=[], timeout=1,
                            url=closed_port_url("squeezenet1_1-b8a52dc0.pth"))
    with pytest.raises(DataError, match="expected auto or one of"):
        data.fetch_backbone("resnet", tmp_path / "w", mirrors=[], timeout=1)
