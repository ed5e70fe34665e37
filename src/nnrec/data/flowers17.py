"""Oxford Flowers 17 in the homework's 680/340/340 partition: fetch, partition, verify.

The folder ``<dest>/{train,val,test}/<class>/image_NNNN.jpg`` is checked image by image
against the checksum manifest and swapped into place only once every file verifies.
"""

import contextlib
import logging
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from nnrec import DataError
from nnrec.data.fetch import (
    DataUnavailable,
    check_sha256,
    combined_digest,
    copy_verified,
    download,
    find_in_mirrors,
    mirror_location,
    not_in_mirrors,
    read_manifest,
)
from nnrec.data.provenance import Fetched
from nnrec.io import UMASK

log = logging.getLogger(__name__)

FLOWERS17_URLS = {
    "images": "http://www.robots.ox.ac.uk/~vgg/data/flowers/17/17flowers.tgz",
    "splits": "http://www.robots.ox.ac.uk/~vgg/data/flowers/17/datasplits.mat",
}
# Where the partitioned folder lives inside a mirror folder (the layout of ../shared/data).
FLOWERS17_MIRROR_PATH = "oxford-flowers17"
# Flowers 17 partition: output folder -> datasplits.mat key prefix.
FLOWER_SPLITS = {"train": "trn", "val": "val", "test": "tst"}
FLOWERS_PER_CLASS = 80  # image_i belongs to class (i - 1) // 80


