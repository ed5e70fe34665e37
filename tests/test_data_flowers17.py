"""Flowers 17: the split-2 partition, the fetch (download, mirror, resources), tar safety."""

import io as pyio
import tarfile
import time

import numpy as np
import pytest
from data_helpers import closed_port_url, leftovers, sha, write_manifest
from scipy.io import savemat

from nnrec import DataError, data


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


def add_member(tar, name, blob=b"x", link=None):
    """Add a file ``name`` (or a symlink to ``link``) to an open tar archive."""
    info = tarfile.TarInfo(name)
    if link is None:
        info.size = len(blob)
        tar.addfile(info, pyio.BytesIO(blob))
    else:
        info.type, info.linkname = tarfile.SYMTYPE, link
        tar.addfile(info)


@pytest.mark.parametrize("hostile", ["dotdot", "absolute link", "link outside"])
def test_tar_members_and_links_outside_the_folder_stop_the_fetch(tmp_path, http_folder, hostile, extraction):
    """filter="data": no member may land outside the extraction folder, no link may point outside it."""
    folder, base = http_folder
    expected = fake_flowers(folder)
    escape = tmp_path / "escape.txt"
    with tarfile.open(folder / "17flowers.tgz", "w:gz") as tar:
        tar.add(folder / "jpg", arcname="jpg")
        if hostile == "dotdot":
            add_member(tar, "../" * 40 + str(escape).lstrip("/"))
        else:
            add_member(tar, "jpg/evil", link=str(escape) if hostile == "absolute link" else "../" * 40 + "etc")
    manifest = write_manifest(tmp_path / "manifest", flower_hashes(expected))
    urls = {"images": f"{base}/17flowers.tgz", "splits": f"{base}/datasplits.mat"}
    dest = tmp_path / "res" / "flowers17"
    with pytest.raises(DataError, match="17flowers.tgz: cannot extract"):
        data.fetch_flowers17(dest, manifest, [], timeout=5, urls=urls)
    assert not escape.exists() and not dest.exists() and leftovers(dest.parent) == []


@pytest.fixture(params=["stdlib filter", "own checks"])
def extraction(request, monkeypatch):
    """Run a tar test with the stdlib's data filter and with the checks for Pythons without it."""
    if request.param == "own checks":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    elif not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python has no tar extraction filters")
    return request.param


def test_tar_absolute_member_names_stay_inside(tmp_path, http_folder, extraction):
    """A member /abs/path is extracted as abs/path inside the folder (the data filter strips the slash)."""
    folder, base = http_folder
    expected = fake_flowers(folder)
    escape = tmp_path / "escape.txt"
    with tarfile.open(folder / "17flowers.tgz", "w:gz") as tar:
        tar.add(folder / "jpg", arcname="jpg")
        add_member(tar, str(escape))
    manifest = write_manifest(tmp_path / "manifest", flower_hashes(expected))
    urls = {"images": f"{base}/17flowers.tgz", "splits": f"{base}/datasplits.mat"}
    record = data.fetch_flowers17(tmp_path / "res" / "flowers17", manifest, [], timeout=5, urls=urls)
    assert record.source == "download" and not escape.exists()
