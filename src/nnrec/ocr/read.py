"""Reading a page: find, group, crop and classify its characters, and lay out the text.

The classifier is any callable ``classify(rows) -> probabilities`` mapping (n, 1024) NIST36
rows to (n, 36) class probabilities; :func:`nnrec.classifiers.load_classifier` makes one from
a saved model. Word context (:func:`word_context_labels`) reads each word as all letters or
all digits. Nothing here knows the pages it is scored on: no per-page setting, no lexicon.
"""

from dataclasses import dataclass, field

import numpy as np

from nnrec import DataError, charset
from nnrec.ocr.glyphs import DEFAULT_STROKE, normalise_glyphs
from nnrec.ocr.image import open_page
from nnrec.ocr.orientation import page_turn, sample_indices, turn_back
from nnrec.ocr.segment import character_masks, find_characters, group_lines, word_spans
from nnrec.ocr.touching import split_touching


@dataclass
class PageText:
    """What :func:`extract_text` found on a page.

    boxes: (n, 4) [y1, x1, y2, x2] in reading order, in the pixels of the upright page at the
    input's scale (the input image's own pixels when no sheet was cut out and nothing turned);
    corners: (n, 4, 2) (x, y) of the same boxes' corners on the input image itself.
    labels: (n,) class indices; probs: (n, 36); lines: list of index lists into boxes;
    spaces: per line, the positions (index into the line) that start a new word;
    text: the page's text, lines joined by newlines; text_without_context: the same with every
    character's own most probable class (no word context); binary: the ink image (1 = paper,
    0 = ink) at the working resolution; scale: working pixels per input pixel; page: the upright
    grey page (0-1) at the working resolution, the one ``binary`` and ``boxes`` refer to;
    sheet: (k, 2) (x, y) outline of the sheet found on a desk, in the input image's pixels
    (clockwise from the top-left, four corners for a quadrilateral), None when the photo is all
    page; skew: degrees the text rose to the right by and was turned level; turn: quarter turns
    counter-clockwise (np.rot90's k) the input was given before it was read, because it lay
    sideways or upside down (:mod:`nnrec.ocr.orientation`); boxes, page and binary are then
    those of the turned input, corners and sheet still the input's own.
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
    corners: np.ndarray = field(default=None, repr=False)
    page: np.ndarray = field(default=None, repr=False)
    sheet: np.ndarray = None
    skew: float = 0.0
    turn: int = 0

    def as_record(self, top=3):
        """The page as plain JSON-ready data (the schema of ``nnrec ocr --json``, one page).

        {"text", "text_without_context": str; "sheet": [[x, y] x 4] or null; "turn": degrees
        counter-clockwise the input was turned by to read it (0, 90, 180 or 270);
        "lines": [{"text": str, "characters": [index into "characters", ...]}];
        "characters": [{"char": str (with word context), "own": str (its own best class),
        "line": int, "word_start": bool, "box": {"left", "top", "right", "bottom"} (the upright page's
        pixels, i.e. the input's when no sheet was cut out and no turn made; right and bottom
        exclusive), "corners": [[x, y] x 4] (the box on the input image), "top": [{"char": str, "p": float}, ...] (the ``top`` most
        probable classes, most probable first)}]}, characters in reading order.
        """
        line_of, starts = {}, set()
        for k, (line, spaces) in enumerate(zip(self.lines, self.spaces)):
            for j, i in enumerate(line):
                line_of[i] = k
                if j == 0 or j in spaces:
                    starts.add(i)
        best = np.argsort(-self.probs, axis=1, kind="stable")[:, :top]
        characters = []
        for i, (box, label) in enumerate(zip(self.boxes.tolist(), self.labels)):
            characters.append({
                "char": charset.CLASSES[label],
                "own": charset.CLASSES[int(best[i, 0])],
                "line": line_of[i],
                "word_start": i in starts,
                "box": dict(zip(("top", "left", "bottom", "right"), box)),
                "corners": None if self.corners is None else np.asarray(self.corners[i], float).round(1).tolist(),
                "top": [{"char": charset.CLASSES[k], "p": round(float(self.probs[i, k]), 4)} for k in best[i]],
            })
        texts = self.text.split("\n") if self.lines else []
        return {
            "text": self.text,
            "text_without_context": self.text_without_context,
            "sheet": None if self.sheet is None else np.asarray(self.sheet, float).round(1).tolist(),
            "turn": 90 * self.turn,
            "lines": [{"text": text, "characters": list(line)} for text, line in zip(texts, self.lines)],
            "characters": characters,
        }


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


def layout_text(chars, spaces):
    """Per-line character strings and word starts -> the page's text (lines joined by newlines)."""
    lines = []
    for line, starts in zip(chars, spaces):
        lines.append("".join((" " if j in starts else "") + c for j, c in enumerate(line)))
    return "\n".join(lines)



