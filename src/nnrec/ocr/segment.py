"""Segmentation: page image -> sheet -> upright page -> ink -> characters -> lines -> words.

The sheet is cut out of the desk and rectified (:mod:`nnrec.ocr.sheet`), its text turned
level (:mod:`nnrec.ocr.skew`) and its ink found (:mod:`nnrec.ocr.ink`); connected components
that are pieces of one character are merged, and dots, specks, flecks, faint show-through,
pieces of rules and the marks of the page's edge are dropped (a letter written up to the edge of
a rectified sheet stays). Every size is relative to the page's *typical character height*, measured
on the page itself, so one parameter set serves every page from 0.5 to 12 megapixels. Boxes are
then grouped into lines (left to right) and each line's word gaps found.

Nothing here knows what the characters are: no classifier, no lexicon, no per-page setting.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy import ndimage
from skimage import measure, transform

from nnrec.ocr.image import as_page, read_image, shrink_factor, shrunk_grey  # noqa: F401 (read_image: re-exported)
from nnrec.ocr.ink import COUNTER_REACH, binarize, closed_counters, page_light
from nnrec.ocr.sheet import find_sheet, sheet_area, sheet_mask, upright_transform, warp_page
from nnrec.ocr.skew import estimate_skew, level_transform


# A blob whose mean darkness is under FAINT x that of the page's typical character is no
# writing of this page (show-through, an erased ghost).
FAINT = 0.6


# A sheet told from the desk by brightness alone is no sheet when more than SHEET_LEAK as many
# character-sized blobs lie outside it as inside.
SHEET_LEAK = 0.2


# Characters under SMALL_HEIGHT pixels tall at the working resolution (the readers' cell is 32
# pixels) are read from the page enlarged ZOOM times: their ink, traced at a few pixels, loses
# the shape that redrawing it into the cell needs. The 19 pages shrunk to 700 pixels (characters
# 17 to 28 pixels tall) read at 0.935 / 0.869 (reader MLP / CNN) as they are and at 0.976 /
# 0.978 enlarged twice (an experiment, not the composites or pages_dev). Twice at most: a page
# of specks has a typical "character" a few pixels tall, and the working page grows as ZOOM^2.
SMALL_HEIGHT = 32
ZOOM = 2

# Text whose lines run at least this many degrees off level is turned level before reading.
MIN_SKEW = 1.0
# ... measured on at least this many character-sized blobs: on four (two lines of two letters)
# the profile of the letters' own strokes can beat the level one, and a level page was turned 4 degrees
MIN_SKEW_CHARACTERS = 6


# Sizes relative to the page's typical character height H (see typical_height).
SPECK_SIZE = 0.3  # a blob whose longer side is below 0.3 H is a dot or a speck
MIN_CHARACTER = 0.5  # a character, its pieces merged, is at least 0.5 H tall or wide
MAX_SIZE = 3.0  # ... and one longer than 3 H (a page edge, a ruled line) is no character
LINE_PIECE = 1.8  # ... nor one longer than 1.8 H ...
LINE_ASPECT = 4.0  # ... and 4 times as long as wide (a piece of a rule: an I is as thin, not as long)
MERGE_GAP = 0.35  # pieces stacked within 0.35 H of each other ...
MERGE_OVERLAP = 0.5  # ... whose x ranges overlap by half the narrower one are one character
MERGE_MAX_HEIGHT = 1.6  # ... as long as the merged box stays under 1.6 H tall
FRAGMENT = 0.5  # a piece under 0.5 H tall within a character's rows ...
FRAGMENT_GAP = 0.25  # ... joins the nearest character beside it within 0.25 H (an F's loose arm)
LINE_OVERLAP = 0.4  # a box joins a line when their y ranges overlap by 40% of the shorter
LINK_GAP = 3.0  # a piece of line starting within 3 H after another ends ...
LINK_STEP = 1.0  # ... its middle within 1 H of the other's height continues it (a staircase)
MIN_WIDTH = 0.5  # for word gaps, boxes count as at least 0.5 H wide
WORD_GAP = 0.6  # a word gap is wider than 0.6 x its line's character height ...
WORD_GAP_RATIO = 2.0  # ... and the page's word gaps average 2 x its gaps between letters
WORD_GAP_CLIP = 1.5  # gaps count as at most 1.5 H when the page's gaps are split in two
WORD_GAP_SINGLE = 1.0  # on a page of just two characters: a gap wider than their height
COUNTER = 0.01  # a counter closed by blur holds at least 0.01 H^2 pixels (see closed_counters;
# chosen among 0.005, 0.01 and 0.02 on the composites, reader MLP: camera 0.945 / 0.943 / 0.930,
# flat 0.965 / 0.968 / 0.970)
# A blob touching the edge of a sheet found as a quadrilateral and rectified is writing (a letter
# written up to the edge) when it reaches EDGE_REACH x H into the page, is at least SPECK_SIZE x H
# wide and tall, and runs along the edge for less than EDGE_ALONG x H; a rim of shadow along the
# edge, the stub of a rule running into it and a rim with rule stubs hanging off it each fail one.
# Ruled paper (RULED, below) keeps the rule: rules run into its edges, and the stubs broken off
# them join letters and rims in every way. A blob at the frame's edge, or at the edge of a sheet
# only masked, is dropped however it lies (the desk, things cut off by the frame).
EDGE_REACH = 0.5
EDGE_ALONG = 1.0
# A page is ruled paper when the ruled lines taken out of its ink (ink.ruled_lines) hold RULED x its
# longer side in pixels (a few rules across it: the lined composites held 31-54, every other
# composite of a sheet at most 5).
RULED = 10


def _shrink(image, pixels=None, zoom=1):
    """A page image in grey, box-averaged down so ``pixels`` of it (default: all) fit in
    nnrec.ocr.image.WORK_PIXELS (:func:`nnrec.ocr.image.shrunk_grey`), then enlarged ``zoom``
    times (bilinear); returns (grey, factor): input pixels per pixel of grey."""
    factor = shrink_factor(image.shape[0] * image.shape[1] if pixels is None else pixels)
    grey = shrunk_grey(image, factor)
    if zoom == 1:
        return grey, factor
    return transform.resize(grey, (grey.shape[0] * zoom, grey.shape[1] * zoom), order=1), factor / zoom


def typical_height(heights, areas):
    """The page's typical character height, from the substantial blobs' heights.

    Specks and dots are many but small, so blobs with less than a tenth of the area of the
    90th-percentile blob are ignored. Their median height is a first guess; the broken strokes
    of show-through or of erased writing can outnumber the letters and pull it down, but they
    hold far less ink. So the typical height is the median of the blobs' heights weighed by their
    area, among those within MAX_SIZE times the first guess either way (one huge blob, such as a
    shadow's rim round the sheet, would outweigh every letter).
    """
    heights, areas = np.asarray(heights, float), np.asarray(areas, float)
    if len(heights) == 0:
        return 0.0
    big = areas >= 0.1 * np.percentile(areas, 90)
    heights, areas = heights[big], areas[big]
    guess = np.median(heights)
    near = (heights >= guess / MAX_SIZE) & (heights <= MAX_SIZE * guess)
    order = np.argsort(heights[near], kind="stable")
    cumulative = np.cumsum(areas[near][order])
    return float(heights[near][order][np.searchsorted(cumulative, cumulative[-1] / 2)])


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
    """Characters found on a page at the working resolution (see :func:`find_characters`).

    The page they were found on is the photo's sheet turned upright (see :func:`upright_page`):
    ``grey`` at the working resolution, ``to_image`` mapping its (x, y) to the input image's.
    """

    boxes: np.ndarray  # (n, 4) [y1, x1, y2, x2] in working pixels of the upright page, y2/x2 exclusive
    labels: np.ndarray  # (h, w) int component labels of the ink
    groups: list  # per box, the component labels it is made of
    ink: np.ndarray  # (h, w) bool ink mask
    height: float  # typical character height in working pixels
    scale: float  # working pixels per input pixel
    grey: np.ndarray = field(default=None, repr=False)  # (h, w) the upright page, 0-1
    to_image: object = None  # transform: upright working (x, y) -> input image (x, y)
    sheet: np.ndarray = None  # (k, 2) (x, y) outline of the sheet in the input image, or None
    skew: float = 0.0  # degrees the text rose to the right by and was turned level
    counters: np.ndarray = field(default=None, repr=False)  # (h, w) bool ink that blur let fill counters

    def page_boxes(self, order=None):
        """(n, 4) int [y1, x1, y2, x2] boxes in the upright page's pixels at the input's scale
        (the input image's own pixels when no sheet was cut out and nothing turned), in
        ``order`` (indices into boxes; default all, as stored)."""
        boxes = self.boxes if order is None else self.boxes[list(order)]
        return np.round(boxes / self.scale).astype(int).reshape(-1, 4)

    def image_corners(self, order=None):
        """(n, 4, 2) float (x, y) corners of each box in the input image (top-left, top-right,
        bottom-right, bottom-left), in ``order``: where the boxes lie on the photo itself."""
        boxes = self.boxes if order is None else self.boxes[list(order)]
        y1, x1, y2, x2 = (boxes.reshape(-1, 4).T if len(boxes) else np.zeros((4, 0)))
        corners = np.stack([np.stack([x1, y1], -1), np.stack([x2, y1], -1),
                            np.stack([x2, y2], -1), np.stack([x1, y2], -1)], axis=1)
        if self.to_image is None:
            return corners / self.scale
        return self.to_image(corners.reshape(-1, 2)).reshape(-1, 4, 2)

    @property
    def binary(self):
        """(h, w) floats at the working resolution, 1 = paper and 0 = ink (black ink on white)."""
        return 1.0 - self.ink.astype(float)


@dataclass
class _Components:
    labels: np.ndarray
    ids: np.ndarray  # (n,) label of each component
    boxes: np.ndarray  # (n, 4) float [y1, x1, y2, x2]
    areas: np.ndarray
    height: float
    # (n,) pixels of each within 2 of the edge of the page's own pixels (see _edge_contact)
    edge_contact: np.ndarray
    ruled: bool = False  # the page is ruled paper (see RULED)

    @property
    def at_edge(self):
        """(n,) bool: which components touch the edge of the page's own pixels."""
        return self.edge_contact > 0


def _components(ink, kept, rules=None):
    """Connected components of an ink mask, their boxes and the page's typical height.

    kept: (h, w) bool, the page's own pixels; rules: the ruled lines taken out of the ink, if
    any (see RULED). Blobs touching their edge (:func:`_edge_contact`)
    do not count towards the typical height: a dark rim along a sheet's edge breaks up into
    many short bars that would halve it, and every size on the page is measured in it.
    """
    # outside the page's own pixels the ink is the fill's streaks (see warp_page), not the page's
    labels = measure.label(ink & kept, connectivity=2)
    props = measure.regionprops(labels)
    boxes = np.array([p.bbox for p in props], float).reshape(-1, 4)
    areas = np.array([p.area for p in props], float)
    ids = np.array([p.label for p in props], int)
    contact = _edge_contact(labels, ids, kept)
    inner = (contact == 0) if (contact == 0).any() else np.ones(len(ids), bool)
    height = typical_height(boxes[inner, 2] - boxes[inner, 0], areas[inner])
    ruled = rules is not None and rules.sum() >= RULED * max(ink.shape)
    return _Components(labels, ids, boxes, areas, height, contact, ruled)


def _character_ink(comp):
    """Ink of the components sized like characters (see SPECK_SIZE and MAX_SIZE)."""
    size = np.maximum(comp.boxes[:, 2] - comp.boxes[:, 0], comp.boxes[:, 3] - comp.boxes[:, 1])
    keep = (size >= SPECK_SIZE * comp.height) & (size <= MAX_SIZE * comp.height)
    return np.isin(comp.labels, comp.ids[keep])


class UprightPage(NamedTuple):
    """A photo's sheet, rectified and turned level, at the working resolution (see
    :func:`upright_page`)."""

    grey: np.ndarray  # (h, w) the upright page
    ink: np.ndarray  # (h, w) bool its ink mask (see binarize)
    dark: np.ndarray  # (h, w) its darkness (see binarize)
    components: _Components  # the ink's connected components
    to_working: transform.ProjectiveTransform  # the page's (x, y) -> the input's, shrunk by factor
    factor: float  # input pixels per pixel of the input as shrunk
    sheet: object  # the nnrec.ocr.sheet.Sheet cut out of the frame, or None
    skew: float  # degrees the text rose to the right by and was turned level
    kept: np.ndarray  # (h, w) bool the page's own pixels (see nnrec.ocr.sheet.warp_page)
    zoom: int  # times the page was enlarged for small characters (1: not at all)


def upright_page(image):
    """The photo's sheet, rectified and turned so its text lines are level -> :class:`UprightPage`.

    image: the input array or :class:`nnrec.ocr.image.ScaledPage` (its colour finds the sheet,
    :func:`nnrec.ocr.sheet.find_sheet`), read in grey (:func:`nnrec.ocr.image.shrunk_grey`). The
    page is read shrunk so the whole frame, or the sheet found in it, fits in
    nnrec.ocr.image.WORK_PIXELS. A sheet told from the desk by brightness alone must hold the
    writing (its edge could be a shadow's): see SHEET_LEAK. The text's skew is measured on the
    ink of character-sized blobs (:func:`nnrec.ocr.skew.estimate_skew`) and the page turned when
    it is MIN_SKEW or more. Characters under SMALL_HEIGHT are read again from the page enlarged
    ZOOM times.
    """
    # the sheet is looked for on a colour copy while the grey working copy is made and its light
    # measured: neither needs the other, and both run in numpy and scipy without holding the
    # interpreter. The frame's light is the page's when no sheet is found, and tells a sheet
    # found by brightness from a shadow's edge; only a sheet found by colour or edges leaves it
    # unused (that search takes longer anyway; binarising the whole frame here cost more than
    # the search on a cluttered desk).
    with ThreadPoolExecutor(1) as pool:
        sheet = pool.submit(find_sheet, image)
        small, factor = _shrink(image)
        light = page_light(small)
        found = sheet.result()
    seen = None
    if found is not None and found.by in ("brightness", "whiteness"):
        ink, dark = binarize(small, light=light)
        comp = _components(ink, np.ones(small.shape, bool))
        if _writing_outside(comp, found, factor):
            found, seen = None, (ink, dark, comp)  # the whole frame is the page, its ink known
    page = _levelled(image, found, whole=(small, factor, light), seen=seen)
    if 0 < page.components.height < SMALL_HEIGHT:
        page = _levelled(image, found, ZOOM)
    return page


def _levelled(image, found, zoom=1, whole=None, seen=None):
    """:class:`UprightPage` of the sheet ``found`` in ``image`` (None: the whole frame), read
    enlarged ``zoom`` times, rectified and turned level. whole: the frame in grey at the working
    resolution, its factor (:func:`_shrink`) and its light (:func:`nnrec.ocr.ink.page_light`)
    when made already; seen: its (ink, darkness, components) when known."""
    light = None
    if found is None:
        small, factor, light = (*_shrink(image, zoom=zoom), None) if whole is None else whole
        tform, shape, up, kept = transform.EuclideanTransform(), small.shape, small, np.ones(small.shape, bool)
    else:
        # the sheet alone gets the working resolution, not the whole frame
        small, factor = _shrink(image, sheet_area(found), zoom)
        tform, shape = upright_transform(found, factor)
        up, kept = warp_page(small, tform, shape, sheet_mask(found, tform, shape, factor))
    if found is not None or seen is None:
        ink, dark, rules = binarize(up, with_rules=True, light=light)
        comp = _components(ink, kept, rules)
    else:
        ink, dark, comp = seen
    characters = _character_ink(comp)
    enough = len(np.unique(comp.labels[characters])) >= MIN_SKEW_CHARACTERS
    angle = estimate_skew(characters, comp.height) if enough else 0.0
    if abs(angle) >= MIN_SKEW:
        turn, shape = level_transform(shape, angle)
        tform = turn + tform
        keep = None if found is None else sheet_mask(found, tform, shape, factor)
        up, kept = warp_page(small, tform, shape, keep)
        ink, dark, rules = binarize(up, with_rules=True)
        comp = _components(ink, kept, rules)
    return UprightPage(up, ink, dark, comp, tform, factor, found, angle, kept, zoom)


def _writing_outside(comp, sheet, factor):
    """Whether a sheet told from the desk by brightness alone leaves writing outside it: more
    than SHEET_LEAK as many blobs outside it as inside that are sized like the writing inside
    (half to twice its typical height). Then its edge is a shadow's, not the sheet's. A sheet cut
    off something whiter (by "whiteness") counts only the blobs on paper-coloured pixels: what
    it cut away was whiter paper, and blobs on the desk (its grain, a keyboard) say nothing."""
    centres = sheet.to_small((comp.boxes[:, 1::-1] + comp.boxes[:, :1:-1]) / 2 * factor)  # (x, y)
    rows = np.clip(centres[:, 1].astype(int), 0, sheet.mask.shape[0] - 1)
    cols = np.clip(centres[:, 0].astype(int), 0, sheet.mask.shape[1] - 1)
    on = sheet.mask[rows, cols]
    paper = sheet.paper[rows, cols] if sheet.by == "whiteness" else np.ones(len(on), bool)
    if not on.any():
        return True
    heights = comp.boxes[:, 2] - comp.boxes[:, 0]
    height = typical_height(heights[on], comp.areas[on])
    size = np.maximum(heights, comp.boxes[:, 3] - comp.boxes[:, 1])
    writing = (size >= 0.5 * height) & (size <= 2 * height)
    return (writing & ~on & paper).sum() > SHEET_LEAK * max((writing & on).sum(), 1)


def _darkness_sums(comp, dark):
    """(n,) summed darkness of each component's pixels (their mean: over ``comp.areas``)."""
    if not len(comp.ids):
        return np.zeros(0)
    # bincount: half the time of ndimage.sum_labels
    return np.bincount(comp.labels.ravel(), dark.ravel(), minlength=comp.ids.max() + 1)[comp.ids]


def _faint(comp, sums):
    """(n,) bool: which components are far fainter than the page's writing (FAINT x the median
    darkness of its character-sized blobs): show-through from the back of the sheet, a ghost of
    erased writing, a stray pencil mark under pen. sums: :func:`_darkness_sums`."""
    contrast = sums / np.maximum(comp.areas, 1)
    size = np.maximum(comp.boxes[:, 2] - comp.boxes[:, 0], comp.boxes[:, 3] - comp.boxes[:, 1])
    characters = (size >= SPECK_SIZE * comp.height) & (size <= MAX_SIZE * comp.height)
    if not characters.any():
        return np.zeros(len(comp.ids), bool)
    return contrast < FAINT * np.median(contrast[characters])


def _faint_characters(groups, comp, sums):
    """(m,) bool: which characters (``groups``: per character, the component labels it is made
    of) are far fainter than the page's characters (FAINT x their median mean darkness). The
    same test as :func:`_faint`, once the pieces are merged: on lined paper, rules and ghosts
    among the blobs pull their median down, so a whole ghost letter can pass it blob by blob.
    sums: :func:`_darkness_sums`."""
    if not groups:
        return np.zeros(0, bool)
    index = {label: k for k, label in enumerate(comp.ids)}
    darkness = np.array([sum(sums[index[g]] for g in group) / sum(comp.areas[index[g]] for g in group)
                         for group in groups])
    return darkness < FAINT * np.median(darkness)


def _edge_band(kept):
    """(h, w) bool: the pixels within 2 of the edge of the page's own pixels ``kept`` (the frame,
    the sheet's outline)."""
    if kept.all():  # the frame's own edge: no erosion needed
        edge = np.ones(kept.shape, bool)
        edge[2:-2, 2:-2] = False
        return edge
    return ~ndimage.binary_erosion(np.pad(kept, 1), np.ones((5, 5), bool))[1:-1, 1:-1]


def _edge_contact(labels, ids, kept):
    """(n,) how many pixels of each component (``ids`` in ``labels``) lie within 2 of the edge of
    the page's own pixels (the frame, the sheet's outline; :func:`_edge_band`). Those touching it
    are page edges, the desk, letters cut off by the frame, and on a sheet letters written up to
    its edge (see :func:`_edge_junk`)."""
    if not len(ids):
        return np.zeros(0, int)
    return np.bincount(labels[_edge_band(kept)], minlength=ids.max() + 1)[ids]


def _edge_junk(comp, kept, rectified):
    """(n,) bool: which components are the edge's, not writing: every one touching the edge
    (``comp.at_edge``); on a ``rectified`` sheet not of ruled paper (``comp.ruled``) only those
    that reach less than EDGE_REACH typical heights into the page, or are thinner than
    SPECK_SIZE heights, or run along the edge for EDGE_ALONG heights or more (see EDGE_REACH)."""
    if not rectified or comp.ruled or not comp.at_edge.any():
        return comp.at_edge
    height = comp.height
    # the band is 2 pixels deep: half a blob's pixels in it are the length it runs along the edge
    along = comp.edge_contact / 2
    box = comp.boxes[:, 2:] - comp.boxes[:, :2]
    junk = comp.at_edge & ((box.min(axis=1) < SPECK_SIZE * height) | (along >= EDGE_ALONG * height))
    limit = EDGE_REACH * height
    pad = int(np.ceil(limit)) + 1
    h, w = kept.shape
    for k in np.flatnonzero(comp.at_edge & ~junk):
        y1, x1, y2, x2 = comp.boxes[k].astype(int)
        y1, x1, y2, x2 = max(y1 - pad, 0), max(x1 - pad, 0), min(y2 + pad, h), min(x2 + pad, w)
        # the edge nearest any of its pixels that lie within `limit` of one lies in this window:
        # distances under `limit` are exact here, at a fraction of the whole page's cost
        into_page = ndimage.distance_transform_edt(kept[y1:y2, x1:x2])
        junk[k] = into_page[comp.labels[y1:y2, x1:x2] == comp.ids[k]].max() < limit
    return junk


def find_characters(image):
    """Find the handwritten characters on a page image.

    image: (h, w) grey, (h, w, 3) RGB or (h, w, 4) RGBA array, any dtype, or a
    :class:`nnrec.ocr.image.ScaledPage` (:func:`nnrec.ocr.image.open_page`). The page is shrunk to
    at most nnrec.ocr.image.WORK_PIXELS, its sheet cut out of the desk and turned upright
    (:func:`upright_page`),
    binarised (:func:`binarize`), split into connected components, and the
    pieces of one character merged (:func:`_merge_pieces`); dots, specks (under SPECK_SIZE),
    blobs that are the page's edge (:func:`_edge_junk`), faint ones (:func:`_faint`,
    then whole faint characters, :func:`_faint_characters`) and anything over MAX_SIZE
    typical heights are dropped. Returns :class:`PageCharacters`, boxes
    in no particular order; a blank page gives zero boxes.
    """
    page = upright_page(as_page(image))
    comp, ink, found = page.components, page.ink, page.sheet
    sheet = None if found is None else found.outline
    to_image = page.to_working + transform.AffineTransform(scale=page.factor)
    labels, boxes, height = comp.labels, comp.boxes, comp.height
    if not len(boxes):
        return PageCharacters(np.zeros((0, 4)), labels, [], ink, 0.0, 1.0 / page.factor, page.grey, to_image, sheet,
                              page.skew)
    # dots and specks go first, so a full stop is never merged into the number before it
    size = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    sums = _darkness_sums(comp, page.dark)
    rectified = found is not None and found.quad
    pieces = (size >= SPECK_SIZE * height) & ~_edge_junk(comp, page.kept, rectified) & ~_faint(comp, sums)
    ids = comp.ids[pieces]
    groups, merged = _merge_pieces(boxes[pieces], height)
    groups = [[int(ids[k]) for k in g] for g in groups]
    # a character, its pieces merged, is at least MIN_CHARACTER and at most MAX_SIZE
    # tall-or-wide (not a fleck, not a page edge or a ruled line), and no
    # longer than LINE_PIECE heights when it is LINE_ASPECT times as long as wide (a piece of a
    # rule or an edge)
    tall, wide = merged[:, 2] - merged[:, 0], merged[:, 3] - merged[:, 1]
    long, short = np.maximum(tall, wide), np.minimum(tall, wide)
    line_piece = (long >= LINE_PIECE * height) & (long >= LINE_ASPECT * short)
    keep = (long <= MAX_SIZE * height) & (long >= MIN_CHARACTER * height) & ~line_piece
    groups = [g for g, k in zip(groups, keep) if k]
    merged = merged[keep]
    bold = ~_faint_characters(groups, comp, sums)
    groups = [g for g, b in zip(groups, bold) if b]
    return PageCharacters(merged[bold], labels, groups, ink, height, 1.0 / page.factor, page.grey, to_image, sheet,
                          page.skew, _counters(ink, page.dark, merged[bold], height, page.zoom))


def _counters(ink, dark, boxes, height, zoom=1):
    """(h, w) bool: :func:`nnrec.ocr.ink.closed_counters` (holes of at least COUNTER x H^2) of
    the part of the page holding ``boxes`` (n, 4), with a margin wider than the filter's reach:
    a counter lies inside its character's box, and the rest of the page costs time for nothing.
    On a page enlarged ``zoom`` times the blur is as many times wider, and so is the reach."""
    counters = np.zeros(ink.shape, bool)
    if len(boxes):
        reach = COUNTER_REACH * zoom
        margin = reach + 2
        y1, x1 = np.maximum(np.floor(boxes[:, :2].min(axis=0)).astype(int) - margin, 0)
        y2, x2 = np.ceil(boxes[:, 2:].max(axis=0)).astype(int) + margin
        counters[y1:y2, x1:x2] = closed_counters(ink[y1:y2, x1:x2], dark[y1:y2, x1:x2], COUNTER * height**2, reach)
    return counters


def character_masks(found, order=None):
    """The ink of each character of a :class:`PageCharacters` -> list of (h, w) bool masks.

    order: indices into ``found.boxes`` (default: all, as stored). Each mask is the character's
    box holding only the components that make up that character, not whatever else shares it,
    less the ink that blur let fill its counters (``found.counters``, see
    :func:`nnrec.ocr.ink.closed_counters`).
    """
    order = range(len(found.boxes)) if order is None else order
    masks = []
    for i in order:
        y1, x1, y2, x2 = np.round(found.boxes[i]).astype(int)
        mask = np.isin(found.labels[y1:y2, x1:x2], found.groups[i])
        masks.append(mask if found.counters is None else mask & ~found.counters[y1:y2, x1:x2])
    return masks


def _link_steps(boxes, lines):
    """Join pieces of one line that a step in its height split (words written higher or lower
    than the one before: a staircase, a drifting baseline).

    lines: index lists into boxes, each left to right. A piece follows another when it starts
    after the other ends, at most LINK_GAP of their character height to its right, and its first
    box's middle is within LINK_STEP heights of the other's last box's; each piece joins the
    nearest such (the least height difference) whose nearest follower it is itself.
    Returns the lines, joined.
    """
    lines = [list(line) for line in lines]
    while len(lines) > 1:
        ends = boxes[[line[-1] for line in lines]]
        starts = boxes[[line[0] for line in lines]]
        height = np.array([np.median(boxes[line, 2] - boxes[line, 0]) for line in lines])
        h = np.maximum(height[:, None], height[None, :])  # [a, b]: a's end, b's start
        gap = starts[None, :, 1] - ends[:, None, 3]
        rise = np.abs((starts[None, :, 0] + starts[None, :, 2]) / 2 - (ends[:, None, 0] + ends[:, None, 2]) / 2)
        step = np.where((gap >= -0.25 * h) & (gap <= LINK_GAP * h) & (rise <= LINK_STEP * h), rise, np.inf)
        np.fill_diagonal(step, np.inf)
        follower, leader = step.argmin(axis=1), step.argmin(axis=0)
        mutual = [a for a in range(len(lines)) if np.isfinite(step[a, follower[a]]) and leader[follower[a]] == a]
        if not mutual:
            break
        a, b = mutual[0], int(follower[mutual[0]])
        lines[a] = lines[a] + lines[b]
        del lines[b]
    return lines


def group_lines(boxes):
    """Group character boxes into text lines and find the word gaps.

    boxes: (n, 4) [y1, x1, y2, x2]. Boxes are visited left to right; each joins the line whose
    most recent box overlaps it vertically the most (at least LINE_OVERLAP of the shorter of
    the two), else starts a line. Following the most recent box, not a fixed row band, keeps
    slanted lines together, and lines of different heights need no common line pitch. Pieces of
    a line split by a step in its height are then joined (:func:`_link_steps`).
    Returns (lines, spaces): lines is a list of index lists into ``boxes``, each left to right,
    lines ordered top to bottom; spaces[k] is the set of positions j in
    line k where a new word starts before the j-th box (see word_starts).
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
    lines = _link_steps(boxes, lines)
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

