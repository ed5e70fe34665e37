"""nnrec.ocr.image: page files of every layout a camera or an editor writes -> upright arrays."""

import numpy as np
import pytest
from PIL import Image
from skimage import color

from nnrec import DataError, cli, model_file, nn
from nnrec.ocr import image, segment
from ocr_pages import draw_page, matched

ORIENTATION = 0x0112  # the EXIF tag


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    """A small untrained 1024-16-36 MLP: the command needs a model to get as far as the page."""
    params = nn.init_network([1024, 16, 36], nn.MLP_ACTIVATIONS, np.random.default_rng(0))
    path = tmp_path_factory.mktemp("model") / "model.npz"
    model_file.save_model(path, params, nn.MLP_ACTIVATIONS)
    return path


def page_and_boxes(lines=("HLT",)):
    """A small page: (ink mask, true boxes), ink True where the characters are."""
    return draw_page(list(lines))


def grey_u8(ink, paper=235, pen=30):
    return np.where(ink, pen, paper).astype(np.uint8)


def test_exif_orientation_turns_a_phone_photo_upright(tmp_path):
    ink, true = page_and_boxes(["HL", "TV"])
    upright = np.dstack([grey_u8(ink)] * 3)
    # a phone held sideways stores the sensor's pixels turned a quarter turn, and Orientation=6
    # ("turn 90 degrees clockwise to show") in the EXIF
    stored = np.rot90(upright, 1)
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    path = tmp_path / "phone.jpg"
    Image.fromarray(np.ascontiguousarray(stored)).save(path, exif=exif, quality=95)
    with Image.open(path) as check:
        assert check.getexif()[ORIENTATION] == 6 and check.size == (stored.shape[1], stored.shape[0])

    read = image.read_image(path)
    assert read.shape == upright.shape
    assert np.abs(read.astype(int) - upright).mean() < 3  # JPEG noise only
    boxes = segment.find_characters(read).page_boxes()
    assert matched(boxes, true) == len(true) == len(boxes)


def test_cmyk_jpeg_reads_black_ink_on_white_paper(tmp_path):
    ink, true = page_and_boxes()
    cmyk = np.zeros(ink.shape + (4,), np.uint8)
    cmyk[..., 3] = np.where(ink, 230, 10)  # black ink is K, paper nearly none
    path = tmp_path / "scan_cmyk.jpg"
    Image.fromarray(cmyk, "CMYK").save(path, quality=95)
    read = image.read_image(path)
    assert read.shape == ink.shape + (3,)
    grey = image.to_grey(read)
    assert np.median(grey[ink]) < 0.25 and np.median(grey[~ink]) > 0.9
    assert matched(segment.find_characters(read).page_boxes(), true) == len(true)


def test_grey_alpha_png_lies_on_white(tmp_path):
    ink, true = page_and_boxes()
    la = np.zeros(ink.shape + (2,), np.uint8)
    la[..., 0] = 20
    la[..., 1] = np.where(ink, 255, 0)  # ink opaque, paper fully transparent (black underneath)
    la[0, 0] = (0, 128)  # a half-transparent black pixel: half way to white
    path = tmp_path / "scan_la.png"
    Image.fromarray(la, "LA").save(path)
    read = image.read_image(path)
    assert read.shape == ink.shape and read.dtype == np.uint8
    assert read[~ink][1:].min() == 255 and read[ink].max() == 20
    assert abs(int(read[0, 0]) - 127) <= 1
    assert matched(segment.find_characters(read).page_boxes(), true) == len(true)


