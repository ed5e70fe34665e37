"""nnrec.ocr.segment: characters, lines and words found on pages drawn with known boxes."""

import warnings

import numpy as np
import pytest
from scipy import ndimage
from skimage import draw, filters, io, measure

from nnrec import DataError
from nnrec.ocr import ink as ink_module
from nnrec.ocr import segment
from ocr_pages import draw_page, matched, photograph


def test_find_characters_finds_each_character_once_with_dots_specks_and_two_stroke_letters():
    ink, true = draw_page(["HLT VN", "FTH"], dot_after={(0, 1), (1, 0)}, specks=25)
    found = segment.find_characters(photograph(ink))
    boxes, binary = found.page_boxes(), found.binary
    assert len(boxes) == len(true) == 8
    assert matched(boxes, true) == len(true)
    # the binary image is black ink on white, floats in 0-1
    assert binary.min() == 0.0 and binary.max() == 1.0 and binary.mean() > 0.8


def test_find_characters_copes_with_blue_ink_uneven_light_and_resolution():
    lines = ["HVLN", "TFH"]
    for scale, colour in ((1.0, (0.15, 0.2, 0.6)), (4.0, (0.1, 0.1, 0.1))):
        ink, true = draw_page(lines, scale=scale)
        boxes = segment.find_characters(photograph(ink, ink_rgb=colour, gradient=0.45)).page_boxes()
        assert len(boxes) == len(true)
        assert matched(boxes, true) == len(true)


def test_typical_height_ignores_many_small_specks():
    heights = [40, 42, 38, 41] + [3] * 30
    areas = [300, 320, 280, 310] + [6] * 30
    assert 38 <= segment.typical_height(heights, areas) <= 42


def test_typical_height_is_the_letters_when_broken_faint_strokes_outnumber_them():
    # lined paper with show-through: 20 short pieces of ghost strokes beside 12 letters
    heights = [80, 85, 90, 78, 82, 88, 84, 79, 86, 81, 83, 87] + [25, 30, 35, 20] * 5
    areas = [900, 1000, 1100, 850, 950, 1050, 980, 880, 1020, 930, 960, 1010] + [200, 250, 300, 150] * 5
    assert np.median(heights) < 40  # the unweighted median is a ghost's height
    assert 78 <= segment.typical_height(heights, areas) <= 90


def test_typical_height_is_not_a_huge_rim_round_the_sheet():
    heights = [40, 42, 38, 41, 39, 40] * 2 + [560]
    areas = [300, 320, 280, 310, 290, 300] * 2 + [20000]  # the rim holds more ink than all the letters
    assert 38 <= segment.typical_height(heights, areas) <= 42


def test_bars_along_the_sheet_s_edge_do_not_set_the_typical_height():
    ink, true = draw_page(["HLTVN", "FTHLV"])
    kept = np.ones(ink.shape, bool)
    kept[:4] = False  # the page's own pixels start four rows down
    for left in range(0, ink.shape[1] - 40, 46):  # a dark rim along the top, broken into bars
        ink[4:20, left : left + 40] = True
    comp = segment._components(ink, kept)
    letters = np.median(true[:, 2] - true[:, 0])
    assert comp.at_edge.sum() >= 5
    assert abs(comp.height - letters) <= 0.15 * letters


def test_group_lines_follows_a_slanted_line_and_orders_left_to_right():
    ink, true = draw_page(["HLTVNH", "NVLH"], slope=0.25)
    # the slant moves the end of the first line by more than a character height
    assert true[5, 0] - true[0, 0] > 40
    shuffled = np.random.default_rng(1).permutation(len(true))
    lines, _ = segment.group_lines(true[shuffled])
    assert [list(shuffled[line]) for line in lines] == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9]]


