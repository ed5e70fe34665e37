"""Provenance: one :class:`Fetched` row per input, written to and read from CSV tables.

Rows are ``dataset, source, location, sha256, note``; source is where the copy came from
(resources, mirror, download, synthetic, package). A later run reusing a copy from
``resources/`` keeps, in its note, where that copy first came from (:func:`with_origin`).
"""

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from nnrec import DataError
from nnrec.io import write_csv

PROVENANCE_COLUMNS = ("dataset", "source", "location", "sha256", "note")
# Where an input came from; "package" is for files shipped inside an installed package
# (the EfficientNet-Lite0 weights of the Flowers 17 fine-tuning).
SOURCES = ("resources", "mirror", "download", "synthetic", "package")
# How every EMNIST36 character row's note starts (nnrec.data.emnist writes it); the prefix is
# what tells those rows from real NIST36 ones, whatever the source column says.
EMNIST36_NOTE = "EMNIST ByClass (NIST SD19), not the homework's NIST36; writers may repeat across splits"


@dataclass(frozen=True)
class Fetched:
    """One provenance row: where one input came from and what its bytes hash to."""

    dataset: str
    source: str
    location: str
    sha256: str
    note: str = ""


def add_note(record, text):
    """``record`` with ``text`` appended to its note ("; " between the two when both are set)."""
    return dataclasses.replace(record, note=f"{record.note}; {text}" if record.note else text)


def read_previous(previous):
    """The rows of the provenance CSV a step wrote last time, or None if it is missing or unreadable.

    A step's earlier table is a hint (what is already in resources/), never a requirement.
    """
    if previous is None or not Path(previous).is_file():
        return None
    try:
        return read_provenance(previous)
    except DataError:
        return None


def recorded_as(previous, dataset, digest, kind):
    """True when the provenance CSV ``previous`` records ``dataset`` with ``digest`` as ``kind``.

    kind: "nist36", "emnist36" or "synthetic" (:func:`character_kinds`). A missing or
    unreadable table records nothing.
    """
    rows = read_previous(previous)
    if rows is None:
        return False
    match = rows[(rows.dataset == dataset) & (rows.sha256 == digest)]
    return bool(len(match)) and bool((character_kinds(match) == kind).all())


def with_origin(records, previous):
    """Add to each "resources" record where its copy first came from, per ``previous``.

    previous: the provenance CSV this step wrote last time (may be missing). A record reused
    from resources/ whose dataset and sha256 match a row there gets that row's origin in its
    note ("first fetched from mirror ../shared/data/..."); an origin already noted is kept.
    """
    rows = read_previous(previous)
    if rows is None:
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
        out.append(add_note(record, origin) if origin else record)
    return out


def write_provenance(records, path):
    """Write :class:`Fetched` records as a provenance CSV (columns PROVENANCE_COLUMNS)."""
    import pandas as pd

    frame = pd.DataFrame([dataclasses.asdict(r) for r in records], columns=list(PROVENANCE_COLUMNS))
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


@dataclass(frozen=True)
class CharacterData:
    """How figures, tables and captions name one character source (see :func:`character_source`)."""

    name: str  # short, in titles and table cells
    note: str  # the line stamped under figures
    same_data: str  # summary.csv's same_data next to the homework's NIST36 numbers


CHARACTER_DATA = {
    "nist36": CharacterData("NIST36", "Data: NIST36, the homework's handwritten characters.", "yes"),
    "emnist36": CharacterData(
        "EMNIST36 (real handwriting; EMNIST ByClass from NIST SD19, not NIST36)",
        "Data: EMNIST36, real handwritten characters from EMNIST ByClass (NIST SD19, the source of "
        "NIST36), not the homework's NIST36; writers may repeat across splits.",
        "similar: EMNIST (NIST SD19), not NIST36",
    ),
    "synthetic": CharacterData(
        "synthetic characters (fonts; not NIST36)",
        "Data: SYNTHETIC stand-in for NIST36, rendered from handwriting fonts; the test split uses "
        "fonts never seen in training.",
        "no: synthetic characters",
    ),
}


def character_kinds(rows):
    """Which character set each provenance row is: a Series of "nist36", "emnist36" or "synthetic".

    rows: a provenance DataFrame (character rows). Synthetic rows carry source ``synthetic``;
    EMNIST36 rows, whatever their source, a note starting with EMNIST36_NOTE; the rest are real
    NIST36.
    """
    kinds = rows.source.where(rows.source == "synthetic", "nist36")
    return kinds.mask(rows.note.str.startswith(EMNIST36_NOTE), "emnist36")


def character_source(provenance_csv):
    """"nist36", "emnist36" or "synthetic": the character set the rows of ``provenance_csv`` record.

    Works on resources/provenance/characters.csv and on results/provenance.csv. Any synthetic
    split makes it "synthetic", else any EMNIST36 split "emnist36" (see :func:`character_kinds`).
    """
    rows = read_provenance(provenance_csv)
    rows = rows[rows.dataset.str.startswith("characters/")]
    if rows.empty:
        raise DataError(f"{provenance_csv}: no rows for dataset characters/<split>")
    kinds = set(character_kinds(rows))
    return next(k for k in ("synthetic", "emnist36", "nist36") if k in kinds)