@pytest.mark.parametrize("transparent_paper", [False, True])
def test_palette_png_is_expanded(tmp_path, transparent_paper):
    ink, true = page_and_boxes()
    indices = ink.astype(np.uint8)  # 0 = paper, 1 = ink
    palette = Image.fromarray(indices, "P")
    palette.putpalette([0, 0, 0, 10, 10, 120] + [0] * (256 * 3 - 6))  # paper black unless transparent
    path = tmp_path / "scan_p.png"
    palette.save(path, **({"transparency": 0} if transparent_paper else {}))
    read = image.read_image(path)
    assert read.shape == ink.shape + (3,)
    assert (read[ink] == (10, 10, 120)).all()
    assert (read[~ink] == (255 if transparent_paper else 0)).all()
    if transparent_paper:
        assert matched(segment.find_characters(read).page_boxes(), true) == len(true)


def test_16_bit_png_keeps_its_depth(tmp_path):
    ink, true = page_and_boxes()
    grey16 = np.where(ink, 3000, 60000).astype(np.uint16)
    grey16[0, 0] = 60001  # a step 8 bits cannot hold
    path = tmp_path / "scan16.png"
    Image.fromarray(grey16).save(path)
    read = image.read_image(path)
    assert read.dtype == np.uint16 and (read == grey16).all()
    assert image.to_grey(read)[0, 0] == pytest.approx(60001 / 65535)
    assert matched(segment.find_characters(read).page_boxes(), true) == len(true)


def test_to_grey_of_an_rgb_photo_weighs_channels_like_rgb2gray():
    rgb = np.random.default_rng(0).integers(0, 256, (40, 30, 3), dtype=np.uint8)
    assert np.allclose(image.to_grey(rgb), color.rgb2gray(rgb), atol=1e-12)
    rgba = np.dstack([rgb, np.zeros((40, 30), np.uint8)])  # all transparent: white paper
    assert np.allclose(image.to_grey(rgba), 1.0)
    with pytest.raises(DataError, match="shape"):
        image.to_grey(np.zeros((4, 4, 2)))


@pytest.mark.parametrize(
    "name, contents, expected",
    [
        ("empty.jpg", b"", "empty file"),
        ("notes.jpg", b"shopping list: eggs, milk\n", "not an image file .*shopping list"),
        ("download.jpg", b"<!DOCTYPE html><html><body>404</body></html>", "not an image file .*DOCTYPE html"),
        ("iphone.jpg", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "an HEIC photo, .*convert it to JPEG"),
    ],
)
def test_files_that_are_no_image_give_one_line_naming_the_file(tmp_path, capsys, model_path, name, contents,
                                                               expected):
    path = tmp_path / name
    path.write_bytes(contents)
    with pytest.raises(DataError, match=f"{name}: {expected}"):
        image.read_image(path)
    # and the command says just that: one line, no advice about installing anything
    status = cli.main(["ocr", str(path), "--model", str(model_path)])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and str(path) in err
    assert "pip" not in err and "install" not in err


def test_truncated_and_tiny_images_are_refused_naming_the_file(tmp_path):
    ink, _ = page_and_boxes()
    cut = tmp_path / "cut.jpg"
    Image.fromarray(grey_u8(ink)).save(cut)
    cut.write_bytes(cut.read_bytes()[:300])
    with pytest.raises(DataError, match="cut.jpg: cannot be decoded .*300 bytes"):
        image.read_image(cut)
    tiny = tmp_path / "tiny.png"
    Image.new("L", (5, 40), 255).save(tiny)
    with pytest.raises(DataError, match="tiny.png: decoded to an image of 5x40 pixels"):
        image.read_image(tiny)
    with pytest.raises(DataError, match="missing.png: no such page image"):
        image.read_image(tmp_path / "missing.png")
    with pytest.raises(DataError, match=f"{tmp_path.name}: a folder, not a page image"):
        image.read_image(tmp_path)


