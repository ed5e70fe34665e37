"""Finding the sheet in a photograph: its outline on the desk, and its perspective undone.

A phone photo of a page often shows the desk around it (wood grain, a dark table top, a
keyboard, a bright mug at the edge), and anything in the frame that is darker than its
surroundings looks like ink. The sheet is found on a small copy of the photo (SHEET_PIXELS on
its longer side): the paper's colour is taken from the middle of the frame (people centre the
page they photograph), every pixel much darker than that paper or of another hue is background,
and the sheet is the paper-coloured region that holds the middle, its holes (the writing) filled.
A sheet photographed from afar, a few dozen small pixels across, is looked for again on a crop
around it, so its outline is drawn as finely as a near one's.
Uneven light darkens the paper but keeps its hue, so it stays on the sheet; a deep or bluish
shadow does not, and the region is then taken out to the sharpest edge around it, the sheet's
own outline, not the shadow's soft one (if need be only over pixels of the paper's hue: a shadow
over the desk as well can leave no step between them, but wood has another hue).

A sheet that fills nearly the whole frame means the photo is all page: nothing is cut. A sheet
whose outline is a clean quadrilateral inside the frame is rectified (its four corners mapped
onto an upright rectangle, undoing perspective and rotation); one cut off by the frame's edge is
only masked (the desk around it painted over with the nearest paper), since the frame's edges
say nothing about the sheet's perspective. Something of the paper's colour lying against the
sheet (a keyboard's keys, a white box) spoils the quadrilateral; the sheet is then the
quadrilateral of the region's own straight sides that lies on it and runs along its outline the
most.
Nothing here knows about ink or characters.
"""

import dataclasses
import functools
import itertools
from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull
from skimage import color, draw, filters, measure, morphology, segmentation, transform, util

from nnrec.ocr.image import as_page, coarse_pixels

# The sheet is looked for on a copy this many pixels on its longer side.
SHEET_PIXELS = 320

# The paper's colour is the median of the brighter half of the pixels in the middle
# CENTRE x CENTRE of the frame (the brighter half: the paper, not the ink written on it).
CENTRE = 0.4

# A pixel is background when its lightness (CIELAB L*) is under PAPER_DARKER x the paper's
# (a dark desk; a shadow on the paper is rarely that deep) or when it is more yellow
# (b*, units of 100) by PAPER_WARMER, or redder or greener (a*) by PAPER_TINT, than the paper: a
# wooden desk. Only warmer counts: a shadow on the paper is lit by the blue sky, so it turns
# bluer (b* falls by up to ~0.17 on the photos looked at), never more yellow.
PAPER_DARKER = 0.45
PAPER_WARMER = 0.08
PAPER_TINT = 0.1

# The brighter side of Otsu's split of the frame's lightness is a candidate sheet when the
# darker side is at least BRIGHTER darker on average.
BRIGHTER = 0.15

# A sheet's outline is a sharp step: across it the lightness EDGE_NEAR small pixels inside and
# outside differs by at least EDGE_SHARP of the difference EDGE_FAR pixels off, which is at
# least EDGE_STEP.
EDGE_NEAR = 1.5
EDGE_FAR = 5.0
EDGE_SHARP = 0.6
EDGE_STEP = 0.05

# A bright object beside the sheet (a white box, a screen, another sheet) has the paper's hue and
# joins its region, spoiling the outline. When no sheet is found otherwise, pixels brighter than
# the paper by WHITER (L*, 0-1) are taken off the paper-coloured ones and the sheet looked for
# again (then it must hold the writing: no writing may lie on the paper-coloured pixels cut away).
WHITER = 0.1

# Bright things narrower than 2 x OPENING + 1 small pixels (keys, cables) are not paper.
OPENING = 3

