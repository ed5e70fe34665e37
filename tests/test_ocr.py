"""Tests of nnrec.ocr on pages drawn here with known character boxes."""

import numpy as np
import pytest
from skimage import draw, io, morphology

from nnrec import DataError, charset, ocr

# A tiny stroke font: each glyph is line segments in a unit box (x right, y down).
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


def draw_page(lines, height=40, scale=1.0, slope=0.0, pen=None, shape=None, dot_after=(), specks=0, seed=0):
    """Draw lines of text (strings of GLYPHS keys and spaces) on a white page.

    Returns (ink mask (h, w) bool, list of true boxes [y1, x1, y2, x2] in reading order).
    Characters are `height` tall and 0.6 `height` wide, pitch 0.95 `height`, words one extra
    pitch apart, lines 2.2 `height` apart; y shifts by slope * x (a slanted line). `dot_after`
    lists (line, char) positions followed by a full stop.
    """
    height = int(round(height * scale))
    pen = pen or max(2, height // 12)
    width_px = int(0.6 * height)
    shape = shape or (int(2.2 * height * (len(lines) + 1)), int(0.95 * height * (max(map(len, lines)) + 2)))
    ink = np.zeros(shape, bool)
    boxes = []
    for row, text in enumerate(lines):
        top0 = int(height * (0.8 + 2.2 * row))
        for col, char in enumerate(text):
            if char == " ":
                continue
            left = int(height * (0.6 + 0.95 * col))
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


def test_find_letters_finds_each_character_once_with_dots_specks_and_two_stroke_letters():
    ink, true = draw_page(["HLT VN", "FTH"], dot_after={(0, 1), (1, 0)}, specks=25)
    boxes, binary = ocr.find_letters(photograph(ink))
    assert len(boxes) == len(true) == 8
    assert matched(boxes, true) == len(true)
    # the binary image is black ink on white, floats in 0-1
    assert binary.min() == 0.0 and binary.max() == 1.0 and binary.mean() > 0.8


def test_find_letters_copes_with_blue_ink_uneven_light_and_resolution():
    lines = ["HVLN", "TFH"]
    for scale, colour in ((1.0, (0.15, 0.2, 0.6)), (4.0, (0.1, 0.1, 0.1))):
        ink, true = draw_page(lines, scale=scale)
        boxes, _ = ocr.find_letters(photograph(ink, ink_rgb=colour, gradient=0.45))
        assert len(boxes) == len(true)
        assert matched(boxes, true) == len(true)


def test_blank_page_has_no_letters_and_empty_text():
    page = photograph(np.zeros((300, 400), bool), gradient=0.3, noise=0.03)
    boxes, binary = ocr.find_letters(page)
    assert boxes.shape == (0, 4)
    assert binary.min() == 1.0
    result = ocr.extract_text(page, classify=lambda rows: pytest.fail("nothing to classify"))
    assert result.text == ""


def test_typical_height_ignores_many_small_specks():
    heights = [40, 42, 38, 41] + [3] * 30
    areas = [300, 320, 280, 310] + [6] * 30
    assert 38 <= ocr.typical_height(heights, areas) <= 42


def test_group_lines_follows_a_slanted_line_and_orders_left_to_right():
    ink, true = draw_page(["HLTVNH", "NVLH"], slope=0.25)
    # the slant moves the end of the first line by more than a character height
    assert true[5, 0] - true[0, 0] > 40
    shuffled = np.random.default_rng(1).permutation(len(true))
    lines, _ = ocr.group_lines(true[shuffled])
    assert [list(shuffled[line]) for line in lines] == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9]]


def test_group_lines_keeps_lines_of_different_heights_apart():
    small = np.array([[100, 10 + 30 * k, 130, 30 + 30 * k] for k in range(5)])
    large = np.array([[150, 10 + 70 * k, 230, 60 + 70 * k] for k in range(4)])
    lines, _ = ocr.group_lines(np.vstack([large, small]))
    assert lines == [[4, 5, 6, 7, 8], [0, 1, 2, 3]]


def _line(gaps, height=40, width=24):
    x, boxes = 0, []
    for gap in [0] + list(gaps):
        x += gap
        boxes.append([0, x, height, x + width])
        x += width
    return np.array(boxes)


