"""One character image -> the 32x32 cell the readers see, and the transforms of such cells.

A page crop or a training character is thresholded, thinned to its skeleton and redrawn with
a round pen of the training data's width (:func:`normalise_glyph`, :func:`redraw`), then laid
out by :func:`nnrec.glyph_geometry.fit_to_box` (longer side 26 of 32, centred). Cells may
further be warped (:func:`warp_cells`), deskewed by their moments (:func:`deskew_images`) and
blurred (:func:`blur_images`).

Every array here is an upright ink map, (32, 32) or (n, 32, 32), 1 = ink and 0 = paper; the
conversion to NIST36 rows happens at the callers' edges (:func:`nnrec.charset.inks_to_rows`).
Nothing here knows pages, fonts or readers.
"""

import numpy as np
from scipy import ndimage
from skimage import filters, morphology, transform

from nnrec import charset
from nnrec.glyph_geometry import fit_to_box, fit_to_box_batch, random_elastic_warp
from nnrec.parallel import map_tasks

# Stroke width, in pixels of the 32x32 cell, that crops are redrawn with: the middle of the
# synthetic training characters' pen widths (1.3-4.2 px); config ocr.stroke sets it in the pipeline.
DEFAULT_STROKE = 2.7

# Crops are redrawn at this many times the final cell resolution before fit_to_box shrinks
# them, so the redrawn stroke width is exact to a quarter of a final pixel.
REDRAW_FACTOR = 4


def _blank_cells(n=0):
    """(n, 32, 32) zeros: no ink."""
    return np.zeros((n, charset.SIDE, charset.SIDE))


def _scaled_mask(mask):
    """A character's ink mask cropped to its ink and scaled, outline smoothed, so its longer side
    is REDRAW_FACTOR x INK_LONG_SIDE pixels -> bool mask."""
    rows, cols = np.nonzero(mask)
    mask = mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = REDRAW_FACTOR * charset.INK_LONG_SIDE / max(mask.shape)
    shape = (max(1, round(mask.shape[0] * scale)), max(1, round(mask.shape[1] * scale)))
    big = transform.resize(mask.astype(float), shape, order=1, anti_aliasing=scale < 1)
    # smoothing the outline before thinning keeps ragged edges from sprouting skeleton spurs
    return filters.gaussian(big, sigma=REDRAW_FACTOR / 2) > 0.5


def normalise_glyph(mask, stroke=DEFAULT_STROKE):
    """One character's ink mask (any size) -> (32, 32) ink map laid out like the training data.

    The mask is scaled so its longer side is REDRAW_FACTOR x INK_LONG_SIDE pixels, thinned to
    its skeleton and redrawn with a pen ``stroke`` final pixels wide, then placed by
    :func:`nnrec.glyph_geometry.fit_to_box` (longer side 26 of 32, centred) exactly as the
    synthetic training characters are. Redrawing removes the pen's own width, so a fine pen on a
    12 MP photograph and a marker on a small scan both reach the network at the training data's
    stroke width. Returns floats in 0-1, 1 = ink; an empty mask gives a blank cell.
    """
    mask = np.asarray(mask, bool)
    if not mask.any():
        return _blank_cells(1)[0]
    big = np.pad(_scaled_mask(mask), int(np.ceil(REDRAW_FACTOR * stroke)))
    skeleton = morphology.skeletonize(big)
    if not skeleton.any():
        skeleton = big
    return _pen_cell(skeleton, stroke)


def normalise_glyphs(masks, stroke=DEFAULT_STROKE):
    """:func:`normalise_glyph` of each of a list of masks -> (n, 32, 32) ink maps."""
    return np.stack([normalise_glyph(mask, stroke) for mask in masks]) if len(masks) else _blank_cells()


