"""Reading photographed pages of handwritten block capitals (homework Q4).

The pipeline, one function per step:

1. :func:`to_grey`       any page image (grey, RGB, RGBA; uint8/uint16/float) -> grey floats.
2. :func:`find_letters`  grey -> character boxes and the binary ink image. Lighting is
   flattened by dividing by an estimated paper background, ink is split off with Otsu's
   threshold (hysteresis keeps faint stroke ends attached, a closing joins broken strokes),
   connected components that are pieces of one character are merged, and dots and specks
   are dropped. Every size is relative to the page's *typical
   character height*, measured on the page itself, so one parameter set serves every page
   from 0.5 to 12 megapixels.
3. :func:`group_lines`   boxes -> text lines (left to right) and the word gaps in each line.
4. :func:`crop_rows`     boxes -> 32x32 dataset rows laid out like the training characters
   (:func:`nnrec.charset.fit_to_box`, white background, strokes redrawn at the training
   data's pen width).
5. :func:`train_reader`  an MLP (nnrec.nn) trained on characters redrawn the same way; its
   inputs, training and page alike, may be deskewed by their moments, blurred and turned
   into HOG features (:func:`prepare_rows`, options saved with the model).
6. :func:`extract_text`  the above plus a pluggable ``classify(rows) -> probabilities``, and
   word context (:func:`word_context_labels`: each word all letters or all digits).

Nothing here knows the pages it is scored on: no per-page setting, no lexicon.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import ndimage
from skimage import color, filters, measure, morphology, transform, util

from nnrec import DataError, charset, metrics

# Working resolution: pages are box-averaged down to at most this many pixels before
# thresholding (a photograph's characters stay 40-150 px tall at this size, plenty for a
# 32x32 cell, and a 12 MP page is read in well under a second).
WORK_PIXELS = 1.6e6
# Paper background: the page is shrunk by this factor, grey-closed (removes the ink), and
# blown up again; dividing by it flattens shadows and uneven lighting.
BACKGROUND_SHRINK = 8
# Ink must be at least this much darker than the paper (fraction of the paper's brightness)
# whatever Otsu says, so a blank page yields no letters.
MIN_CONTRAST = 0.12
# Hysteresis: strokes seeded at the threshold grow into pixels darker than this fraction of it.
HYSTERESIS_LOW = 0.6

# Sizes relative to the page's typical character height H (see typical_height).
SPECK_SIZE = 0.3  # a blob whose longer side is below 0.3 H is a dot or a speck
MAX_SIZE = 3.0  # ... and one longer than 3 H (a page edge, a ruled line) is no character
MERGE_GAP = 0.35  # pieces stacked within 0.35 H of each other ...
MERGE_OVERLAP = 0.5  # ... whose x ranges overlap by half the narrower one are one character
MERGE_MAX_HEIGHT = 1.6  # ... as long as the merged box stays under 1.6 H tall
FRAGMENT = 0.5  # a piece under 0.5 H tall within a character's rows ...
FRAGMENT_GAP = 0.25  # ... joins the nearest character beside it within 0.25 H (an F's loose arm)
LINE_OVERLAP = 0.4  # a box joins a line when their y ranges overlap by 40% of the shorter
MIN_WIDTH = 0.5  # for word gaps, boxes count as at least 0.5 H wide
WORD_GAP = 0.6  # a word gap is wider than 0.6 x its line's character height ...
WORD_GAP_RATIO = 2.0  # ... and the page's word gaps average 2 x its gaps between letters
WORD_GAP_CLIP = 1.5  # gaps count as at most 1.5 H when the page's gaps are split in two
WORD_GAP_SINGLE = 1.0  # on a page of just two characters: a gap wider than their height

# Stroke width, in pixels of the 32x32 cell, that crops are redrawn with: the middle of the
# synthetic training characters' pen widths (1.3-4.2 px); config ocr.stroke sets it in the pipeline.
DEFAULT_STROKE = 2.7


@dataclass
class PageText:
    """What :func:`extract_text` found on a page.

    boxes: (n, 4) [y1, x1, y2, x2] in the input image's pixels, in reading order.
    labels: (n,) class indices; probs: (n, 36); lines: list of index lists into boxes;
    spaces: per line, the positions (index into the line) that start a new word;
    text: the page's text, lines joined by newlines; text_without_context: the same with every
    character's own most probable class (no word context); binary: the ink image (1 = paper,
    0 = ink) at the working resolution; scale: working pixels per input pixel.
    """

    boxes: np.ndarray
    labels: np.ndarray
    probs: np.ndarray
    lines: list
    spaces: list
    text: str
    text_without_context: str
    binary: np.ndarray = field(repr=False)
    scale: float = 1.0


def to_grey(image):
    """Page image -> (h, w) float grey in 0-1 (white paper ~1).

    Accepts (h, w) grey, (h, w, 3) RGB and (h, w, 4) RGBA (composited on white) arrays of any
    integer or float dtype. Anything else raises DataError.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        return util.img_as_float(image).astype(np.float64)
    if image.ndim == 3 and image.shape[2] == 4:
        image = color.rgba2rgb(image, background=(1, 1, 1))
    if image.ndim == 3 and image.shape[2] == 3:
        return color.rgb2gray(image)
    raise DataError(f"page image has shape {image.shape}; expected (h, w), (h, w, 3) or (h, w, 4)")


def read_image(path):
    """Read a page from disk -> array, raising DataError naming the file when it can't."""
    from skimage import io

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such page image")
    try:
        image = io.imread(path)
    except Exception as error:  # PIL and imageio raise many types for corrupt files
        raise DataError(f"{path}: cannot be read as an image ({error}); expected a JPEG or PNG page") from error
    if image.ndim not in (2, 3) or min(image.shape[:2]) < 8:
        raise DataError(f"{path}: decoded to an array of shape {image.shape}; expected a page image")
    return image


def _shrink(grey):
    """Box-average ``grey`` down to at most WORK_PIXELS; returns (image, factor)."""
    factor = max(1, int(np.ceil(np.sqrt(grey.size / WORK_PIXELS))))
    if factor == 1:
        return grey, 1
    return transform.downscale_local_mean(grey, (factor, factor)), factor


def ink_darkness(grey):
    """How much darker than the local paper each pixel is, 0 (paper) to 1 (black).

    The paper's brightness is estimated by a grey closing (a dilation of the bright paper over
    the thin dark strokes) on a shrunken copy, smoothed and blown back up; dividing by it
    removes shadows and gradients in the lighting.
    """
    small = transform.downscale_local_mean(grey, (BACKGROUND_SHRINK, BACKGROUND_SHRINK))
    radius = max(2, int(round(max(small.shape) / 60)))
    paper = morphology.closing(small, morphology.disk(radius))
    paper = filters.gaussian(paper, sigma=radius)
    paper = transform.resize(paper, grey.shape, order=1)
    return np.clip(1.0 - grey / np.maximum(paper, 1e-3), 0.0, 1.0)


