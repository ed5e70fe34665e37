"""EMNIST36: real handwritten A-Z and 0-9 from EMNIST ByClass, in the NIST36 layout.

The real stand-in for NIST36 when that cannot be had. Per split, in order: the copy in
resources/ (kept when it hashes to the manifest's ``emnist36/<split>.mat``, or the step's earlier
provenance records it as EMNIST36 with the same sha256); the mirror's ``emnist36/<split>.mat``
(verified against the manifest); else the official EMNIST archive (md5 checked), whose ByClass
test split is converted exactly as the mirror's ``emnist36/README.md`` states
(:func:`convert_byclass`). Every row's note starts with :data:`EMNIST36_NOTE`.
"""

import contextlib
import gzip
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnrec import DataError
from nnrec.charset import images_to_rows, one_hot
from nnrec.data.fetch import (
    DataUnavailable,
    UpstreamZip,
    check_hash,
    check_sha256,
    copy_checked,
    find_in_mirrors,
    mirror_location,
    not_in_mirrors,
    read_manifest,
    sha256_file,
)
from nnrec.data.provenance import EMNIST36_NOTE, Fetched, add_note, recorded_as
from nnrec.splits import CHARACTER_SPLITS, load_split, save_split

log = logging.getLogger(__name__)

# The official archive (what torchvision.datasets.EMNIST downloads) and its published md5.
EMNIST_URL = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
EMNIST_MD5 = "58c8d27c78d21e728a6bc7b3cc06412e"
# The ByClass test split inside it (members gzip/<name>): images first, then labels.
IDX_MEMBERS = ("emnist-byclass-test-images-idx3-ubyte.gz", "emnist-byclass-test-labels-idx1-ubyte.gz")
# Where a split lives inside a mirror folder and in the checksum manifest.
EMNIST_MIRROR_PATH = "emnist36/{split}.mat"
# Rows per split of the full conversion (train is short where G, K, Q, X have < 450 samples).
EMNIST_ROWS = {"train": 10674, "valid": 3600, "test": 1800}
# Samples per class for each split, in the order they are cut from a class's permutation.
PER_SPLIT = {"test": 50, "valid": 100, "train": 300}
# The README's sampling seed: fixed, so every machine converts to the same samples.
CONVERSION_SEED = 0
# ByClass label of each NIST36 class index: A..Z are ByClass 10..35, 0..9 are 0..9.
BYCLASS_LABELS = np.r_[np.arange(10, 36), np.arange(10)]
DOWNLOAD_NOTE = "converted from the ByClass test split as emnist36/README.md states"
PAD = 2  # white pixels around EMNIST's 28x28 tile make the 32x32 NIST36 cell


@dataclass(frozen=True)
class EmnistUpstream:
    """Where EMNIST itself comes from: the archive URL, its md5, and samples per class and split."""

    url: str = EMNIST_URL
    md5: str = EMNIST_MD5
    per_split: dict = field(default_factory=lambda: dict(PER_SPLIT))


# --------------------------------------------------------------------------- IDX files


def read_idx(blob, name):
    """The unsigned-byte array an IDX file's bytes ``blob`` hold, shaped as its header says.

    IDX: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, then
    each dimension as a big-endian int32, then the values in C order. ``name`` is how the
    file is called in a DataError.
    """
    if len(blob) < 4 or blob[:2] != b"\0\0" or blob[2] != 0x08:
        raise DataError(f"{name}: not an unsigned-byte IDX file (header {bytes(blob[:4])!r})")
    ndim = blob[3]
    dims = tuple(int(d) for d in np.frombuffer(blob, ">i4", count=ndim, offset=4))
    values = np.frombuffer(blob, np.uint8, offset=4 + 4 * ndim)
    if values.size != int(np.prod(dims)):
        raise DataError(f"{name}: header says shape {dims} but holds {values.size} values")
    return values.reshape(dims)


def read_idx_gz(path):
    """:func:`read_idx` of the gzip-compressed IDX file at ``path``."""
    try:
        with gzip.open(path) as f:
            blob = f.read()
    except (OSError, EOFError) as error:
        raise DataError(f"{path}: not a readable gzip file ({error})") from None
    return read_idx(blob, Path(path).name)


# --------------------------------------------------------------------------- conversion


def tiles_to_rows(images):
    """(n, 28, 28) uint8 EMNIST images as IDX stores them -> (n, 1024) float32 NIST36 rows.

    EMNIST's IDX images are transposed (``img.T`` is upright). Ink is 255 on 0; NIST36 is
    paper 1, ink 0, in a 32x32 cell with a white 2-px border.
    """
    upright = np.asarray(images).transpose(0, 2, 1)
    # float32 arithmetic, as the mirror's files were made (float64 differs in the last bit)
    paper = 1 - upright.astype(np.float32) / 255
    paper = np.pad(paper, ((0, 0), (PAD, PAD), (PAD, PAD)), constant_values=1.0)
    return images_to_rows(paper)


