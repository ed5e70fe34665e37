"""Touching characters: a blob wider than one block capital is split where the reader reads two
characters in it better than one.

Blur, a thick pen or tight writing can join two letters into one blob (HI, OP), which is then
read as one wrong letter, and the letter beside it is lost. A blob at least SPLIT_WIDTH typical
character heights wide is cut at the column of least ink in the middle of it (SPLIT_MIDDLE of
its width), and the two halves take its place when the reader is surer of them (the geometric
mean of their top probabilities) than of the whole, and reads each as one class rather than all
the others together (SPLIT_SURE). Nothing here knows lines or words.
"""

import dataclasses

import numpy as np

from nnrec import charset
from nnrec.ocr.glyphs import normalise_glyphs
from nnrec.ocr.segment import character_masks

# Block capitals are at most about 1.3 heights wide (an M, a W). On pages_dev read flat, 1.35
# split nothing and 1.2 split M, W and N into pieces (0.975 / 0.970 -> 0.962 / 0.956 with the
# CNN / reader MLP); on the composites 1.35 split only joined pairs.
SPLIT_WIDTH = 1.35
SPLIT_MIDDLE = (0.3, 0.7)
# Without a floor, a reader that reads nothing well (an untrained one) splits blobs by chance:
# its halves' probabilities beat the whole's as often as not.
SPLIT_SURE = 0.5


def cut_column(mask):
    """The column of ``mask`` (h, w) bool, within the middle SPLIT_MIDDLE of its width, that holds
    the least ink (of equals, the one nearest the middle)."""
    ink = mask.sum(axis=0)
    width = mask.shape[1]
    lo, hi = int(SPLIT_MIDDLE[0] * width), int(np.ceil(SPLIT_MIDDLE[1] * width))
    least = lo + np.flatnonzero(ink[lo:hi] == ink[lo:hi].min())
    return int(least[np.argmin(np.abs(least - width / 2))])


def _ink_box(mask, top, left):
    """[y1, x1, y2, x2] float box of the ink of ``mask`` whose pixel (0, 0) lies at (top, left)."""
    rows, cols = np.nonzero(mask)
    return np.array([top + rows.min(), left + cols.min(), top + rows.max() + 1, left + cols.max() + 1], float)


def split_touching(found, classify, stroke):
    """:class:`nnrec.ocr.segment.PageCharacters` with each blob at least SPLIT_WIDTH heights wide
    replaced by its two halves (cut at :func:`cut_column`) when ``classify`` is surer of them
    than of the whole and gives each at least SPLIT_SURE.

    classify: (n, 1024) dataset rows -> (n, 36) class probabilities; stroke: the pen width crops
    are redrawn with (see :func:`nnrec.ocr.read.crop_rows`). A half keeps the blob's components
    and its own part of the box, so its mask is the blob's ink on its side of the cut. The
    left half takes the blob's place and the right half is added at the end. Returns ``found``
    itself when nothing is split.
    """
    widths = found.boxes[:, 3] - found.boxes[:, 1]
    wide = np.flatnonzero(widths >= SPLIT_WIDTH * found.height)
    halves = []  # (blob, mask, cut) for blobs with ink on both sides of their cut
    for i, mask in zip(wide, character_masks(found, wide)):
        cut = cut_column(mask)
        if mask[:, :cut].any() and mask[:, cut:].any():
            halves.append((i, mask, cut))
    if not halves:
        return found
    parts = [part for _, mask, cut in halves for part in (mask, mask[:, :cut], mask[:, cut:])]
    top = np.asarray(classify(charset.inks_to_rows(normalise_glyphs(parts, stroke)))).max(axis=1)
    top = top.reshape(len(halves), 3)
    boxes, groups = list(found.boxes), list(found.groups)
    for (i, mask, cut), (whole, left, right) in zip(halves, top):
        if min(left, right) < SPLIT_SURE or np.sqrt(left * right) <= whole:
            continue
        y1, x1 = np.round(found.boxes[i][:2]).astype(int)
        boxes[i] = _ink_box(mask[:, :cut], y1, x1)
        boxes.append(_ink_box(mask[:, cut:], y1, x1 + cut))
        groups.append(groups[i])
    if len(boxes) == len(found.boxes):
        return found
    return dataclasses.replace(found, boxes=np.array(boxes, float), groups=groups)