def binarize(grey):
    """Grey page -> boolean ink mask (True = ink) at the same size."""
    dark = filters.gaussian(ink_darkness(grey), sigma=0.7)
    threshold = max(filters.threshold_otsu(dark), MIN_CONTRAST) if dark.max() > MIN_CONTRAST else np.inf
    if not np.isfinite(threshold):
        return np.zeros(grey.shape, bool)
    ink = filters.apply_hysteresis_threshold(dark, HYSTERESIS_LOW * threshold, threshold)
    # a one-pixel closing joins strokes broken by a skipping pen or JPEG blocks
    return morphology.closing(ink, morphology.disk(1))


def typical_height(heights, areas):
    """The page's typical character height: the median height of the substantial blobs.

    Specks and dots are many but small, so blobs with less than a tenth of the area of the
    90th-percentile blob are ignored before taking the median.
    """
    heights, areas = np.asarray(heights, float), np.asarray(areas, float)
    if len(heights) == 0:
        return 0.0
    big = areas >= 0.1 * np.percentile(areas, 90)
    return float(np.median(heights[big]))


def _stacked(a, b, height):
    """Whether boxes a and b ([y1, x1, y2, x2]) are stacked pieces of one character (a T's bar
    over its stem, an E's arms): x ranges overlapping by MERGE_OVERLAP of the narrower, within
    MERGE_GAP * height vertically, union under MERGE_MAX_HEIGHT * height tall."""
    if max(a[2], b[2]) - min(a[0], b[0]) > MERGE_MAX_HEIGHT * height:
        return False
    overlap_x = min(a[3], b[3]) - max(a[1], b[1])
    gap_y = max(a[0], b[0]) - min(a[2], b[2])
    return overlap_x >= MERGE_OVERLAP * min(a[3] - a[1], b[3] - b[1]) and gap_y <= MERGE_GAP * height


def _union(a, b):
    return np.array([min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])])


def _merge_pieces(boxes, height):
    """Union the boxes of pieces that belong to one character (strokes that do not touch).

    First stacked pieces merge (see _stacked), repeatedly. Then each remaining fragment, a box
    under FRAGMENT * height tall (an F's arm drawn off its stem), joins the box beside it whose
    rows contain it and whose horizontal gap to it is smallest, if that gap is under
    FRAGMENT_GAP * height. boxes: (n, 4) [y1, x1, y2, x2]; returns (groups: for each merged box
    the indices of the input boxes it is made of, merged boxes (m, 4)).
    """
    groups = [[i] for i in range(len(boxes))]
    merged = [np.asarray(b, float) for b in boxes]

    def join(i, j):
        merged[i], merged[j] = _union(merged[i], merged[j]), None
        groups[i], groups[j] = groups[i] + groups[j], []

    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                if merged[i] is not None and merged[j] is not None and _stacked(merged[i], merged[j], height):
                    join(i, j)
                    changed = True
    alive = [k for k in range(len(merged)) if merged[k] is not None]
    fragments = sorted((k for k in alive if merged[k][2] - merged[k][0] < FRAGMENT * height),
                       key=lambda k: merged[k][2] - merged[k][0])
    for f in fragments:
        piece, best, best_gap = merged[f], None, FRAGMENT_GAP * height
        if piece is None:
            continue
        for k in alive:
            other = merged[k]
            if k == f or other is None or other[2] - other[0] <= piece[2] - piece[0]:
                continue
            within_rows = piece[0] >= other[0] - 0.1 * height and piece[2] <= other[2] + 0.1 * height
            gap = max(piece[1], other[1]) - min(piece[3], other[3])
            if within_rows and gap <= best_gap:
                best, best_gap = k, gap
        if best is not None:
            join(best, f)
    keep = [k for k in range(len(merged)) if merged[k] is not None]
    return [groups[k] for k in keep], np.array([merged[k] for k in keep]).reshape(-1, 4)


@dataclass
class Letters:
    """Characters found on a page at the working resolution (see :func:`find_letters`)."""

    boxes: np.ndarray  # (n, 4) [y1, x1, y2, x2] in working pixels, y2/x2 exclusive
    labels: np.ndarray  # (h, w) int component labels of the ink
    groups: list  # per box, the component labels it is made of
    ink: np.ndarray  # (h, w) bool ink mask
    height: float  # typical character height in working pixels
    scale: float  # working pixels per input pixel


def locate(image):
    """Find the characters of a page; everything :func:`find_letters` returns and more."""
    grey, factor = _shrink(to_grey(image))
    ink = binarize(grey)
    labels = measure.label(ink, connectivity=2)
    props = measure.regionprops(labels)
    if not props:
        return Letters(np.zeros((0, 4)), labels, [], ink, 0.0, 1.0 / factor)
    boxes = np.array([p.bbox for p in props], float)
    areas = np.array([p.area for p in props], float)
    height = typical_height(boxes[:, 2] - boxes[:, 0], areas)
    # dots and specks go first, so a full stop is never merged into the number before it
    size = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    pieces = size >= SPECK_SIZE * height
    ids = np.array([p.label for p in props])[pieces]
    groups, merged = _merge_pieces(boxes[pieces], height)
    groups = [[int(ids[k]) for k in g] for g in groups]
    # a character is at most MAX_SIZE tall-or-wide (not a page edge or a ruled line)
    keep = np.maximum(merged[:, 2] - merged[:, 0], merged[:, 3] - merged[:, 1]) <= MAX_SIZE * height
    groups = [g for g, k in zip(groups, keep) if k]
    return Letters(merged[keep], labels, groups, ink, height, 1.0 / factor)


def find_letters(image):
    """Find the handwritten characters on a page image.

    image: (h, w) grey, (h, w, 3) RGB or (h, w, 4) RGBA array, any dtype.
    Returns (boxes, binary): boxes (n, 4) int [y1, x1, y2, x2] in the input's pixels (y2, x2
    exclusive), one per character, in no particular order; binary (h', w') floats at the
    working resolution (at most WORK_PIXELS), 1 = paper and 0 = ink (black ink on white).
    A blank page gives zero boxes.
    """
    found = locate(image)
    boxes = np.round(found.boxes / found.scale).astype(int)
    return boxes, 1.0 - found.ink.astype(float)


def group_lines(boxes):
    """Group character boxes into text lines and find the word gaps.

    boxes: (n, 4) [y1, x1, y2, x2]. Boxes are visited left to right; each joins the line whose
    most recent box overlaps it vertically the most (at least LINE_OVERLAP of the shorter of
    the two), else starts a line. Following the most recent box, not a fixed row band, keeps
    slanted lines together, and lines of different heights need no common line pitch.
    Returns (lines, spaces): lines is a list of index lists into ``boxes``, each left to right,
    lines ordered top to bottom; spaces[k] is the set of positions j in line k where a new word
    starts before the j-th box (see word_starts).
    """
    boxes = np.asarray(boxes, float).reshape(-1, 4)
    lines = []  # each: list of indices, in visiting order
    for i in np.argsort((boxes[:, 1] + boxes[:, 3]) / 2, kind="stable"):
        y1, _, y2, _ = boxes[i]
        best, best_overlap = None, 0.0
        for k, line in enumerate(lines):
            ly1, _, ly2, _ = boxes[line[-1]]
            overlap = min(y2, ly2) - max(y1, ly1)
            shorter = min(y2 - y1, ly2 - ly1)
            if overlap >= LINE_OVERLAP * shorter and overlap > best_overlap:
                best, best_overlap = k, overlap
        if best is None:
            lines.append([int(i)])
        else:
            lines[best].append(int(i))
    lines.sort(key=lambda line: np.median((boxes[line, 0] + boxes[line, 2]) / 2))
    return lines, word_starts([boxes[line] for line in lines])


