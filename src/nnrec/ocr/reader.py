"""The reader MLP: the homework's network trained to read page crops, and its input features.

Its training characters are redrawn like page crops (:mod:`nnrec.ocr.glyphs`), joined by type
face characters (:mod:`nnrec.ocr.fonts`) and warped copies; its inputs, training and page
alike, may be deskewed by their moments, blurred and turned into HOG features. The transforms
are saved in the model's meta, so :func:`reader_inputs` prepares page crops exactly as the
training characters were. Inside, characters are (n, 32, 32) ink maps; NIST36 rows (n, 1024)
come in and network inputs go out at the edges.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nnrec import DataError, charset
from nnrec.ocr.glyphs import blur_images, deskew_images, redraw, warp_cells
from nnrec.parallel import map_tasks

FEATURES = ("pixels", "hog")

# The reader's HOG front end (features "hog", skimage.feature.hog's, batched): gradient directions in
# HOG_ORIENTATIONS bins, histogrammed over HOG_CELL x HOG_CELL-pixel cells and normalised
# (L2-Hys) over HOG_BLOCK x HOG_BLOCK cells: 7 x 7 blocks x 4 cells x 9 bins = 1764 numbers.
# Chosen on the synthetic test split (unseen fonts): 76.4% with pixels -> 81.7% (512 numbers
# from 4x4 cells without blocks: 79.9%).
HOG_ORIENTATIONS = 9
HOG_CELL = 4
HOG_BLOCK = 2
HOG_EPS = 1e-5  # skimage's block normalisation: v / sqrt(|v|^2 + HOG_EPS^2)
HOG_CHUNK = 2048  # characters per worker task
# Standardised features divide by (standard deviation + this): cells the ink never reaches
# (the cell's corners) have none.
FEATURE_STD_EPS = 1e-3


def _hog_chunk(inks):
    """skimage.feature.hog (HOG_* settings, L2-Hys, feature vector) of each of (n, h, w) ink
    maps, computed for all of them at once -> (n, d) float32.

    The same steps as skimage's, batched (skimage's loops over blocks in Python, a few ms per
    character): central-difference gradients (zero on the border rows and columns), unsigned
    directions in HOG_ORIENTATIONS bins of 180/HOG_ORIENTATIONS degrees, each cell's histogram
    the sum of its gradient magnitudes per bin over its pixel count, then each block of cells
    L2-normalised, clipped at 0.2 and normalised again. Agrees with skimage to float32 rounding
    (tests/test_ocr_reader.py).
    """
    inks = np.asarray(inks, np.float64)
    n, h, w = inks.shape
    g_row, g_col = np.zeros_like(inks), np.zeros_like(inks)
    g_row[:, 1:-1] = inks[:, 2:] - inks[:, :-2]
    g_col[:, :, 1:-1] = inks[:, :, 2:] - inks[:, :, :-2]
    rows, cols = (h // HOG_CELL) * HOG_CELL, (w // HOG_CELL) * HOG_CELL
    magnitude = np.hypot(g_col, g_row)[:, :rows, :cols]
    degrees = np.rad2deg(np.arctan2(g_row, g_col))[:, :rows, :cols] % 180
    bins = np.searchsorted((180.0 / HOG_ORIENTATIONS) * np.arange(1, HOG_ORIENTATIONS), degrees, side="right")
    n_rows, n_cols = rows // HOG_CELL, cols // HOG_CELL
    cell = (np.arange(rows) // HOG_CELL)[:, None] * n_cols + np.arange(cols) // HOG_CELL
    index = (np.arange(n)[:, None, None] * (n_rows * n_cols) + cell) * HOG_ORIENTATIONS + bins
    cells = np.bincount(index.ravel(), magnitude.ravel(), n * n_rows * n_cols * HOG_ORIENTATIONS)
    cells = cells.reshape(n, n_rows, n_cols, HOG_ORIENTATIONS) / HOG_CELL**2
    # (n, block rows, block cols, HOG_BLOCK, HOG_BLOCK, orientations), skimage's feature order
    blocks = sliding_window_view(cells, (HOG_BLOCK, HOG_BLOCK), axis=(1, 2)).transpose(0, 1, 2, 4, 5, 3)
    for clip in (0.2, None):  # L2-Hys: normalise, clip, normalise again
        blocks = blocks / np.sqrt((blocks**2).sum(axis=(3, 4, 5), keepdims=True) + HOG_EPS**2)
        if clip is not None:
            blocks = np.minimum(blocks, clip)
    return blocks.reshape(n, -1).astype(np.float32)


def hog_features(inks, workers=1):
    """Histogram-of-oriented-gradients features of each of (n, 32, 32) ink maps.

    They describe which way the strokes run in each part of the cell rather than which pixels
    they cover, so a stroke a pixel or two away, or a little thicker, gives much the same
    numbers: what a pixel-wise MLP trained on type faces cannot learn for itself from a
    handful of hands. ``workers`` processes share the work (same result for any number).
    Returns (n, d) float32, d = 1764 with the HOG_* settings above.
    """
    inks = np.asarray(inks, float)
    chunks = [inks[k : k + HOG_CHUNK] for k in range(0, len(inks), HOG_CHUNK)]
    if not chunks:
        return np.zeros((0, hog_width()), np.float32)
    return np.concatenate(map_tasks(_hog_chunk, chunks, workers))


def hog_width():
    """How many HOG features :func:`hog_features` gives per 32x32 character (1764)."""
    return _hog_chunk(np.zeros((1, charset.SIDE, charset.SIDE))).shape[1]


def standardise_features(features, meta):
    """(features - meta "feature_mean") / (meta "feature_std" + FEATURE_STD_EPS), as float32."""
    mean, std = (np.asarray(meta[key], np.float32) for key in ("feature_mean", "feature_std"))
    return (features - mean) / (std + FEATURE_STD_EPS)


def _check_features(features, name="reader model"):
    if features not in FEATURES:
        raise DataError(f"{name}: unknown input features {features!r}; expected 'pixels' or 'hog'")


def reader_input_width(meta, name="reader model"):
    """How many inputs per character the transforms of ``meta`` give (1024 pixels or the HOG
    width); DataError naming ``name`` (the model file) when meta's transforms are malformed."""
    features = meta.get("features", "pixels")
    _check_features(features, name)
    if not isinstance(meta.get("deskew", False), bool):
        raise DataError(f"{name}: meta 'deskew' is {meta['deskew']!r}; expected true or false")
    blur = meta.get("input_blur", 0.0)
    if isinstance(blur, bool) or not isinstance(blur, (int, float)) or not blur >= 0:
        raise DataError(f"{name}: meta 'input_blur' is {blur!r}; expected a blur sigma >= 0")
    if features == "pixels":
        return charset.N_PIXELS
    width = hog_width()
    for key in ("feature_mean", "feature_std"):
        values = meta.get(key)
        numbers = isinstance(values, list) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        if not numbers or len(values) != width:
            found = (f"{len(values)} numbers" if numbers else "missing" if values is None
                     else "a list with non-numbers" if isinstance(values, list) else type(values).__name__)
            raise DataError(f"{name}: meta {key!r} is {found}; expected a list of {width} numbers "
                            "(one per HOG feature)")
    return width


