"""Geometry of character cells: fitting ink to the 32x32 cell, and warping batches of glyphs.

The low layer under both the synthetic renderer (:mod:`nnrec.synth`) and the OCR glyph
transforms (:mod:`nnrec.ocr.glyphs`): numpy, scipy.ndimage and skimage only, nothing of fonts,
pages or readers. Images here are ink maps, 1 = ink and 0 = background, upright (row = y).
"""

import numpy as np
from scipy import ndimage

from nnrec import charset

# A pixel darker than this counts as ink when a glyph's ink box is measured.
INK_LEVEL = 0.05


def cell_layout(box_height, box_width, long_side=charset.INK_LONG_SIDE, side=charset.SIDE):
    """Where an ink box of ``box_height`` x ``box_width`` pixels lands in the cell.

    Scalars or (n,) arrays. The box is scaled, aspect kept, so its longer side is ``long_side``
    pixels (each side at least 1) and centred in a ``side`` cell (rounded down, so one spare
    pixel goes below and right). Returns (height, width, top, left), as floats.
    """
    scale = long_side / np.maximum(box_height, box_width)
    height = np.maximum(1, np.round(box_height * scale))
    width = np.maximum(1, np.round(box_width * scale))
    return height, width, (side - height) // 2, (side - width) // 2


def fit_to_box(ink, long_side=charset.INK_LONG_SIDE, side=charset.SIDE):
    """Crop an ink map to its ink, scale it to fit a square cell, and centre it.

    ink: (h, w) floats, 1 = ink, 0 = background, any resolution.
    Returns (side, side) floats in 0-1 (1 = ink): the ink's bounding box placed by
    :func:`cell_layout`, resampled linearly (anti-aliased when shrinking). All-blank input gives
    zeros. Anti-aliased downscaling thins strokes in proportion, so stroke width is set by the
    caller at the input's resolution.
    """
    from skimage.transform import resize

    ink = np.asarray(ink, dtype=float)
    rows, cols = np.nonzero(ink > INK_LEVEL)
    cell = np.zeros((side, side))
    if len(rows) == 0:
        return cell
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    height, width, top, left = (int(v) for v in cell_layout(*crop.shape, long_side, side))
    if (height, width) == crop.shape:  # already at the cell's scale: resize would return it as is
        small = crop
    else:
        small = resize(crop, (height, width), order=1, anti_aliasing=max(crop.shape) > long_side,
                       preserve_range=True)
    cell[top : top + height, left : left + width] = np.clip(small, 0, 1)
    return cell


def sample_bilinear(images, sy, sx):
    """Sample each of (n, h, w) ``images`` at float coordinates ``sy``, ``sx`` (n, H, W each).

    Linear interpolation; outside the image everything is zero, and within a pixel of its edge
    the edge pixels fade linearly to that zero (scipy's "grid-constant" mode). Returns
    (n, H, W) in the images' dtype.
    """
    out = np.empty(np.shape(sy), dtype=images.dtype)
    for k, image in enumerate(images):
        out[k] = ndimage.map_coordinates(image, (sy[k], sx[k]), order=1, mode="grid-constant", cval=0.0)
    return out


def _smooth_upsample_matrix(n_in, n_out):
    """(n_out, n_in) row-normalised Gaussian interpolation weights: a smooth field from a
    coarse grid of control values."""
    grid = np.linspace(0, n_out - 1, n_in)
    width = (n_out - 1) / (n_in - 1)
    w = np.exp(-0.5 * ((np.arange(n_out)[:, None] - grid[None]) / width) ** 2)
    return (w / w.sum(axis=1, keepdims=True)).astype(np.float32)