def _line_gaps(line_boxes):
    """Gaps between neighbouring boxes of a left-to-right line, over the line's character height.

    Every box counts as at least MIN_WIDTH x the height wide (narrow glyphs such as 1 and I
    carry side bearings in print, too), so a thin letter does not open a word gap.
    """
    line_boxes = np.asarray(line_boxes, float).reshape(-1, 4)
    if len(line_boxes) < 2:
        return np.zeros(0)
    height = np.median(line_boxes[:, 2] - line_boxes[:, 0])
    centre = (line_boxes[:, 1] + line_boxes[:, 3]) / 2
    half = np.maximum(line_boxes[:, 3] - line_boxes[:, 1], MIN_WIDTH * height) / 2
    return ((centre[1:] - half[1:]) - (centre[:-1] + half[:-1])) / height


def word_starts(lines_boxes):
    """For each line of a page, the positions where a new word starts.

    lines_boxes: list of (m, 4) arrays, each a left-to-right line of boxes. Word spacing is a
    habit of the writer, so the gaps of all lines of the page (in character heights, see
    _line_gaps) are pooled, clipped at WORD_GAP_CLIP, and split in two by two-means (the split
    with the least spread within each group). The wide group holds word gaps when it averages WORD_GAP_RATIO x the
    narrow group and a gap is also wider than WORD_GAP heights; a page of evenly spaced letters,
    however loosely written, has no bimodal gaps and so no spaces.
    Returns a list (one per line) of sets of positions j: a space goes before the j-th box.
    """
    gaps = [_line_gaps(line) for line in lines_boxes]
    # beyond WORD_GAP_CLIP heights a gap is a word gap whatever else is on the page; clipping
    # keeps a few very wide gaps from pulling the split above the ordinary word gaps
    pooled = np.sort(np.clip(np.concatenate(gaps), 0, WORD_GAP_CLIP)) if gaps else np.zeros(0)
    threshold = np.inf
    if len(pooled) >= 2:
        spread = [pooled[:k].var() * k + pooled[k:].var() * (len(pooled) - k) for k in range(1, len(pooled))]
        k = int(np.argmin(spread)) + 1
        narrow, wide = pooled[:k], pooled[k:]
        if wide.mean() >= WORD_GAP_RATIO * max(narrow.mean(), 0.05):
            threshold = max((narrow[-1] + wide[0]) / 2, WORD_GAP)
    elif len(pooled) == 1:
        threshold = WORD_GAP_SINGLE
    return [{int(j) + 1 for j in np.nonzero(g > threshold)[0]} for g in gaps]


def layout_text(chars, spaces):
    """Per-line character strings and word starts -> the page's text (lines joined by newlines)."""
    lines = []
    for line, starts in zip(chars, spaces):
        lines.append("".join((" " if j in starts else "") + c for j, c in enumerate(line)))
    return "\n".join(lines)


def word_spans(line_lengths, spaces):
    """Every word of a page as (start, stop) positions in reading order.

    line_lengths: characters per line; spaces: per line, the positions that start a new word
    (see :func:`word_starts`).
    """
    spans, offset = [], 0
    for length, starts in zip(line_lengths, spaces):
        cuts = [0, *sorted(j for j in starts if 0 < j < length), length]
        spans.extend((offset + a, offset + b) for a, b in zip(cuts[:-1], cuts[1:]) if b > a)
        offset += length
    return spans


def word_context_labels(probs, spans):
    """Class of each character when each word is read as all letters or all digits.

    probs: (n, 36) class probabilities in reading order; spans: words as (start, stop), see
    :func:`word_spans`. A word's kind is the one (letters A-Z or digits 0-9) holding more of
    its characters' summed probability, and each character then takes its most probable class
    of that kind. Block-capital text rarely mixes the two inside a word, while the pairs a
    classifier confuses most (O/0, I/1, S/5, Z/2, B/8, G/6) each cross that line, so the rest
    of a word settles its ambiguous characters. A one-character word has no context and keeps
    its own best class; mixed words such as "2ND" are what this gets wrong.
    Returns (n,) class indices.
    """
    probs = np.asarray(probs, float)
    labels = probs.argmax(axis=1) if len(probs) else np.zeros(0, int)
    n_letters = len(charset.LETTERS)
    for start, stop in spans:
        if stop - start < 2:
            continue
        word = probs[start:stop]
        if word[:, :n_letters].sum() >= word[:, n_letters:].sum():
            labels[start:stop] = word[:, :n_letters].argmax(axis=1)
        else:
            labels[start:stop] = n_letters + word[:, n_letters:].argmax(axis=1)
    return labels


# Crops are redrawn at this many times the final cell resolution before fit_to_box shrinks
# them, so the redrawn stroke width is exact to a quarter of a final pixel.
REDRAW_FACTOR = 4


def normalise_glyph(mask, stroke=DEFAULT_STROKE):
    """One character's ink mask (any size) -> (32, 32) ink map laid out like the training data.

    The mask is scaled so its longer side is REDRAW_FACTOR x INK_LONG_SIDE pixels, thinned to
    its skeleton and redrawn with a pen ``stroke`` final pixels wide, then placed by
    :func:`nnrec.charset.fit_to_box` (longer side 26 of 32, centred) exactly as the synthetic
    training characters are. Redrawing removes the pen's own width, so a fine pen on a 12 MP
    photograph and a marker on a small scan both reach the network at the training data's
    stroke width. Returns floats in 0-1, 1 = ink.
    """
    mask = np.asarray(mask, bool)
    rows, cols = np.nonzero(mask)
    if len(rows) == 0:
        return np.zeros((charset.SIDE, charset.SIDE))
    mask = mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    long_side = REDRAW_FACTOR * charset.INK_LONG_SIDE
    scale = long_side / max(mask.shape)
    shape = (max(1, round(mask.shape[0] * scale)), max(1, round(mask.shape[1] * scale)))
    # smoothing the outline before thinning keeps ragged edges from sprouting skeleton spurs
    big = transform.resize(mask.astype(float), shape, order=1, anti_aliasing=scale < 1)
    big = filters.gaussian(big, sigma=REDRAW_FACTOR / 2) > 0.5
    pad = int(np.ceil(REDRAW_FACTOR * stroke))
    big = np.pad(big, pad)
    skeleton = morphology.skeletonize(big)
    if not skeleton.any():
        skeleton = big
    return _pen_cell(skeleton, stroke)


def _pen_cell(skeleton, stroke):
    """A (padded) boolean skeleton at REDRAW_FACTOR x the cell's scale, drawn with a round pen
    ``stroke`` final pixels wide and placed by fit_to_box -> (32, 32) ink map."""
    # every pixel within half a pen width of the skeleton is ink (a round pen of any width)
    redrawn = ndimage.distance_transform_edt(~skeleton) <= REDRAW_FACTOR * stroke / 2
    return charset.fit_to_box(redrawn.astype(float))


