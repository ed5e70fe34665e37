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
EMNIST36 converted from EMNIST itself is checked by the archive's published md5 and then by
:func:`load_split` (the conversion's bytes have no published sha256).

Each fetch returns :class:`Fetched` records, written as provenance rows
(``dataset, source, location, sha256, note``; source is resources, mirror, download, synthetic
or package).

Modules, low level first (arrows point up this list only):

- ``provenance``  :class:`Fetched` rows: read, write, combine, where a reused copy came from
- ``fetch``       checksums, mirror lookup, download, verified copies (the lookup order above)
- ``pages``       the four handwritten test pages
- ``pages_dev``   real photos and scans with their text, scored when a mirror holds them
- ``emnist``      EMNIST36: EMNIST ByClass converted to the NIST36 layout (IDX files, fetch)
- ``characters``  the character splits: real NIST36, else EMNIST36, else synthetic (imports nnrec.synth)
- ``flowers17``   Oxford Flowers 17 in its 680/340/340 partition
- ``weights``     pretrained Flowers 17 backbone weights

Everything here imports only numpy and the standard library at import time (pooch, requests,
pandas and scipy.io are imported by the functions that use them), so rule scripts can use
``from nnrec import data`` whatever they need.
"""

from nnrec.data.characters import fetch_characters, fetch_nist36
from nnrec.data.emnist import EMNIST_ROWS, EmnistUpstream, convert_byclass, fetch_emnist36
from nnrec.data.fetch import (
    DataUnavailable,
    combined_digest,
    copy_verified,
    read_manifest,
    sha256_file,
)
from nnrec.data.flowers17 import FLOWER_SPLITS, fetch_flowers17, partition_flowers17
from nnrec.data.pages import PAGES, fetch_pages
from nnrec.data.pages_dev import check_pages_dev, find_pages_dev, read_pages_dev
from nnrec.data.provenance import (
    CHARACTER_DATA,
    PROVENANCE_COLUMNS,
    Fetched,
    character_source,
    combine_provenance,
    read_provenance,
    with_origin,
    write_provenance,
)
from nnrec.splits import CHARACTER_SPLITS, load_split, save_split
from nnrec.data.weights import (
    BACKBONE_DATASET,
    SQUEEZENET_URL,
    backbone_weights,
    efficientnet_lite0_weights_file,
    fetch_backbone,
    fetch_weights,
)

__all__ = [
    "BACKBONE_DATASET",
    "CHARACTER_DATA",
    "CHARACTER_SPLITS",
    "EMNIST_ROWS",
    "FLOWER_SPLITS",
    "PAGES",
    "PROVENANCE_COLUMNS",
    "SQUEEZENET_URL",
    "DataUnavailable",
    "EmnistUpstream",
    "Fetched",
    "backbone_weights",
    "check_pages_dev",
    "character_source",
    "combine_provenance",
    "combined_digest",
    "convert_byclass",
    "copy_verified",
    "efficientnet_lite0_weights_file",
    "fetch_backbone",
    "fetch_characters",
    "fetch_emnist36",
    "fetch_flowers17",
    "fetch_nist36",
    "fetch_pages",
    "fetch_weights",
    "find_pages_dev",
    "load_split",
    "partition_flowers17",
    "read_manifest",
    "read_pages_dev",
    "read_provenance",
    "save_split",
    "sha256_file",
    "with_origin",
    "write_provenance",
]
