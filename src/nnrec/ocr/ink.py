"""Light and ink: how dark each pixel is against its own paper, which pixels are ink, and the
ruled lines among them.

The paper's brightness is estimated where the page is and divided out, so shadows, gradients
and a dim whiteboard leave paper at 0 and ink above it; ink is split off with Otsu's threshold,
raised where the camera's noise would pass it (hysteresis keeps faint stroke ends attached, a
closing joins broken strokes); the long, thin, straight lines of lined paper, margins and page
edges are then taken out, the strokes of letters drawn across or along them kept; ink that a
blurred photo spread into a letter's small counters is found at the strokes' half-maximum.
Nothing here knows about characters.
"""

from typing import NamedTuple

import numpy as np
from scipy import ndimage
from skimage import filters, morphology, transform

# Paper background: the page is shrunk by this factor, grey-closed (removes the ink), and
# blown up again; dividing by it flattens shadows and uneven lighting.
BACKGROUND_SHRINK = 8


# Ink must be at least this much darker than the paper (fraction of the paper's brightness)
# whatever Otsu says, so a blank page yields no letters.
MIN_CONTRAST = 0.12


# Hysteresis: strokes seeded at the threshold grow into pixels darker than this fraction of it.
HYSTERESIS_LOW = 0.6


# Darkness is smoothed by a Gaussian of this sigma (pixels) before it is thresholded.
INK_SMOOTH = 0.7


# Sensor noise: dividing by the paper's brightness amplifies it where the frame is dark (a desk,
# a shadow), and a noisy photo's grain there passes Otsu's threshold as thousands of specks that
# merge into "letters". So a stroke must be seeded NOISE_SEED and may grow to NOISE_GROW standard
# deviations of the local noise above the paper, whatever Otsu says: Gaussian tail rates
# (3e-5 and 6e-3 of the pixels), not values fitted to any page.
NOISE_SEED = 4.0
NOISE_GROW = 2.5
# The noise is what a mean over NOISE_WINDOW x NOISE_WINDOW pixels takes off the page (see
# noise_level): 5 read the pages_dev composites best among 5, 9 and 15 (wider windows count the
# paper's own texture as noise).
NOISE_WINDOW = 5


# Ruled lines (see ruled_lines): straight stretches filling RULE_FILL of a run RULE_SPAN of the
# page's extent long, wandering at most RULE_DRIFT pixels across it, joined up reaching
# RULE_LENGTH of the page's extent along them, at most RULE_THICK of its longer side thick (the
# same for lines either way: against their own extent, a landscape page's vertical lines were
# allowed a third of the thickness of its horizontal ones, and the grid's, widened by its
# crossings, or a sideways page's rules with letters on them were no lines).
RULE_SPAN = 0.1
RULE_FILL = 0.8
RULE_DRIFT = 7
RULE_LENGTH = 0.3
RULE_THICK = 0.01
RULE_STROKE = 1.2  # a line this many times its usual thickness has a stroke drawn along it
RULE_LOOK = 4  # lines are first looked for on a copy shrunk this many times (any ink: ink)
# A clean rule about as dark as the threshold passes it only in pieces: pieces at least RULE_SPAN
# of the page long, at most RULE_GAP pixels apart along it, are joined where the gap is clearly
# darker than the paper (see ruled_lines).
RULE_GAP = 2
# Faint rules (see remove_ruled_lines) are traced on pixels darker than RULE_FAINT x ink's lower
# threshold (under a camera's noise: 1.25 noise deviations above the paper); a blob of ink lying
# RULE_DASH or more on such a line, and at most RULE_DARKER x as dark as the line, is a dash of
# it. Set by reasoning, not searched; measured on pages_dev and its composites (CHANGELOG). Pen
# on a pale line (see ruled_lines) is told from the line the same way: RULE_DARKER x as dark.
RULE_FAINT = 0.5
RULE_DASH = 0.9
RULE_DARKER = 2.0
# A dash is at most RULE_DASH_WIDTH x the line's usual thickness across: noise leaves its edges
# ragged. Chosen among 1.2, 1.5, 2 and 3 on the lined page of pages_dev under a camera's noise
# (its composites camera, combined and keyboard; 1.2 left half its dashes, 3 read them all).
RULE_DASH_WIDTH = 3.0