def partition_flowers17(jpg_dir, splits_mat, out_dir, split=2):
    """Lay out Flowers 17 as ``out_dir/{train,val,test}/<k>/image_NNNN.jpg`` from one split.

    jpg_dir holds the 1360 originals ``image_0001.jpg`` .. ``image_1360.jpg``; splits_mat is
    ``datasplits.mat`` with 1-based image indices under ``trn<split>``, ``val<split>``,
    ``tst<split>``. Image i goes to class ``(i - 1) // 80`` (80 consecutive images per class),
    as the homework's flowers_partition.py does. Returns {folder: number of images}.
    """
    from scipy.io import loadmat

    splits = loadmat(splits_mat)
    counts = {}
    for folder, prefix in FLOWER_SPLITS.items():
        key = f"{prefix}{split}"
        if key not in splits:
            raise DataError(f"{splits_mat}: no key {key!r} (found {sorted(splits)})")
        indices = np.asarray(splits[key]).ravel().astype(int)
        for i in indices:
            name = f"image_{i:04d}.jpg"
            target = Path(out_dir) / folder / str((i - 1) // FLOWERS_PER_CLASS) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(Path(jpg_dir) / name, target)
            except FileNotFoundError:
                raise DataError(f"{jpg_dir}: {name} listed in {key} of {splits_mat} is missing") from None
        counts[folder] = len(indices)
    return counts


def _verify_tree(root, hashes, name):
    """Raise DataError unless ``root`` holds exactly the files of ``hashes``, each verified.

    Hidden files are ignored (Snakemake marks a directory() output with .snakemake_timestamp).
    """
    found = {
        p.relative_to(root).as_posix()
        for p in Path(root).rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    missing, extra = sorted(set(hashes) - found), sorted(found - set(hashes))
    if missing or extra:
        raise DataError(
            f"{name}: {len(missing)} expected files missing (e.g. {missing[:3]}), "
            f"{len(extra)} unexpected files (e.g. {extra[:3]}); expected the {len(hashes)} files "
            "of the checksum manifest"
        )
    for rel, expected in hashes.items():
        check_sha256(Path(root) / rel, expected, name=f"{name}/{rel}")


@contextlib.contextmanager
def _staged_dir(dest):
    """Yield an empty folder beside ``dest``; it replaces ``dest`` only if the block succeeds."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent))
    try:
        yield staging
        os.chmod(staging, 0o777 & ~UMASK)  # mkdtemp makes 0700
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(staging, dest)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _checked_members(tar, folder):
    """The members of ``tar``, refused (TarError) as filter="data" refuses them.

    For Pythons without extraction filters (3.11.0-3.11.3, e.g. Debian 12's 3.11.2): a leading
    ``/`` is stripped; a member or link target outside ``folder``, or a device file, is an error.
    """
    root = Path(folder).resolve()

    def inside(path):
        return path == root or root in path.parents

    members = []
    for member in tar.getmembers():
        member.name = member.name.lstrip("/")
        target = (root / member.name).resolve()
        if not inside(target) or not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            raise tarfile.TarError(f"member {member.name!r} would land outside the folder or is a special file")
        if member.issym() or member.islnk():
            base = target.parent if member.issym() else root
            if member.linkname.startswith("/") or not inside((base / member.linkname).resolve()):
                raise tarfile.TarError(f"link {member.name!r} points outside the folder")
        members.append(member)
    return members


def _extract_tar(archive, folder):
    """Unpack the tarball ``archive`` into ``folder``; DataError if it cannot be, or would escape.

    The stdlib's filter="data" refuses members outside ``folder`` (``..``), links pointing out
    of it, and device files, and strips a leading ``/``; where this Python has no filters,
    :func:`_checked_members` does the same. pooch.Untar is not used: pooch 1.9 passes that
    filter only on Python >= 3.12, and this project runs 3.11.
    """
    try:
        with tarfile.open(archive) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(folder, filter="data")
            else:
                tar.extractall(folder, members=_checked_members(tar, folder))
    except (tarfile.TarError, OSError) as error:
        raise DataError(f"{archive}: cannot extract ({error})") from None


def fetch_flowers17(dest, manifest, mirrors, timeout, urls=None):
    """Fetch Flowers 17 in its 680/340/340 partition to ``dest``; return its :class:`Fetched`.

    Every image is checked against the manifest entries ``oxford-flowers17/<split>/<k>/...``;
    the record's sha256 is :func:`combined_digest` of them. Upstream: the original tarball and
    ``datasplits.mat``, partitioned with split 2 (:func:`partition_flowers17`). The folder is
    assembled beside ``dest`` and swapped in only once every file verifies.
    """
    urls = urls or FLOWERS17_URLS
    relpath = FLOWERS17_MIRROR_PATH
    hashes = read_manifest(manifest, relpath + "/")
    digest = combined_digest(hashes)
    counts = "/".join(str(sum(r.startswith(f"{s}/") for r in hashes)) for s in FLOWER_SPLITS)
    note = (
        f"{len(hashes)} images (train/val/test {counts}), each verified against {Path(manifest).name}; "
        "sha256 is the combined "
        "digest: find . -name '*.jpg' | LC_ALL=C sort | xargs sha256sum | sha256sum, run in the folder"
    )
    dest = Path(dest)
    if dest.is_dir():
        try:
            _verify_tree(dest, hashes, str(dest))
            log.info("%s: verified copy already in place", dest)
            return Fetched("flowers17", "resources", str(dest), digest, note)
        except DataError as error:
            log.warning("%s; fetching it again", error)
    source = find_in_mirrors(relpath, mirrors)
    if source is not None:
        with _staged_dir(dest) as staging:
            for rel, expected in hashes.items():
                if not (source / rel).is_file():
                    raise DataError(f"{source}: incomplete mirror, {rel} is missing")
                copy_verified(source / rel, staging / rel, expected)
        return Fetched("flowers17", "mirror", mirror_location(relpath), digest, note)
    with tempfile.TemporaryDirectory() as tmp, _staged_dir(dest) as staging:
        try:
            archive = download(urls["images"], Path(tmp), timeout)
            splits = download(urls["splits"], Path(tmp), timeout)
        except DataUnavailable as error:
            raise not_in_mirrors(relpath, mirrors, error) from None
        _extract_tar(archive, Path(tmp) / "extracted")
        jpgs = {p.parent for p in (Path(tmp) / "extracted").rglob("image_0001.jpg")}
        if len(jpgs) != 1:
            raise DataError(f"{urls['images']}: expected one folder holding image_0001.jpg, found {len(jpgs)}")
        partition_flowers17(jpgs.pop(), splits, staging)
        _verify_tree(staging, hashes, urls["images"])
    return Fetched("flowers17", "download", f"{urls['images']} + {urls['splits']} (split 2)", digest, note)
