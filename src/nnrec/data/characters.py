"""The character splits: real NIST36 when it can be had, else the synthetic stand-in.

Real NIST36 has no published checksum: every file must pass :func:`load_split` with the
split's row count before it is copied, and a copy already in resources/ is trusted only if
the step's earlier provenance records it as real with the same sha256.
"""

import contextlib
import logging
from pathlib import Path

from nnrec import DataError
from nnrec.data.fetch import (
    DataUnavailable,
    UpstreamZip,
    copy_verified,
    find_in_mirrors,
    mirror_location,
    not_in_mirrors,
    sha256_file,
)
from nnrec.data.provenance import Fetched, read_previous
from nnrec.splits import load_split

log = logging.getLogger(__name__)

NIST36_URL = "http://www.cs.cmu.edu/~lkeselma/16720a_data/data.zip"
# Where a split lives inside a mirror folder (the layout of ../shared/data) and in data.zip.
NIST36_MIRROR_PATH = "nist36_{split}.mat"
# Rows per split of the real NIST36 set (300 / 100 / 50 per class).
SPLIT_ROWS = {"train": 10800, "valid": 3600, "test": 1800}
CHARACTER_SOURCES = ("auto", "nist36", "synth36")


def _nist36_record(previous, dataset, digest):
    """True when the provenance CSV ``previous`` names ``dataset`` as real NIST36 with ``digest``."""
    rows = read_previous(previous)
    if rows is None:
        return False
    match = rows[(rows.dataset == dataset) & (rows.sha256 == digest)]
    return bool(len(match)) and (match.source != "synthetic").all()


def fetch_nist36(paths, mirrors, timeout, url=NIST36_URL, previous=None):
    """Fetch the real NIST36 splits to ``paths`` ({split: path}); return their :class:`Fetched`.

    Order per split: the file at ``paths[split]`` if ``previous`` (this step's earlier
    provenance CSV) records it as real NIST36 with the same sha256; else ``nist36_<split>.mat``
    in the first mirror holding it; else the upstream ``data.zip``. No checksum is published,
    so each file must pass :func:`load_split` with the split's row count before it is copied.
    Raises DataUnavailable when a split can be had from nowhere, DataError when one is invalid.
    """
    records = []
    with contextlib.ExitStack() as stack:
        archive = UpstreamZip(url, timeout, stack)
        for split, dest in paths.items():
            dataset = f"characters/{split}"
            basename = NIST36_MIRROR_PATH.format(split=split)
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
                    raise not_in_mirrors(basename, mirrors, error) from None
                kind, location = "download", f"{url}#{basename}"
            load_split(source, SPLIT_ROWS[split])
            digest = copy_verified(source, dest, sha256_file(source))
            records.append(Fetched(dataset, kind, location, digest, note))
    return records


def fetch_characters(paths, source, mirrors, timeout, seed, synth, url=NIST36_URL, previous=None):
    """Put the character splits at ``paths`` ({split: path}) per ``source``; return records.

    source: "nist36" (real set or DataError), "synth36" (synthetic), "auto" (real set when it
    can be had, synthetic otherwise; a corrupt real file is still an error, not a fallback).
    synth: the ``characters.synth`` config section, passed to
    :func:`nnrec.synth.write_synthetic_splits` (``per_class`` plus its font options).
    """
    if source not in CHARACTER_SOURCES:
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
    # imported here: synth (scipy.ndimage, font packages) is needed only on this branch
    from nnrec import synth as synthesis

    options = dict(synth)
    per_class = options.pop("per_class")
    made = synthesis.write_synthetic_splits(dict(paths), dict(per_class), seed, **options)
    note = f"NOT real NIST36 ({reason}). {made}"
    return [
        Fetched(f"characters/{split}", "synthetic", str(path), sha256_file(path), note)
        for split, path in paths.items()
    ]
