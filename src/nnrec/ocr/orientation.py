"""Quarter and half turns: a page photographed sideways or upside down, told by the reader.

The skew step (:mod:`.skew`) levels text within +-30 degrees, but a page turned by 90, 180 or
270 degrees has straight lines too, so only what its characters look like can say which way is
up. A sample of the characters found is turned by each quarter turn and classified; the page is
read turned when its characters, so turned, are clearly more probable under the classifier (the
mean log-probability of each one's best class) than as they stand. This costs three
classifications of at most SAMPLE characters, and nothing when the page reads best upright but
the look.
"""

import numpy as np

from nnrec import charset
from nnrec.ocr.glyphs import normalise_glyphs

# Characters, evenly spread over the reading order, that the turns are judged on.
SAMPLE = 40
# Fewer characters than this say too little (a lone O, X or 8 reads alike every way up).
MIN_CHARACTERS = 6
# A turn must beat the page as it stands by this much mean log-probability per character. Not yet
# chosen on data: with the Q3 MLP, turned pages_dev pages gained only 0.1-0.4 and the right turn
# won on about 60% of them, so extract_text leaves orientation off by default until it is chosen
# on pages_dev turned by each quarter turn with the reader MLP and the CNN.
MARGIN = 0.5


def sample_indices(n, size=SAMPLE):
    """Up to ``size`` indices into range(n), evenly spread (all of them when n <= size)."""
    if n <= size:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, size).round().astype(int))


def turn_confidences(masks, classify, stroke, upright_probs=None):
    """(4,) mean log-probability of the best class of the characters ``masks`` (list of (h, w)
    bool ink masks) turned k quarter turns counter-clockwise, k = 0, 1, 2, 3 (np.rot90).

    upright_probs: (len(masks), 36) probabilities the reader already gave the masks as they stand
    (k = 0), so they are not classified again; None classifies them here.
    """
    scores = []
    for k in range(4):
        if k == 0 and upright_probs is not None:
            probs = np.asarray(upright_probs, float)
        else:
            rows = charset.inks_to_rows(normalise_glyphs([np.rot90(mask, k) for mask in masks], stroke))
            probs = np.asarray(classify(rows), float)
        scores.append(float(np.log(np.clip(probs.max(axis=1), 1e-12, None)).mean()))
    return np.array(scores)


def page_turn(masks, classify, stroke, margin=MARGIN, upright_probs=None):
    """Quarter turns counter-clockwise (0-3, np.rot90's k) that put the page's characters
    upright: the best of :func:`turn_confidences` when it beats the page as it stands by
    ``margin``, else 0. Fewer than MIN_CHARACTERS masks: 0. upright_probs: see
    :func:`turn_confidences`."""
    if len(masks) < MIN_CHARACTERS:
        return 0
    scores = turn_confidences(masks, classify, stroke, upright_probs)
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
