"""Getting one verified file into place: checksums, mirror lookup, download, verified copies.

The lookup order every fetcher follows (see :mod:`nnrec.data`) is :func:`fetch_file`; the
dataset modules (pages, characters, flowers17, weights) supply what differs: where a file
lives in a mirror, its checksum, and how to get it from upstream.
"""

import hashlib
import logging
import shutil
import tempfile
import zipfile
from pathlib import Path

from nnrec import DataError
from nnrec.data.provenance import Fetched
from nnrec.io import atomic_path

log = logging.getLogger(__name__)


class DataUnavailable(DataError):
    """An input is in no resources copy, no mirror folder, and could not be downloaded.

    Distinct from a corrupt file (a plain DataError): ``characters.source: auto`` falls back
    to synthetic characters on this error only, never on a corrupt or invalid file.
    """


# --------------------------------------------------------------------------- checksums


def sha256_file(path):
    """Hex sha256 (lower case) of the file at ``path``; pooch reads it in chunks."""
    import pooch

    return pooch.file_hash(str(path), alg="sha256")


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
    return check_hash(path, expected, name)


def check_hash(path, expected, name=None, alg="sha256"):
    """:func:`check_sha256` for any hash pooch knows (``alg``: "sha256", "md5", ...)."""
    import pooch

    found = pooch.file_hash(str(path), alg=alg)
    if found != expected.lower():
        raise DataError(
            f"{name or path}: {alg} mismatch: found {found}, expected {expected}; "
            "the file is corrupt or not the published one (delete it or fix the mirror)"
        )
    return found


def copy_checked(src, dest, check, move=False):
    """Copy (or move) ``src`` to ``dest`` only if ``check(copy)`` passes; return what it returns.

    check: raises DataError on a bad file, else returns its hash. The copy is written beside
    ``dest`` and renamed into place after it passes, so a failed check leaves no file at ``dest``.
    """
    with atomic_path(dest) as tmp:
        (shutil.move if move else shutil.copyfile)(src, tmp)
        return check(tmp)


def copy_verified(src, dest, expected):
    """Copy ``src`` to ``dest`` only if the copy hashes to ``expected``; return the hash.

    A mismatch raises DataError naming ``src`` and leaves no file at ``dest``.
    """
    return copy_checked(src, dest, lambda tmp: check_sha256(tmp, expected, name=src))


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


def not_in_mirrors(relpath, mirrors, error):
    """The DataUnavailable for ``relpath`` when no mirror has it and ``error`` stopped the download."""
    return DataUnavailable(f"{relpath} is in no mirror folder ({_folders(mirrors)}) and {error}")


def _folders(mirrors):
    return ", ".join(str(m) for m in mirrors) or "none configured"


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


class UpstreamZip:
    """A zip archive downloaded once per fetch, on first use, into a temporary folder.

    stack: a contextlib.ExitStack that owns the temporary folder (removed when it closes).
    """

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
        """Extract the first member whose file name is ``basename``; return its local path.

        pooch.Unzip extracts through ZipFile.extractall, which sanitises member names (drops a
        leading ``/`` and every ``..``), so a hostile name lands inside the scratch folder. Each
        member gets a folder of its own, so the one file named ``basename`` there is this member.
        """
        import pooch

        try:
            with zipfile.ZipFile(self.path) as archive:
                members = [m for m in archive.namelist() if Path(m).name == basename]
        except zipfile.BadZipFile as error:
            raise DataError(f"{self.url}: downloaded file is not a zip archive ({error})") from None
        if not members:
            raise DataError(f"{self.url}: archive has no member named {basename}")
        folder = self.folder / "extracted" / basename
        pooch.Unzip(members=members[:1], extract_dir=str(folder))(str(self.path), "download", None)
        # pooch's own list of extracted files misses a member whose name was sanitised
        return next(p for p in sorted(folder.rglob(basename)) if p.is_file())


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
        raise not_in_mirrors(relpath, mirrors, error) from None
    copy_verified(local, dest, expected)
    return Fetched(dataset, "download", location, expected)