def test_group_lines_keeps_lines_of_different_heights_apart():
    small = np.array([[100, 10 + 30 * k, 130, 30 + 30 * k] for k in range(5)])
    large = np.array([[150, 10 + 70 * k, 230, 60 + 70 * k] for k in range(4)])
    lines, _ = segment.group_lines(np.vstack([large, small]))
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
    assert segment.word_starts(lines) == [{3, 6}, {3}]
    # evenly but loosely spaced letters stay one word
    assert segment.word_starts([_line([30, 34, 28, 36, 31]), _line([33, 29])]) == [set(), set()]
    # a lone pair of characters: a gap wider than the height splits them
    assert segment.word_starts([_line([60])]) == [{1}]
    assert segment.word_starts([_line([10])]) == [set()]
    assert segment.word_starts([]) == []


def test_narrow_letters_do_not_open_word_gaps():
    # a thin "1" (6 px wide) between ordinary letters: its edges are far from its neighbours
    boxes = _line([12, 12, 10, 60, 11])
    boxes[2, 3] = boxes[2, 1] + 6
    boxes[3:] -= [0, 18, 0, 18]
    assert segment.word_starts([boxes]) == [{4}]


def test_word_spans_split_lines_at_their_word_starts():
    assert segment.word_spans([5, 2, 0, 3], [{2}, set(), set(), {1, 2}]) == [(0, 2), (2, 5), (5, 7), (7, 8), (8, 9), (9, 10)]
    assert segment.word_spans([], []) == []


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
    boxes = segment.find_characters(segment.read_image(path)).page_boxes()
    assert matched(boxes, true) == len(true) == len(boxes)


def test_rgba_transparent_background_reads_as_white():
    ink, true = draw_page(["HV"])
    rgba = np.zeros(ink.shape + (4,))
    rgba[ink] = (0, 0, 0.5, 1)  # blue ink, fully transparent paper
    boxes = segment.find_characters(rgba).page_boxes()
    assert matched(boxes, true) == 2


def test_unreadable_pages_raise_data_error_naming_the_file(tmp_path):
    broken = tmp_path / "broken.jpg"
    ink, _ = draw_page(["H"])
    io.imsave(broken, (photograph(ink) * 255).astype(np.uint8))
    broken.write_bytes(broken.read_bytes()[:200])
    with pytest.raises(DataError, match="broken.jpg"):
        segment.read_image(broken)
    with pytest.raises(DataError, match="missing.png"):
        segment.read_image(tmp_path / "missing.png")
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(DataError, match="notes.png"):
        segment.read_image(text)



def test_group_lines_keeps_a_staircase_of_words_in_one_line():
    # three words of one line, each written 0.7 of a character height lower than the one
    # before, and a second line well below
    words = []
    for w, top in enumerate([100, 128, 156]):
        words += [[top, 20 + 150 * w + 30 * k, top + 40, 44 + 150 * w + 30 * k] for k in range(4)]
    below = [[300, 20 + 30 * k, 340, 44 + 30 * k] for k in range(5)]
    lines, spaces = segment.group_lines(np.array(words + below))
    assert lines == [list(range(12)), list(range(12, 17))]
    assert spaces[0] == {4, 8}


def test_group_lines_does_not_join_lines_that_start_at_the_margin():
    # two short lines one above the other: the lower one starts left of where the upper ends
    upper = [[100, 20 + 30 * k, 140, 44 + 30 * k] for k in range(3)]
    lower = [[160, 20 + 30 * k, 200, 44 + 30 * k] for k in range(5)]
    lines, _ = segment.group_lines(np.array(upper + lower))
    assert lines == [[0, 1, 2], [3, 4, 5, 6, 7]]


def test_ruled_lines_are_taken_out_and_the_letters_crossing_them_stay():
    ink, true = draw_page(["HLTVN FTH", "NVHLT"], height=40)
    ruled = ink.copy()
    for row in true[:, 2] - 1:  # a thin rule along each baseline, under every letter's foot
        ruled[row, :] = True
    ruled[:, 10] = True  # and a margin line down the page
    found = segment.find_characters(photograph(ruled))
    assert len(found.boxes) == len(true)
    assert matched(found.page_boxes(), true, min_iou=0.5) == len(true)
    lines = ink_module.ruled_lines(ruled)
    rule = true[0, 2] - 1
    assert lines[:, 10].mean() > 0.9 and lines[rule, 15:][~ink[rule, 15:]].mean() > 0.9