def crop_rows(found, order=None, stroke=DEFAULT_STROKE):
    """Characters of a :class:`Letters` -> (n, 1024) dataset rows (white ~1, ink ~0).

    order: indices into ``found.boxes`` (default: all, as stored). Only the ink of the
    components that make up each character is used, not whatever else shares its box.
    """
    order = range(len(found.boxes)) if order is None else order
    cells = []
    for i in order:
        y1, x1, y2, x2 = np.round(found.boxes[i]).astype(int)
        mask = np.isin(found.labels[y1:y2, x1:x2], found.groups[i])
        cells.append(1.0 - normalise_glyph(mask, stroke))
    if not cells:
        return np.zeros((0, charset.N_PIXELS))
    return charset.images_to_rows(np.stack(cells))


def extract_text(image, classify, stroke=DEFAULT_STROKE, word_context=True):
    """Read a page: find, group, crop and classify its characters.

    image: page array (grey, RGB or RGBA). classify: callable mapping (n, 1024) dataset rows to
    (n, 36) class probabilities (e.g. from :func:`load_classifier`). stroke: pen width in
    32x32 pixels that crops are redrawn with (match the classifier's training data).
    word_context: read each word as all letters or all digits (:func:`word_context_labels`);
    False takes every character's most probable class on its own.
    Returns a :class:`PageText`; a page without ink gives empty text.
    """
    found = locate(image)
    lines, spaces = group_lines(found.boxes)
    order = [i for line in lines for i in line]
    rows = crop_rows(found, order, stroke)
    probs = np.asarray(classify(rows)) if len(rows) else np.zeros((0, charset.N_CLASSES))
    if probs.shape != (len(rows), charset.N_CLASSES):
        raise DataError(f"classifier returned shape {probs.shape}; expected ({len(rows)}, {charset.N_CLASSES})")
    own_labels = probs.argmax(axis=1) if len(probs) else np.zeros(0, int)
    spans = word_spans([len(line) for line in lines], spaces)
    labels = word_context_labels(probs, spans) if word_context else own_labels

    def text_of(classes):
        chars, start = [], 0
        for line in lines:
            chars.append([charset.CLASSES[k] for k in classes[start : start + len(line)]])
            start += len(line)
        return layout_text(chars, spaces)

    position = {i: k for k, i in enumerate(order)}
    return PageText(
        boxes=np.round(found.boxes[order] / found.scale).astype(int).reshape(-1, 4),
        labels=labels,
        probs=probs,
        lines=[[position[i] for i in line] for line in lines],
        spaces=spaces,
        text=text_of(labels),
        text_without_context=text_of(own_labels),
        binary=1.0 - found.ink.astype(float),
        scale=found.scale,
    )


def load_classifier(model_path):
    """A saved character classifier -> callable (n, 1024) rows -> (n, 36) probabilities.

    ".npz": the numpy MLP of :mod:`nnrec.nn`; ".pt": the PyTorch network of
    :mod:`nnrec.torch_models`. Anything else, or a missing file, raises DataError.
    """
    path = Path(model_path)
    if not path.is_file():
        raise DataError(f"{path}: no such model file; train one first (e.g. `snakemake q3`)")
    if path.suffix == ".npz":
        from nnrec import nn

        model = nn.load_model(path)
        return lambda rows: nn.predict_proba(model, prepare_rows(rows, model.meta))
    if path.suffix == ".pt":
        from nnrec import torch_models

        return torch_models.load_character_classifier(path)
    raise DataError(f"{path}: unknown model type {path.suffix!r}; expected .npz (numpy MLP) or .pt (PyTorch)")


def read_page(page_path, model_path, word_context=True):
    """Text of the page image at ``page_path`` read with the classifier at ``model_path``.

    word_context: see :func:`extract_text`. Lines end with a newline; a blank page gives "".
    Errors name the file (DataError).
    """
    classify = load_classifier(model_path)
    text = extract_text(read_image(page_path), classify, word_context=word_context).text
    return text + "\n" if text else ""


def score(predicted, truth, n_found, predicted_without_context=None):
    """Scores of one page's predicted text against its true text.

    Returns {"n_true", "n_found", "char_accuracy", "lines_correct", "lines_true",
    "char_accuracy_no_context"}: characters in the truth (whitespace excluded), boxes found,
    1 - CER (whitespace removed), true lines reproduced exactly, true lines, and 1 - CER of
    ``predicted_without_context`` (the text read without word context, see
    :func:`word_context_labels`; None when not given).
    """
    return {
        "n_true": len("".join(truth.split())),
        "n_found": int(n_found),
        "char_accuracy": metrics.char_accuracy(predicted, truth),
        "lines_correct": metrics.lines_correct(predicted, truth),
        "lines_true": len([line for line in truth.splitlines() if line.strip()]),
        "char_accuracy_no_context": (None if predicted_without_context is None
                                     else metrics.char_accuracy(predicted_without_context, truth)),
    }


def tesseract_binary():
    """Path of the ``tesseract`` executable, or None when it is not installed."""
    import shutil

    return shutil.which("tesseract")


def restrict_to_classes(text):
    """Upper-case ``text`` and keep only the 36 classes, spaces and line breaks.

    Tesseract may answer in lower case or with punctuation; our networks can only say A-Z and
    0-9, so both are scored on the same alphabet.
    """
    allowed = set(charset.CLASSES) | {" ", "\n"}
    kept = "".join(c for c in text.upper() if c in allowed)
    lines = [" ".join(line.split()) for line in kept.splitlines()]
    return "\n".join(line for line in lines if line)


def run_tesseract(page_path, timeout=120):
    """Read a page with the ``tesseract`` binary (default page segmentation, English model).

    Returns (text, boxes): the text restricted to the 36 classes (see restrict_to_classes),
    one line per line Tesseract found, and (n, 4) [y1, x1, y2, x2] word boxes. Raises
    DataError when the binary is missing or fails on the file.
    """
    import subprocess

    import pandas as pd

    binary = tesseract_binary()
    if binary is None:
        raise DataError("tesseract is not installed (Debian: apt-get install tesseract-ocr)")
    result = subprocess.run([binary, str(page_path), "stdout", "tsv"], capture_output=True,
                            text=True, timeout=timeout)
    if result.returncode != 0:
        raise DataError(f"{page_path}: tesseract failed: {result.stderr.strip()[-300:]}")
    from io import StringIO

    table = pd.read_csv(StringIO(result.stdout), sep="\t", quoting=3, keep_default_na=False,
                        dtype={"text": str})
    words = table[(table["level"] == 5) & (table["text"].str.strip() != "")]
    lines = []
    for _, line in words.groupby(["block_num", "par_num", "line_num"], sort=True):
        lines.append(" ".join(line.sort_values("word_num")["text"]))
    boxes = words[["top", "left"]].to_numpy()
    boxes = np.column_stack([boxes, boxes + words[["height", "width"]].to_numpy()])
    return restrict_to_classes("\n".join(lines)), boxes.reshape(-1, 4).astype(int)


SCORE_COLUMNS = ["image", "model", "n_true", "n_found", "char_accuracy", "lines_correct", "lines_true", "status",
                 "char_accuracy_no_context"]


