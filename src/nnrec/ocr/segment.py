"""Segmentation: page image -> grey -> ink -> characters -> text lines -> words.

Lighting is flattened by dividing by an estimated paper background, ink is split off with
Otsu's threshold (hysteresis keeps faint stroke ends attached, a closing joins broken
strokes), connected components that are pieces of one character are merged, and dots and
specks are dropped. Every size is relative to the page's *typical character height*, measured
on the page itself, so one parameter set serves every page from 0.5 to 12 megapixels. Boxes are
then grouped into lines (left to right) and each line's word gaps found.

Nothing here knows what the characters are: no classifier, no lexicon, no per-page setting.
"""

from dataclasses import dataclass

import numpy as np
from skimage import filters, measure, morphology, transform

from nnrec.ocr.image import read_image, to_grey  # noqa: F401 (read_image: re-exported for callers)

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
class PageCharacters:
    """Characters found on a page at the working resolution (see :func:`find_characters`)."""

    boxes: np.ndarray  # (n, 4) [y1, x1, y2, x2] in working pixels, y2/x2 exclusive
    labels: np.ndarray  # (h, w) int component labels of the ink
    groups: list  # per box, the component labels it is made of
    ink: np.ndarray  # (h, w) bool ink mask
    height: float  # typical character height in working pixels
    scale: float  # working pixels per input pixel

    def page_boxes(self, order=None):
        """(n, 4) int [y1, x1, y2, x2] boxes in the input image's pixels, in ``order`` (indices
        into boxes; default all, as stored)."""
        boxes = self.boxes if order is None else self.boxes[list(order)]
        return np.round(boxes / self.scale).astype(int).reshape(-1, 4)

    @property
    def binary(self):
        """(h, w) floats at the working resolution, 1 = paper and 0 = ink (black ink on white)."""
        return 1.0 - self.ink.astype(float)


def find_characters(image):
    """Find the handwritten characters on a page image.

    image: (h, w) grey, (h, w, 3) RGB or (h, w, 4) RGBA array, any dtype. The page is shrunk to
    at most WORK_PIXELS, binarised (:func:`binarize`), split into connected components, and the
    pieces of one character merged (:func:`_merge_pieces`); dots, specks (under SPECK_SIZE) and
    anything over MAX_SIZE typical heights are dropped. Returns :class:`PageCharacters`, boxes
    in no particular order; a blank page gives zero boxes.
    """
    grey, factor = _shrink(to_grey(image))
    ink = binarize(grey)
    labels = measure.label(ink, connectivity=2)
    props = measure.regionprops(labels)
    if not props:
        return PageCharacters(np.zeros((0, 4)), labels, [], ink, 0.0, 1.0 / factor)
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
    return PageCharacters(merged[keep], labels, groups, ink, height, 1.0 / factor)


def character_masks(found, order=None):
    """The ink of each character of a :class:`PageCharacters` -> list of (h, w) bool masks.

    order: indices into ``found.boxes`` (default: all, as stored). Each mask is the character's
    box holding only the components that make up that character, not whatever else shares it.
    """
    order = range(len(found.boxes)) if order is None else order
    masks = []
    for i in order:
        y1, x1, y2, x2 = np.round(found.boxes[i]).astype(int)
        masks.append(np.isin(found.labels[y1:y2, x1:x2], found.groups[i]))
    return masks


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