def test_word_starts_splits_at_the_page_s_wide_gaps_only():
    # letters 8-14 px apart, words 40-110 px apart; the second line's only word gap is narrower
    # than the first line's widest one, yet still a word gap for this writer
    lines = [_line([10, 12, 110, 8, 14, 60, 9]), _line([9, 11, 45, 13])]
    assert ocr.word_starts(lines) == [{3, 6}, {3}]
    # evenly but loosely spaced letters stay one word
    assert ocr.word_starts([_line([30, 34, 28, 36, 31]), _line([33, 29])]) == [set(), set()]
    # a lone pair of characters: a gap wider than the height splits them
    assert ocr.word_starts([_line([60])]) == [{1}]
    assert ocr.word_starts([_line([10])]) == [set()]
    assert ocr.word_starts([]) == []


def test_narrow_letters_do_not_open_word_gaps():
    # a thin "1" (6 px wide) between ordinary letters: its edges are far from its neighbours
    boxes = _line([12, 12, 10, 60, 11])
    boxes[2, 3] = boxes[2, 1] + 6
    boxes[3:] -= [0, 18, 0, 18]
    assert ocr.word_starts([boxes]) == [{4}]


def test_extract_text_lays_out_lines_and_words():
    ink, true = draw_page(["HL TV", "NF"])

    def classify(rows):
        # ink share of the crop stands in for a network: all the same class here
        return charset.one_hot(np.zeros(len(rows), int))

    result = ocr.extract_text(photograph(ink), classify)
    assert result.text == "AA AA\nAA"
    assert result.boxes.shape == (6, 4)
    assert matched(result.boxes, true) == 6


def test_crops_are_training_layout_rows():
    ink, true = draw_page(["HL"], scale=2.0)
    found = ocr.locate(photograph(ink))
    rows = ocr.crop_rows(found)
    assert rows.shape == (2, charset.N_PIXELS)
    images = charset.rows_to_images(rows)
    for image in images:
        # white background ~1, ink ~0, ink's longer side 26 px, centred
        assert image[0, 0] == pytest.approx(1.0) and image.min() < 0.2
        ys, xs = np.nonzero(image < 0.5)
        assert 24 <= ys.max() - ys.min() + 1 <= 27
        assert abs((ys.max() + ys.min()) / 2 - 15.5) <= 1.5
    # an H is symmetric left-right, an L is not: the rows are upright (not transposed)
    h_image, l_image = images
    assert np.abs(h_image - h_image[:, ::-1]).mean() < 0.1
    assert l_image[:, :16].mean() < l_image[:, 16:].mean()


def test_crops_have_the_requested_stroke_width_whatever_the_pen():
    widths = []
    for pen in (2, 8):
        ink, _ = draw_page(["L"], height=80, pen=pen)
        found = ocr.locate(photograph(ink))
        image = 1 - charset.rows_to_images(ocr.crop_rows(found, stroke=3.0))[0]
        widths.append(image.sum() / (image > 0.5).any(axis=1).sum())
    # ink per row of the L's stem region is ~ the stroke width, the same for both pens
    assert widths[0] == pytest.approx(widths[1], rel=0.25)


@pytest.mark.parametrize("mode", ["grey", "rgb", "rgba", "grey16"])
def test_image_modes_read_the_same(tmp_path, mode):
    ink, true = draw_page(["HLT"])
    rgb = (photograph(ink, noise=0.0) * 255).astype(np.uint8)
    grey = rgb[..., 0]
    image = {
        "grey": grey,
        "rgb": rgb,
        "rgba": np.dstack([rgb, np.full(grey.shape, 255, np.uint8)]),
        "grey16": grey.astype(np.uint16) * 257,
    }[mode]
    path = tmp_path / f"page_{mode}.png"
    io.imsave(path, image, check_contrast=False)
    boxes, _ = ocr.find_letters(ocr.read_image(path))
    assert matched(boxes, true) == len(true) == len(boxes)


def test_rgba_transparent_background_reads_as_white():
    ink, true = draw_page(["HV"])
    rgba = np.zeros(ink.shape + (4,))
    rgba[ink] = (0, 0, 0.5, 1)  # blue ink, fully transparent paper
    boxes, _ = ocr.find_letters(rgba)
    assert matched(boxes, true) == 2