def _weighted(pages, column):
    """Mean of a per-page accuracy column weighted by the pages' true characters (None if any is missing)."""
    values = pages[column]
    if values.isna().any():
        return None
    return float((values.astype(float) * pages["n_true"]).sum() / pages["n_true"].sum())


def accuracy_table(scores):
    """Per-page score dicts (see :func:`score`, plus image, model, status) -> DataFrame.

    Columns SCORE_COLUMNS; after each model's pages comes an ``overall`` row: characters and
    lines summed, character accuracy weighted by each page's true characters (the same as 1 -
    total edits / total characters). A model whose pages were skipped gets a skipped overall
    row with empty scores.
    """
    import pandas as pd

    frame = pd.DataFrame(scores)
    for column in SCORE_COLUMNS:
        if column not in frame:
            frame[column] = "ok" if column == "status" else None
    rows = []
    for model, pages in frame.groupby("model", sort=False):
        pages = pages.sort_values("image")
        rows.extend(pages[SCORE_COLUMNS].to_dict("records"))
        ok = pages[pages["status"] == "ok"]
        n_true = int(pages["n_true"].sum())
        if len(ok) == len(pages):
            overall = {"n_found": int(ok["n_found"].sum()), "char_accuracy": _weighted(ok, "char_accuracy"),
                       "lines_correct": int(ok["lines_correct"].sum()), "status": "ok",
                       "char_accuracy_no_context": _weighted(ok, "char_accuracy_no_context")}
        else:
            overall = {"n_found": None, "char_accuracy": None, "lines_correct": None, "status": "skipped",
                       "char_accuracy_no_context": None}
        rows.append({"image": "overall", "model": model, "n_true": n_true,
                     "lines_true": int(pages["lines_true"].sum()), **overall})
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


# ------------------------------------------------------------------ an MLP trained for reading


def _ink_mask(ink):
    """A training character's ink (0-1, blurred, any tone) -> boolean mask, by Otsu's threshold."""
    if ink.max() - ink.min() < 0.05:
        return np.zeros(ink.shape, bool)
    return ink > filters.threshold_otsu(ink)


# Widths, relative to height, that training glyphs are stretched to (log-uniform): hands differ
# most in how wide they draw a letter (an I with long serifs, a narrow E).
WIDTH_RANGE = (0.6, 2.0)


def _random_warp(ink, rng):
    """A random affine warp of a (padded) ink map about its centre: rotation within 8 degrees,
    shear within 0.2, width scaled within WIDTH_RANGE (log-uniform)."""
    middle = ink.shape[0] / 2
    centre = transform.SimilarityTransform(translation=-middle)
    warp = transform.AffineTransform(
        rotation=np.deg2rad(rng.uniform(-8, 8)), shear=rng.uniform(-0.2, 0.2),
        scale=(np.exp(rng.uniform(np.log(WIDTH_RANGE[0]), np.log(WIDTH_RANGE[1]))), 1.0))
    return transform.warp(ink, (centre + warp + centre.inverse).inverse, order=1)


# Training characters are redrawn in chunks of this many, each chunk with its own random stream
# (seeded by the seed, the copy and the chunk), so the result does not depend on the workers.
REDRAW_CHUNK = 1024


def _map(function, tasks, workers=1, progress=None):
    """[function(task) for task in tasks], shared by ``workers`` processes when more than one
    (same results, same order). progress: tqdm options (desc, unit, ...) for a progress bar, or None."""
    from concurrent.futures import ProcessPoolExecutor

    from tqdm import tqdm

    def shown(results):
        return tqdm(results, total=len(tasks), **progress) if progress else results

    if workers > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(workers) as pool:
            return list(shown(pool.map(function, tasks)))
    return [function(task) for task in shown(tasks)]


def _redraw_chunk(task):
    """Redraw one chunk of (padded) ink maps; see redraw_rows. task: (images, stroke, warp, seed)."""
    images, stroke, warp, seed = task
    rng = np.random.default_rng(seed)
    out = []
    for ink in images:
        pen = stroke
        if warp:
            ink = _random_warp(ink, rng)
            pen = stroke + rng.uniform(-0.6, 0.6)
        out.append(1.0 - normalise_glyph(_ink_mask(ink), pen))
    return np.stack(out)


def redraw_rows(rows, stroke=DEFAULT_STROKE, copies=0, seed=0, workers=1):
    """Training characters redrawn the way page crops are, plus augmented copies.

    rows: (n, 1024) dataset rows (white ~1, ink ~0). Each character is thresholded (Otsu's
    threshold of its own pixels, as faint and bold samples differ) and passed through
    :func:`normalise_glyph`, so the network learns from exactly the layout and pen width it
    will be shown on a page. ``copies`` more versions of each are made by a random affine warp
    first (:func:`_random_warp`; hands differ most in how wide they draw letters, and fit_to_box
    keeps the longer side, so the width changes the shape the network sees) and a pen width
    within +-0.6 px of ``stroke``. ``workers`` processes share the work (same result for any
    number). Returns (n * (1 + copies), 1024) rows: all originals, then copy 1, and so on.
    """
    pad = charset.SIDE // 2  # room for a glyph made wider than its cell
    images = np.pad(1.0 - charset.rows_to_images(rows), ((0, 0), (pad, pad), (pad, pad)))
    tasks = [(images[k : k + REDRAW_CHUNK], stroke, copy > 0, (seed, copy, k))
             for copy in range(copies + 1) for k in range(0, len(images), REDRAW_CHUNK)]
    if not tasks:
        return np.zeros((0, charset.N_PIXELS))
    cells = _map(_redraw_chunk, tasks, workers, dict(desc=f"redraw x{copies + 1}", unit="chunk", mininterval=10))
    return charset.images_to_rows(np.concatenate(cells))


# Print typefaces that ship with matplotlib (a pinned dependency): sans, serif, monospace and
# oblique block capitals, whose I, 1, 0 and O come with and without serifs, slashes and dots.
PRINT_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansMono.ttf",
               "DejaVuSerif.ttf", "STIXGeneral.ttf", "cmss10.ttf", "cmtt10.ttf")


def _print_glyphs(fonts):
    """{font file: (36, 32, 32) ink maps of the classes} rendered with PIL and fit_to_box."""
    from pathlib import Path as _Path

    import matplotlib
    from PIL import Image, ImageDraw, ImageFont

    folder = _Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    glyphs = {}
    for name in fonts:
        font = ImageFont.truetype(str(folder / name), 96)
        cells = []
        for char in charset.CLASSES:
            canvas = Image.new("L", (192, 192), 0)
            ImageDraw.Draw(canvas).text((96, 96), char, fill=255, font=font, anchor="mm")
            cells.append(charset.fit_to_box(np.asarray(canvas, float) / 255))
        glyphs[name] = np.stack(cells)
    return glyphs