# Counters closed by blur (see closed_counters): a stroke's edge is where its darkness falls to
# COUNTER_PEAK x the darkest pixel within COUNTER_REACH pixels (a blurred stroke's half-maximum).
# Chosen on the composites (reader MLP, a first form of the rule): 0.4, 0.5 and 0.6 read the
# camera composites alike (0.934, 0.937, 0.932; flat 0.970, 0.967, 0.967); a reach of 2, 3 or 5
# pixels made no difference.
COUNTER_PEAK = 0.5
COUNTER_REACH = 3
# ... and a counter is closed when the ink fills at least COUNTER_FILLED of it: an open counter's
# inside holds only a rim of spread ink, which must stay (taking it thinned a faint pencil O
# until it broke into a U). 0.3 read the camera composites a little worse (-1 / -2 characters).
COUNTER_FILLED = 0.5


def paper_brightness(grey):
    """(h, w) the brightness of the paper under each pixel of a grey page (0-1), ink left out.

    A grey closing (a dilation of the bright paper over the thin dark strokes) on a shrunken
    copy, smoothed and blown back up: it follows shadows and gradients in the lighting.
    """
    small = transform.downscale_local_mean(grey, (BACKGROUND_SHRINK, BACKGROUND_SHRINK))
    radius = max(2, int(round(max(small.shape) / 60)))
    paper = morphology.closing(small, morphology.disk(radius))
    paper = filters.gaussian(paper, sigma=radius)
    tall, wide = (linear_resize_matrix(n, size) for n, size in zip(paper.shape, grey.shape))
    return np.maximum(tall @ paper @ wide.T, 1e-3)


def linear_resize_matrix(n_in, n_out):
    """(n_out, n_in): linear interpolation from ``n_in`` samples to ``n_out`` along one axis, as
    :func:`skimage.transform.resize` (order=1) does it: pixel centres aligned, the ends mirrored.

    Blowing the smooth paper up to the page is then two small matrix products, a third of the
    time of resize on a 1.6 MP page.
    """
    x = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
    left = np.floor(x).astype(int)
    weight = x - left

    def mirrored(i):
        i = np.abs(i)
        return np.where(i > n_in - 1, 2 * (n_in - 1) - i, i) if n_in > 1 else np.zeros_like(i)

    matrix = np.zeros((n_out, n_in))
    np.add.at(matrix, (np.arange(n_out), mirrored(left)), 1 - weight)
    np.add.at(matrix, (np.arange(n_out), mirrored(left + 1)), weight)
    return matrix


def ink_darkness(grey, paper=None):
    """How much darker than the local paper each pixel is, 0 (paper) to 1 (black).

    paper: :func:`paper_brightness` of ``grey`` (computed when not given); dividing by it
    removes shadows and gradients in the lighting.
    """
    paper = paper_brightness(grey) if paper is None else paper
    return np.clip(1.0 - grey / paper, 0.0, 1.0)


def noise_level(grey):
    """Standard deviation of the sensor noise of a grey page (0-1 scale) as it is thresholded,
    i.e. smoothed by INK_SMOOTH.

    A robust spread (1.4826 x the median absolute deviation) of what a NOISE_WINDOW-pixel square
    mean takes off the smoothed page, on every other pixel: strokes and edges are a small part of a page and
    leave the median alone, and the paper's slow shading is what the mean keeps.
    """
    smooth = filters.gaussian(grey, sigma=INK_SMOOTH)
    detail = (smooth - ndimage.uniform_filter(smooth, NOISE_WINDOW))[::2, ::2]
    return float(1.4826 * np.median(np.abs(detail - np.median(detail)))) if detail.size else 0.0


