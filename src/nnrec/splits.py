"""NIST36-layout .mat files: read, validate and write one character split.

A split file holds ``<split>_data`` (n, 1024) and ``<split>_labels`` (n, 36), the layout of
the homework's ``nist36_<split>.mat``. It knows nothing of where files come from: the data
layer (:mod:`nnrec.data`), the synthetic set (:mod:`nnrec.synth`) and the networks read and
write splits through it without importing each other.
"""

import logging
from io import BytesIO
from pathlib import Path

import numpy as np

from nnrec import DataError
from nnrec.charset import N_CLASSES, N_PIXELS
from nnrec.io import atomic_path

# The character splits, in the homework's names.
CHARACTER_SPLITS = ("train", "valid", "test")
# Text header of the .mat files save_split writes (MAT 5 files start with 116 bytes of text).
MAT_HEADER = b"MATLAB 5.0 MAT-file, written by nnrec (NIST36 layout)".ljust(116)
# Pixels may stray this far outside 0-1 and are clipped into it on reading: resampling the
# NIST images overshoots at stroke edges (a real NIST36 letters file spans -0.14 to 1.12).
PIXEL_MARGIN = 0.25

log = logging.getLogger(__name__)


def load_split(path, n_rows=None):
    """Read one NIST36-layout split and validate it; return (X, Y).

    The file holds ``<split>_data`` (n, 1024) pixels in 0-1 (32x32 column-major, white ~1)
    and ``<split>_labels`` (n, 36) one-hot rows (A-Z then 0-9); the split name is inferred
    from the keys. X is float32, Y float64. Pixels up to ``PIXEL_MARGIN`` outside 0-1 are
    clipped into it (logged: how many, and the range found). An empty or unreadable file, a
    missing key, wrong shape (or a row count other than ``n_rows`` when given), no rows, NaNs,
    infinities, complex values, pixels further outside 0-1 (0-255 ones among them), or labels
    that are not one-hot raise DataError naming the file and the problem.
    """
    from scipy.io import loadmat

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: empty file (0 bytes); expected a .mat with <split>_data and <split>_labels")
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
    if len(X) == 0:
        raise DataError(f"{path}: key '{split}_data' has 0 rows; expected at least one character")
    outside = int(np.count_nonzero((X < 0) | (X > 1)))
    if outside:
        log.info("%s: clipped %d of %d pixels to 0-1 (values found in [%.3g, %.3g])",
                 path, outside, X.size, X.min(), X.max())
    return np.clip(X, 0, 1).astype(np.float32), Y.astype(np.float64)


def _check_split(name, split, X, Y, n_rows=None):
    """Raise DataError naming ``name`` unless X, Y are a valid NIST36 split ``split``.

    X: (n, 1024) real pixels in 0-1 (``PIXEL_MARGIN`` either side allowed); Y: (n, 36) one-hot
    rows; n is ``n_rows`` when given. NaNs, infinities or complex values anywhere are an error.
    """
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
        if np.iscomplexobj(values):
            raise DataError(f"{name}: key '{key}' has complex values ({values.dtype}); expected real numbers")
    for key, values in ((f"{split}_data", X), (f"{split}_labels", Y)):
        bad = int(np.count_nonzero(~np.isfinite(values)))
        if bad:
            raise DataError(f"{name}: key '{key}' has {bad} NaN or infinite values; expected none")
    if X.size and (X.min() < -PIXEL_MARGIN or X.max() > 1 + PIXEL_MARGIN):
        low, high = X.min(), X.max()
        scale = "; looks like 0-255 pixels; divide by 255" if low >= -PIXEL_MARGIN and 2 < high <= 255 else ""
        raise DataError(
            f"{name}: key '{split}_data' has values in [{low:.3g}, {high:.3g}]{scale}; expected 0-1, "
            f"up to {PIXEL_MARGIN:g} either side (white background ~1, ink ~0)"
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
