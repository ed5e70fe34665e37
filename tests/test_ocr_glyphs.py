"""nnrec.ocr.glyphs and nnrec.glyph_geometry: character images -> the 32x32 cells the readers see."""

import numpy as np
import pytest

from nnrec import charset
from nnrec import glyph_geometry
from nnrec.glyph_geometry import fit_to_box
from nnrec.ocr import glyphs, read, segment
from ocr_pages import draw_page, photograph, stroke_ink


def page_cells(chars, height=60):
    """The (n, 32, 32) cells of the characters of one drawn line, as a page crop makes them."""
    found = segment.find_characters(photograph(draw_page([chars], height=height)[0]))
    return glyphs.normalise_glyphs(segment.character_masks(found, np.argsort(found.boxes[:, 1])))


def test_fit_to_box_scales_the_ink_box_to_the_cell_and_centres_it():
    ink = np.zeros((100, 60))
    ink[10:62, 20:46] = 1.0  # a 52 x 26 box: halved to 26 x 13
    cell = fit_to_box(ink)
    ys, xs = np.nonzero(cell > 0.5)
    assert (ys.min(), ys.max(), xs.min(), xs.max()) == (3, 28, 9, 21)
    # a box already 26 long is only moved, not resampled
    glyph = np.random.default_rng(0).uniform(0.5, 1.0, (26, 11))
    cell = fit_to_box(np.pad(glyph, ((1, 5), (0, 7))))
    assert np.array_equal(cell[3:29, 10:21], glyph) and cell.sum() == pytest.approx(glyph.sum())
    assert not fit_to_box(np.zeros((5, 5))).any()


def test_bilinear_sampling_interpolates_inside_and_fades_to_zero_outside():
    images = np.arange(12, dtype=float).reshape(1, 3, 4) + 1
    sy = np.array([[[1.0, 0.5, -0.5, 2.5, -3.0]]])
    sx = np.array([[[1.0, 1.5, 0.0, 3.0, 1.0]]])
    got = glyph_geometry.sample_bilinear(images, sy, sx)[0, 0]
    # a pixel; the mean of four; half the edge pixel a half pixel beyond it; zero far outside
    assert np.allclose(got, [6.0, (2 + 3 + 6 + 7) / 4, 0.5, 12 / 2, 0.0])


def test_crops_are_training_layout_rows():
    ink, true = draw_page(["HL"], scale=2.0)
    found = segment.find_characters(photograph(ink))
    rows = read.crop_rows(found)
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
        found = segment.find_characters(photograph(ink))
        image = 1 - charset.rows_to_images(read.crop_rows(found, stroke=3.0))[0]
        widths.append(image.sum() / (image > 0.5).any(axis=1).sum())
    # ink per row of the L's stem region is ~ the stroke width, the same for both pens
    assert widths[0] == pytest.approx(widths[1], rel=0.25)


def test_redraw_keeps_originals_first_and_warps_copies():
    cells = page_cells("L")
    redrawn = glyphs.redraw(cells, stroke=2.7, copies=2, seed=0)
    assert redrawn.shape == (3, 32, 32)
    # a crop is already in the redrawn layout: redrawing it again changes little
    assert np.abs(redrawn[0] - cells[0]).mean() < 0.05
    # the copies are warped: different from the original and from each other
    assert np.abs(redrawn[1] - redrawn[0]).mean() > 0.01
    assert np.abs(redrawn[2] - redrawn[1]).mean() > 0.01
    assert redrawn.min() >= 0 and redrawn.max() <= 1
    # the same characters whatever the number of worker processes
    assert np.array_equal(glyphs.redraw(cells, stroke=2.7, copies=2, seed=0, workers=2), redrawn)
    # dataset rows in, dataset rows out
    rows = glyphs.redraw_rows(charset.inks_to_rows(cells), stroke=2.7, copies=2, seed=0)
    assert np.allclose(rows, charset.inks_to_rows(redrawn))


