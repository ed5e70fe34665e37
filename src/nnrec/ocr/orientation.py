"""Quarter and half turns: a page photographed sideways or upside down, told by the reader.

The skew step (:mod:`.skew`) levels text within +-30 degrees, but a page turned by 90, 180 or
270 degrees has straight lines too, so only what its characters look like can say which way is
up. A sample of the characters found is turned by each quarter turn and classified; the page is
read turned when its characters, so turned, are clearly more probable under the classifier (the
mean log-probability of each one's best class) than as they stand. The characters are turned
as the reader's 32x32 cells, not redrawn, so this costs three classifications of at most SAMPLE
characters, and none when the page as it stands is read so surely that no turn could beat it.
"""

import numpy as np

from nnrec import charset
from nnrec.glyph_geometry import fit_to_box

# Characters, evenly spread over the reading order, that the turns are judged on.
SAMPLE = 40
# Fewer characters than this say too little (a lone O, X or 8 reads alike every way up).
MIN_CHARACTERS = 6
# A turn must beat the page as it stands by this much mean log-probability per character. Chosen
# on the 14 pages_dev pages of 6 or more characters, each turned by 0, 90, 180 and 270 degrees,
# read by the reader MLP: upright pages beat every turn by 0.07 or more; at 0.1 the right turn was
# taken on 39 of 42 turned pages (at 0.2 on 30, at 0.5 on 11) and a wrong one on 3, all of them
# turned pages. The CNN: upright pages ahead by 0.05 or more; at 0.1 right on 32 of 42, wrong on
# 2. The Q3 MLP is too unsure for any margin (upright pages lost to a turn by up to 0.17).
MARGIN = 0.1


def sample_indices(n, size=SAMPLE):
    """Up to ``size`` indices into range(n), evenly spread (all of them when n <= size)."""
    if n <= size:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, size).round().astype(int))


def turned_rows(rows, turn):
    """(n, 1024) dataset rows of characters -> the same characters turned ``turn`` quarter turns
    counter-clockwise (np.rot90's k), laid out again like the training data.

    A cell's ink is centred on its bounding box, so turning the cell and refitting it
    (:func:`nnrec.glyph_geometry.fit_to_box`) gives what redrawing the turned crop would give, to
    a pixel, at no cost beside the redraw.
    """
    inks = charset.rows_to_inks(rows)
    return charset.inks_to_rows(np.stack([fit_to_box(np.rot90(ink, turn)) for ink in inks]))


def confidence(probs):
    """(n, 36) class probabilities -> the mean log-probability of each row's best class (<= 0)."""
    return float(np.log(np.clip(np.asarray(probs, float).max(axis=1), 1e-12, None)).mean())


def turn_confidences(rows, classify, upright_probs=None):
    """(4,) :func:`confidence` of the characters ``rows`` ((n, 1024) dataset rows, as the reader
    reads them) turned k quarter turns counter-clockwise, k = 0-3.

    upright_probs: (n, 36) probabilities the reader already gave ``rows`` (k = 0), so they are
    not classified again; None classifies them here.
    """
    upright = classify(rows) if upright_probs is None else upright_probs
    return np.array([confidence(upright)] + [confidence(classify(turned_rows(rows, k))) for k in (1, 2, 3)])


def page_turn(rows, classify, margin=MARGIN, upright_probs=None):
    """Quarter turns counter-clockwise (0-3, np.rot90's k) that put the page's characters
    (``rows``, (n, 1024) dataset rows) upright: the best of :func:`turn_confidences` when it
    beats the page as it stands by ``margin``, else 0. Fewer than MIN_CHARACTERS rows: 0.
    upright_probs: see :func:`turn_confidences`."""
    if len(rows) < MIN_CHARACTERS:
        return 0
    upright = classify(rows) if upright_probs is None else upright_probs
    # no confidence exceeds 0 (every character certain), so a page read as it stands at
    # -margin or better cannot be beaten by margin: its turns need not be classified
    if confidence(upright) >= -margin:
        return 0
    scores = turn_confidences(rows, classify, upright)
    best = int(scores.argmax())
    return best if scores[best] - scores[0] > margin else 0


def turn_back(points, turn, shape):
    """(n, 2) (x, y) points on ``np.rot90(image, turn)`` -> the same points on ``image`` of
    ``shape`` (h, w, ...); pixel-edge coordinates, so a box's corners stay its corners."""
    points = np.asarray(points, float).reshape(-1, 2)
    height, width = shape[:2]
    x, y = points[:, 0], points[:, 1]
    turn %= 4
    if turn == 1:
        x, y = width - y, x
    elif turn == 2:
        x, y = width - x, height - y
    elif turn == 3:
        x, y = y, height - x
    return np.stack([x, y], axis=-1)