def test_a_large_jpeg_is_decoded_only_as_finely_as_reading_needs(tmp_path, monkeypatch):
    ink, true = page_and_boxes(["HLTF VLN", "FLT HNV", "NVT LH"])
    ink = np.kron(ink, np.ones((3, 3), bool))  # characters 120 px tall, 40 once shrunk by 3
    true = [[3 * v for v in box] for box in true]
    upright = np.dstack([grey_u8(ink)] * 3)
    # stored a quarter turn from upright, as a phone held sideways does
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    path = tmp_path / "phone.jpg"
    Image.fromarray(np.ascontiguousarray(np.rot90(upright, 1))).save(path, exif=exif, quality=95)
    whole = image.read_image(path)
    # a working size that shrinks this page by 3: libjpeg decodes it at half of each side
    monkeypatch.setattr(image, "WORK_PIXELS", ink.size / 8)
    page = image.open_page(path)
    assert isinstance(page, image.ScaledPage) and page.shape == whole.shape == upright.shape
    pixels, reduction = page.pixels(3)
    assert reduction == 2 and pixels.shape == (-(-ink.shape[0] // 2), -(-ink.shape[1] // 2), 3)
    for factor in (2, 3, 4):  # a whole reduction of the half-size pixels, or 1.5 by PIL's box filter
        shrunk, expected = image.shrunk_grey(page, factor), image.shrunk_grey(whole, factor)
        assert shrunk.shape == expected.shape
        assert np.abs(shrunk - expected)[:-1, :-1].mean() < 0.01, factor  # the last blocks: see block_sums
    # the same characters are found as in the whole decode, their boxes in the whole image's pixels
    found, from_whole = segment.find_characters(page), segment.find_characters(whole)
    assert found.scale == from_whole.scale == 1 / 3
    assert matched(found.page_boxes(), true) == len(true) == len(found.boxes)
    assert matched(found.page_boxes(), from_whole.page_boxes(), min_iou=0.9) == len(true)
    assert np.array_equal(np.asarray(page), whole) and page.pixels(1)[1] == 1  # the whole, when asked for


def test_only_a_jpeg_worth_shrinking_is_decoded_smaller(tmp_path, monkeypatch):
    ink, _ = page_and_boxes()
    for name in ("page.png", "page.jpg"):
        Image.fromarray(grey_u8(ink)).save(tmp_path / name)
    monkeypatch.setattr(image, "WORK_PIXELS", ink.size / 8)
    assert isinstance(image.open_page(tmp_path / "page.png"), np.ndarray)  # PNG has no scaled decode
    assert isinstance(image.open_page(tmp_path / "page.jpg"), image.ScaledPage)
    monkeypatch.setattr(image, "WORK_PIXELS", ink.size)
    page = image.open_page(tmp_path / "page.jpg")
    assert isinstance(page, np.ndarray) and np.array_equal(page, image.read_image(tmp_path / "page.jpg"))


def test_a_page_just_over_the_working_size_is_shrunk_by_a_half_step(monkeypatch):
    # a whole factor of 2 would keep a quarter of the working pixels, a half step 1/2.25 of them
    assert [image.shrink_factor(n * 1e6, 1e6) for n in (0.5, 1.0, 1.2, 2.25, 2.3, 4.0, 6.0, 9.0)] == [
        1, 1, 1.5, 1.5, 2, 2, 2.5, 3]
    ink, true = page_and_boxes(["HLTF VLN", "FLT HNV", "NVT LH"])
    ink = np.kron(ink, np.ones((2, 2), bool))
    true = [[2 * v for v in box] for box in true]
    photo = np.dstack([grey_u8(ink)] * 3)
    monkeypatch.setattr(image, "WORK_PIXELS", ink.size / 1.8)
    shrunk = image.shrunk_grey(photo, 1.5)
    assert shrunk.shape == (-(-ink.shape[0] * 2 // 3), -(-ink.shape[1] * 2 // 3))
    assert shrunk.mean() == pytest.approx(image.to_grey(photo).mean(), abs=0.01)
    found = segment.find_characters(photo)
    assert found.scale == pytest.approx(1 / 1.5)
    assert matched(found.page_boxes(), true) == len(true) == len(found.boxes)