def _pen_cell(skeleton, stroke):
    """A (padded) boolean skeleton at REDRAW_FACTOR x the cell's scale, drawn with a round pen
    ``stroke`` final pixels wide and placed by fit_to_box -> (32, 32) ink map."""
    # every pixel within half a pen width of the skeleton is ink (a round pen of any width)
    redrawn = ndimage.distance_transform_edt(~skeleton) <= REDRAW_FACTOR * stroke / 2
    return fit_to_box(redrawn.astype(float))


def glyph_skeleton(mask):
    """A character's ink mask (any size) -> (m, 2) float (y, x) skeleton pixels, the glyph scaled
    as :func:`normalise_glyph` scales it (longer side REDRAW_FACTOR x INK_LONG_SIDE)."""
    big = np.pad(_scaled_mask(np.asarray(mask, bool)), 1)
    return np.argwhere(morphology.skeletonize(big)).astype(float)


def draw_skeleton(points, stroke=DEFAULT_STROKE):
    """(m, 2) skeleton points at any scale -> (32, 32) ink map, drawn like :func:`normalise_glyph`:
    scaled so the longer side is REDRAW_FACTOR x INK_LONG_SIDE, rasterised, redrawn with a round
    pen ``stroke`` final pixels wide and placed by fit_to_box. Neighbouring points may lie up to
    a pen radius apart (a stretched skeleton) and still draw one unbroken stroke."""
    points = np.asarray(points, float) - np.min(points, axis=0)
    points *= (REDRAW_FACTOR * charset.INK_LONG_SIDE - 1) / max(points.max(), 1e-9)
    pad = int(np.ceil(REDRAW_FACTOR * stroke))
    index = np.round(points).astype(int) + pad
    skeleton = np.zeros(tuple(index.max(axis=0) + 1 + pad), bool)
    skeleton[index[:, 0], index[:, 1]] = True
    return _pen_cell(skeleton, stroke)


def _ink_mask(ink):
    """A training character's ink (0-1, blurred, any tone) -> boolean mask, by Otsu's threshold."""
    if ink.max() - ink.min() < 0.05:
        return np.zeros(ink.shape, bool)
    return ink > filters.threshold_otsu(ink)


# Widths, relative to height, that redrawn training glyphs are stretched to (log-uniform):
# hands differ most in how wide they draw a letter (an I with long serifs, a narrow E).
REDRAW_WIDTH_RANGE = (0.6, 2.0)


def random_affine_warp(ink, rng):
    """A random affine warp of a (padded) ink map about its centre: rotation within 8 degrees,
    shear within 0.2, width scaled within REDRAW_WIDTH_RANGE (log-uniform)."""
    middle = ink.shape[0] / 2
    centre = transform.SimilarityTransform(translation=-middle)
    warp = transform.AffineTransform(
        rotation=np.deg2rad(rng.uniform(-8, 8)), shear=rng.uniform(-0.2, 0.2),
        scale=(np.exp(rng.uniform(np.log(REDRAW_WIDTH_RANGE[0]), np.log(REDRAW_WIDTH_RANGE[1]))), 1.0))
    return transform.warp(ink, (centre + warp + centre.inverse).inverse, order=1)


# Training characters are redrawn in chunks of this many, each chunk with its own random stream
# (seeded by the seed, the copy and the chunk), so the result does not depend on the workers.
REDRAW_CHUNK = 1024


def _redraw_chunk(task):
    """Redraw one chunk of (padded) ink maps; see redraw. task: (inks, stroke, warp, seed)."""
    inks, stroke, warp, seed = task
    rng = np.random.default_rng(seed)
    out = []
    for ink in inks:
        pen = stroke
        if warp:
            ink = random_affine_warp(ink, rng)
            pen = stroke + rng.uniform(-0.6, 0.6)
        out.append(normalise_glyph(_ink_mask(ink), pen))
    return np.stack(out)


