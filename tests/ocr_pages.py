"""Pages and glyphs drawn for the OCR tests, with known character boxes (not a test module)."""

import numpy as np
from skimage import draw, morphology

from nnrec import charset

GLYPHS = {
    "H": [((0, 0), (0, 1)), ((1, 0), (1, 1)), ((0, 0.5), (1, 0.5))],
    "L": [((0, 0), (0, 1)), ((0, 1), (1, 1))],
    "V": [((0, 0), (0.5, 1)), ((0.5, 1), (1, 0))],
    "N": [((0, 1), (0, 0)), ((0, 0), (1, 1)), ((1, 1), (1, 0))],
    # two strokes that do not touch: the bar floats above the stem
    "T": [((0, 0), (1, 0)), ((0.5, 0.2), (0.5, 1))],
    # three: a stem and two arms drawn apart from it
    "F": [((0, 0), (0, 1)), ((0.2, 0), (1, 0)), ((0.2, 0.45), (0.85, 0.45))],
}


def draw_page(lines, height=40, scale=1.0, slope=0.0, pen=None, shape=None, dot_after=(), specks=0, seed=0,
              indents=()):
    """Draw lines of text (strings of GLYPHS keys and spaces) on a white page.

    Returns (ink mask (h, w) bool, list of true boxes [y1, x1, y2, x2] in reading order).
    Characters are `height` tall and 0.6 `height` wide, pitch 0.95 `height`, words one extra
    pitch apart, lines 2.2 `height` apart; y shifts by slope * x (a slanted line). `dot_after`
    lists (line, char) positions followed by a full stop. `indents` moves each line right by so
    many character heights, so its characters stand in no column with the other lines' (as
    handwriting's do not).
    """
    height = int(round(height * scale))
    pen = pen or max(2, height // 12)
    width_px = int(0.6 * height)
    indents = list(indents) + [0.0] * (len(lines) - len(indents))
    shape = shape or (int(2.2 * height * (len(lines) + 1)),
                      int(0.95 * height * (max(map(len, lines)) + 2) + max(indents) * height))
    ink = np.zeros(shape, bool)
    boxes = []
    for row, text in enumerate(lines):
        top0 = int(height * (0.8 + 2.2 * row))
        for col, char in enumerate(text):
            if char == " ":
                continue
            left = int(height * (0.6 + 0.95 * col + indents[row]))
            top = top0 + int(slope * left)
            for (xa, ya), (xb, yb) in GLYPHS[char]:
                rr, cc = draw.line(int(top + ya * height), int(left + xa * width_px),
                                   int(top + yb * height), int(left + xb * width_px))
                ink[rr, cc] = True
            boxes.append([top, left, top + height + 1, left + width_px + 1])
            if (row, col) in dot_after:
                rr, cc = draw.disk((top + height - pen, left + width_px + 0.3 * height), pen * 1.2,
                                   shape=shape)
                ink[rr, cc] = True
    ink = morphology.dilation(ink, morphology.disk(pen // 2))
    rng = np.random.default_rng(seed)
    for _ in range(specks):
        y, x = rng.integers(0, shape[0]), rng.integers(0, shape[1])
        ink[y : y + 2, x : x + 2] = True
    return ink, np.array(boxes)


def photograph(ink, ink_rgb=(0.1, 0.1, 0.1), gradient=0.0, noise=0.02, seed=0):
    """Ink mask -> RGB float page: paper lit unevenly (brightness falls by `gradient` across the
    page), ink of colour `ink_rgb`, sensor noise."""
    h, w = ink.shape
    rng = np.random.default_rng(seed)
    light = 0.92 - gradient * np.linspace(0, 1, w)[None, :] * np.linspace(0.3, 1, h)[:, None]
    page = np.repeat(light[..., None], 3, axis=2)
    page[ink] = np.asarray(ink_rgb) * light[ink][:, None]
    return np.clip(page + rng.normal(0, noise, page.shape), 0, 1)


def matched(found, true, min_iou=0.6):
    """Number of true boxes with a found box overlapping it by IoU >= min_iou."""

    def iou(a, b):
        h = max(0, min(a[2], b[2]) - max(a[0], b[0]))
        w = max(0, min(a[3], b[3]) - max(a[1], b[1]))
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - h * w
        return h * w / union

    return sum(any(iou(t, f) >= min_iou for f in found) for t in true)


def probabilities(*rows):
    """(n, 36) class probabilities from rows of {character: probability} (the rest spread evenly)."""
    probs = np.zeros((len(rows), charset.N_CLASSES))
    for probs_row, row in zip(probs, rows):
        rest = (1 - sum(row.values())) / (charset.N_CLASSES - len(row))
        probs_row[:] = rest
        for char, p in row.items():
            probs_row[charset.CLASSES.index(char)] = p
    return probs


def stroke_ink(slant, width=3):
    """A (32, 32) ink map of a stroke 26 px tall leaning ``slant`` px sideways per px down."""
    ink = np.zeros((32, 32))
    for y in range(3, 29):
        x = int(round(16 + slant * (y - 16)))
        ink[y, x - width // 2 : x + width // 2 + 1] = 1.0
    return ink



def on_desk(page, angle=0.0, perspective=0.0, desk="wood", margin=0.3, seed=0):
    """An RGB page (h, w, 3) lying on a desk, turned ``angle`` degrees counter-clockwise on
    screen, its corners pushed about by ``perspective`` of its size. desk: "wood" (brown grain)
    or "dark". Returns (photo (H, W, 3) floats, (4, 2) (x, y) of the page's corners in it
    (top-left, top-right, bottom-right, bottom-left), transform mapping page (x, y) to photo)."""
    from skimage import filters, transform

    rng = np.random.default_rng(seed)
    h, w = page.shape[:2]
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], float)
    t = np.deg2rad(-angle)  # counter-clockwise on screen, y pointing down
    turn = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    placed = (corners - [w / 2, h / 2]) @ turn.T + rng.uniform(-perspective, perspective, (4, 2)) * max(h, w)
    placed += margin * max(h, w) - placed.min(axis=0)
    size = (placed.max(axis=0) + margin * max(h, w)).astype(int)
    page_to_photo = transform.ProjectiveTransform.from_estimate(corners, placed)
    photo = transform.warp(page, page_to_photo.inverse, output_shape=(size[1], size[0]), order=1, cval=-1)
    yy, xx = np.mgrid[0 : size[1], 0 : size[0]]
    if desk == "wood":
        grain = filters.gaussian(rng.normal(0, 1, (size[1], size[0])), sigma=(1, 12))
        stripes = np.sin(yy / 5.0 + 40 * grain)
        background = np.array([0.55, 0.36, 0.2]) * (0.85 + 0.15 * stripes)[..., None]
    else:
        background = np.full((size[1], size[0], 3), 0.12) + rng.normal(0, 0.02, (size[1], size[0], 1))
    off = photo[..., 0] < 0
    photo[off] = background[off]
    return np.clip(photo, 0, 1), placed, page_to_photo
