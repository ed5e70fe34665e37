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


def rows_to_inks(rows):
    """(n, 1024) dataset rows (white ~1, ink ~0) -> (n, 32, 32) upright ink maps (1 = ink)."""
    return 1.0 - rows_to_images(rows)


def inks_to_rows(inks):
    """(n, 32, 32) upright ink maps (1 = ink) -> (n, 1024) dataset rows (white ~1, ink ~0)."""
    return images_to_rows(1.0 - np.asarray(inks))


def one_hot(indices, n_classes=N_CLASSES):
    """(n,) integer class indices -> (n, n_classes) float one-hot rows."""
    indices = np.asarray(indices, dtype=int)
    out = np.zeros((len(indices), n_classes))
    out[np.arange(len(indices)), indices] = 1.0
    return out


# Longest side of a character's ink box inside the 32x32 cell, in pixels. The synthetic
# renderer and the OCR cropper both normalise through nnrec.glyph_geometry.fit_to_box, so what
# the networks see at training time and on a photographed page is laid out the same way.
INK_LONG_SIDE = 26
