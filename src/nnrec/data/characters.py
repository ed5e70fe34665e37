"""The character splits: real NIST36 when it can be had, else EMNIST36, else the synthetic set.

Real NIST36 has no published checksum: every file must pass :func:`load_split` with the
split's row count before it is copied, and a copy already in resources/ is trusted only if
the step's earlier provenance records it as real NIST36 with the same sha256. EMNIST36 (real
handwriting, not the homework's set) is :mod:`nnrec.data.emnist`.
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
from nnrec.data.emnist import fetch_emnist36
from nnrec.data.provenance import Fetched, add_note, recorded_as
from nnrec.splits import load_split

log = logging.getLogger(__name__)

NIST36_URL = "http://www.cs.cmu.edu/~lkeselma/16720a_data/data.zip"
# Where a split lives inside a mirror folder (the layout of ../shared/data) and in data.zip.
NIST36_MIRROR_PATH = "nist36_{split}.mat"
# Rows per split of the real NIST36 set (300 / 100 / 50 per class).
SPLIT_ROWS = {"train": 10800, "valid": 3600, "test": 1800}
CHARACTER_SOURCES = ("auto", "nist36", "emnist36", "synth36")
# Why auto did not use a real set, in fixed words (the detail goes to the log).
NO_NIST36 = "real NIST36 could not be had: no copy in resources or a mirror, download failed (see the log)"
NO_REAL = (
    "neither real NIST36 nor EMNIST36 could be had: no copy in resources or a mirror, "
    "downloads failed (see the log)"
)


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
            if digest and recorded_as(previous, dataset, digest, "nist36"):
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


def fetch_characters(
    paths, source, mirrors, timeout, seed, synth, *, manifest, url=NIST36_URL, emnist=None, previous=None
):
    """Put the character splits at ``paths`` ({split: path}) per ``source``; return records.

    source: "nist36" (real set or DataUnavailable), "emnist36" (EMNIST36 or DataUnavailable),
    "synth36" (synthetic), "auto" (real NIST36, else EMNIST36, else synthetic; a corrupt or
    invalid file is still an error, not a fallback).
    manifest: checksum manifest with the ``emnist36/<split>.mat`` entries.
    emnist: :class:`nnrec.data.emnist.EmnistUpstream` (where EMNIST itself is downloaded from).
    synth: the ``characters.synth`` config section, passed to
    :func:`nnrec.synth.write_synthetic_splits` (``per_class`` plus its font options).
    """
    if source not in CHARACTER_SOURCES:
        raise DataError(f"characters.source is {source!r}; expected one of {', '.join(CHARACTER_SOURCES)}")
    if source == "synth36":
        return _synthetic(paths, seed, synth, "characters.source is synth36")
    fetchers = {
        "nist36": lambda: fetch_nist36(paths, mirrors, timeout, url=url, previous=previous),
        "emnist36": lambda: fetch_emnist36(
            paths, manifest, mirrors, timeout, upstream=emnist, previous=previous
        ),
    }
    if source != "auto":
        try:
            return fetchers[source]()
        except DataUnavailable as error:
            raise DataUnavailable(
                f"characters.source is {source} but that set cannot be had: {error}. "
                "Use characters.source: auto or synth36 to run on other characters"
            ) from None
    try:
        return fetchers["nist36"]()
    except DataUnavailable as error:
        log.warning("real NIST36 unavailable, trying EMNIST36: %s", error)
    try:
        return [add_note(r, f"auto: {NO_NIST36}") for r in fetchers["emnist36"]()]
    except DataUnavailable as error:
        log.warning("EMNIST36 unavailable too, using synthetic characters: %s", error)
    return _synthetic(paths, seed, synth, NO_REAL)


def _synthetic(paths, seed, synth, reason):
    """Write the synthetic splits to ``paths``; their records, noting ``reason`` (fixed words)."""
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
