"""nnrec.ocr.touching: two letters joined into one blob are read as two."""

import numpy as np

from nnrec import charset, ocr
from nnrec.ocr import touching
from ocr_pages import draw_page, matched, photograph, probabilities


def _join(ink, boxes, a, b):
    """Join character a's right side to character b's left side with a bar at mid-height."""
    middle = (boxes[a][0] + boxes[a][2]) // 2
    ink[middle - 1 : middle + 2, boxes[a][3] - 3 : boxes[b][1] + 3] = True


def _unsure_of_wide_cells(rows, narrow=0.9, wide=0.4):
    """A reader whose top probability is ``narrow`` for a cell whose ink is at most as wide as
    tall, ``wide`` for a wider one (two letters in one cell)."""
    inks = charset.rows_to_inks(rows) > 0.5
    is_wide = [np.ptp(np.nonzero(ink)[1]) > np.ptp(np.nonzero(ink)[0]) for ink in inks]
    return probabilities(*[{"A": wide} if w else {"A": narrow} for w in is_wide])


def test_cut_column_is_the_thinnest_column_in_the_middle():
    mask = np.zeros((20, 40), bool)
    mask[:, 4:15] = mask[:, 25:36] = True  # two blocks ...
    mask[9:11, 15:25] = True  # ... joined by a thin bar
    assert 15 <= touching.cut_column(mask) < 25
    # of equally thin columns, the one nearest the middle
    assert touching.cut_column(np.ones((5, 40), bool)) == 20


def test_two_touching_letters_are_read_as_two_when_the_reader_is_surer_of_the_halves():
    ink, true = draw_page(["HL TV"])
    _join(ink, true, 0, 1)
    result = ocr.extract_text(photograph(ink), _unsure_of_wide_cells)
    assert result.text == "AA AA"
    assert matched(result.boxes, true) == 4


def test_a_wide_blob_the_reader_is_as_sure_of_is_not_split():
    ink, true = draw_page(["HL TV"])
    _join(ink, true, 0, 1)

    def sure_of_everything(rows):
        return charset.one_hot(np.zeros(len(rows), int))

    result = ocr.extract_text(photograph(ink), sure_of_everything)
    assert result.text == "A AA"
    assert matched(result.boxes, true[2:]) == 2


def test_a_reader_sure_of_nothing_splits_nothing():
    # surer of the halves than of the whole, but of neither more than of all other classes
    ink, true = draw_page(["HL TV"])
    _join(ink, true, 0, 1)
    result = ocr.extract_text(photograph(ink), lambda rows: _unsure_of_wide_cells(rows, 0.3, 0.1))
    assert result.text == "A AA"


def test_after_a_split_only_the_halves_are_read_again():
    ink, true = draw_page(["HL TV"])
    _join(ink, true, 0, 1)
    rows_read = []

    def counting(rows):
        rows_read.append(len(rows))
        return _unsure_of_wide_cells(rows)

    result = ocr.extract_text(photograph(ink), counting)
    # the page's 3 blobs; the joined pair whole and as two halves; then the two halves' own boxes
    assert rows_read == [3, 3, 2]
    assert np.allclose(result.probs[:, charset.CLASSES.index("A")], 0.9)