def crop_rows(found, order=None, stroke=DEFAULT_STROKE):
    """Characters of a :class:`nnrec.ocr.segment.PageCharacters` -> (n, 1024) dataset rows
    (white ~1, ink ~0), what a classifier reads.

    order: indices into ``found.boxes`` (default: all, as stored). Each character's own ink
    (:func:`nnrec.ocr.segment.character_masks`) is redrawn at ``stroke`` and laid out like the
    training characters (:func:`nnrec.ocr.glyphs.normalise_glyph`).
    """
    return charset.inks_to_rows(normalise_glyphs(character_masks(found, order), stroke))


def extract_text(image, classify, stroke=DEFAULT_STROKE, word_context=True, orientation=False, judge=None):
    """Read a page: find, group, crop and classify its characters (a blob of two touching
    letters split in two where the reader is surer of the halves, :mod:`nnrec.ocr.touching`).

    image: page array (grey, RGB or RGBA) or :func:`nnrec.ocr.image.open_page`'s page.
    classify: callable mapping (n, 1024) dataset rows to (n, 36) class probabilities (e.g. from
    :func:`nnrec.classifiers.load_classifier`). stroke: pen width in 32x32 pixels that crops are
    redrawn with (match the classifier's training data). word_context: read each word as all
    letters or all digits (:func:`word_context_labels`); False takes every character's most
    probable class on its own.
    orientation: when the characters read clearly better turned by a quarter or half turn
    (:func:`nnrec.ocr.orientation.page_turn`), read the page so turned (see PageText.turn).
    judge: the classifier (same contract as ``classify``) whose confidence decides that turn;
    None: ``classify`` itself. A reader can read upright characters well and still be sure of
    turned ones (a CNN is): a better-calibrated classifier then judges for it.
    Returns a :class:`PageText`; a page without ink gives empty text.
    """
    found = find_characters(image)
    lines, spaces = group_lines(found.boxes)
    order = [i for line in lines for i in line]
    rows = crop_rows(found, order, stroke)
    probs = np.asarray(classify(rows)) if len(rows) else np.zeros((0, charset.N_CLASSES))
    if probs.shape != (len(rows), charset.N_CLASSES):
        raise DataError(f"classifier returned shape {probs.shape}; expected ({len(rows)}, {charset.N_CLASSES})")
    if orientation:
        sample = sample_indices(len(order))
        if judge is None:
            turn = page_turn(rows[sample], classify, upright_probs=probs[sample])
        else:
            turn = page_turn(rows[sample], judge)
        if turn:
            return _read_turned(image, turn, classify, stroke, word_context)
    # touching characters are split once the page is known to be upright: lying sideways, every
    # letter is a wide blob
    split = split_touching(found, classify, stroke)
    if split is not found:
        found, probs = split, _probs_after_split(found, split, order, probs, classify, stroke)
        lines, spaces = group_lines(found.boxes)
        order = [i for line in lines for i in line]
        probs = probs[order]
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
        boxes=found.page_boxes(order),
        labels=labels,
        probs=probs,
        lines=[[position[i] for i in line] for line in lines],
        spaces=spaces,
        text=text_of(labels),
        text_without_context=text_of(own_labels),
        binary=found.binary,
        scale=found.scale,
        corners=found.image_corners(order),
        page=found.grey,
        sheet=found.sheet,
        skew=found.skew,
    )


def _probs_after_split(found, split, order, probs, classify, stroke):
    """(len(split.boxes), 36) probabilities of ``split``'s boxes, by box index: those of
    ``found``'s boxes that the split left alone taken from ``probs`` (rows in ``order``), the
    halves' read afresh (:func:`nnrec.ocr.touching.split_touching` changes or appends only those)."""
    by_box = np.empty((len(split.boxes), probs.shape[1]))
    by_box[order] = probs
    changed = [i for i in range(len(split.boxes))
               if i >= len(found.boxes) or not np.array_equal(split.boxes[i], found.boxes[i])]
    by_box[changed] = np.asarray(classify(crop_rows(split, changed, stroke)))
    return by_box


def _read_turned(image, turn, classify, stroke, word_context):
    """:func:`extract_text` of ``image`` given ``turn`` quarter turns counter-clockwise, its
    corners and sheet outline mapped back onto ``image``."""
    image = np.asarray(image)
    page = extract_text(np.rot90(image, turn), classify, stroke, word_context, orientation=False)
    page.corners = turn_back(page.corners, turn, image.shape).reshape(-1, 4, 2)
    if page.sheet is not None:
        page.sheet = turn_back(page.sheet, turn, image.shape)
    page.turn = turn
    return page


def read_page(page_path, classify, word_context=True):
    """Text of the page image at ``page_path`` read with ``classify`` (see :func:`extract_text`;
    :func:`nnrec.classifiers.load_classifier` loads a saved one).

    word_context: see :func:`extract_text`. Lines end with a newline; a blank page gives "".
    Errors name the file (DataError).
    """
    text = extract_text(open_page(page_path), classify, word_context=word_context).text
    return text + "\n" if text else ""