def ruled_lines(ink, bridge=None, dark=None):
    """(h, w) bool: the ink of long, thin, straight lines across the page (the ruling of lined
    paper, a margin line, a page edge, an underline, squared paper's grid), horizontal or vertical.

    Straight stretches are ink filling RULE_FILL of a run RULE_SPAN of the page's width (or
    height) long, allowed to wander RULE_DRIFT pixels across it (a tilt, a lens's bend, a wavy
    pen). Joined up they are a line when they reach RULE_LENGTH of the page and are at most
    RULE_THICK of its longer side thick on average: a letter's bar is far shorter, and a big marker
    letter's long bar far thicker. Where a line is over RULE_STROKE times its usual thickness
    and a letter's other strokes meet it, a stroke was drawn along it: that stays ink.
    bridge: (h, w) bool, pixels clearly darker than the paper though not ink: stretches at least
    RULE_SPAN long are joined across gaps of up to RULE_GAP such pixels along them (a clean rule
    about as dark as the threshold, like squared paper's grid, passes it in pieces each too short
    for a line, and the letters it runs through were read as one blob). Not across noise: a
    rule in a noisy shadow found in part leaves pieces that are read as letters.
    dark: (h, w) the darkness (see :func:`binarize`). With it, on a pale line (RULE_DARKER x its
    usual darkness is no darker than the ink off the lines: a printed grid, a light rule under a
    dark pen) a thick stretch is a stroke only where it is RULE_DARKER x as dark as the line
    too: every crossing of a grid widens each line by the other, and blur widens a pale line
    wherever pen passes near it, so thickness alone kept pieces of the grid on letters (a "+"
    at a crossing beside a letter, a bar down a 3's back: squared paper's digits read 0.40).
    Such a stretch is pen, and stays even where no other stroke of its letter meets it (an L
    drawn along two grid lines).
    """
    if not _may_hold_lines(ink):
        return np.zeros(ink.shape, bool)
    lines, thick, found = np.zeros(ink.shape, bool), np.zeros(ink.shape, bool), []
    for along in (1, 0):  # rows (horizontal lines), then columns (vertical ones)
        labels, line = _straight(ink, along, RULE_DRIFT, bridge=bridge)
        labels = np.concatenate([[0], np.where(line, np.arange(1, len(line) + 1), 0)])[labels]
        lines |= labels > 0
        found.append((labels, _thick_stretches(labels, along)))
    off_lines = ink & ~lines
    pen = np.median(dark[off_lines]) if dark is not None and off_lines.any() else None
    drawn = np.zeros(ink.shape, bool)  # pen along a pale line: a stroke, whatever meets it
    for labels, stretch in found:
        if pen is not None:
            pale, own = _pale_lines(labels, dark, pen, stretch)
            stretch = stretch & ~own
            drawn |= stretch & pale
        thick |= stretch
    # a thick stretch is a stroke along the line only where a letter's other strokes meet it
    # (a scanner's dark border is thick here and there too, with nothing attached)
    strokes, n = ndimage.label(thick, np.ones((3, 3), bool))
    letters = ndimage.binary_dilation(off_lines, np.ones((3, 3), bool))
    attached = np.concatenate([[False], ndimage.maximum(letters, strokes, np.arange(1, n + 1)) > 0])
    return lines & ~attached[strokes] & ~drawn