def _cell_transforms(inks, meta, workers=1):
    """The cell-level input transforms of ``meta``: "deskew" (bool, default False,
    :func:`nnrec.ocr.glyphs.deskew_images`), then "input_blur" (sigma, default 0,
    :func:`nnrec.ocr.glyphs.blur_images`). (n, 32, 32) -> (n, 32, 32)."""
    if meta.get("deskew", False):
        inks = deskew_images(inks, workers)
    return blur_images(inks, float(meta.get("input_blur", 0.0)))


def reader_features(inks, meta, workers=1):
    """(n, 32, 32) ink maps -> (n, d) network inputs, by the transforms a reader MLP was trained
    with (its saved ``meta``).

    The cell transforms (deskew, "input_blur"; :func:`_cell_transforms`), then "features":
    "pixels" (default: NIST36 rows, d = 1024) or "hog" (:func:`hog_features`, standardised by
    the training features' "feature_mean" and "feature_std" + FEATURE_STD_EPS, also in meta).
    """
    features = meta.get("features", "pixels")
    _check_features(features)
    inks = _cell_transforms(inks, meta, workers)
    if features == "pixels":
        return charset.inks_to_rows(inks)
    return standardise_features(hog_features(inks, workers), meta)


def reader_inputs(rows, meta, workers=1):
    """:func:`reader_features` for (n, 1024) dataset rows (white ~1, ink ~0), as the classifier
    of a saved reader gets them; a model without input transforms reads the rows as they are."""
    rows = np.asarray(rows, float)
    plain = not meta.get("deskew", False) and not meta.get("input_blur", 0.0)
    if plain and meta.get("features", "pixels") == "pixels":
        return rows
    return reader_features(charset.rows_to_inks(rows), meta, workers)