def sample_splits(labels, per_split=PER_SPLIT, seed=CONVERSION_SEED):
    """{split: (source indices (n,), class indices (n,))}, drawn as emnist36/README.md states.

    labels: (N,) ByClass labels. One generator: for each class in the order A..Z, 0..9 a
    permutation of its (ascending) source indices, cut into per_split's counts in its order
    (test, valid, train by default); then each split is shuffled, in the order train, valid, test.
    """
    rng = np.random.default_rng(seed)
    picked = {split: [] for split in per_split}
    for k, label in enumerate(BYCLASS_LABELS):
        perm = rng.permutation(np.flatnonzero(labels == label))
        start = 0
        for split, n in per_split.items():
            chosen = perm[start : start + n]
            picked[split].append((chosen, np.full(len(chosen), k)))
            start += n
    out = {}
    for split in CHARACTER_SPLITS:
        indices, classes = (np.concatenate(parts) for parts in zip(*picked[split]))
        order = rng.permutation(len(indices))
        out[split] = (indices[order], classes[order])
    return out


def convert_byclass(images, labels, per_split=PER_SPLIT, seed=CONVERSION_SEED):
    """EMNIST ByClass images (N, 28, 28) and labels (N,) -> {split: (X (n, 1024), Y (n, 36))}.

    X float32 NIST36 rows (:func:`tiles_to_rows`), Y one-hot float64 (columns A..Z, 0..9),
    samples as :func:`sample_splits` draws them. Same inputs, same arrays.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or labels.shape != (len(images),):
        raise DataError(
            f"EMNIST images {images.shape} and labels {labels.shape}; expected (N, 28, 28) and (N,)"
        )
    return {
        split: (tiles_to_rows(images[indices]), one_hot(classes))
        for split, (indices, classes) in sample_splits(labels, per_split, seed).items()
    }


class ByclassArchive:
    """The EMNIST archive: downloaded, md5-checked and converted once per fetch, on first use.

    stack: a contextlib.ExitStack that owns the temporary download folder.
    """

    def __init__(self, upstream, timeout, stack):
        self.upstream = upstream
        self._zip = UpstreamZip(upstream.url, timeout, stack)
        self._splits = None

    @property
    def location(self):
        """How provenance names the download: the URL and the two members converted."""
        return f"{self.upstream.url}#{IDX_MEMBERS[0]} + {IDX_MEMBERS[1]}"

    def split(self, split):
        """(X, Y) of ``split``; DataUnavailable if the archive cannot be downloaded."""
        if self._splits is None:
            check_hash(self._zip.path, self.upstream.md5, name=self.upstream.url, alg="md5")
            images, labels = (read_idx_gz(self._zip.extract(member)) for member in IDX_MEMBERS)
            self._splits = convert_byclass(images, labels, self.upstream.per_split)
            log.info("converted EMNIST ByClass test split: %s", {s: len(x) for s, (x, _) in self._splits.items()})
        return self._splits[split]


# --------------------------------------------------------------------------- fetch


def fetch_emnist36(paths, manifest, mirrors, timeout, upstream=None, previous=None):
    """Put the EMNIST36 splits at ``paths`` ({split: path}); return their :class:`Fetched` records.

    manifest: checksum manifest with entries ``emnist36/<split>.mat`` (the mirror's files).
    previous: this step's earlier provenance CSV; a converted download kept in resources/ is
    trusted only if it records that file as EMNIST36 with the same sha256. Raises
    DataUnavailable when a split can be had from nowhere, DataError when a file is corrupt.
    upstream: :class:`EmnistUpstream` (default: the official archive, the README's counts).
    """
    upstream = upstream or EmnistUpstream()
    hashes = read_manifest(manifest, "emnist36/")
    records = []
    with contextlib.ExitStack() as stack:
        archive = ByclassArchive(upstream, timeout, stack)
        for split, dest in paths.items():
            if f"{split}.mat" not in hashes:
                raise DataError(f"{manifest}: no checksum for {EMNIST_MIRROR_PATH.format(split=split)}")
            records.append(_fetch_split(split, Path(dest), hashes[f"{split}.mat"], mirrors, archive, previous))
    return records


def _fetch_split(split, dest, expected, mirrors, archive, previous):
    """One split's :class:`Fetched`, by the lookup order of :func:`fetch_emnist36`."""
    dataset, relpath = f"characters/{split}", EMNIST_MIRROR_PATH.format(split=split)
    if dest.is_file():
        digest = sha256_file(dest)
        if digest == expected or recorded_as(previous, dataset, digest, "emnist36"):
            load_split(dest)
            log.info("%s: EMNIST36 copy already in place", dest)
            return Fetched(dataset, "resources", str(dest), digest, EMNIST36_NOTE)
    source = find_in_mirrors(relpath, mirrors)
    if source is not None:
        digest = copy_checked(source, dest, lambda tmp: _checked_split(tmp, expected, source))
        log.info("%s: copied from mirror %s", dest, source)
        return Fetched(dataset, "mirror", mirror_location(relpath), digest, EMNIST36_NOTE)
    try:
        X, Y = archive.split(split)
    except DataUnavailable as error:
        raise not_in_mirrors(relpath, mirrors, error) from None
    save_split(dest, split, X, Y)
    record = Fetched(dataset, "download", archive.location, sha256_file(dest), EMNIST36_NOTE)
    return add_note(record, DOWNLOAD_NOTE)


def _checked_split(path, expected, name):
    """The sha256 of the split file at ``path`` once it matches ``expected`` and loads as a split."""
    digest = check_sha256(path, expected, name=name)
    load_split(path)
    return digest