def random_elastic_warp(images, rng, rotation_deg, shear, aspect, elastic_px):
    """A random affine warp plus a smooth elastic field for each of (n, s, s) ``images``.

    Per image, about the cell centre: rotation with s.d. ``rotation_deg`` degrees (clipped at 2
    s.d.), shear uniform within +-``shear``, log aspect with s.d. ``aspect``, and a displacement
    whose 5x5 control points move with s.d. ``elastic_px`` pixels; all in one bilinear
    resampling (:func:`sample_bilinear`). Returns (n, s, s).
    """
    n, side, _ = images.shape
    theta = np.deg2rad(np.clip(rng.normal(0, rotation_deg, n), -2 * rotation_deg, 2 * rotation_deg))
    sh = rng.uniform(-shear, shear, n)
    log_aspect = rng.normal(0, aspect, n)
    sx, sy = np.exp(log_aspect / 2), np.exp(-log_aspect / 2)
    cos, sin = np.cos(theta), np.sin(theta)
    # output offset (y, x) from the centre -> input offset
    a = np.empty((n, 2, 2), dtype=np.float32)
    a[:, 0, 0], a[:, 0, 1] = cos / sy, (-sin + sh * cos) / sy
    a[:, 1, 0], a[:, 1, 1] = sin / sx, (cos + sh * sin) / sx
    c = (side - 1) / 2
    grid = np.mgrid[0:side, 0:side].reshape(2, -1).astype(np.float32) - c
    src = (a @ grid).reshape(n, 2, side, side) + c
    coarse = rng.normal(0, elastic_px, (n, 2, 5, 5)).astype(np.float32)
    m = _smooth_upsample_matrix(5, side)
    src += np.einsum("yi,ncij,xj->ncyx", m, coarse, m, optimize=True)
    return sample_bilinear(images, src[:, 0], src[:, 1])


def _ink_bounds(images):
    """First and last ink row and column of each of (n, s, s) images -> four (n,) int arrays."""
    mask = images > INK_LEVEL
    rows, cols = mask.any(axis=2), mask.any(axis=1)
    last = images.shape[1] - 1
    return (rows.argmax(axis=1), last - rows[:, ::-1].argmax(axis=1),
            cols.argmax(axis=1), last - cols[:, ::-1].argmax(axis=1))


def fit_to_box_batch(images, rng, zoom_range=(1.0, 1.0), shift_px=0.0, long_side=charset.INK_LONG_SIDE,
                     side=charset.SIDE):
    """:func:`fit_to_box` for a batch, followed by a random zoom and shift, in one resampling.

    images: (n, s, s) ink maps, lightly pre-blurred against aliasing (unlike fit_to_box this
    does not anti-alias). Each one's ink box is placed by :func:`cell_layout`, then zoomed by a
    factor drawn from ``zoom_range`` about the cell centre and shifted by up to ``shift_px``
    pixels. The zoom and shift are drawn from ``rng`` even when their ranges are empty, so the
    stream's later draws do not depend on them. Returns (n, side, side).
    """
    n = len(images)
    y0, y1, x0, x1 = _ink_bounds(images)
    hh, ww = (y1 - y0 + 1).astype(float), (x1 - x0 + 1).astype(float)
    height, width, top, left = cell_layout(hh, ww, long_side, side)
    zoom = rng.uniform(*zoom_range, n)
    shift = rng.uniform(-shift_px, shift_px, (n, 2))
    c = (side - 1) / 2
    out = np.arange(side, dtype=float)
    # undo the jitter, then fit_to_box's mapping (skimage resize pixel-centre convention)
    oy = (out[None] - c - shift[:, :1]) / zoom[:, None] + c
    ox = (out[None] - c - shift[:, 1:]) / zoom[:, None] + c
    iy = y0[:, None] + (oy - top[:, None] + 0.5) * (hh / height)[:, None] - 0.5
    ix = x0[:, None] + (ox - left[:, None] + 0.5) * (ww / width)[:, None] - 0.5
    # fit_to_box leaves everything outside the scaled box blank
    iy[(oy < top[:, None] - 0.5) | (oy > (top + height)[:, None] - 0.5)] = -10
    ix[(ox < left[:, None] - 0.5) | (ox > (left + width)[:, None] - 0.5)] = -10
    sy = np.broadcast_to(iy[:, :, None], (n, side, side))
    sx = np.broadcast_to(ix[:, None, :], (n, side, side))
    return sample_bilinear(images, sy, sx)
