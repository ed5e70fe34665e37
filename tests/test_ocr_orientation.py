"""Quarter and half turns: a page lying sideways or upside down is read upright."""

import numpy as np
import pytest
from skimage import transform

from nnrec import charset
from nnrec.ocr import orientation
from nnrec.ocr.glyphs import normalise_glyphs
from nnrec.ocr.read import crop_rows, extract_text
from nnrec.ocr.segment import character_masks, find_characters
from ocr_pages import GLYPHS, draw_page, photograph


@pytest.fixture(scope="module")
def template_classifier():
    """A classifier that knows the test glyphs as drawn upright: each row's class probabilities
    fall off with its distance from each glyph's own crop, so turned glyphs it is less sure of."""
    names = sorted(GLYPHS)
    found = find_characters(photograph(draw_page([" ".join(names)])[0]))
    templates = crop_rows(found, np.argsort(found.boxes[:, 1]))
    assert len(templates) == len(names)
    columns = [charset.CLASSES.index(name) for name in names]

    def classify(rows):
        distance = ((np.asarray(rows)[:, None, :] - templates[None]) ** 2).mean(axis=2)
        logits = np.full((len(rows), charset.N_CLASSES), -40.0)
        logits[:, columns] = -distance / 0.002
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        return probs / probs.sum(axis=1, keepdims=True)

    return classify


PAGE = ["HLTF VLN", "FLT HNV"]


@pytest.mark.parametrize("given", [1, 2, 3])
def test_a_page_turned_by_quarter_turns_is_read_upright(template_classifier, given):
    upright = photograph(draw_page(PAGE)[0])
    expected = extract_text(upright, template_classifier, orientation=False).text
    assert expected.replace(" ", "").replace("\n", "") == "".join(PAGE).replace(" ", "")

    turned = np.rot90(upright, given)
    as_it_stands = extract_text(turned, template_classifier, orientation=False)
    page = extract_text(turned, template_classifier, orientation=True)
    assert as_it_stands.text != expected
    assert page.text == expected and page.turn == (4 - given) % 4
    assert page.as_record()["turn"] == 90 * page.turn
    # the boxes' corners are on the image given, around the characters' ink there
    ink = turned.mean(axis=2) < 0.5
    for corners in page.corners:
        (x1, y1), (x2, y2) = corners.min(axis=0).astype(int), np.ceil(corners.max(axis=0)).astype(int)
        assert ink[max(y1, 0) : y2, max(x1, 0) : x2].any()
        assert 0 <= x1 < x2 <= turned.shape[1] and 0 <= y1 < y2 <= turned.shape[0]


def test_an_upright_page_is_not_turned(template_classifier):
    page = extract_text(photograph(draw_page(PAGE)[0]), template_classifier, orientation=True)
    assert page.turn == 0 and page.as_record()["turn"] == 0


def test_too_few_characters_decide_nothing(template_classifier):
    turned = np.rot90(photograph(draw_page(["LF"])[0]), 2)
    assert extract_text(turned, template_classifier, orientation=True).turn == 0


@pytest.mark.parametrize("turn", [0, 1, 2, 3])
def test_turn_back_maps_points_of_the_turned_image_onto_the_image(turn):
    image = np.zeros((7, 11), bool)
    image[2, 8] = True
    turned = np.rot90(image, turn)
    row, col = np.argwhere(turned)[0]
    back = orientation.turn_back([[col + 0.5, row + 0.5]], turn, image.shape)
    np.testing.assert_allclose(back, [[8.5, 2.5]])


def test_sample_spreads_over_the_characters():
    assert orientation.sample_indices(5, 40).tolist() == [0, 1, 2, 3, 4]
    picked = orientation.sample_indices(1000, 40)
    assert len(picked) == 40 and picked[0] == 0 and picked[-1] == 999


@pytest.mark.parametrize("doubt", [0.0, 0.5])
def test_the_upright_reading_is_not_classified_twice(template_classifier, doubt):
    def classify(rows):  # doubt: the probability spread over all classes
        return (1 - doubt) * template_classifier(rows) + doubt / charset.N_CLASSES

    calls = []
    upright = photograph(draw_page(PAGE)[0])
    page = extract_text(upright, lambda rows: calls.append(len(rows)) or classify(rows), orientation=True)
    assert page.turn == 0
    if orientation.confidence(classify(crop_rows(find_characters(upright)))) >= -orientation.MARGIN:
        assert doubt == 0.0 and len(calls) == 1  # so sure that no turn could beat it by MARGIN
    else:
        assert doubt == 0.5 and len(calls) == 4  # the page once, then only the three turns of its sample


@pytest.mark.parametrize("best", [0.95, 0.5])
def test_the_turns_are_classified_only_when_one_could_win(best):
    rows = np.ones((10, charset.SIDE * charset.SIDE))
    probs = np.full((10, charset.N_CLASSES), (1 - best) / (charset.N_CLASSES - 1))
    probs[:, 0] = best
    calls = []
    assert orientation.page_turn(rows, lambda r: calls.append(len(r)) or probs, upright_probs=probs) == 0
    # log 0.95 = -0.05: a turn would need a confidence over 0; log 0.5 = -0.69 leaves room
    assert len(calls) == (0 if np.log(best) >= -orientation.MARGIN else 3)


@pytest.mark.parametrize("turn", [1, 2, 3])
def test_turning_a_cell_is_redrawing_the_turned_character(turn):
    found = find_characters(photograph(draw_page([" ".join(sorted(GLYPHS))])[0]))
    masks = character_masks(found)
    redrawn = charset.inks_to_rows(normalise_glyphs([np.rot90(mask, turn) for mask in masks]))
    turned = orientation.turned_rows(charset.inks_to_rows(normalise_glyphs(masks)), turn)
    # the same ink, at most a pixel's rounding apart (a turned cell differs from its upright one far more)
    difference = np.abs(turned - redrawn).mean(axis=1)
    assert difference.max() < 0.05
    assert np.abs(turned - charset.inks_to_rows(normalise_glyphs(masks))).mean(axis=1).max() > 0.15


def test_a_reader_sure_of_every_turn_is_judged_by_another(template_classifier):
    def sure(rows):  # one-hot: as sure of a turned glyph as of an upright one (a CNN nearly is)
        return np.eye(charset.N_CLASSES)[template_classifier(rows).argmax(axis=1)]

    upright = photograph(draw_page(PAGE)[0])
    turned = np.rot90(upright, 1)
    assert extract_text(turned, sure, orientation=True).turn == 0
    page = extract_text(turned, sure, orientation=True, judge=template_classifier)
    assert page.turn == 3 and page.text == extract_text(upright, sure).text


@pytest.mark.parametrize("angle", [90 + 14, -90 - 9])
def test_a_page_turned_past_a_quarter_turn_is_levelled_and_read_upright(template_classifier, angle):
    upright = photograph(draw_page(PAGE, indents=[0, 0.45])[0])
    expected = extract_text(upright, template_classifier).text
    assert expected.replace(" ", "").replace("\n", "") == "".join(PAGE).replace(" ", "")
    # a sideways page, and not quite square to the camera: its lines run in tilted columns
    turned = transform.rotate(upright, angle, resize=True, cval=1.0, order=1)
    page = extract_text(turned, template_classifier, orientation=True)
    assert page.text == expected and page.turn in (1, 3)
