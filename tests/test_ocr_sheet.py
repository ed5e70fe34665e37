"""nnrec.ocr.sheet and nnrec.ocr.skew: the sheet found on a desk, rectified, and its text levelled."""

import numpy as np
import pytest
from skimage import transform

from nnrec.ocr import composite, segment, sheet, skew
from ocr_pages import draw_page, matched, on_desk, photograph


@pytest.mark.parametrize("angle, perspective, desk", [(0, 0.0, "wood"), (12, 0.03, "wood"), (-20, 0.04, "dark")])
def test_find_sheet_outlines_a_page_lying_on_a_desk(angle, perspective, desk):
    ink, _ = draw_page(["HLT VN", "FTH LV", "NVH"])
    photo, corners, _ = on_desk(photograph(ink), angle, perspective, desk)
    found = sheet.find_sheet(photo)
    assert found is not None and found.quad
    # every corner within 2% of the photo's size of the page's true corner, in the same order
    assert np.abs(found.outline - corners).max() < 0.02 * max(photo.shape)


def test_a_white_object_against_the_sheet_is_not_taken_for_paper():
    ink, true = draw_page(["HLT VN", "FTH LV", "NVH"])
    # a page in dim light on a dark desk, and a white box lying over the foot of its right edge
    photo, corners, _ = on_desk(0.75 * photograph(ink), 0, 0.0, "dark")
    right, top, bottom = int(corners[:, 0].max()), int(corners[1, 1]), int(corners[2, 1])
    height = bottom - top
    photo[top + 2 * height // 3 : bottom + height // 4, right - height // 20 : right + height] = 1.0
    found = sheet.find_sheet(photo)
    assert found is not None and found.by == "whiteness"
    # the sheet's visible outline: its own, the corner under the box cut off
    assert np.abs(found.outline[:2] - corners[:2]).max() < 0.02 * max(photo.shape)
    # and the writing is all read, none of the box
    characters = segment.find_characters(photo)
    assert len(characters.boxes) == len(true)


def test_a_keyboard_against_the_sheet_is_cut_away_by_the_sheet_s_own_straight_sides():
    ink, true = draw_page(["HLT VN", "FTH LV", "NVH"])
    photo, corners, _ = on_desk(photograph(ink), 0, 0.0, "dark")
    left, right = int(corners[:, 0].min()), int(corners[:, 0].max())
    bottom, height = int(corners[2, 1]), int(corners[2, 1] - corners[1, 1])
    # a grey keyboard of white keys over the foot of the sheet, reaching past its right edge
    top, foot, start, end = bottom - height // 20, bottom + height // 5, (left + right) // 2, right + height // 5
    photo[top:foot, start:end] = 0.5
    key = max(6, height // 10)
    for y in range(top + 2, foot - key, key + 3):
        for x in range(start + 2, end - key, key + 3):
            photo[y : y + key, x : x + key] = 0.97
    found = sheet.find_sheet(photo)
    assert found is not None and found.quad
    assert np.abs(found.outline - corners).max() < 0.03 * max(photo.shape)
    # the writing is read, none of the keys
    assert len(segment.find_characters(photo).boxes) == len(true)


def test_a_keyboard_off_the_frame_hiding_most_of_a_side_of_the_sheet_is_cut_away():
    ink, true = draw_page(["HLT VN", "FTH LV", "NVH"])
    photo, corners, _ = on_desk(photograph(ink), 0, 0.0, "dark")
    left, top, bottom = int(corners[0, 0]), int(corners[0, 1]), int(corners[3, 1])
    height = bottom - top
    # light keys on the desk from the frame's left edge up to the sheet, along all of its left
    # side but a short piece at each end: the region's outline shows that side only there
    upper, lower = top + height // 8, bottom - height // 10
    photo[upper:lower, :left] = 0.3
    key = max(6, height // 10)
    for y in range(upper + 1, lower - key, key + 2):
        for x in range(left - key, -key, -(key + 2)):
            photo[y : y + key, max(x, 0) : x + key] = 0.9
    found = sheet.find_sheet(photo)
    assert found is not None and found.quad
    assert np.abs(found.outline - corners).max() < 0.02 * max(photo.shape)
    assert len(segment.find_characters(photo).boxes) == len(true)


@pytest.mark.parametrize("desk", ["wood", "dark"])
@pytest.mark.parametrize("height, margin, within", [(40, 1.5, 0.01), (100, 1.75, 0.0025)])
def test_a_sheet_photographed_from_afar_is_found_and_outlined_as_finely_as_a_near_one(desk, height, margin, within):
    # the page covers about 5% of the photo (a page photographed from a metre or so away); in a
    # 3500-pixel frame, on the frame's small copy (SHEET_PIXELS) its outline is 11-pixel steps,
    # 12 pixels off; looked at again closer, within 8
    ink, _ = draw_page(["HLT VN", "FTH LV", "NVH"], height=height)
    photo, corners, _ = on_desk(photograph(ink), 6, 0.02, desk, margin=margin)
    found = sheet.find_sheet(photo)
    assert found is not None and found.quad
    assert np.abs(found.outline - corners).max() < within * max(photo.shape)


def test_a_sheet_photographed_from_afar_is_read_at_its_own_resolution_none_of_the_desk():
    ink, true = draw_page(["HLT VN", "FTH LV", "NVH"])
    photo, _, _ = on_desk(photograph(ink), 6, 0.02, "wood", margin=1.5)
    assert len(segment.find_characters(photo).boxes) == len(true)


def test_a_sheet_under_a_soft_shadow_is_found_whole_not_cut_along_the_shadow():
    ink, _ = draw_page(["HLT VN", "FTH LV", "NVH"])
    photo, corners, _ = on_desk(photograph(ink), 8, 0.02, "wood")
    width = photo.shape[1]
    # the photographer's soft bluish shadow over the left of the frame, sheet and desk alike
    left = corners[:, 0].min()
    edge = left + 0.4 * (corners[:, 0].max() - left)
    depth = np.clip((np.arange(width) - edge) / (0.05 * width), 0, 1)[None, :, None]
    photo *= depth + (1 - depth) * np.array([0.35, 0.4, 0.55])
    found = sheet.find_sheet(photo)
    assert found is not None and found.quad
    assert np.abs(found.outline - corners).max() < 0.02 * max(photo.shape)


def test_a_photo_that_is_all_page_is_not_cut():
    ink, _ = draw_page(["HLT VN", "FTH"])
    assert sheet.find_sheet(photograph(ink, gradient=0.4)) is None
    # nor is a page whose writing is in the shadow of the photographer
    page = photograph(ink)
    width = page.shape[1]
    # a soft bluish shadow over the left half of it
    depth = np.clip((np.arange(width) - 0.4 * width) / (0.2 * width), 0, 1)[None, :, None]
    page *= depth + (1 - depth) * np.array([0.55, 0.6, 0.75])
    assert sheet.find_sheet(page) is None


def test_characters_on_a_turned_page_on_a_desk_are_read_level_in_reading_order():
    ink, true = draw_page(["HLTVN", "FTHLV"])
    page = photograph(ink)
    photo, corners, page_to_photo = on_desk(page, angle=15, perspective=0.02)
    found = segment.find_characters(photo)
    assert found.sheet is not None and len(found.sheet) == 4
    assert len(found.boxes) == len(true)
    # the boxes, mapped back onto the photo, sit where the characters lie on it
    centres = np.array([[(b[1] + b[3]) / 2, (b[0] + b[2]) / 2] for b in true], float)
    on_photo = page_to_photo(centres)
    found_centres = found.image_corners().mean(axis=1)
    nearest = np.linalg.norm(on_photo[:, None] - found_centres[None], axis=2).min(axis=1)
    assert nearest.max() < 0.3 * 40 * photo.shape[0] / page.shape[0]
    # and on the upright page they stand in two level rows of five
    lines, _ = segment.group_lines(found.boxes)
    assert [len(line) for line in lines] == [5, 5]


@pytest.mark.parametrize("angle", [-28, -9, 4, 17, 30])
def test_estimate_skew_finds_the_angle_of_turned_text_lines(angle):
    ink, _ = draw_page(["HLTVN FTHL", "NVHLT", "FTH LVN HT", "LVNH"], shape=(400, 600))
    turned = transform.rotate(ink.astype(float), angle, resize=True, order=0) > 0.5
    assert skew.estimate_skew(turned, 40) == pytest.approx(angle, abs=1.0)


@pytest.mark.parametrize("angle", [-2.5, 1.5, 2.5])
def test_a_small_skew_is_found_whatever_the_character_height_it_is_binned_by(angle):
    # the profile's bins are a quarter of the character height: where their edges happen to fall
    # against the lines' edges must not move the estimate (with one set of bins it did by 0.6
    # degrees, and to none at all on shorter lines)
    ink, _ = draw_page(["HLTVN FTHL", "NVHLT", "FTH LVN HT"], shape=(300, 600), indents=[0, 0.55, 0.2])
    turned = transform.rotate(ink.astype(float), angle, resize=True, order=0) > 0.5
    for height in 40 * np.array([0.94, 0.97, 1.0, 1.03, 1.06]):
        assert skew.estimate_skew(turned, height) == pytest.approx(angle, abs=0.25), height


@pytest.mark.parametrize("angle", [-21, 13])
def test_the_skew_of_text_turned_sideways_is_its_tilt_off_the_quarter_turn(angle):
    lines = ["HLTVN FTHL", "NVHLT", "FTH LVN HT", "LVNH"]
    ink, _ = draw_page(lines, shape=(400, 600), indents=[0, 0.55, 0.2, 0.75])
    turned = transform.rotate(ink.astype(float), 90 + angle, resize=True, order=0) > 0.5
    # its lines run in columns; levelling by the tilt leaves them square, for the quarter turn
    assert skew.estimate_skew(turned, 40) == pytest.approx(angle, abs=1.0)


def test_level_transform_levels_a_rising_line():
    shape, angle = (300, 500), 20.0
    tform, out_shape = skew.level_transform(shape, angle)
    # two points of a line rising at 20 degrees (y down) come out at one height
    start = np.array([100.0, 200.0])
    end = start + 200 * np.array([np.cos(np.deg2rad(angle)), -np.sin(np.deg2rad(angle))])
    out = tform.inverse(np.array([start, end]))
    assert out[0, 1] == pytest.approx(out[1, 1], abs=1e-6)
    assert out[1, 0] > out[0, 0]
    # and the whole turned image fits in the output
    image_corners = np.array([[0, 0], [499, 0], [499, 299], [0, 299]], float)
    inside = tform.inverse(image_corners)
    assert inside.min() >= -1 and (inside.max(axis=0) <= np.array(out_shape[::-1]) + 1).all()


def test_a_shadow_over_the_sheet_s_edge_and_the_desk_does_not_let_the_sheet_run_into_a_wooden_desk():
    ink, _ = draw_page(["HLT VN", "FTH LV", "NVH"])
    page = photograph(ink)
    # a dim page, its own right side in shadow, under the combined composite's light: the shadow
    # over the sheet's edge and the wood beside it leaves no sharp step there for the flood to stop
    # at (before the paper's hue bounded it, the sheet ran on into the desk and was found by
    # brightness, a corner 16% of the frame off). One scene, a regression test of the mechanism:
    # over seeds 0-9 of this scene the sheet is found on 3 (none before); the others still fail.
    width = page.shape[1]
    page = page * (1 - 0.6 * np.clip((np.arange(width) - 0.6 * width) / (0.1 * width), 0, 1))[None, :, None]
    scene = composite.Scene(background="wood", angle=-12, perspective=0.06, gradient=0.3, shadow=0.35,
                            noise=0.02, blur=0.7)
    photo = composite.make_composite(page, scene, np.random.default_rng(4))
    found = sheet.find_sheet(photo.image)
    assert found is not None and found.by == "colour" and found.quad
    assert np.abs(found.outline - photo.corners).max() < 0.02 * max(photo.image.shape)


@pytest.mark.parametrize("angle", [0, 7, -12])
def test_letters_written_up_to_a_rectified_sheet_s_edge_are_read_and_its_rim_is_not(angle):
    ink, true = draw_page(["HLT VN", "FTH LV", "NVH"])
    # the first line written right up to the sheet's top edge
    top = int(true[:, 0].min())
    ink, true = ink[top:], true - [top, 0, top, 0]
    # a dark rim along the sheet's foot (its shadow, a fold), broken into bars a letter wide
    for left in range(0, ink.shape[1] - 40, 46):
        ink[-12:, left : left + 40] = True
    photo, _, to_photo = on_desk(photograph(ink), angle, 0.02, "dark")
    found = segment.find_characters(photo)
    assert found.sheet is not None and len(found.sheet) == 4
    # every letter found where it is, the top line's included, and none of the rim's bars
    assert len(found.boxes) == len(true)
    centres = found.image_corners().mean(axis=1)
    true_centres = to_photo(np.stack([true[:, [1, 3]].mean(axis=1), true[:, [0, 2]].mean(axis=1)], axis=1))
    nearest = np.linalg.norm(centres[:, None] - true_centres[None], axis=2).min(axis=0)
    assert (nearest < 0.3 * np.median(true[:, 2] - true[:, 0])).all()