@pytest.mark.parametrize("slant", [-0.4, 0.25, 0.5])
def test_deskew_makes_a_sheared_stroke_upright(slant):
    upright = glyphs.deskew_image(stroke_ink(slant))
    ys, xs = np.nonzero(upright > 0.5)
    assert abs(np.polyfit(ys, xs, 1)[0]) < 0.05  # was `slant` px per px
    assert ys.max() - ys.min() + 1 == charset.INK_LONG_SIDE  # still laid out like the data
    assert abs(upright.sum() - stroke_ink(slant).sum()) < 0.1 * stroke_ink(slant).sum()  # ink kept


def test_deskew_leaves_upright_and_blank_glyphs_alone(monkeypatch):
    upright = stroke_ink(0.0)
    assert np.allclose(glyphs.deskew_image(upright), fit_to_box(upright))
    h = np.zeros((32, 32))
    h[3:29, 6:9] = h[3:29, 23:26] = h[15:18, 6:26] = 1.0  # symmetric: no slant
    assert np.allclose(glyphs.deskew_image(h), fit_to_box(h))
    assert not glyphs.deskew_image(np.zeros((32, 32))).any()
    # batches of any size, the same whatever the number of worker processes
    batch = np.stack([stroke_ink(0.3), upright, h])
    deskewed = glyphs.deskew_images(batch)
    assert deskewed.shape == (3, 32, 32)
    monkeypatch.setattr(glyphs, "DESKEW_CHUNK", 2)
    assert np.array_equal(glyphs.deskew_images(batch, workers=2), deskewed)
    assert glyphs.deskew_images(np.zeros((0, 32, 32))).shape == (0, 32, 32)



def test_deskewing_a_batch_shears_each_glyph_as_skimage_warps_it_alone():
    """The batch's shear (two gathers) against the textbook one glyph at a time: the centroid,
    mu11 / mu20 from skimage's central moments, a linear skimage warp with zeros outside; glyphs
    at the cell's edges and slanted past MAX_SKEW included."""
    from scipy import ndimage
    from skimage import measure, transform

    rng = np.random.default_rng(0)
    inks = [stroke_ink(s) for s in (-0.6, -0.2, 0.3, 0.7)] + [np.eye(32), np.eye(32)[::-1]]
    inks += [np.clip(rng.random((32, 32)) - 0.8, 0, 1) * 5 for _ in range(3)]
    inks = np.stack(inks)
    inks[6, :, :3] = 1.0  # ink on the cell's left edge
    for got, ink in zip(glyphs._sheared_upright(inks), inks):
        wide = np.pad(ink, ((0, 0), (16, 16)))
        yc, xc = ndimage.center_of_mass(wide)
        mu = measure.moments_central(wide, center=(yc, xc), order=2)
        skew = np.clip(mu[1, 1] / mu[2, 0], -glyphs.MAX_SKEW, glyphs.MAX_SKEW)
        shear = transform.AffineTransform(matrix=np.array([[1.0, skew, -skew * yc], [0, 1, 0], [0, 0, 1]]))
        expected = transform.warp(wide, shear, order=1, mode="constant", cval=0.0, preserve_range=True)
        assert np.allclose(got, expected, atol=1e-12)

def test_a_drawn_skeleton_matches_the_page_crop_redraw():
    ink, _ = draw_page(["F"], height=80)
    mask = ink[np.ix_(ink.any(axis=1), ink.any(axis=0))]
    drawn = glyphs.draw_skeleton(glyphs.glyph_skeleton(mask), stroke=2.7)
    assert drawn.shape == (32, 32)
    assert np.abs(drawn - glyphs.normalise_glyph(mask, stroke=2.7)).mean() < 0.03


def test_warp_cells_adds_warped_copies_in_copy_order():
    cells = page_cells("HL")
    warped = glyphs.warp_cells(cells, copies=2, seed=0)
    assert warped.shape == (4, 32, 32)
    assert warped.min() >= 0 and warped.max() == pytest.approx(1.0) and np.median(warped) < 0.1
    assert all(np.abs(warped[k] - cells[k % 2]).mean() > 0.005 for k in range(4))
    # each copy still looks most like its own character
    assert all(np.abs(warped[k] - cells[k % 2]).mean() < np.abs(warped[k] - cells[1 - k % 2]).mean()
               for k in range(4))
    assert np.array_equal(glyphs.warp_cells(cells, copies=2, seed=0), warped)