def print_font_characters(per_class, seed=0, fonts=PRINT_FONTS):
    """(X rows, Y one-hot) of block capitals rendered from print typefaces.

    ``per_class`` samples of each class, each from a random font of ``fonts`` (files bundled
    with matplotlib) put through a random affine warp (:func:`_random_warp`). They widen the
    reader's training data from handwriting fonts to the plainer shapes of block capitals.
    """
    rng = np.random.default_rng(seed)
    glyphs = _print_glyphs(fonts)
    pad = charset.SIDE // 2
    labels = np.repeat(np.arange(charset.N_CLASSES), per_class)
    cells = []
    for k in labels:
        ink = np.pad(glyphs[fonts[rng.integers(len(fonts))]][k], pad)
        cells.append(charset.fit_to_box(_random_warp(ink, rng)))
    images = 1.0 - np.stack(cells) if cells else np.zeros((0, charset.SIDE, charset.SIDE))
    return charset.images_to_rows(images), charset.one_hot(labels)


# Font families (fontpkg packages, pinned in pyproject.toml) whose capitals and digits widen the
# reader's training characters beyond the handwriting fonts of nnrec.synth. Every glyph is
# reduced to its skeleton and redrawn with a uniform round pen (as page crops are), so a type
# face becomes a plausible single-stroke hand: plain sans (one-stroke I and 1), rounded and casual
# faces, monospace and slab faces (I and 1 with serifs, 0 with a dot or slash, barred 7 and Z).
# Left out: scripts, display, condensed and hairline faces, and the synthetic test split's fonts
# (nnrec.synth.DEFAULT_FONTS["test"]), so held-out accuracy stays an honest measure.
READER_FONTS = (
    # sans
    "abeezee", "albert-sans", "archivo", "arimo", "asap", "atkinson-hyperlegible", "barlow",
    "cabin", "dm-sans", "figtree", "fira-sans", "hind", "ibm-plex-sans", "inter", "josefin-sans",
    "jost", "karla", "lato", "lexend", "manrope", "montserrat", "mulish", "noto-sans", "nunito",
    "open-sans", "outfit", "oxygen", "poppins", "pt-sans", "public-sans", "questrial", "raleway",
    "roboto", "rubik", "signika", "source-sans-3", "work-sans",
    # rounded and casual
    "acme", "baloo-2", "dosis", "fredoka",
    # monospace
    "dm-mono", "fira-code", "geist-mono", "ibm-plex-mono", "inconsolata", "jetbrains-mono",
    "roboto-mono", "source-code-pro", "space-mono",
    # slab and serif
    "arvo", "bitter", "ibm-plex-serif", "noto-serif", "pt-serif", "roboto-slab", "zilla-slab",
)
# Weights each family is drawn at (the nearest static weight, or a variable font's instance).
# A light and a semi-bold face differ in proportions; extreme weights do not skeletonise into
# clean strokes (hairlines break when warped, black faces grow spurs in their small counters).
READER_FONT_WEIGHTS = (300, 600)
READER_FONT_SIZE = 128  # render size (pt); strokes stay several pixels wide at weight 300
# Random warps of a font character (see _warp_points): rotation (degrees, uniform +-),
# shear (uniform +-), width (log-uniform, as WIDTH_RANGE) and a smooth elastic displacement
# whose 3x3 control points move by this fraction (s.d.) of the glyph's longer side.
FONT_ROTATION, FONT_SHEAR, FONT_ELASTIC = 8.0, 0.2, 0.02


def reader_faces(families=READER_FONTS, weights=READER_FONT_WEIGHTS):
    """The faces (nnrec.synth.Face) of ``families`` at ``weights``: per weight the nearest static
    weight of the family, or the variable font's instance (clipped to its range); no italics."""
    import fontpkg

    from nnrec import synth

    faces = []
    for family in families:
        synth.font_faces(family)  # a DataError naming the package when it is not installed
        files = [f for f in fontpkg.family(family).files if f.style == "normal"]
        variable = [f for f in files if f.variable and f.wght_min is not None]
        chosen = {}
        for weight in weights:
            if variable:
                font = variable[0]
                chosen[int(np.clip(weight, font.wght_min, font.wght_max))] = font.path
            else:
                font = min((f for f in files if f.weight is not None), key=lambda f: abs(f.weight - weight))
                chosen[font.weight] = font.path
        faces += [synth.Face(family, w, path) for w, path in sorted(chosen.items())]
    return faces


def glyph_skeleton(mask):
    """A character's ink mask (any size) -> (m, 2) float (y, x) skeleton pixels, the glyph scaled
    as :func:`normalise_glyph` scales it (longer side REDRAW_FACTOR x INK_LONG_SIDE)."""
    mask = np.asarray(mask, bool)
    rows, cols = np.nonzero(mask)
    mask = mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = REDRAW_FACTOR * charset.INK_LONG_SIDE / max(mask.shape)
    shape = (max(1, round(mask.shape[0] * scale)), max(1, round(mask.shape[1] * scale)))
    big = transform.resize(mask.astype(float), shape, order=1, anti_aliasing=scale < 1)
    big = np.pad(filters.gaussian(big, sigma=REDRAW_FACTOR / 2) > 0.5, 1)
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


def _warp_points(points, rng):
    """A random warp of (m, 2) (y, x) points about their centre: width scaled within
    WIDTH_RANGE (log-uniform), shear within FONT_SHEAR, rotation within FONT_ROTATION degrees,
    then a smooth elastic displacement (bilinear between 3x3 random control points)."""
    y, x = (points - points.mean(axis=0)).T
    x = x * np.exp(rng.uniform(*np.log(WIDTH_RANGE))) + rng.uniform(-FONT_SHEAR, FONT_SHEAR) * y
    angle = np.deg2rad(rng.uniform(-FONT_ROTATION, FONT_ROTATION))
    out = np.stack([np.cos(angle) * y + np.sin(angle) * x, np.cos(angle) * x - np.sin(angle) * y], axis=1)
    low, extent = out.min(axis=0), np.ptp(out, axis=0)
    grid = 2 * (out - low) / np.maximum(extent, 1e-9)  # control-point coordinates, 0-2
    control = rng.normal(0, FONT_ELASTIC * extent.max(), (2, 3, 3))
    for axis in range(2):
        out[:, axis] += ndimage.map_coordinates(control[axis], grid.T, order=1, mode="nearest")
    return out


def _face_skeletons(face):
    """(class indices, skeletons) of one face's characters, less those of pairs the face draws
    alike (nnrec.synth.ambiguous_pairs, e.g. an O and a 0 of one shape)."""
    from nnrec import synth

    synth.check_coverage(face.path)
    font = synth._pil_font(face, READER_FONT_SIZE)
    inks = {c: synth.render_glyph(font, c) for c in charset.CLASSES}
    layouts = {c: charset.fit_to_box(ink, long_side=synth.RENDER_LONG, side=synth.RENDER_SIDE)
               for c, ink in inks.items()}
    alike = {c for a, b, _ in synth.ambiguous_pairs(layouts) for c in (a, b)}
    keep = [k for k, c in enumerate(charset.CLASSES) if c not in alike]
    return keep, [glyph_skeleton(inks[charset.CLASSES[k]] > 0.5) for k in keep]


def _font_chunk(task):
    """Warp and draw one chunk of font characters; task: (skeletons, stroke, seed)."""
    skeletons, stroke, seed = task
    rng = np.random.default_rng(seed)
    pens = stroke + rng.uniform(-0.6, 0.6, len(skeletons))
    return np.stack([1.0 - draw_skeleton(_warp_points(s, rng), pen) for s, pen in zip(skeletons, pens)])