def _may_hold_lines(ink):
    """False when ``ink`` surely holds no line (see :func:`ruled_lines`): most pages have none,
    and a look at a copy shrunk RULE_LOOK times says so cheaply."""
    look = ink[: ink.shape[0] // RULE_LOOK * RULE_LOOK, : ink.shape[1] // RULE_LOOK * RULE_LOOK]
    look = look.reshape(look.shape[0] // RULE_LOOK, RULE_LOOK, -1, RULE_LOOK).any(axis=(1, 3))
    return any(_straight(look, along, 3, thin=False)[1].any() for along in (1, 0) if min(look.shape) >= 3)


def _straight(ink, along, drift, thin=True, bridge=None):
    """Straight stretches of ink running ``along`` (1: rows, 0: columns), see :func:`ruled_lines`:
    (labels (h, w) of the joined-up stretches, (n,) bool which of them are lines; long enough
    and, if ``thin``, thin enough). bridge: pixels across which long stretches are joined (see
    :func:`ruled_lines`)."""
    extent = ink.shape[along]
    span = max(3, int(RULE_SPAN * extent))
    wide = ndimage.maximum_filter1d(ink, drift, axis=1 - along)
    full = ndimage.uniform_filter1d(wide.astype(np.float32), span, axis=along) >= RULE_FILL
    candidate = ndimage.maximum_filter1d(full, span, axis=along) & ink
    labels, n = ndimage.label(candidate, np.ones((3, 3), bool))
    if n == 0:
        return labels, np.zeros(0, bool)
    length = _lengths(labels, along)
    if bridge is not None and (length >= span).any():
        long = np.concatenate([[False], length >= span])[labels]
        gaps = ndimage.maximum_filter1d(long, RULE_GAP + 1, axis=along) & bridge & ~candidate
        if gaps.any():
            labels, n = ndimage.label(candidate | gaps, np.ones((3, 3), bool))
            labels *= candidate  # every joined stretch holds candidates: none is left without pixels
            length = _lengths(labels, along)
    area = np.bincount(labels.ravel(), minlength=n + 1)[1:]  # the candidates' pixels: all are labelled
    return labels, (length >= RULE_LENGTH * extent) & ((not thin) | (area / length <= RULE_THICK * max(ink.shape)))


def _lengths(labels, along):
    """(n,) how far each labelled stretch runs ``along`` (1: rows, 0: columns), in pixels."""
    return np.array([sl[along].stop - sl[along].start for sl in ndimage.find_objects(labels)], float)


def _thick_stretches(labels, along):
    """(h, w) bool: the pixels of labelled lines running ``along`` (1: rows, 0: columns) where a
    stroke was drawn along the line (an L's foot on a baseline, an I's stem down a rule, an O's
    side following one), which belong to the letter.

    A pixel is as thick as the run of the line's pixels straight across the line that it lies
    in, so a stroke lying on the line widens the line's run there, while a stroke ending beside
    it (within its drift, RULE_DRIFT) is a run of its own: the rule beside it stays thin and goes
    (kept, it hung off an I as an L's foot). Runs over RULE_STROKE x the line's usual thickness
    (the median over its length of its widest run) are a stroke, and so is every run wider than
    usual joined to one: a stroke lying on the line only in part widens it by a pixel or two
    along the way, and cut where it did, an O's side was left in pieces too short to meet the
    rest of the O. (Runs of all the ink across a line, not only of its own pixels, ran on into
    a desk's grain hanging off a line beside a sheet: pieces of the line were kept, joined the
    grain into blobs the size of characters outside the sheet, and the sheet was refused.)
    """
    on = labels > 0
    runs = _runs_across(on, along)
    key = _position_keys(labels, on, along)
    widest = np.zeros((labels.max() + 1) * labels.shape[along])
    np.maximum.at(widest, key, runs[on])
    widest = widest.reshape(labels.max() + 1, labels.shape[along])
    widest[widest == 0] = np.nan
    # label numbers of pieces that are no line hold no pixels: only the others have a thickness
    present = np.isfinite(widest[1:]).any(axis=1)
    usual = np.full(labels.max() + 1, np.inf)
    usual[1:][present] = np.nanmedian(widest[1:][present], axis=1)
    usual = usual[labels]
    return hysteresis(runs - usual, 0, (RULE_STROKE - 1) * usual + 1)


def _pale_lines(labels, dark, pen, thick):
    """(pale, own), each (h, w) bool: the pixels of labelled lines that are pale (see
    :func:`ruled_lines`: the line's median darkness x RULE_DARKER is at most ``pen``, the ink's),
    and of those the line's own, at most RULE_DARKER x as dark as it (``dark``: darkness); the
    rest of a pale line is pen drawn on it. A line's darkness is that of its thin parts, off
    ``thick`` (its :func:`_thick_stretches`): a rule running through a line of writing holds the
    letters' strokes within its drift, and their ink made a pale grid line dark."""
    on = labels > 0
    if not on.any():
        return on, on
    present = np.unique(labels[on])
    usual = np.zeros(labels.max() + 1)
    thin = labels * ~thick
    usual[present] = ndimage.median(dark, thin, present)
    thick_all_along = present[np.bincount(thin.ravel(), minlength=len(usual))[present] == 0]
    if thick_all_along.size:  # no thin part to judge by: all of the line
        usual[thick_all_along] = ndimage.median(dark, labels, thick_all_along)
    pale = RULE_DARKER * usual <= pen
    pale[0] = False
    pale = pale[labels]
    return pale, pale & (dark <= RULE_DARKER * usual[labels])


def _runs_across(ink, along):
    """(h, w) int: the length of the run of ``ink`` straight across ``along`` (1: rows, 0:
    columns) that each pixel lies in (0 off the ink)."""
    structure = np.zeros((3, 3), bool)
    structure[:, 1] = along == 1  # runs down the columns, across lines along the rows
    structure[1, :] = along == 0
    structure[1, 1] = True
    runs, _ = ndimage.label(ink, structure)
    return np.bincount(runs.ravel())[runs] * ink


def _position_keys(labels, on, along):
    """(k,) for each pixel ``on``: its line's label x the positions along ``along`` (1: rows, 0:
    columns) + its position along it, one key per (line, position)."""
    return labels[on].astype(np.int64) * labels.shape[along] + np.nonzero(on)[along]


def _pixels_across(labels, on, along):
    """How many pixels ``on`` of each labelled line lie across each position along it (``along``
    1: rows, 0: columns): ((labels.max() + 1) x positions,) flat, indexed by :func:`_position_keys`."""
    return np.bincount(_position_keys(labels, on, along), minlength=(labels.max() + 1) * labels.shape[along])


def remove_ruled_lines(ink, faint=None, dark=None, lines=None):
    """Ink with :func:`ruled_lines` taken out; where a stroke crossed a line, the piece of line
    between its two ends is kept, so the letter stays whole.

    faint: (h, w) bool, a lower threshold's ink, and dark: the darkness (see :func:`binarize`):
    blobs of ink lying on a line traced on ``faint``, as thin and hardly darker (see
    :func:`_dashes`), are taken out too. A faint rule under a camera's noise crosses the ink
    threshold only in dashes, each too short to be a line, all read as I's; on the faint mask
    the rule is whole. Only whole blobs go, so a letter drawn across such a rule stays.
    lines: :func:`ruled_lines` of ``ink`` when the caller has it already.
    """
    lines = ruled_lines(ink) if lines is None else lines
    kept = ink & ~lines
    if faint is not None:
        kept &= ~_dashes(kept, faint, dark)
    if not lines.any():
        return kept
    bridge = 2 * RULE_DRIFT + 1
    crossed = (ndimage.binary_closing(kept, np.ones((bridge, 1), bool))
               | ndimage.binary_closing(kept, np.ones((1, bridge), bool)))
    # only across the line: a crossing stroke reaches both sides of it
    return kept | (lines & crossed & ndimage.binary_dilation(kept, np.ones((3, 3), bool)))


def _dashes(ink, faint, dark):
    """(h, w) bool: the blobs of ``ink`` lying RULE_DASH or more on a line of ``faint``, about as
    thin across as the line (at most RULE_DASH_WIDTH x its usual thickness, plus a pixel) and at
    most RULE_DARKER x as dark (``dark``: darkness). A letter's stroke drawn down a faint rule
    (an I, a T's stem) is pen over the rule, darker than the rule's dashes; a letter touching
    the rule, as faint as it (pencil), joins the traced line but is wider than it."""
    dashes = np.zeros(ink.shape, bool)
    if not _may_hold_lines(faint):
        return dashes
    blobs, n = ndimage.label(ink, np.ones((3, 3), bool))
    size = np.bincount(blobs.ravel(), minlength=n + 1)
    darkness = np.bincount(blobs.ravel(), dark.ravel(), minlength=n + 1) / np.maximum(size, 1)
    boxes = [(0, 0)] + [(sl[0].stop - sl[0].start, sl[1].stop - sl[1].start) for sl in ndimage.find_objects(blobs)]
    for along in (1, 0):  # rows (horizontal lines), then columns (vertical ones)
        labels, line = _straight(faint, along, RULE_DRIFT)
        if not line.any():
            continue
        traced = np.concatenate([[False], line])[labels]
        across = np.array([box[1 - along] for box in boxes])  # a blob's extent across the lines
        on = np.bincount(blobs[traced], minlength=n + 1) >= RULE_DASH * size
        on &= across <= RULE_DASH_WIDTH * _usual_thickness(labels, traced, along) + 1
        on &= darkness <= RULE_DARKER * np.median(dark[traced])
        on[0] = False
        dashes |= on[blobs]
    return dashes


def _usual_thickness(labels, traced, along):
    """The lines' usual thickness across ``along`` (1: rows, 0: columns): the median over every
    line (``labels`` where ``traced``) and position along it of its pixels there, so letters
    touching a line, at a few positions, do not thicken it."""
    counts = _pixels_across(labels, traced, along)
    return float(np.median(counts[counts > 0]))


def closed_counters(ink, dark, min_area, reach=COUNTER_REACH):
    """(h, w) bool: ink that fills a counter (the bowl of a B, R, A or P) which blur closed.

    A blurred photo spreads every stroke, and a threshold low enough to keep faint strokes whole
    takes in the spread ink between strokes that run close, so a small counter fills and the
    letter's skeleton loses its loop (a B read as I). At each stroke's half-maximum, pixels
    darker than COUNTER_PEAK x the darkest within ``reach`` pixels (COUNTER_REACH at the page's
    own scale; as many more times as the page was enlarged), the strokes are apart
    again: the ink filling a hole they enclose, at least ``min_area`` pixels and COUNTER_FILLED
    of the hole, is returned.
    Strokes themselves keep their width (only enclosed ink goes, never a stroke's edge), and a
    noise dip inside a thick stroke is far smaller than a counter.
    dark: the darkness (see :func:`binarize`).
    """
    levels = np.round(255 * np.asarray(dark)).astype(np.uint8)  # a byte's filter is 3x a float's speed
    crisp = ink & (levels >= COUNTER_PEAK * ndimage.maximum_filter(levels, size=2 * reach + 1))
    # the holes of the crisp ink: gaps between its strokes that do not reach the frame's edge;
    # a counter that blur closed is one the ink fills (an open counter holds only a thin rim of it)
    gaps, n = ndimage.label(~crisp)
    filled = np.bincount(gaps[ink & ~crisp], minlength=n + 1)
    counter = (filled >= min_area) & (filled >= COUNTER_FILLED * np.bincount(gaps.ravel(), minlength=n + 1))
    counter[np.concatenate([gaps[0], gaps[-1], gaps[:, 0], gaps[:, -1]])] = False
    counter[0] = False
    return counter[gaps] & ink


class Light(NamedTuple):
    """A grey page's light, all :func:`binarize` needs of it: ``dark`` (h, w) how dark each pixel
    is against its paper (:func:`ink_darkness`, smoothed by INK_SMOOTH) and ``noise`` (h, w) the
    sensor's noise (:func:`noise_level`) over the paper's brightness, in the same units."""

    dark: np.ndarray
    noise: np.ndarray


def page_light(grey):
    """(h, w) grey page (0-1) -> its :class:`Light`."""
    paper = paper_brightness(grey)
    return Light(filters.gaussian(ink_darkness(grey, paper), sigma=INK_SMOOTH), noise_level(grey) / paper)


def binarize(grey, with_rules=False, light=None):
    """Grey page -> (ink, darkness): boolean ink mask (True = ink) at the same size, ruled lines
    taken out (:func:`remove_ruled_lines`), and how dark each pixel is (:func:`ink_darkness`);
    with ``with_rules``, (ink, darkness, rules): rules the (h, w) bool :func:`ruled_lines` taken out.
    light: the page's :func:`page_light` when measured already.

    Ink is darker than Otsu's threshold on the darkness (at least MIN_CONTRAST), and than
    NOISE_SEED x the noise (:func:`noise_level`) over the local paper's brightness, growing by
    hysteresis into pixels past HYSTERESIS_LOW x the one and NOISE_GROW x the other."""
    dark, noise = page_light(grey) if light is None else light
    threshold = max(filters.threshold_otsu(dark), MIN_CONTRAST) if dark.max() > MIN_CONTRAST else np.inf
    if not np.isfinite(threshold):
        nothing = np.zeros(grey.shape, bool)
        return (nothing, dark, nothing) if with_rules else (nothing, dark)
    low = np.maximum(HYSTERESIS_LOW * threshold, NOISE_GROW * noise)
    seed = NOISE_SEED * noise  # clearly darker than the paper: seeds strokes, joins a rule's pieces
    ink = close_cross(hysteresis(dark, low, np.maximum(threshold, seed)))
    # a one-pixel closing (above) joins strokes broken by a skipping pen or JPEG blocks
    rules = ruled_lines(ink, dark > seed, dark)
    ink = remove_ruled_lines(ink, dark > RULE_FAINT * low, dark, rules)
    return (ink, dark, rules) if with_rules else (ink, dark)


def hysteresis(image, low, high):
    """:func:`skimage.filters.apply_hysteresis_threshold`: pixels over ``low`` connected to one
    over ``high`` (low, high: scalars or arrays like ``image``). The same connected components,
    told apart by counting only the high pixels in each (a third of the time of skimage's sum
    over every labelled pixel on a 1.6 MP page)."""
    low = np.minimum(low, high)
    labels, n = ndimage.label(image > low)
    seeded = np.bincount(labels[image > high], minlength=n + 1) > 0
    seeded[0] = False
    return seeded[labels]


def close_cross(ink):
    """``skimage.morphology.closing(ink, disk(1))`` of a bool mask: dilated, then eroded, by the
    3 x 3 cross, as ORs and then ANDs of the mask shifted a pixel each way (the frame's edge
    mirrored): a twentieth of the time of the general grey closing."""

    def cross(mask, combine):
        framed = np.pad(mask, 1, mode="symmetric")
        return combine.reduce([framed[1:-1, 1:-1], framed[:-2, 1:-1], framed[2:, 1:-1], framed[1:-1, :-2],
                               framed[1:-1, 2:]])

    return cross(cross(np.asarray(ink, bool), np.logical_or), np.logical_and)
