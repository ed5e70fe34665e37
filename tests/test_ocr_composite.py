"""Composite photographs of a page (nnrec.ocr.composite): seeded, the page kept whole and
readable, turned by the angle asked for."""

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage
from skimage import draw, morphology, transform

from nnrec.ocr import composite
from ocr_pages import draw_page, photograph


@pytest.fixture(scope="module")
def page():
    ink, _ = draw_page(["HLVN TF", "NVLH"], height=40)
    return photograph(ink, noise=0.01)


def _made(page, name, seed=0, **kwargs):
    return composite.make_composite(page, name, composite.composite_rng(seed, "page", name), **kwargs)


def test_same_seed_gives_the_same_composite_and_other_seeds_other_ones(page):
    first, again = _made(page, "combined", seed=3), _made(page, "combined", seed=3)
    assert np.array_equal(first.image, again.image)
    other = _made(page, "combined", seed=4)
    assert first.image.shape != other.image.shape or not np.array_equal(first.image, other.image)
    # the seed reaches every composite of a page, and names draw apart from each other
    wood = [_made(page, "desk_wood", seed=s).image for s in (0, 1)]
    assert wood[0].shape != wood[1].shape or np.abs(wood[0].astype(int) - wood[1]).mean() > 1


def test_flat_is_the_page_itself(page):
    flat = _made(page, "flat")
    assert np.array_equal(flat.image, np.round(page * 255).astype(np.uint8))
    assert np.allclose(flat.corners, [[0, 0], [page.shape[1], 0], [page.shape[1], page.shape[0]],
                                      [0, page.shape[0]]])


@pytest.mark.parametrize("name", list(composite.TRANSFORMATIONS))
def test_every_composite_holds_the_whole_page_with_its_ink(page, name):
    made = _made(page, name)
    h, w = made.image.shape[:2]
    assert made.image.dtype == np.uint8 and made.image.shape[2] == 3
    scene = composite.TRANSFORMATIONS[name]
    assert max(h, w) <= scene.frame_side
    assert (made.corners >= -1).all() and (made.corners[:, 0] <= w + 1).all() and (made.corners[:, 1] <= h + 1).all()
    if scene.background != "none":
        # the page fills a good part of the frame, and the desk shows around it; seen from afar,
        # a few percent of a phone's frame
        x, y = made.corners.T
        area = 0.5 * abs(x @ np.roll(y, -1) - y @ np.roll(x, -1))  # shoelace
        assert (0.02 < area / (h * w) < 0.08) if name == "far" else (0.3 < area / (h * w) < 0.9)
    # back on the page's own grid, the ink is where it was drawn (darker than the paper around it)
    back = transform.warp(made.image / 255.0, made.page_to_image, output_shape=page.shape[:2], order=1)
    grey_back, grey_page = back.mean(axis=2), page.mean(axis=2)
    ink = grey_page < 0.5
    paper = ndimage.binary_erosion(~ndimage.binary_dilation(ink, morphology.disk(4)), morphology.disk(6))
    contrast = np.median(grey_back[paper]) - np.median(grey_back[ink])
    assert contrast > 0.25, f"{name}: ink only {contrast:.2f} darker than the paper"


@pytest.mark.parametrize("angle", [5, -5, 15, -15, 25, -25])
def test_rotation_turns_a_line_by_the_angle_asked(angle):
    ink = np.zeros((300, 420), bool)
    ink[145:152, 40:380] = True
    made = _made(photograph(ink, noise=0.0), f"rot{angle:+d}")
    grey = made.image.mean(axis=2) / 255.0
    rr, cc = draw.polygon(made.corners[:, 1], made.corners[:, 0], grey.shape)
    inside = np.zeros(grey.shape, bool)
    inside[rr, cc] = True
    inside = ndimage.binary_erosion(inside, morphology.disk(8))
    ys, xs = np.nonzero(inside & (grey < 0.4))
    points = np.column_stack([xs, ys]).astype(float)
    points -= points.mean(axis=0)
    direction = np.linalg.svd(points, full_matrices=False)[2][0]
    measured = np.degrees(np.arctan2(-direction[1], direction[0]))
    measured = (measured + 90) % 180 - 90  # a line's direction is defined up to 180 degrees
    assert measured == pytest.approx(angle, abs=0.5)


def test_squared_paper_draws_lines_at_the_spacing_asked_and_keeps_the_ink_dark():
    page = np.ones((200, 300, 3))
    page[90:110, 140:160] = 0.0  # a blot of black ink
    squared = composite.squared_paper(page, 0.1, np.random.default_rng(0))  # squares of 30 px
    assert (squared <= page).all() and (squared[90:110, 140:160] == 0).all()
    for axis, n_lines in ((1, 200 / 30), (0, 300 / 30)):  # rows darkened all along, then columns
        darkest = squared.mean(axis=2).max(axis=axis)  # a line's row is dark in every column
        centres = np.nonzero((darkest < 0.95) & (darkest <= np.minimum(np.roll(darkest, 1), np.roll(darkest, -1))))[0]
        assert abs(len(centres) - n_lines) <= 1
        assert np.allclose(np.diff(centres), 30, atol=1)
    # blue lines, light against black ink
    line = squared[:, :, 0].max(axis=1).argmin()
    red, green, blue = squared[line, 0]
    assert blue > green > red > 0.5


def test_a_large_page_is_shrunk_once_and_a_small_one_kept():
    big = np.ones((3000, 4000))
    small, scale = composite.scale_page(big, page_side=1000)
    assert small.shape == (750, 1000, 3) and scale == pytest.approx(0.25)
    again, scale_again = composite.scale_page(small, page_side=1000)
    assert again.shape == small.shape and scale_again == 1.0


def test_lighting_darkens_part_of_the_page(page):
    for name in ("gradient", "shadow"):
        made = _made(page, name)
        back = transform.warp(made.image / 255.0, made.page_to_image, output_shape=page.shape[:2]).mean(axis=2)
        paper = page.mean(axis=2) > 0.6
        bright, dark = np.percentile(back[paper], [95, 5])
        assert bright - dark > 0.15, f"{name}: paper spans only {dark:.2f}-{bright:.2f}"


def test_unknown_transformation_names_the_choices(page):
    with pytest.raises(ValueError, match="desk_wood"):
        _made(page, "upside_down")


def test_the_config_schema_offers_exactly_the_transformations_of_the_table():
    import yaml

    schema = yaml.safe_load((Path(__file__).resolve().parents[1] / "workflow/schemas/config.schema.yaml").read_text())
    robustness = schema["properties"]["ocr"]["properties"]["robustness"]["properties"]["transformations"]
    assert robustness["items"]["enum"] == list(composite.TRANSFORMATIONS)
    assert robustness["default"] == list(composite.TRANSFORMATIONS)