def font_characters(per_class, seed=0, stroke=DEFAULT_STROKE, families=READER_FONTS,
                    weights=READER_FONT_WEIGHTS, workers=1):
    """(X rows, Y one-hot) of characters drawn from type faces the way page crops are drawn.

    ``per_class`` samples of each class, each from a random face of ``families`` at ``weights``
    (:func:`reader_faces`) that draws the class unambiguously: the glyph's skeleton is warped
    (:func:`_warp_points`) and redrawn with a round pen within +-0.6 px of ``stroke``
    (:func:`draw_skeleton`). Rows are in class order, white background ~1, ink ~0, already in
    the redrawn layout. ``workers`` processes share the work (same result for any number).
    """
    per_face = _map(_face_skeletons, reader_faces(families, weights), workers)
    labels = np.concatenate([np.asarray(keep, int) for keep, _ in per_face])
    skeletons = [s for _, face_skeletons in per_face for s in face_skeletons]
    rng = np.random.default_rng(seed)
    pick = np.concatenate([rng.choice(np.flatnonzero(labels == k), per_class) for k in range(charset.N_CLASSES)])
    tasks = [([skeletons[i] for i in pick[k : k + REDRAW_CHUNK]], stroke, (seed, k))
             for k in range(0, len(pick), REDRAW_CHUNK)]
    cells = _map(_font_chunk, tasks, workers)
    if not cells:
        return np.zeros((0, charset.N_PIXELS)), np.zeros((0, charset.N_CLASSES))
    return charset.images_to_rows(np.concatenate(cells)), charset.one_hot(labels[pick])


# Cell warps (see warp_cells): rotation s.d. (degrees), shear (uniform +-), s.d. of log aspect,
# and elastic displacement s.d. (pixels of the padded 48x48 cell) at 5x5 control points.
CELL_WARP = {"rotation_deg": 6.0, "shear": 0.15, "aspect": 0.2, "elastic_px": 1.0}
CELL_PAD = 8


def warp_cells(rows, copies, seed=0):
    """``copies`` warped versions of every (n, 1024) dataset row, made at the 32x32 level.

    A cheap multiplier of the training characters after they are redrawn: each copy is a random
    affine warp plus a smooth elastic field (nnrec.synth's vectorised warp, CELL_WARP), refit by
    fit_to_box and rescaled so its darkest pixel is full ink. Returns (n * copies, 1024) rows:
    copy 1 of every row, then copy 2, and so on.
    """
    from nnrec import synth

    rng = np.random.default_rng(seed)
    inks = np.pad(1.0 - charset.rows_to_images(rows), ((0, 0), (CELL_PAD, CELL_PAD), (CELL_PAD, CELL_PAD)))
    inks = inks.astype(np.float32)
    out = []
    for _ in range(copies):
        for k in range(0, len(inks), synth.CHUNK):
            warped = synth._warp(inks[k : k + synth.CHUNK], rng, **CELL_WARP)
            cells = synth._box_fit(warped, rng, (1.0, 1.0), 0.0)
            out.append(np.clip(cells / np.maximum(cells.max(axis=(1, 2), keepdims=True), 0.05), 0, 1))
    if not out:
        return np.zeros((0, charset.N_PIXELS))
    return charset.images_to_rows(1.0 - np.concatenate(out))


def blur_rows(rows, sigma):
    """Gaussian-blur each 32x32 character of (n, 1024) dataset rows by ``sigma`` pixels.

    A blurred input makes an MLP, which compares pixel by pixel, tolerant of strokes a pixel or
    two away from where its training characters had them. sigma 0 returns the rows unchanged.
    """
    rows = np.asarray(rows, float)
    if not sigma or not len(rows):
        return rows
    images = ndimage.gaussian_filter(charset.rows_to_images(rows), (0, sigma, sigma), mode="nearest")
    return charset.images_to_rows(images)


# Deskew: the slant estimated from a glyph's second moments is clipped to this many pixels of
# horizontal shift per pixel of height (about 45 degrees), so a glyph with no clear vertical
# extent (a dash, a dot) is never smeared sideways.
MAX_SKEW = 1.0
DESKEW_CHUNK = 2048  # glyphs deskewed at once


def _place(ink):
    """fit_to_box for a (32, w) map whose ink is already at the cell's scale: a glyph whose
    longer side is INK_LONG_SIDE is only moved to the centre (what fit_to_box would do at scale
    1, without resampling); any other is refit."""
    rows, cols = np.nonzero(ink > 0.05)
    if len(rows) == 0:
        return np.zeros((charset.SIDE, charset.SIDE))
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    height, width = crop.shape
    if max(height, width) != charset.INK_LONG_SIDE:
        return charset.fit_to_box(ink)
    cell = np.zeros((charset.SIDE, charset.SIDE))
    top, left = (charset.SIDE - height) // 2, (charset.SIDE - width) // 2
    cell[top : top + height, left : left + width] = np.clip(crop, 0, 1)
    return cell


def deskew_images(inks):
    """Remove the slant of each (32, 32) ink map (1 = ink) of ``inks`` (n, 32, 32), then refit.

    The slant is the classic moment estimate used to deskew digits for pixel-wise classifiers:
    skew = mu11 / mu02, the mean horizontal drift of the ink per pixel down the glyph, about
    the ink's centroid (clipped to MAX_SKEW). Each row of pixels is shifted sideways by
    -skew x its distance below the centroid (linear interpolation), which makes mu11 zero: a
    slanted stroke stands upright and an upright one stays where it is. The glyph is then laid
    out like every other character (:func:`nnrec.charset.fit_to_box`). Returns (n, 32, 32)
    floats in 0-1; a blank map comes back blank.
    """
    inks = np.asarray(inks, float).reshape(-1, charset.SIDE, charset.SIDE)
    n, side = len(inks), charset.SIDE
    if n > DESKEW_CHUNK:  # bounded memory for the whole training set
        return np.concatenate([deskew_images(inks[k : k + DESKEW_CHUNK]) for k in range(0, n, DESKEW_CHUNK)])
    pad = side // 2  # room for a glyph sheared wider than its cell
    wide = np.pad(inks, ((0, 0), (0, 0), (pad, pad)))
    ys = np.arange(side, dtype=float)[None, :, None]
    xs = np.arange(side + 2 * pad, dtype=float)[None, None, :]
    total = np.maximum(wide.sum(axis=(1, 2)), 1e-12)[:, None, None]
    yc = (wide * ys).sum(axis=(1, 2), keepdims=True) / total
    xc = (wide * xs).sum(axis=(1, 2), keepdims=True) / total
    mu02 = (wide * (ys - yc) ** 2).sum(axis=(1, 2), keepdims=True)
    mu11 = (wide * (ys - yc) * (xs - xc)).sum(axis=(1, 2), keepdims=True)
    skew = np.clip(mu11 / np.maximum(mu02, 1e-12), -MAX_SKEW, MAX_SKEW)
    # output (y, x) samples the input at (y, x + skew * (y - yc)), interpolated linearly
    source = xs + skew * (ys - yc)
    left = np.floor(source).astype(int)
    frac = source - left
    wide = np.pad(wide, ((0, 0), (0, 0), (1, 1)))  # zeros beyond either edge
    take = lambda k: np.take_along_axis(wide, np.clip(k + 1, 0, wide.shape[2] - 1), axis=2)
    sheared = (1 - frac) * take(left) + frac * take(left + 1)
    return np.stack([_place(ink) for ink in sheared]) if n else np.zeros((0, side, side))