def test_unreadable_pages_raise_data_error_naming_the_file(tmp_path):
    broken = tmp_path / "broken.jpg"
    ink, _ = draw_page(["H"])
    io.imsave(broken, (photograph(ink) * 255).astype(np.uint8))
    broken.write_bytes(broken.read_bytes()[:200])
    with pytest.raises(DataError, match="broken.jpg"):
        ocr.read_image(broken)
    with pytest.raises(DataError, match="missing.png"):
        ocr.read_image(tmp_path / "missing.png")
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(DataError, match="notes.png"):
        ocr.read_image(text)


def test_load_classifier_rejects_unknown_model_files(tmp_path):
    with pytest.raises(DataError, match="no such model"):
        ocr.load_classifier(tmp_path / "model.npz")
    odd = tmp_path / "model.h5"
    odd.write_bytes(b"x")
    with pytest.raises(DataError, match="unknown model type"):
        ocr.load_classifier(odd)


def test_score_counts_characters_without_whitespace_and_whole_lines():
    truth = "TO DO\nLIST"
    scores = ocr.score("TO DO\nLIST", truth, n_found=6)
    assert scores == {"n_true": 8, "n_found": 6, "char_accuracy": 1.0, "lines_correct": 2, "lines_true": 2,
                      "char_accuracy_no_context": None}
    # one substitution, spaces ignored for characters but not for lines
    scores = ocr.score("TODO\nL1ST", truth, n_found=8, predicted_without_context="T0D0\nL1ST")
    assert scores["char_accuracy"] == pytest.approx(1 - 1 / 8)
    assert scores["char_accuracy_no_context"] == pytest.approx(1 - 3 / 8)
    assert scores["lines_correct"] == 0


def probabilities(*rows):
    """(n, 36) class probabilities from rows of {character: probability} (the rest spread evenly)."""
    probs = np.zeros((len(rows), charset.N_CLASSES))
    for probs_row, row in zip(probs, rows):
        rest = (1 - sum(row.values())) / (charset.N_CLASSES - len(row))
        probs_row[:] = rest
        for char, p in row.items():
            probs_row[charset.CLASSES.index(char)] = p
    return probs


def test_word_spans_split_lines_at_their_word_starts():
    assert ocr.word_spans([5, 2, 0, 3], [{2}, set(), set(), {1, 2}]) == [(0, 2), (2, 5), (5, 7), (7, 8), (8, 9), (9, 10)]
    assert ocr.word_spans([], []) == []


def test_word_context_reads_a_word_as_all_letters_or_all_digits():
    probs = probabilities(
        {"0": 0.6, "O": 0.4},  # word 1: "0K" -> "OK" (K is surely a letter)
        {"K": 0.9},
        {"I": 0.55, "1": 0.45},  # word 2: "I2" -> "12"
        {"2": 0.9, "Z": 0.1},
        {"5": 0.7, "S": 0.3},  # word 3: one character, no context: stays "5"
    )
    spans = [(0, 2), (2, 4), (4, 5)]
    labels = ocr.word_context_labels(probs, spans)
    assert "".join(charset.CLASSES[k] for k in labels) == "OK125"
    # without words every character keeps its own best class
    assert "".join(charset.CLASSES[k] for k in ocr.word_context_labels(probs, [])) == "0KI25"


def test_extract_text_word_context_fixes_a_digit_inside_a_word():
    ink, _ = draw_page(["HL TV"])

    def classify(rows):  # "0A 0A" letter by letter: the 0s are a near tie with O
        return probabilities(*[{"0": 0.5, "O": 0.4} if k % 2 == 0 else {"A": 0.9} for k in range(len(rows))])

    result = ocr.extract_text(photograph(ink), classify)
    assert result.text == "OA OA"
    assert result.text_without_context == "0A 0A"
    assert ocr.extract_text(photograph(ink), classify, word_context=False).text == "0A 0A"