# A soft shadow falling across the sheet takes the shaded part off the paper-coloured region
# (too dark, or too blue), though the sheet goes on under it. The region is therefore grown (and
# trimmed) to the sharpest edge around it: a watershed of the lightness's gradient (smoothed by
# EDGE_SMOOTH small pixels) seeded with the region shrunk by EDGE_SEED pixels and with the
# frame's border outside it grown by EDGE_SEED. A shadow's edge is a ramp, the sheet's a step,
# so the two floods meet on the sheet's own outline.
EDGE_SMOOTH = 0.7
EDGE_SEED = 3

# A sheet covering at least ALL_PAGE of the frame is the whole photo: nothing is cut away.
# One under MIN_SHEET of the frame, or less solid (area / convex hull area) than MIN_SOLIDITY,
# is no sheet (a bright patch of desk, a lamp): the photo is then read whole. A page photographed
# from a metre or so away fills 3-6% of a phone's frame; read whole, its letters are a few
# pixels tall and the desk around it is taken for ink (0.1 left the pages_dev pages, put on a
# desk at 6% of the frame, at 0 of 9 characters for one and half for several others).
ALL_PAGE = 0.9
MIN_SHEET = 0.02
MIN_SOLIDITY = 0.85

# A quadrilateral is the sheet's outline when 95% of the outline lies within QUAD_FIT x the
# sheet's size of it.
QUAD_FIT = 0.015

# A keyboard, a box or a phone lying against the sheet joins its region, and their hull is no
# quadrilateral. The sheet is then a quadrilateral made of four of the region's straight sides
# (each at least INSIDE_SIDE of its size, the INSIDE_SIDES longest), covering at least
# INSIDE_COVER of the region while the region fills INSIDE_FILL of it: of those, the one whose
# outline runs along the region's for the largest share (within INSIDE_NEAR of the size, at
# least 1.5 small pixels), then the one covering the most. A keyboard running off the frame
# can hide all of one side of the sheet but a short piece or two, and a quadrilateral that
# takes the keyboard's corner for the sheet's runs through the keyboard, off the region's
# outline, where the sheet's own side runs along it everywhere else.
INSIDE_SIDE = 0.04
INSIDE_SIDES = 10
INSIDE_NEAR = 0.0075
INSIDE_COVER = 0.75
INSIDE_FILL = 0.97

# A sheet touching the frame's border along more than BORDER_TOUCH of its outline is cut off
# by the frame: it is masked, not rectified.
BORDER_TOUCH = 0.05

# The sheet's outline is pulled in by EDGE_MARGIN of the small copy's pixels, so its edge
# (often a thin shadow or a bright rim) stays out of the page that is read.
EDGE_MARGIN = 1.5

# A quadrilateral sheet whose outline spans under CLOSER of the frame's longer side (a page
# photographed from a metre or so away) is looked for again, the same way (by colour, by
# brightness...), on a crop around it CLOSER_MARGIN of its extent wider on each side: on the
# whole frame's small copy it is a few dozen pixels across, and EDGE_MARGIN alone takes a tenth
# of it (on a page at 5% of the frame, the first and last lines of writing were cut). The finer
# outline is kept when it is a quadrilateral whose corners lie within CLOSER_AGREE of the whole
# frame's small pixels of the first one's: a closer look refines the outline, it finds no other.
CLOSER = 0.5
CLOSER_MARGIN = 0.5
CLOSER_AGREE = 3.0


@dataclass
class Sheet:
    """A sheet found in a photo (see :func:`find_sheet`).

    outline: (k, 2) float corners (x, y) of the sheet in the input image's pixels, clockwise
    from the top-left; four for a quadrilateral. mask: (h, w) bool region of the sheet on the
    small copy, ``scale`` small pixels per input pixel. quad: whether the outline is a clean
    quadrilateral inside the frame (rectified by :func:`upright_transform`), else the sheet is
    only masked. by: "colour" when the desk differs from the paper in colour or is far darker,
    "brightness" when it is only darker (then a shadow's edge could pass for the sheet's: see
    :func:`nnrec.ocr.segment.upright_page`), "whiteness" when it was cut off what is whiter
    than the paper (WHITER; then it must hold the writing too). paper: (h, w) bool, the small copy's pixels of the
    paper's colour (:func:`paper_coloured`), inside the sheet or not.
    """

    outline: np.ndarray
    mask: np.ndarray
    scale: float
    quad: bool
    by: str = "colour"
    paper: np.ndarray = None
    origin: tuple = (0, 0)  # (x, y) input pixel at the small copy's (0, 0): it may be of a crop

    def to_small(self, points):
        """(n, 2) (x, y) input pixels -> (x, y) pixels of the small copy ``mask`` lies on."""
        return (np.asarray(points, float) - self.origin) * self.scale


