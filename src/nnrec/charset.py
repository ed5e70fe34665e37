"""The 36 NIST36 classes and the dataset's 32x32 image layout.

NIST36 stores each character as a row of 1024 floats in column-major order, white
background near 1 and dark ink near 0; ``row.reshape(32, 32).T`` is the upright image.
"""

import numpy as np

CLASSES = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
LETTERS = CLASSES[:26]  # class indices 0-25
DIGITS = CLASSES[26:]  # class indices 26-35
N_CLASSES = len(CLASSES)
SIDE = 32
N_PIXELS = SIDE * SIDE


def image_to_row(image):
    """(32, 32) upright image -> (1024,) dataset row (column-major)."""
    return np.asarray(image).T.reshape(N_PIXELS)


def images_to_rows(images):
    """(n, 32, 32) upright images -> (n, 1024) dataset rows."""
    images = np.asarray(images)
    return images.transpose(0, 2, 1).reshape(len(images), N_PIXELS)


def rows_to_images(rows):
    """(n, 1024) dataset rows -> (n, 32, 32) upright images."""
    rows = np.asarray(rows)
    return rows.reshape(len(rows), SIDE, SIDE).transpose(0, 2, 1)


def one_hot(indices, n_classes=N_CLASSES):
    """(n,) integer class indices -> (n, n_classes) float one-hot rows."""
    indices = np.asarray(indices, dtype=int)
    out = np.zeros((len(indices), n_classes))
    out[np.arange(len(indices)), indices] = 1.0
    return out


# Longest side of a character's ink box inside the 32x32 cell, in pixels. The synthetic
# renderer and the OCR cropper both normalise through fit_to_box, so what the networks see at
# training time and on a photographed page is laid out the same way.
INK_LONG_SIDE = 26


def fit_to_box(ink, long_side=INK_LONG_SIDE, side=SIDE):
    """Crop an ink map to its ink, scale it to fit a square cell, and centre it.

    ink: (h, w) floats, 1 = ink, 0 = background, any resolution.
    Returns (side, side) floats in 0-1 (1 = ink): the ink's bounding box scaled, aspect kept,
    so its longer side is ``long_side`` pixels, centred in the cell. All-blank input gives zeros.
    Anti-aliased downscaling thins strokes in proportion, so stroke width is set by the caller
    at the input's resolution.
    """
    from skimage.transform import resize

    ink = np.asarray(ink, dtype=float)
    rows, cols = np.nonzero(ink > 0.05)
    cell = np.zeros((side, side))
    if len(rows) == 0:
        return cell
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = long_side / max(crop.shape)
    height = max(1, round(crop.shape[0] * scale))
    width = max(1, round(crop.shape[1] * scale))
    small = resize(crop, (height, width), order=1, anti_aliasing=scale < 1, preserve_range=True)
    top, left = (side - height) // 2, (side - width) // 2
    cell[top : top + height, left : left + width] = np.clip(small, 0, 1)
    return cell