def redraw(inks, stroke=DEFAULT_STROKE, copies=0, seed=0, workers=1):
    """Training characters redrawn the way page crops are, plus augmented copies.

    inks: (n, 32, 32) ink maps. Each character is thresholded (Otsu's threshold of its own
    pixels, as faint and bold samples differ) and passed through :func:`normalise_glyph`, so
    the network learns from exactly the layout and pen width it will be shown on a page.
    ``copies`` more versions of each are made by a random affine warp first
    (:func:`random_affine_warp`; hands differ most in how wide they draw letters, and
    fit_to_box keeps the longer side, so the width changes the shape the network sees) and a
    pen width within +-0.6 px of ``stroke``. ``workers`` processes share the work (same result
    for any number). Returns (n * (1 + copies), 32, 32): all originals, then copy 1, and so on.
    """
    pad = charset.SIDE // 2  # room for a glyph made wider than its cell
    padded = np.pad(np.asarray(inks, float), ((0, 0), (pad, pad), (pad, pad)))
    tasks = [(padded[k : k + REDRAW_CHUNK], stroke, copy > 0, (seed, copy, k))
             for copy in range(copies + 1) for k in range(0, len(padded), REDRAW_CHUNK)]
    if not tasks:
        return _blank_cells()
    progress = dict(desc=f"redraw x{copies + 1}", unit="chunk", mininterval=10)
    return np.concatenate(map_tasks(_redraw_chunk, tasks, workers, progress))


def redraw_rows(rows, stroke=DEFAULT_STROKE, copies=0, seed=0, workers=1):
    """:func:`redraw` for (n, 1024) dataset rows (white ~1, ink ~0) -> (n * (1 + copies), 1024)."""
    return charset.inks_to_rows(redraw(charset.rows_to_inks(rows), stroke, copies, seed, workers))


# Cell warps (see warp_cells): rotation s.d. (degrees), shear (uniform +-), s.d. of log aspect,
# and elastic displacement s.d. (pixels of the padded 48x48 cell) at 5x5 control points.
CELL_WARP = {"rotation_deg": 6.0, "shear": 0.15, "aspect": 0.2, "elastic_px": 1.0}
CELL_PAD = 8
# Cells warped at once: the random draws are made per chunk, so this fixes the result
# (the same chunk size as nnrec.synth.CHUNK).
CELL_WARP_CHUNK = 1024


def warp_cells(inks, copies, seed=0):
    """``copies`` warped versions of every (n, 32, 32) ink map, made at the 32x32 level.

    A cheap multiplier of the training characters after they are redrawn: each copy is a random
    affine warp plus a smooth elastic field (:func:`nnrec.glyph_geometry.random_elastic_warp`,
    CELL_WARP), refit to the cell (:func:`nnrec.glyph_geometry.fit_to_box_batch`) and rescaled
    so its darkest pixel is full ink. Returns (n * copies, 32, 32): copy 1 of every cell, then
    copy 2, and so on.
    """
    rng = np.random.default_rng(seed)
    padded = np.pad(np.asarray(inks, float), ((0, 0), (CELL_PAD, CELL_PAD), (CELL_PAD, CELL_PAD)))
    padded = padded.astype(np.float32)
    out = []
    for _ in range(copies):
        for k in range(0, len(padded), CELL_WARP_CHUNK):
            warped = random_elastic_warp(padded[k : k + CELL_WARP_CHUNK], rng, **CELL_WARP)
            cells = fit_to_box_batch(warped, rng)
            out.append(np.clip(cells / np.maximum(cells.max(axis=(1, 2), keepdims=True), 0.05), 0, 1))
    return np.concatenate(out) if out else _blank_cells()


def blur_images(inks, sigma):
    """Gaussian-blur each of (n, 32, 32) ink maps by ``sigma`` pixels (0: unchanged).

    A blurred input makes an MLP, which compares pixel by pixel, tolerant of strokes a pixel or
    two away from where its training characters had them.
    """
    inks = np.asarray(inks, float)
    if not sigma or not len(inks):
        return inks
    return ndimage.gaussian_filter(inks, (0, sigma, sigma), mode="nearest")