def _small_lab(image):
    """Image -> (L, ab, scale): lightness 0-1 and (h, w, 2) colour (a*, b* / 100) of a copy at
    most SHEET_PIXELS on its longer side, ``scale`` small pixels per input pixel."""
    shape = as_page(image).shape
    step = max(1, int(np.ceil(max(shape[:2]) / SHEET_PIXELS)))
    # a strided subsample, then a 2 x 2 box average: a 12 MP photo is never converted whole (nor,
    # a ScaledPage, decoded more finely than it was)
    pixels, reduction = coarse_pixels(image, max(1, step // 2))
    fine = max(1, step // 2 // reduction)
    small = util.img_as_float(pixels[::fine, ::fine])
    block = (max(1, step // (fine * reduction)),) * 2
    if small.ndim == 3 and small.shape[2] >= 3:
        rgb = transform.downscale_local_mean(small[..., :3], (*block, 1))
        lab = color.rgb2lab(np.clip(rgb, 0, 1))
        lightness, ab = lab[..., 0] / 100, lab[..., 1:] / 100
    else:
        grey = small[..., 0] if small.ndim == 3 else small
        lightness = transform.downscale_local_mean(grey, block)
        ab = np.zeros(lightness.shape + (2,))
    scale = lightness.shape[0] / shape[0]
    return lightness, ab, scale


def _middle(shape):
    """Slices of the middle CENTRE x CENTRE of a frame of ``shape``."""
    h, w = shape
    return (slice(int(h * (1 - CENTRE) / 2), int(h * (1 + CENTRE) / 2) + 1),
            slice(int(w * (1 - CENTRE) / 2), int(w * (1 + CENTRE) / 2) + 1))


def _paper_pixels(lightness):
    """(slices of the middle of the frame, bool of its pixels that are paper: its brighter half)."""
    middle = _middle(lightness.shape)
    middle_l = lightness[middle]
    return middle, middle_l >= np.median(middle_l)


def paper_lightness(lightness):
    """The paper's lightness: the median of the brighter half of the middle of the frame."""
    middle, paper = _paper_pixels(lightness)
    return float(np.median(lightness[middle][paper]))


def paper_hued(lightness, ab):
    """(h, w) bool: pixels of the paper's hue at any lightness (no warmer by PAPER_WARMER, no
    redder or greener by PAPER_TINT than the brighter half of the middle of the frame): the paper
    in light or shadow, not a wooden desk."""
    middle, paper = _paper_pixels(lightness)
    shift = ab - np.median(ab[middle][paper], axis=0)
    return (shift[..., 1] <= PAPER_WARMER) & (np.abs(shift[..., 0]) <= PAPER_TINT)


def paper_coloured(lightness, ab):
    """(h, w) bool: pixels of the paper's colour: its hue (:func:`paper_hued`) and no darker than
    PAPER_DARKER x its lightness."""
    return (lightness >= PAPER_DARKER * paper_lightness(lightness)) & paper_hued(lightness, ab)


def brighter(lightness, within):
    """(h, w) bool: pixels brighter than Otsu's threshold on the lightness of the ``within``
    pixels (the paper-coloured ones), when the two sides differ by at least BRIGHTER (a page on
    a grey desk of the paper's own hue); else all False."""
    if within.sum() < 2:
        return np.zeros(lightness.shape, bool)
    threshold = filters.threshold_otsu(lightness[within])
    bright = within & (lightness > threshold)
    if bright.all() or not bright.any() or lightness[within & ~bright].mean() > (1 - BRIGHTER) * lightness[bright].mean():
        return np.zeros(lightness.shape, bool)
    return bright


def central_region(like):
    """(h, w) bool: the region of ``like`` pixels holding the middle of the frame, holes filled
    (all False when the middle holds none)."""
    middle = _middle(like.shape)
    # writing is not paper-coloured: close it over, then fill what the sheet encloses
    like = ndimage.binary_fill_holes(morphology.closing(like, morphology.disk(1)))
    # thin bridges and small bright things (a cable, a seam in the desk, a keyboard's keys) do
    # not join the sheet
    like = morphology.opening(like, morphology.disk(OPENING))
    labels = measure.label(like)
    central = np.bincount(labels[middle].ravel(), minlength=labels.max() + 1)
    central[0] = 0
    if central.max() == 0:
        return np.zeros_like(like)
    return ndimage.binary_fill_holes(labels == int(np.argmax(central)))


def paper_region(lightness, ab):
    """(h, w) bool: the paper-coloured region holding the middle of the frame, holes filled.

    lightness: (h, w) 0-1; ab: (h, w, 2) colour. Returns an all-False mask when the middle of the
    frame is not paper-coloured (nothing to go by).
    """
    return central_region(paper_coloured(lightness, ab))


def to_sharpest_edge(region, lightness, may_grow=None):
    """(h, w) bool: ``region`` (on the small copy) grown or trimmed to the sharpest step in
    ``lightness`` between it and the frame's border (see EDGE_SMOOTH, EDGE_SEED); the region
    unchanged when it has no core or no border lies outside it. may_grow: (h, w) bool, the only
    pixels it may grow into (default: any)."""
    core = ndimage.binary_erosion(region, morphology.disk(EDGE_SEED))
    outside = ~ndimage.binary_dilation(region, morphology.disk(EDGE_SEED))
    border = np.zeros_like(region)
    border[[0, -1], :] = border[:, [0, -1]] = True
    outside &= border
    if not core.any() or not outside.any():
        return region
    markers = np.where(core, 1, np.where(outside, 2, 0))
    gradient = filters.sobel(filters.gaussian(lightness, sigma=EDGE_SMOOTH))
    grown = segmentation.watershed(gradient, markers) == 1
    if may_grow is not None:
        grown &= region | may_grow
    return ndimage.binary_fill_holes(grown)


def sharp_edges(lightness, outline, either_way=False):
    """Whether a sheet's outline (k, 2) (x, y) on the small copy runs along a sharp step from
    bright paper to darker background all round (the frame's own edges left out); with
    ``either_way``, a step up to something brighter counts too (a white object against the sheet).

    Across the outline the lightness is compared just inside and outside (EDGE_NEAR pixels) and
    further off (EDGE_FAR): the edge of a sheet is a step, the same both ways; the edge of a
    shadow or of a patch of light is a ramp, the near difference a fraction of the far one.
    """
    h, w = lightness.shape
    points, normals = [], []
    centre = outline.mean(axis=0)
    for a, b in zip(outline, np.roll(outline, -1, axis=0)):
        length = np.hypot(*(b - a))
        if length < 1:
            continue
        t = np.linspace(0, 1, max(2, int(length / 2)))[:, None]
        side = a + t * (b - a)
        normal = np.array([b[1] - a[1], a[0] - b[0]]) / length
        if np.dot((a + b) / 2 - centre, normal) < 0:
            normal = -normal
        points.append(side)
        normals.append(np.repeat(normal[None], len(side), axis=0))
    points, normals = np.concatenate(points), np.concatenate(normals)
    away = EDGE_FAR + 1
    inside = ((points[:, 0] > away) & (points[:, 0] < w - 1 - away)
              & (points[:, 1] > away) & (points[:, 1] < h - 1 - away))
    if inside.sum() < 8:
        return False
    points, normals = points[inside], normals[inside]

    def at(distance):
        xy = points + distance * normals
        return ndimage.map_coordinates(lightness, [xy[:, 1], xy[:, 0]], order=1)

    near, far = at(-EDGE_NEAR) - at(EDGE_NEAR), at(-EDGE_FAR) - at(EDGE_FAR)
    if either_way:
        near, far = np.abs(near), np.abs(far)
    near, far = np.median(near), np.median(far)
    return far >= EDGE_STEP and near >= EDGE_SHARP * far


def _clockwise_from_top_left(corners):
    """(4, 2) corners (x, y) -> the same corners clockwise (on screen) from the top-left one:
    the corner starting the most nearly horizontal edge above the centre."""
    centre = corners.mean(axis=0)
    angles = np.arctan2(corners[:, 1] - centre[1], corners[:, 0] - centre[0])
    corners = corners[np.argsort(angles)]  # y points down: increasing angle is clockwise
    best, best_slope = 0, np.inf
    for k in range(4):
        a, b = corners[k], corners[(k + 1) % 4]
        dx, dy = b - a
        if (a[1] + b[1]) / 2 < centre[1] and dx > 0 and abs(dy / dx) < best_slope:
            best, best_slope = k, abs(dy / dx)
    return np.roll(corners, -best, axis=0)


def _outline(mask):
    """(n, 2) float (x, y) points along a region's outline (the longest contour)."""
    return max(measure.find_contours(np.pad(mask, 1).astype(float), 0.5), key=len)[:, ::-1] - 1


def _area(polygon):
    """Area of a simple polygon (k, 2) (shoelace formula)."""
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _side_distances(points, corners):
    """(n, k) distance of each point to each side of a closed polygon, and (n, k) where along
    each side (0 at its start, 1 at its end) the point's foot falls."""
    start, end = corners, np.roll(corners, -1, axis=0)
    along = end - start
    t = np.einsum("nkd,kd->nk", points[:, None] - start[None], along) / (along**2).sum(axis=1)
    foot = start[None] + np.clip(t, 0, 1)[..., None] * along[None]
    return np.linalg.norm(points[:, None] - foot, axis=2), t


def _crossing(p, u, q, v):
    """Where the lines p + s u and q + r v cross, or None when they are parallel."""
    matrix = np.column_stack([u, -v]).astype(float)
    if abs(np.linalg.det(matrix)) < 1e-6:
        return None
    return p + np.linalg.solve(matrix, (q - p).astype(float))[0] * u


def _quadrilateral(outline):
    """The quadrilateral (4, 2) (x, y) that a convex outline is, clockwise from the top-left, or
    None when the outline strays from it by more than QUAD_FIT of the frame's size.

    A rough quadrilateral comes from the hull's corners, dropped one at a time (each time the one
    whose loss removes the least area) until four are left; then a straight line is fitted to the
    middle of each of its sides and neighbouring lines are intersected, so rounded or
    dog-eared corners are restored.
    """
    corners = [np.asarray(c, float) for c in outline[ConvexHull(outline).vertices]]
    while len(corners) > 4:
        n = len(corners)
        loss = [_area(np.array([corners[k - 1], corners[k], corners[(k + 1) % n]])) for k in range(n)]
        del corners[int(np.argmin(loss))]
    if len(corners) < 4:
        return None
    rough = np.array(corners)
    distance, along = _side_distances(outline, rough)
    side = distance.argmin(axis=1)
    lines = []
    for k in range(4):
        middle = outline[(side == k) & (along[:, k] > 0.15) & (along[:, k] < 0.85)]
        if len(middle) < 2:
            return None
        centre = middle.mean(axis=0)
        direction = np.linalg.svd(middle - centre)[2][0]
        lines.append((centre, direction))
    quad = [_crossing(*lines[k - 1], *lines[k]) for k in range(4)]
    if any(corner is None for corner in quad):
        return None
    quad = np.array(quad, float)
    size = np.ptp(outline, axis=0).max()
    stray = _side_distances(outline, quad)[0].min(axis=1)
    return _clockwise_from_top_left(quad) if np.percentile(stray, 95) <= QUAD_FIT * size else None


def _on_border(mask, length):
    """Whether a region on the small copy runs along the frame's border for more than
    BORDER_TOUCH of ``length`` (its outline's length): the frame cut it off."""
    return np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]]).sum() > BORDER_TOUCH * length


def _fitted_sides(contour, polygon):
    """Each side of ``polygon`` (k, 2), which approximates ``contour`` (n, 2) and whose corners
    are points of it, as (point, direction): the line fitted to the middle 70% of the contour
    points it stands for. Two corners of a short side can each be a pixel off its line; the
    line through them alone, carried along a whole side of the sheet, could miss it by many."""
    corners = [int(np.argmin(np.hypot(*(contour - corner).T))) for corner in polygon]
    sides = []
    for start, end, a, b in zip(corners, np.roll(corners, -1), polygon, np.roll(polygon, -1, axis=0)):
        run = contour[start : end + 1] if end >= start else np.vstack([contour[start:], contour[: end + 1]])
        trim = int(0.15 * len(run))
        middle = run[trim : len(run) - trim]
        if len(middle) < 3:
            sides.append((a, b - a))
            continue
        centre = middle.mean(axis=0)
        direction = np.linalg.svd(middle - centre)[2][0]
        sides.append((centre, np.sign(np.dot(direction, b - a)) * direction * np.hypot(*(b - a))))
    return sides


def _quadrilateral_inside(region):
    """(4, 2) (x, y) corners, clockwise from the top-left, of the quadrilateral made of four of
    the region's straight sides that lies (nearly) all on it and runs along its outline the
    most, or None (see INSIDE_SIDE, INSIDE_SIDES, INSIDE_COVER, INSIDE_FILL, INSIDE_NEAR)."""
    contour = _outline(region)
    size = np.ptp(contour, axis=0).max()
    polygon = measure.approximate_polygon(contour, tolerance=QUAD_FIT * size)[:-1]
    if len(polygon) < 4:
        return None
    sides = _fitted_sides(contour, polygon)
    lengths = np.hypot(*np.array([u for _, u in sides]).T)
    longest = sorted(k for k in np.argsort(-lengths)[:INSIDE_SIDES] if lengths[k] >= INSIDE_SIDE * size)
    near = max(1.5, INSIDE_NEAR * size)
    best, best_score, total = None, (-1.0, INSIDE_COVER), region.sum()
    for four in itertools.combinations(longest, 4):
        corners = [_crossing(*sides[four[k - 1]], *sides[four[k]]) for k in range(4)]
        if any(c is None for c in corners):
            continue
        corners = np.array(corners)
        quad = draw.polygon2mask(region.shape, corners[:, ::-1])
        on = (quad & region).sum()
        if not quad.any() or on < INSIDE_FILL * quad.sum() or on <= INSIDE_COVER * total:
            continue
        ring = _outline(quad)
        if _on_border(quad, len(ring)):
            continue
        # shares of the outline within a hundredth of each other are equal: the cover decides
        along = round(float((_side_distances(ring, polygon)[0].min(axis=1) <= near).mean()), 2)
        if (along, on / total) > best_score:
            best, best_score = corners, (along, on / total)
    return None if best is None else _clockwise_from_top_left(best)


def _sheet(region, lightness, either_way=False, inside=False):
    """(outline (k, 2), mask, quad) of a candidate sheet region on the small copy, or None
    when it is no sheet (see :func:`find_sheet`; either_way: see :func:`sharp_edges`). With
    ``inside``, a region whose hull is no quadrilateral (something joined to the sheet) gives
    the quadrilateral inside it (:func:`_quadrilateral_inside`) when that has sharp edges too."""
    if region.mean() < MIN_SHEET:
        return None
    mask = morphology.convex_hull_image(region)
    if mask.mean() >= ALL_PAGE or region.sum() < MIN_SOLIDITY * mask.sum():
        return None
    outline = _outline(mask)
    quad = None if _on_border(mask, len(outline)) else _quadrilateral(outline)
    outline = outline[ConvexHull(outline).vertices] if quad is None else quad
    if not sharp_edges(lightness, outline, either_way):
        return None
    if quad is None and inside:
        corners = _quadrilateral_inside(region)
        if corners is not None and sharp_edges(lightness, corners, either_way):
            return corners, draw.polygon2mask(region.shape, corners[:, ::-1]), True
    return outline, mask, quad is not None


def find_sheet(image):
    """The sheet in a photo of a page on a desk, or None when the photo is all page.

    image: as :func:`_look_for_sheet`, which finds it; a sheet spanning under CLOSER of the
    frame is looked for again on a crop around it (:func:`_closer`).
    """
    found = _look_for_sheet(image)
    if found is None:
        return None
    return _closer(image, found) or found


def _closer(image, found):
    """``found`` looked for again on a crop of ``image`` around it (see CLOSER), its outline,
    scale and origin given in ``image``'s pixels; None when it is no quadrilateral or spans
    CLOSER of the frame or more, or the crop shows no quadrilateral agreeing with it."""
    height, width = as_page(image).shape[:2]
    low, high = found.outline.min(axis=0), found.outline.max(axis=0)
    extent = high - low
    if not found.quad or extent.max() >= CLOSER * max(height, width):
        return None
    low = np.maximum(np.floor(low - CLOSER_MARGIN * extent), 0).astype(int)
    high = np.minimum(np.ceil(high + CLOSER_MARGIN * extent), [width, height]).astype(int)
    step = max(1, int(np.ceil(max(high - low) / SHEET_PIXELS)))
    pixels, reduction = coarse_pixels(image, max(1, step // 2))
    first, last = low // reduction, high // reduction
    closer = _look_for_sheet(pixels[first[1] : last[1], first[0] : last[0]], found.by)
    if closer is None or not closer.quad:
        return None
    origin = first * reduction
    outline = closer.outline * reduction + origin
    if np.abs(outline - found.outline).max() * found.scale > CLOSER_AGREE:
        return None
    return dataclasses.replace(closer, outline=outline, scale=closer.scale / reduction,
                               origin=(int(origin[0]), int(origin[1])))


def _look_for_sheet(image, by=None):
    """The sheet in a photo of a page on a desk, or None when the photo is all page (by: look
    only for a sheet told from the desk that way, see :class:`Sheet`; None: every way).

    image: (h, w) grey or (h, w, 3/4) colour array, any dtype, or a
    :class:`nnrec.ocr.image.ScaledPage` (looked at as decoded). The sheet is the convex hull of
    the paper-coloured region holding the middle of the frame (:func:`paper_region`; the hull,
    so a notch where the light on the paper turns warm is never cut away), or failing that of
    the region brighter than the rest (:func:`brighter`: a page on a grey desk), or failing that
    of the paper-coloured region without what is far whiter than the paper (WHITER: a white
    object beside the sheet). A candidate
    is the sheet when its hull covers between MIN_SHEET and ALL_PAGE of the frame, the region
    fills MIN_SOLIDITY of its hull, and its outline is a sharp step all round
    (:func:`sharp_edges`: not the edge of a shadow). A paper-coloured region whose hull is no
    quadrilateral (a keyboard against the sheet) gives the quadrilateral of its straight sides
    inside it, when there is one (:func:`_quadrilateral_inside`). The colour and brightness
    regions are first taken out to the sharpest edge around them (:func:`to_sharpest_edge`), so
    a shadow across the sheet does not cut it short; when that finds no sheet, the colour
    region is taken out again only over pixels of the paper's hue (:func:`paper_hued`), so a
    shadow over the desk too does not let it run on into a wooden desk. Else None: the photo is
    read whole.
    """
    lightness, ab, scale = _small_lab(image)
    hued = paper_hued(lightness, ab)
    coloured = paper_coloured(lightness, ab)
    # the two colour candidates start from the same region, found once
    colour_region = functools.cache(lambda: central_region(coloured))
    # (by, the region of pixels like the paper holding the middle, either_way, the only pixels
    # it may grow into)
    candidates = (
        ("colour", colour_region, False, None),
        # a shadow over both the sheet's edge and the desk beside it can let the flood run on
        # into the desk: a desk of another hue then stops it
        ("colour", colour_region, False, hued),
        ("brightness", lambda: central_region(brighter(lightness, coloured)), False, None),
        ("whiteness", lambda: central_region(coloured & (lightness <= paper_lightness(lightness) + WHITER)), True,
         None),
    )
    for kind, region_of, either_way, grow_into in candidates:
        if by is not None and kind != by:
            continue
        region = region_of()
        if kind != "whiteness":  # grown, it would take the white object back
            region = to_sharpest_edge(region, lightness, grow_into)
        # a quadrilateral inside a brightness region would be a patch of light, not the sheet
        found = _sheet(region, lightness, either_way, inside=kind == "colour")
        if found is not None:
            outline, mask, quad = found
            return Sheet(outline=outline / scale, mask=mask, scale=scale, quad=quad, by=kind, paper=coloured)
    return None


def sheet_area(sheet):
    """The sheet's area in the input image's pixels."""
    return _area(sheet.outline)


def upright_transform(sheet, factor=1.0):
    """Where the upright sheet lies in the image: (transform, shape).

    sheet: a :class:`Sheet`; factor: input pixels per pixel of the image being warped (a page
    shrunk to working size). transform maps (x, y) of the upright output to (x, y) of that image
    (what :func:`skimage.transform.warp` takes); shape is the output (h, w). A quadrilateral
    sheet maps onto a rectangle as wide and tall as its longer opposite sides; a masked one is
    its bounding box, cut out unturned.
    """
    corners = sheet.outline / factor
    if sheet.quad:
        tl, tr, br, bl = corners
        width = max(np.hypot(*(tr - tl)), np.hypot(*(br - bl)))
        height = max(np.hypot(*(bl - tl)), np.hypot(*(br - tr)))
        target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
        return transform.ProjectiveTransform.from_estimate(target, corners), (int(round(height)), int(round(width)))
    low, high = np.floor(corners.min(axis=0)), np.ceil(corners.max(axis=0))
    shift = transform.EuclideanTransform(translation=low)
    return shift, (int(high[1] - low[1]) + 1, int(high[0] - low[0]) + 1)


def sheet_mask(sheet, tform, shape, factor=1.0):
    """(h, w) bool: which pixels of the upright output (see :func:`upright_transform`) lie on
    the sheet, its outline pulled in by EDGE_MARGIN small pixels."""
    inner = ndimage.binary_erosion(sheet.mask, morphology.disk(max(1, int(round(EDGE_MARGIN)))))
    on = transform.warp(inner.astype(float), lambda xy: sheet.to_small(tform(xy) * factor), output_shape=shape,
                        order=0)
    return on > 0.5


def warp_page(grey, tform, shape, keep=None):
    """Resample a grey page through ``tform`` (output (x, y) -> ``grey``'s (x, y)) into ``shape``.

    keep: optional (h, w) bool of ``shape``, the output pixels to keep (the sheet). Returns
    (page, kept): every output pixel not kept, and every one that falls outside ``grey``, takes
    the value of the nearest kept pixel, so neither the desk nor a blank corner shows up as ink
    or as an edge; kept (h, w) bool says which pixels are the page's own.
    """
    out = transform.warp(grey, tform, output_shape=shape, order=1, cval=np.nan)
    kept = np.isfinite(out) if keep is None else keep & np.isfinite(out)
    if kept.all() or not kept.any():
        return np.nan_to_num(out, nan=float(np.nanmedian(out)) if kept.any() else 1.0), kept
    nearest = ndimage.distance_transform_edt(~kept, return_distances=False, return_indices=True)
    return out[tuple(nearest)], kept