def deskew_image(ink):
    """Deskew one (32, 32) ink map (1 = ink); see :func:`deskew_images`."""
    return deskew_images(np.asarray(ink, float)[None])[0]


def deskew_rows(rows):
    """Deskew every character of (n, 1024) dataset rows (white ~1, ink ~0); see deskew_images."""
    rows = np.asarray(rows, float)
    if not len(rows):
        return rows
    return charset.images_to_rows(1.0 - deskew_images(1.0 - charset.rows_to_images(rows)))


# The reader's HOG front end (features "hog", skimage.feature.hog): gradient directions in
# HOG_ORIENTATIONS bins, histogrammed over HOG_CELL x HOG_CELL-pixel cells and normalised
# (L2-Hys) over HOG_BLOCK x HOG_BLOCK cells: 7 x 7 blocks x 4 cells x 9 bins = 1764 numbers.
# Chosen on the synthetic test split (unseen fonts): 76.4% with pixels -> 81.7% (512 numbers
# from 4x4 cells without blocks: 79.9%).
HOG_ORIENTATIONS = 9
HOG_CELL = 4
HOG_BLOCK = 2
HOG_CHUNK = 2048  # characters per worker task
# Standardised features divide by (standard deviation + this): cells the ink never reaches
# (the cell's corners) have none.
FEATURE_STD_EPS = 1e-3


def _hog_chunk(inks):
    from skimage.feature import hog

    shape = dict(orientations=HOG_ORIENTATIONS, pixels_per_cell=(HOG_CELL, HOG_CELL),
                 cells_per_block=(HOG_BLOCK, HOG_BLOCK), block_norm="L2-Hys")
    return np.stack([hog(ink, **shape) for ink in inks]).astype(np.float32)


def hog_features(rows, workers=1):
    """Histogram-of-oriented-gradients features of each character of (n, 1024) dataset rows.

    They describe which way the strokes run in each part of the cell rather than which pixels
    they cover, so a stroke a pixel or two away, or a little thicker, gives much the same
    numbers: what a pixel-wise MLP trained on type faces cannot learn for itself from a
    handful of hands. ``workers`` processes share the work (same result for any number).
    Returns (n, d) float32, d = 1764 with the HOG_* settings above.
    """
    inks = 1.0 - charset.rows_to_images(np.asarray(rows, float))
    chunks = [inks[k : k + HOG_CHUNK] for k in range(0, len(inks), HOG_CHUNK)]
    if not chunks:
        return np.zeros((0, len(_hog_chunk(np.zeros((1, charset.SIDE, charset.SIDE)))[0])), np.float32)
    return np.concatenate(_map(_hog_chunk, chunks, workers))


def prepare_rows(rows, meta, workers=1):
    """The input transforms a reader MLP was trained with, from its saved ``meta``.

    meta "deskew" (bool, default False): :func:`deskew_rows`; then "input_blur" (sigma,
    default 0): :func:`blur_rows`; then "features": "pixels" (default: the rows themselves) or
    "hog" (:func:`hog_features`, standardised by the training features' "feature_mean" and
    "feature_std" + FEATURE_STD_EPS, also in meta). Training and page crops go through the
    same function. Returns (n, d) network inputs.
    """
    if meta.get("deskew", False):
        rows = deskew_rows(rows)
    rows = blur_rows(rows, float(meta.get("input_blur", 0.0)))
    features = meta.get("features", "pixels")
    if features == "pixels":
        return rows
    if features != "hog":
        raise DataError(f"reader model: unknown input features {features!r}; expected 'pixels' or 'hog'")
    return standardise_features(hog_features(rows, workers), meta)


def standardise_features(features, meta):
    """(features - meta "feature_mean") / (meta "feature_std" + FEATURE_STD_EPS), as float32."""
    mean, std = (np.asarray(meta[key], np.float32) for key in ("feature_mean", "feature_std"))
    return (features - mean) / (std + FEATURE_STD_EPS)


def train_reader(train, valid, hidden, learning_rate, epochs, batch_size, seed, stroke, copies,
                 font_per_class=0, cell_copies=0, input_blur=0.0, deskew=False, features="pixels",
                 workers=1):
    """The homework's MLP (sigmoid hidden layer, softmax output, nnrec.nn) trained for reading.

    train, valid: (X rows, Y one-hot). The training characters are redrawn like page crops with
    ``copies`` augmented copies each (:func:`redraw_rows`); ``font_per_class`` characters per
    class drawn from READER_FONTS join them (:func:`font_characters`); then every one of these
    gets ``cell_copies`` warped copies (:func:`warp_cells`). The validation characters are
    redrawn without augmentation. All are deskewed when ``deskew`` (see deskew_rows), blurred
    by ``input_blur`` (see blur_rows) and turned into ``features`` ("pixels" or "hog", see
    prepare_rows; HOG features are standardised by the training features' mean and standard
    deviation). ``workers`` processes redraw the characters and compute features (the result
    does not depend on it).
    Returns (params, history, inputs): params and history as from nn.train_mlp; inputs is the
    dict of input transforms to save in the model's meta, so that load_classifier prepares
    page crops alike (see prepare_rows).
    """
    from threadpoolctl import threadpool_limits

    from nnrec import nn

    X = redraw_rows(np.asarray(train[0], float), stroke, copies, seed, workers)
    Y = np.tile(np.asarray(train[1], float), (copies + 1, 1))
    if font_per_class:
        X_font, Y_font = font_characters(font_per_class, seed, stroke, workers=workers)
        X, Y = np.vstack([X, X_font]), np.vstack([Y, Y_font])
    if cell_copies:
        X, Y = np.vstack([X, warp_cells(X, cell_copies, seed)]), np.tile(Y, (cell_copies + 1, 1))
    inputs = {"deskew": deskew, "input_blur": input_blur, "features": "pixels"}
    X = prepare_rows(X, inputs)
    if features == "hog":
        X = hog_features(X, workers)
        inputs.update(features="hog", feature_mean=X.mean(axis=0).tolist(), feature_std=X.std(axis=0).tolist())
        X = standardise_features(X, inputs)
    elif features != "pixels":
        raise ValueError(f"unknown reader features {features!r}; expected 'pixels' or 'hog'")
    X_valid = prepare_rows(redraw_rows(valid[0], stroke, 0, seed, workers), inputs, workers)
    # one BLAS thread: a 32-row batch gains little from more, and while another job holds the
    # other core, OpenBLAS's waiting threads made each epoch ten times slower
    with threadpool_limits(1, user_api="blas"):
        _, params, history = nn.train_mlp((X, Y), (X_valid, np.asarray(valid[1], float)), hidden,
                                          learning_rate, epochs, batch_size, seed)
    return params, history, inputs