def test_accuracy_table_weights_pages_by_characters_and_marks_skipped():
    scores = [
        {"image": "a", "model": "mlp", "n_true": 10, "n_found": 10, "char_accuracy": 1.0,
         "lines_correct": 1, "lines_true": 1, "status": "ok", "char_accuracy_no_context": 0.9},
        {"image": "b", "model": "mlp", "n_true": 30, "n_found": 29, "char_accuracy": 0.6,
         "lines_correct": 0, "lines_true": 2, "status": "ok", "char_accuracy_no_context": 0.5},
        {"image": "a", "model": "tesseract", "n_true": 10, "n_found": None, "char_accuracy": None,
         "lines_correct": None, "lines_true": 1, "status": "skipped"},
    ]
    table = ocr.accuracy_table(scores)
    assert list(table.columns[:7]) == ["image", "model", "n_true", "n_found", "char_accuracy",
                                       "lines_correct", "lines_true"]
    overall = table[(table["image"] == "overall") & (table["model"] == "mlp")].iloc[0]
    assert overall["char_accuracy"] == pytest.approx((10 * 1.0 + 30 * 0.6) / 40)
    assert overall["char_accuracy_no_context"] == pytest.approx((10 * 0.9 + 30 * 0.5) / 40)
    assert (overall["n_true"], overall["n_found"], overall["lines_correct"], overall["lines_true"]) == (40, 39, 1, 3)
    skipped = table[table["model"] == "tesseract"]
    assert set(skipped["status"]) == {"skipped"} and skipped["char_accuracy"].isna().all()


def test_restrict_to_classes_upper_cases_and_drops_other_symbols():
    assert ocr.restrict_to_classes("Haikus, are\n\n eas-y!\n") == "HAIKUS ARE\nEASY"


def test_redraw_rows_keeps_originals_first_and_warps_copies():
    ink, _ = draw_page(["L"], height=60)
    found = ocr.locate(photograph(ink))
    rows = ocr.crop_rows(found)
    redrawn = ocr.redraw_rows(rows, stroke=2.7, copies=2, seed=0)
    assert redrawn.shape == (3, charset.N_PIXELS)
    # a crop is already in the redrawn layout: redrawing it again changes little
    assert np.abs(redrawn[0] - rows[0]).mean() < 0.05
    # the copies are warped: different from the original and from each other
    assert np.abs(redrawn[1] - redrawn[0]).mean() > 0.01
    assert np.abs(redrawn[2] - redrawn[1]).mean() > 0.01
    assert redrawn.min() >= 0 and redrawn.max() <= 1
    # the same characters whatever the number of worker processes
    assert np.array_equal(ocr.redraw_rows(rows, stroke=2.7, copies=2, seed=0, workers=2), redrawn)


def test_print_font_characters_are_dataset_rows_of_every_class():
    X, Y = ocr.print_font_characters(per_class=1, seed=0, fonts=ocr.PRINT_FONTS[:2])
    assert X.shape == (36, charset.N_PIXELS) and Y.shape == (36, 36)
    assert (Y.argmax(axis=1) == np.arange(36)).all()
    # white background, dark ink
    assert np.median(X) > 0.8 and X.min(axis=1).max() < 0.5


def test_load_classifier_applies_the_model_s_input_blur(tmp_path):
    from nnrec import nn

    params = nn.init_network([1024, 8, 36], nn.MLP_ACTIVATIONS, np.random.default_rng(0))
    rows = np.ones((2, 1024))
    rows[:, 300:340] = 0.0
    probs = {}
    for sigma in (0.0, 1.5):
        path = tmp_path / f"reader_{sigma}.npz"
        nn.save_model(path, params, nn.MLP_ACTIVATIONS, {"input_blur": sigma})
        probs[sigma] = ocr.load_classifier(path)(rows)
        assert probs[sigma].shape == (2, 36)
        assert np.allclose(probs[sigma].sum(axis=1), 1.0)
    assert not np.allclose(probs[0.0], probs[1.5])
    blurred = ocr.blur_rows(rows, 1.5)
    assert blurred.shape == rows.shape and 0 < blurred.min() < rows.mean()
    assert np.array_equal(ocr.blur_rows(rows, 0), rows)