def test_a_rule_broken_into_long_pieces_is_joined_across_dark_gaps_only():
    # a rule about as dark as the ink threshold (squared paper's grid) passes it in pieces: a
    # one-pixel gap (off the letters) every quarter of the page leaves each piece shorter than
    # RULE_LENGTH, and the letters the rule runs through were read as one blob
    ink, true = draw_page(["HLTVN FTH", "NVHLT"], height=40)
    ruled = ink.copy()
    rule = true[0, 2] - 1
    ruled[rule, :] = True
    width = ruled.shape[1]
    paper_columns = np.nonzero(~ink[rule])[0]
    quarters = range(width // 4, width - width // 8, width // 4)
    gaps = [paper_columns[np.abs(paper_columns - c).argmin()] for c in quarters]
    ruled[rule, gaps] = False
    pieces = np.diff([-1, *gaps, width]) - 1
    assert ink_module.RULE_SPAN * width <= pieces.min() and pieces.max() < ink_module.RULE_LENGTH * width
    paper = ruled[rule] & ~ink[rule]
    # the gaps darker than the paper, not ink: one line, taken out, the letters kept
    dark_gaps = np.zeros(ruled.shape, bool)
    dark_gaps[rule, gaps] = True
    lines = ink_module.ruled_lines(ruled, bridge=dark_gaps)
    assert lines[rule][paper].mean() > 0.9
    kept = ink_module.remove_ruled_lines(ruled, lines=lines)
    assert kept[ink].mean() > 0.97 and kept[rule][paper].mean() < 0.1
    # gaps as light as the paper (a rule broken by noise, or no rule at all): pieces stay pieces
    assert not ink_module.ruled_lines(ruled)[rule].any()
    assert not ink_module.ruled_lines(ruled, bridge=np.zeros(ruled.shape, bool))[rule].any()


def test_a_stroke_along_a_rule_stays_whole_and_the_rule_beside_a_stroke_goes():
    # lined paper turned sideways (the pages_dev lined page): vertical rules 3 px wide. An O whose
    # side ran down a rule lost it (read J), an I ending beside a rule kept a piece of it (read L)
    h, w, col = 600, 300, 100
    rules = np.zeros((h, w), bool)
    for c in (col, col + 100):
        rules[:, c : c + 3] = True
    # a D in thin pen whose stem runs down the first rule, widening it by one or two pixels by turns
    letter = np.zeros((h, w), bool)
    for top in range(60, 140, 4):
        shift = 2 if (top // 4) % 2 else 1
        letter[top : top + 4, col - shift : col - shift + 4] = True
    bowl = np.abs(np.hypot(*np.mgrid[-40:41, 0:41]) - 39) < 2
    letter[60:141, col + 1 : col + 42] |= bowl
    # an I slanting down to the second rule, beside it (within a rule's drift) before it meets it
    stem = np.zeros((h, w), bool)
    rr, cc = draw.line(220, col + 80, 320, col + 97)
    stem[rr, cc] = True
    stem = ndimage.binary_dilation(stem, np.ones((5, 5), bool))
    ink = rules | letter | stem
    kept = ink_module.remove_ruled_lines(ink)
    # the D: its stem all there, one piece round its counter
    assert kept[letter].all()
    d = kept[55:146, col - 5 : col + 45]
    assert ndimage.binary_fill_holes(d).sum() > 2 * d.sum()
    # the I: no piece of the rule beside it stays (it made an L of the I), its own ink does
    assert kept[stem].mean() > 0.95
    beside = np.zeros((h, w), bool)
    beside[:, col + 100 : col + 103] = True
    meets = np.nonzero(stem[:, col + 99 : col + 103].any(axis=1))[0]  # the rows where the I meets the rule
    assert not (kept & beside)[: meets.min()].any() and not (kept & beside)[meets.max() + 1 :].any()
    # the rules themselves go
    assert not kept[:50].any() and not kept[550:].any()


def test_a_line_may_be_as_thick_either_way_on_a_landscape_page():
    # a wide page: a vertical rule as thick as a horizontal one is a line too (measured against
    # the page's height, a vertical rule was allowed a quarter of a horizontal one's thickness)
    ink = np.zeros((300, 1200), bool)
    ink[150:155, :] = ink[:, 600:605] = True
    lines = ink_module.ruled_lines(ink)
    assert lines[150:155, :590].all() and lines[:140, 600:605].all()
    thicker = ink.copy()
    thicker[:, 600 : 600 + int(2 * ink_module.RULE_THICK * 1200)] = True  # twice the limit: a bar, no line
    assert not ink_module.ruled_lines(thicker)[:140, 600:605].any()


def _grid_and_letter(grid_darkness, h=600, w=300):
    """A grid 2 px thick (rows every 100 px, columns every 100 px from 50) of ``grid_darkness``,
    and a D in dark pen (0.8) whose stem runs down the column at 150, widening it by one or two
    pixels by turns, and ends at the crossing with row 200 -> (ink, darkness, grid, letter)."""
    grid = np.zeros((h, w), bool)
    grid[100::100, :] = grid[101::100, :] = True
    grid[:, 50::100] = grid[:, 51::100] = True
    letter = np.zeros((h, w), bool)
    for top in range(120, 198, 4):
        shift = 2 if (top // 4) % 2 else 1
        letter[top : top + 4, 150 - shift : 150 - shift + 4] = True
    bowl = np.abs(np.hypot(*np.mgrid[-40:41, 0:41]) - 39) < 2
    letter[119:200, 151:192] |= bowl
    dark = np.where(letter, 0.8, np.where(grid, grid_darkness, 0.0))
    return grid | letter, dark, grid, letter


def test_on_a_pale_grid_only_pen_darker_than_the_grid_is_a_stroke_along_it():
    # squared paper: a crossing next to a letter widens each line by the other (a "+" was kept
    # on the letter), and blur widens a pale line wherever pen passes near it; on a pale grid,
    # what is a stroke along a line is told by its darkness
    ink, dark, grid, letter = _grid_and_letter(0.15)
    crossing_arms = np.zeros(ink.shape, bool)
    crossing_arms[195:210, 140:160] = True
    crossing_arms &= grid & ~ndimage.binary_dilation(letter, np.ones((3, 3), bool))
    by_thickness = ink_module.remove_ruled_lines(ink, lines=ink_module.ruled_lines(ink))
    assert by_thickness[crossing_arms].any()  # thickness alone keeps pieces of the crossing
    kept = ink_module.remove_ruled_lines(ink, lines=ink_module.ruled_lines(ink, dark=dark))
    assert kept[letter].mean() > 0.99 and not kept[crossing_arms].any()  # (the bowl's foot grazes a rule)
    assert not kept[grid & ~ndimage.binary_dilation(letter, np.ones((5, 5), bool))].any()
    # a grid as dark as the pen: told by thickness as before, the D's stem stays whole
    ink, dark, grid, letter = _grid_and_letter(0.8)
    assert ink_module.remove_ruled_lines(ink, lines=ink_module.ruled_lines(ink, dark=dark))[letter].mean() > 0.99


def test_pen_along_a_pale_grid_stays_with_nothing_else_of_its_letter_off_the_lines():
    # an L drawn along two lines of a pale grid: no stroke of it lies off the lines, and a dark
    # one next to it keeps the ink's darkness off the lines known
    grid = _grid_and_letter(0.15)[2]
    el, other = np.zeros(grid.shape, bool), np.zeros(grid.shape, bool)
    el[320:400, 249:254] = el[398:403, 249:290] = True
    other[220:280, 70:74] = True
    ink, dark = grid | el | other, np.where(el | other, 0.8, np.where(grid, 0.15, 0.0))
    kept = ink_module.remove_ruled_lines(ink, lines=ink_module.ruled_lines(ink, dark=dark))
    assert kept[el].mean() > 0.95 and kept[other].all()
    assert not kept[grid & ~ndimage.binary_dilation(el | other, np.ones((5, 5), bool))].any()
    # told by thickness alone, nothing of the L meets it off the lines: it went with them
    assert ink_module.remove_ruled_lines(ink, lines=ink_module.ruled_lines(ink))[el].mean() < 0.5


def test_a_pale_line_is_judged_by_its_thin_parts_not_by_pen_along_it():
    # a rule through a line of writing holds the letters' strokes within its drift (an H's bar,
    # the pen along it): judged by all its pixels, a pale grid row under a long dark stroke
    # passed for dark, and thickness alone kept a "+" at the D's crossing and dropped the stroke
    ink, dark, grid, letter = _grid_and_letter(0.15)
    underline = np.zeros(ink.shape, bool)
    underline[198:204, :120] = True  # along the grid row at 200, most of the row's pixels
    ink, dark = ink | underline, np.where(underline, 0.8, dark)
    crossing_arms = np.zeros(ink.shape, bool)
    crossing_arms[195:210, 140:160] = True
    crossing_arms &= grid & ~ndimage.binary_dilation(letter, np.ones((3, 3), bool))
    kept = ink_module.remove_ruled_lines(ink, lines=ink_module.ruled_lines(ink, dark=dark))
    assert kept[underline].all() and kept[letter].mean() > 0.99 and not kept[crossing_arms].any()
    assert not kept[grid & ~ndimage.binary_dilation(letter | underline, np.ones((5, 5), bool))].any()


def test_lines_among_other_long_ink_are_found_without_a_warning():
    ink, true = draw_page(["HLTVN FTH", "NVHLT"], height=40)
    ruled = ink.copy()
    rule = true[0, 2] - 1
    ruled[rule, :] = True  # a rule along the first baseline
    # a straight stretch too short for a rule: its label number is left without pixels
    ruled[5, 40 : 40 + ruled.shape[1] // 5] = True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lines = ink_module.ruled_lines(ruled)
    assert lines[rule][~ink[rule]].mean() > 0.9 and not lines[5].any()


def test_camera_noise_in_a_dark_part_of_the_frame_is_no_ink():
    # a noisy photo (sd 0.03) of faint pencil whose right half is a dark desk: divided by its own
    # dim "paper", the desk's grain is as dark as the pencil, and a real photo's was read as
    # dozens of letters
    ink, true = draw_page(["HLT VN", "FTH"])
    h, w = ink.shape
    page = np.pad(photograph(ink, ink_rgb=(0.6,) * 3, noise=0.0), ((0, 0), (0, w), (0, 0)), mode="edge")
    page = page.mean(axis=2)
    page[:, w:] *= 0.15
    noisy = np.clip(page + np.random.default_rng(1).normal(0, 0.03, page.shape), 0, 1)
    found, _ = ink_module.binarize(noisy)
    desk = found[:, w + w // 4 :]  # (the step from page to desk itself is dark)
    assert desk.mean() < 0.01
    # what is left there are specks, none as long as the smallest piece of a letter kept
    height = true[0][2] - true[0][0]
    longest = max((max(p.bbox[2] - p.bbox[0], p.bbox[3] - p.bbox[1]) for p in measure.regionprops(measure.label(desk))),
                  default=0)
    assert longest < segment.SPECK_SIZE * height
    # the pencil strokes are all there: the threshold rose only where the noise called for it
    assert (found[:, :w] & ink).sum() > 0.9 * ink.sum()


def test_noise_level_measures_the_grain_not_the_writing():
    ink, _ = draw_page(["HLT VN", "FTH"])
    page = photograph(ink, noise=0.0).mean(axis=2)
    grain = np.random.default_rng(2).normal(0, 0.03, page.shape)
    smoothed_sd = filters.gaussian(grain, sigma=ink_module.INK_SMOOTH).std()
    assert ink_module.noise_level(page) < 0.1 * smoothed_sd
    assert 0.6 * smoothed_sd < ink_module.noise_level(np.clip(page + grain, 0, 1)) < 1.1 * smoothed_sd


def test_a_ghost_letter_of_many_faint_pieces_is_no_character():
    # show-through on lined paper: a ghost letter's broken strokes outnumber the writing's own
    # blobs, so blob by blob they set the page's median darkness and pass; as a letter it is
    # far fainter than the page's letters
    ink, true = draw_page(["HLV NL   "])
    height = true[0][2] - true[0][0]
    ghost = np.zeros_like(ink)
    left = true[-1][3] + height
    for stem in range(3):
        x = left + stem * height // 2
        for piece in range(3):
            top = true[0][0] + int(piece * 0.36 * height)
            ghost[top : top + int(0.3 * height), x : x + 3] = True
    page = photograph(ink, noise=0.0)
    page[ghost & ~ink] = 0.55
    found = segment.find_characters(page)
    assert len(found.boxes) == len(true)
    assert matched(found.page_boxes(), true) == len(true)


@pytest.mark.parametrize("small, big", [((7, 9), (50, 71)), ((126, 168), (1008, 1344)), ((1, 5), (3, 40)), ((9, 9), (9, 9))])
def test_the_paper_is_blown_up_as_skimage_resizes_it(small, big):
    from skimage import transform

    paper = np.random.default_rng(0).random(small)
    tall, wide = (ink_module.linear_resize_matrix(n, size) for n, size in zip(small, big))
    assert np.allclose(tall @ paper @ wide.T, transform.resize(paper, big, order=1), atol=1e-12)


def test_shrunk_grey_is_the_box_mean_of_the_grey_page():
    from skimage import transform

    from nnrec.ocr import image

    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (37, 50, 3), dtype=np.uint8)
    for page in (rgb, rgb[..., 0], rgb.astype(np.uint16) * 200, np.dstack([rgb, rgb[..., :1]])):
        for factor in (1, 2, 3, 7, 17):
            expected = transform.downscale_local_mean(image.to_grey(page), (factor, factor))
            assert np.allclose(image.shrunk_grey(page, factor), expected, atol=1e-12), (page.shape, factor)


def test_hysteresis_and_the_cross_closing_match_skimage():
    from skimage import morphology

    rng = np.random.default_rng(0)
    for _ in range(20):
        shape = tuple(rng.integers(3, 60, 2))
        image = filters.gaussian(rng.random(shape), 1.0)
        low, high = np.quantile(image, 0.4), np.quantile(image, 0.9) + 0.01 * rng.random(shape)
        assert np.array_equal(ink_module.hysteresis(image, low, high),
                              filters.apply_hysteresis_threshold(image, low, high))
        mask = rng.random(shape) < rng.random()
        assert np.array_equal(ink_module.close_cross(mask), morphology.closing(mask, morphology.disk(1)))


def test_a_faint_rule_broken_into_dashes_is_taken_out_and_pen_strokes_on_it_stay():
    # lined paper under a camera's noise: the rule crosses ink's threshold only in dashes, each
    # too short to be a line (they were read as rows of I's); on a lower threshold it is whole
    h, w, col = 600, 300, 150
    faint = np.zeros((h, w), bool)
    faint[:, col : col + 3] = True  # the rule, whole on the lower threshold
    dark = np.where(faint, 0.2, 0.0)
    ink = np.zeros((h, w), bool)
    for top in range(10, 130, 30):  # dashes of the rule that pass the ink threshold
        ink[top : top + 12, col : col + 3] = True
    ink[200:240, col : col + 3] = True  # an I's stem drawn down the rule in pen: darker
    dark[200:240, col : col + 3] = 0.7
    ink[300:303, col - 20 : col + 23] = True  # a stroke crossing the rule
    dark[300:303, col - 20 : col + 23] = 0.7
    ink[300:340, col - 20 : col - 17] = True  # ... of an L beside it
    dark[300:340, col - 20 : col - 17] = 0.7
    ring = np.abs(np.hypot(*np.mgrid[-20:21, -20:21]) - 17) < 0.5  # an O in thin pencil, as faint
    ink[150:191, col - 10 : col + 31] |= ring  # as the rule, the rule running through it
    dark[150:191, col - 10 : col + 31][ring] = 0.2
    # a pencil stroke, as faint as the rule, where the pencil's smudge spreads the rule wide on
    # the lower threshold: thin, but far wider across than the rule itself
    faint[440:492, col - 10 : col + 14] = True
    for k in range(22):
        ink[450 + k, col - 9 + k] = True
    dark[450:472, col - 9 : col + 13] = np.maximum(dark[450:472, col - 9 : col + 13], 0.2)
    kept = ink_module.remove_ruled_lines(ink, faint | ink, dark)
    assert not kept[:130].any()
    assert kept[150:191].sum() == ink[150:191].sum() and kept[450:472].sum() == 22
    assert kept[200:240, col : col + 3].all() and kept[300:340].sum() == ink[300:340].sum()
    assert np.array_equal(ink_module.remove_ruled_lines(ink), ink)  # without the lower threshold: none go


def _blurred_ring_and_dot(blur=2.5):
    """A small O (a ring 5 px wide round a 10 px counter) and a solid dot as big, blurred so
    that ink thresholded low fills the O's counter."""
    page = np.ones((120, 220))
    yy, xx = np.mgrid[:120, :220]
    page[(np.hypot(yy - 60, xx - 50) >= 5) & (np.hypot(yy - 60, xx - 50) <= 10)] = 0.15
    page[np.hypot(yy - 60, xx - 160) <= 10] = 0.15
    return filters.gaussian(page, blur) + np.random.default_rng(0).normal(0, 0.01, page.shape)


def test_a_counter_that_blur_filled_is_found_and_a_solid_dot_has_none():
    ink, dark = ink_module.binarize(_blurred_ring_and_dot())
    assert ink[60, 50]  # the blur filled the O's counter
    counters = ink_module.closed_counters(ink, dark, min_area=10)
    assert counters[60, 50] and not counters[:, 110:].any()  # the dot keeps all its ink
    assert not (counters & ~ink).any()
    # the O's ring itself stays: only enclosed ink is a counter
    assert not counters[60, 40:44].any() and not counters[60, 56:60].any()
    # a counter smaller than min_area is left alone (a noise dip inside a thick stroke)
    assert not ink_module.closed_counters(ink, dark, min_area=counters.sum() + 1).any()


def test_an_open_counter_keeps_the_rim_of_ink_round_it():
    # less blurred, the O's counter stays open: the thin rim of spread ink round its inside is
    # no closed counter, so the ring keeps its full width (a faint O would otherwise break up)
    ink, dark = ink_module.binarize(_blurred_ring_and_dot(blur=1.5))
    assert not ink[60, 50]
    peak = ndimage.maximum_filter(dark, size=2 * ink_module.COUNTER_REACH + 1)
    crisp = ink & (dark >= ink_module.COUNTER_PEAK * peak)
    assert (ink & ~crisp)[50:71, 40:61].sum() >= 10  # there is a rim the crisp ink leaves out
    assert not ink_module.closed_counters(ink, dark, min_area=10).any()


def test_characters_read_with_their_counters_open_and_the_page_ink_unchanged(monkeypatch):
    # at the page's own scale: a page of such small characters is otherwise read enlarged
    monkeypatch.setattr(segment, "SMALL_HEIGHT", 0)
    found = segment.find_characters(_blurred_ring_and_dot())
    ring = int(np.argmin(found.boxes[:, 1]))
    mask = segment.character_masks(found, [ring])[0]
    y1, x1, y2, x2 = np.round(found.boxes[ring]).astype(int)
    centre = (60 - y1, 50 - x1)
    assert found.ink[60, 50] and not mask[centre]
    assert mask.sum() > 0.8 * found.ink[y1:y2, x1:x2].sum()


def test_a_counter_that_blur_filled_is_opened_on_the_page_enlarged_for_small_characters():
    # the O is under SMALL_HEIGHT, so it is read from the page enlarged: the blur is twice as wide
    # there, and a counter it filled is found with a reach twice as long
    found = segment.find_characters(_blurred_ring_and_dot(blur=3.5))
    assert found.scale == segment.ZOOM
    ring = int(np.argmin(found.boxes[:, 1]))
    mask = segment.character_masks(found, [ring])[0]
    y1, x1 = np.round(found.boxes[ring, :2]).astype(int)
    centre = (round(60 * found.scale), round(50 * found.scale))
    assert found.ink[centre] and not mask[centre[0] - y1, centre[1] - x1]


def test_counters_looked_for_around_the_characters_are_those_of_the_whole_page(monkeypatch):
    # find_characters looks for closed counters only where its boxes are (for speed): the same
    # ones as over the whole page, also when the characters lie away from the page's corner
    monkeypatch.setattr(segment, "SMALL_HEIGHT", 0)  # at the page's own scale, as above
    page = np.ones((300, 500))
    page[90:210, 140:360] = _blurred_ring_and_dot()
    found = segment.find_characters(page)
    up, ink, dark = segment.upright_page(page)[:3]
    whole = ink_module.closed_counters(ink, dark, segment.COUNTER * found.height**2)
    assert whole.any() and np.array_equal(found.counters, whole)


def test_on_ruled_paper_every_blob_at_a_rectified_sheet_s_edge_stays_dropped():
    ink, true = draw_page(["HLTVN", "FTHLV"])
    top = int(true[:, 0].min())
    ink = ink[top:]  # the first line written up to the top edge
    kept = np.ones(ink.shape, bool)
    kept[:2] = False
    plain = segment._components(ink, kept)
    rules = np.zeros(ink.shape, bool)
    rules[:: ink.shape[0] // 3] = True  # three rules taken out across the page: too few
    assert not segment._components(ink, kept, rules).ruled
    rules[:, :: max(ink.shape) // (2 * segment.RULED)] = True  # and rules down it
    ruled = segment._components(ink, kept, rules)
    assert ruled.ruled and not plain.ruled
    # a letter reaching into the plain page from its edge is writing; on ruled paper it could be a
    # rule's stub joined to a rim, and is dropped with the edge's marks
    assert plain.at_edge.sum() == ruled.at_edge.sum() >= 4
    assert not segment._edge_junk(plain, kept, rectified=True)[plain.at_edge].any()
    assert segment._edge_junk(ruled, kept, rectified=True)[ruled.at_edge].all()
    assert segment._edge_junk(plain, kept, rectified=False)[plain.at_edge].all()


def test_characters_smaller_than_the_readers_cell_are_found_on_the_page_enlarged():
    ink, true = draw_page(["HLT VN", "FTH LV"], height=20)
    found = segment.find_characters(photograph(ink))
    assert found.scale == segment.ZOOM  # working pixels per input pixel: enlarged
    assert found.height >= segment.SMALL_HEIGHT
    # the boxes, on the input's own pixels, are where the characters were drawn
    assert matched(found.page_boxes(), true) == len(true)
    # and never more than ZOOM times: the working page grows as its square
    tiny, _ = draw_page(["HLT VN"], height=8)
    assert segment.find_characters(photograph(tiny)).scale == segment.ZOOM