def _training_characters(train, stroke, copies, font_per_class, cell_copies, seed, workers,
                         stored_characters=False):
    """The reader's training characters -> (inks (m, 32, 32), Y (m, 36)); see train_reader."""
    stored = charset.rows_to_inks(np.asarray(train[0], float))
    inks = redraw(stored, stroke, copies, seed, workers)
    Y = np.tile(np.asarray(train[1], float), (copies + 1, 1))
    if stored_characters:
        inks, Y = np.concatenate([inks, stored]), np.vstack([Y, np.asarray(train[1], float)])
    if font_per_class:
        from nnrec.ocr.fonts import font_characters  # training only: reading a page needs no fonts

        font_inks, font_Y = font_characters(font_per_class, seed, stroke, workers=workers)
        inks, Y = np.concatenate([inks, font_inks]), np.vstack([Y, font_Y])
    if cell_copies:
        inks = np.concatenate([inks, warp_cells(inks, cell_copies, seed)])
        Y = np.tile(Y, (cell_copies + 1, 1))
    return inks, Y


def train_reader(train, valid, hidden, learning_rate, epochs, batch_size, seed, stroke, copies,
                 font_per_class=0, cell_copies=0, input_blur=0.0, deskew=False, features="pixels",
                 stored_characters=False, weight_decay=0.0, workers=1):
    """The homework's MLP (sigmoid hidden layer, softmax output, nnrec.nn) trained for reading.

    train, valid: (X rows, Y one-hot). The training characters are redrawn like page crops with
    ``copies`` augmented copies each (:func:`nnrec.ocr.glyphs.redraw`); ``font_per_class``
    characters per class drawn from READER_FONTS join them (:func:`nnrec.ocr.fonts.font_characters`),
    and with ``stored_characters`` the training characters as the dataset stores them, not
    redrawn (so the reader also reads scans and crops that were never redrawn); then every one of
    these gets ``cell_copies`` warped copies (:func:`nnrec.ocr.glyphs.warp_cells`).
    The validation characters are redrawn without augmentation. All are deskewed when
    ``deskew``, blurred by ``input_blur`` and turned into ``features`` ("pixels" or "hog", see
    reader_features; HOG features are standardised by the training features' mean and standard
    deviation). ``workers`` processes redraw the characters and compute features (the result
    does not depend on it). ``weight_decay``: L2 penalty on the weights (:func:`nnrec.nn.sgd_step`).
    Returns (params, history, inputs): params and history as from nn.train_mlp; inputs is the
    dict of input transforms to save in the model's meta, so that a loaded reader prepares page
    crops alike (see reader_inputs).
    """
    from threadpoolctl import threadpool_limits

    from nnrec import nn

    if features not in FEATURES:
        raise ValueError(f"unknown reader features {features!r}; expected 'pixels' or 'hog'")
    inks, Y = _training_characters(train, stroke, copies, font_per_class, cell_copies, seed, workers,
                                   stored_characters)
    inputs = {"deskew": deskew, "input_blur": input_blur, "features": "pixels"}
    inks = _cell_transforms(inks, inputs, workers)
    if features == "hog":
        X = hog_features(inks, workers)
        inputs.update(features="hog", feature_mean=X.mean(axis=0).tolist(), feature_std=X.std(axis=0).tolist())
        X = standardise_features(X, inputs)
    else:
        X = charset.inks_to_rows(inks)
    X_valid = reader_features(redraw(charset.rows_to_inks(valid[0]), stroke, 0, seed, workers), inputs, workers)
    # one BLAS thread: a 32-row batch gains little from more, and while another job holds the
    # other core, OpenBLAS's waiting threads made each epoch ten times slower
    with threadpool_limits(1, user_api="blas"):
        _, params, history = nn.train_mlp((X, Y), (X_valid, np.asarray(valid[1], float)), hidden,
                                          learning_rate, epochs, batch_size, seed, weight_decay=weight_decay)
    return params, history, inputs