def _stroke(slant, width=3):
    """A (32, 32) ink map of a stroke 26 px tall leaning ``slant`` px sideways per px down."""
    ink = np.zeros((32, 32))
    for y in range(3, 29):
        x = int(round(16 + slant * (y - 16)))
        ink[y, x - width // 2 : x + width // 2 + 1] = 1.0
    return ink


@pytest.mark.parametrize("slant", [-0.4, 0.25, 0.5])
def test_deskew_makes_a_sheared_stroke_upright(slant):
    upright = ocr.deskew_image(_stroke(slant))
    ys, xs = np.nonzero(upright > 0.5)
    assert abs(np.polyfit(ys, xs, 1)[0]) < 0.05  # was `slant` px per px
    assert ys.max() - ys.min() + 1 == charset.INK_LONG_SIDE  # still laid out like the data
    assert abs(upright.sum() - _stroke(slant).sum()) < 0.1 * _stroke(slant).sum()  # ink kept


def test_deskew_leaves_upright_and_blank_glyphs_alone():
    upright = _stroke(0.0)
    assert np.allclose(ocr.deskew_image(upright), charset.fit_to_box(upright))
    h = np.zeros((32, 32))
    h[3:29, 6:9] = h[3:29, 23:26] = h[15:18, 6:26] = 1.0  # symmetric: no slant
    assert np.allclose(ocr.deskew_image(h), charset.fit_to_box(h))
    assert not ocr.deskew_image(np.zeros((32, 32))).any()
    # rows in, rows out, in batches of any size
    rows = charset.images_to_rows(1.0 - np.stack([_stroke(0.3), upright]))
    assert ocr.deskew_rows(rows).shape == rows.shape
    assert ocr.deskew_rows(np.zeros((0, 1024))).shape == (0, 1024)


def test_load_classifier_deskews_when_the_model_was_trained_so(tmp_path):
    from nnrec import nn

    params = nn.init_network([1024, 8, 36], nn.MLP_ACTIVATIONS, np.random.default_rng(0))
    slanted = charset.images_to_rows(1.0 - _stroke(0.4)[None])
    upright = charset.images_to_rows(1.0 - charset.fit_to_box(_stroke(0.0))[None])
    probs = {}
    for deskew in (False, True):
        path = tmp_path / f"reader_{deskew}.npz"
        nn.save_model(path, params, nn.MLP_ACTIVATIONS, {"deskew": deskew})
        classify = ocr.load_classifier(path)
        probs[deskew] = classify(slanted), classify(upright)
    # deskewed, the slanted stroke looks to the network much like the upright one
    gap = {d: np.abs(p[0] - p[1]).sum() for d, p in probs.items()}
    assert gap[True] < 0.5 * gap[False]
    assert np.allclose(probs[False][1], probs[True][1])


def test_reader_fonts_are_installed_and_never_the_test_split_s_fonts():
    from nnrec import synth

    assert not set(ocr.READER_FONTS) & set(synth.DEFAULT_FONTS["test"])
    faces = ocr.reader_faces()
    assert {face.family for face in faces} == set(ocr.READER_FONTS)
    # no more faces than weights asked for, and no italic files
    assert all(len([f for f in faces if f.family == family]) <= len(ocr.READER_FONT_WEIGHTS)
               for family in ocr.READER_FONTS)


def test_a_drawn_skeleton_matches_the_page_crop_redraw():
    ink, _ = draw_page(["F"], height=80)
    mask = ink[np.ix_(ink.any(axis=1), ink.any(axis=0))]
    drawn = ocr.draw_skeleton(ocr.glyph_skeleton(mask), stroke=2.7)
    assert drawn.shape == (32, 32)
    assert np.abs(drawn - ocr.normalise_glyph(mask, stroke=2.7)).mean() < 0.03


def test_font_characters_are_redrawn_rows_of_every_class():
    families = ("roboto-mono", "nunito")
    X, Y = ocr.font_characters(per_class=2, seed=0, families=families, weights=(400,))
    assert X.shape == (72, charset.N_PIXELS) and Y.shape == (72, 36)
    assert (Y.argmax(axis=1) == np.repeat(np.arange(36), 2)).all()
    # white background, dark ink drawn with the page crops' pen: a thin share of the cell is ink
    assert np.median(X) > 0.9 and X.min(axis=1).max() < 0.5
    assert 0.05 < (X < 0.5).mean() < 0.3
    # the two samples of a class differ (random faces and warps), the result does not depend on
    # the number of worker processes
    assert np.abs(X[0] - X[1]).mean() > 0.01
    X2, _ = ocr.font_characters(per_class=2, seed=0, families=families, weights=(400,), workers=2)
    assert np.array_equal(X, X2)


def test_warp_cells_adds_warped_copies_in_copy_order():
    rows = np.vstack([ocr.crop_rows(ocr.locate(photograph(draw_page([c], height=60)[0]))) for c in "HL"])
    warped = ocr.warp_cells(rows, copies=2, seed=0)
    assert warped.shape == (4, charset.N_PIXELS)
    assert warped.min() >= 0 and warped.max() <= 1 and np.median(warped) > 0.9
    assert all(np.abs(warped[k] - rows[k % 2]).mean() > 0.005 for k in range(4))
    # each copy still looks most like its own character
    assert all(np.abs(warped[k] - rows[k % 2]).mean() < np.abs(warped[k] - rows[1 - k % 2]).mean()
               for k in range(4))
    assert np.array_equal(ocr.warp_cells(rows, copies=2, seed=0), warped)


def test_hog_features_shape_and_workers_do_not_change_them():
    rows = charset.images_to_rows(1.0 - np.stack([_stroke(s) for s in (-0.3, 0.0, 0.2, 0.5)] * 3))
    one = ocr.hog_features(rows)
    assert one.shape == (12, 1764) and one.dtype == np.float32
    ocr_chunk, ocr.HOG_CHUNK = ocr.HOG_CHUNK, 5  # several chunks, shared by two processes
    try:
        assert np.array_equal(ocr.hog_features(rows, workers=2), one)
    finally:
        ocr.HOG_CHUNK = ocr_chunk
    assert ocr.hog_features(np.zeros((0, 1024))).shape == (0, 1764)


def test_hog_features_change_less_than_pixels_when_a_stroke_moves_a_pixel():
    upright = _stroke(0.0)
    moved, slanted = np.roll(upright, 1, axis=1), _stroke(0.5)
    rows = charset.images_to_rows(1.0 - np.stack([upright, moved, slanted]))
    features = ocr.hog_features(rows)

    def relative(values, k):  # distance to the upright stroke, over the slanted one's
        return np.linalg.norm(values[k] - values[0]) / np.linalg.norm(values[2] - values[0])

    # in pixels a one-pixel shift is nearly as far as a different stroke; in HOG it is close
    assert relative(features, 1) < 0.5 * relative(rows, 1)


def test_load_classifier_computes_standardised_hog_features_for_a_hog_model(tmp_path):
    from nnrec import nn

    rows = charset.images_to_rows(1.0 - np.stack([_stroke(0.0), _stroke(0.4)]))
    features = ocr.hog_features(ocr.deskew_rows(rows))
    mean, std = features.mean(axis=0), features.std(axis=0)
    meta = {"deskew": True, "features": "hog", "feature_mean": mean.tolist(), "feature_std": std.tolist()}
    prepared = ocr.prepare_rows(rows, meta)
    assert np.allclose(prepared, (features - mean) / (std + ocr.FEATURE_STD_EPS), atol=1e-5)
    params = nn.init_network([1764, 8, 36], nn.MLP_ACTIVATIONS, np.random.default_rng(0))
    path = tmp_path / "reader.npz"
    nn.save_model(path, params, nn.MLP_ACTIVATIONS, meta)
    probs = ocr.load_classifier(path)(rows)
    assert np.allclose(probs, nn.predict_proba(nn.load_model(path), prepared), atol=1e-5)
    with pytest.raises(DataError, match="unknown input features 'edges'"):
        ocr.prepare_rows(rows, {"features": "edges"})


def test_train_reader_on_hog_features_saves_their_standardisation():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 12)  # A: upright strokes, B: slanted ones
    inks = np.stack([np.roll(_stroke(0.5 * k), rng.integers(-2, 3), axis=1) for k in labels])
    rows = charset.images_to_rows(1.0 - inks)
    data = (rows, charset.one_hot(labels))
    params, history, inputs = ocr.train_reader(data, data, hidden=8, learning_rate=0.05, epochs=30,
                                               batch_size=8, seed=0, stroke=2.7, copies=0, features="hog")
    assert params["W1"].shape == (1764, 8)
    assert inputs["features"] == "hog" and len(inputs["feature_mean"]) == len(inputs["feature_std"]) == 1764
    assert history["valid_acc"].iloc[-1] == 1.0


def test_cli_ocr_reads_with_the_reader_mlp_and_word_context_by_default():
    from nnrec import cli

    args = cli.build_parser().parse_args(["ocr", "page.jpg"])
    assert args.model == "results/q4/reader/model.npz" and not args.no_word_context
    assert cli.build_parser().parse_args(["ocr", "page.jpg", "--no-word-context"]).no_word_context