# Deskew: the slant estimated from a glyph's second moments is clipped to this many pixels of
# horizontal shift per pixel of height (about 45 degrees), so a glyph with no clear vertical
# extent (a dash, a dot) is never smeared sideways.
MAX_SKEW = 1.0
DESKEW_CHUNK = 2048  # glyphs per worker task


def _sheared_upright(inks):
    """(n, 32, 32) ink maps -> (n, 32, 64) each with its slant sheared away (see deskew_images),
    padded by half a cell either side so a glyph sheared wider than its cell stays whole."""
    pad = charset.SIDE // 2
    wide = np.pad(inks, ((0, 0), (0, 0), (pad, pad)))
    rows = np.arange(wide.shape[1], dtype=float)[None, :, None]
    cols = np.arange(wide.shape[2], dtype=float)[None, None, :]
    mass = np.maximum(wide.sum(axis=(1, 2)), 1e-12)[:, None, None]
    down = rows - (wide * rows).sum(axis=(1, 2), keepdims=True) / mass  # rows below the centroid
    across = cols - (wide * cols).sum(axis=(1, 2), keepdims=True) / mass
    mu11, mu20 = (wide * down * across).sum(axis=(1, 2)), (wide * down**2).sum(axis=(1, 2))
    skew = np.clip(mu11 / np.maximum(mu20, 1e-12), -MAX_SKEW, MAX_SKEW)[:, None, None]
    # output (y, x) samples the input at (y, x + skew * (y - yc)), linearly, zero outside (as
    # map_coordinates' "grid-constant"); along rows only, so two gathers do it, where a 3-d
    # map_coordinates over the whole batch takes ten times as long
    x = cols + skew * down
    left = np.floor(x)
    weight = x - left
    framed = np.pad(wide, ((0, 0), (0, 0), (1, 1)))  # a zero column either side, index + 1
    left = left.astype(int) + 1
    left, right = (np.clip(i, 0, framed.shape[2] - 1) for i in (left, left + 1))
    return (np.take_along_axis(framed, left, axis=2) * (1 - weight)
            + np.take_along_axis(framed, right, axis=2) * weight)


def _deskew_chunk(inks):
    cells = _blank_cells(len(inks))
    inked = inks.any(axis=(1, 2))
    if inked.any():
        cells[inked] = [fit_to_box(sheared) for sheared in _sheared_upright(inks[inked])]
    return cells


def deskew_images(inks, workers=1):
    """Remove the slant of each of (n, 32, 32) ink maps, then refit it to the cell.

    The slant is the classic moment estimate used to deskew digits for pixel-wise classifiers:
    skew = mu11 / mu20 (central moments, rows first), the mean horizontal drift of the ink per
    pixel down the glyph, about the ink's centroid (clipped to MAX_SKEW). Each row of pixels is
    shifted sideways by -skew x its distance below the centroid (linear interpolation, zero
    outside, the whole batch at once), which makes mu11 zero: a slanted stroke stands upright
    and an upright one stays where it is. The glyph is then laid out like every other character (:func:`nnrec.glyph_geometry.fit_to_box`). ``workers``
    processes share the work (same result for any number). Returns (n, 32, 32) floats in 0-1;
    a blank map comes back blank.
    """
    inks = np.asarray(inks, float).reshape(-1, charset.SIDE, charset.SIDE)
    chunks = [inks[k : k + DESKEW_CHUNK] for k in range(0, len(inks), DESKEW_CHUNK)]
    return np.concatenate(map_tasks(_deskew_chunk, chunks, workers)) if chunks else _blank_cells()


def deskew_image(ink):
    """Deskew one (32, 32) ink map (1 = ink); see :func:`deskew_images`."""
    return deskew_images(np.asarray(ink, float)[None])[0]
