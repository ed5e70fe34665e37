"""Page images: a file on disk -> an upright array in one of two layouts -> grey.

:func:`read_image` decodes a photograph or scan with PIL and turns it the way the camera said
it was held (the EXIF orientation), so every later step sees the page as a person does. Colour
spaces and layouts are settled here, once: CMYK and YCbCr become RGB, palettes are expanded,
transparent pixels are laid on white paper, 16-bit grey stays 16-bit. What comes out is an
(h, w) grey or (h, w, 3) RGB array; :func:`to_grey` turns that (or any grey, RGB or RGBA array
a caller has made) into the float grey page that segmentation works on.

Segmentation only ever looks at a page shrunk to WORK_PIXELS (:func:`shrunk_grey`), so
:func:`open_page`, what reading a file starts with, decodes a large JPEG only as finely as that
needs (a :class:`ScaledPage`, by libjpeg's DCT scaling): on a 12 MP photo a third of the time
and a quarter of the memory of the whole decode.

A file that is not a page image (missing, empty, a text or web page saved as .jpg, a photo
format PIL cannot decode, truncated) raises :class:`nnrec.DataError`: one line naming the file
and what was found.
"""

import math
import threading
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from skimage import color, util

from nnrec import DataError

# Smallest page side, in pixels, that can hold a line of characters.
MIN_SIDE = 8

# Working resolution: pages are box-averaged by a whole or half factor (shrink_factor) down to at
# most this many pixels (the frame, or the sheet found in it) before thresholding
# (nnrec.ocr.segment): a photograph's characters stay 40-150 px tall at this size, plenty for a
# 32x32 cell, and a 12 MP page is read in well under a second.
WORK_PIXELS = 1.6e6

# libjpeg's DCT scaling decodes a JPEG directly at 1/2, 1/4 or 1/8 of each side.
JPEG_REDUCTIONS = (2, 4, 8)

# EXIF orientations (5-8) that store the picture a quarter turn from upright.
_QUARTER_TURNS = (5, 6, 7, 8)

# Luminance weights of sRGB (Rec. 709), those of skimage.color.rgb2gray.
LUMA = (0.2125, 0.7154, 0.0721)

# Pixels per band in which to_grey converts an 8-bit RGB photograph (a few hundred kB of floats).
GREY_BAND = 1 << 15

# Modes PIL turns into RGB (or RGBA when they carry transparency) before anything else.
_TO_RGB = {"CMYK": "RGB", "YCbCr": "RGB", "LAB": "RGB", "HSV": "RGB", "P": "RGB", "PA": "RGBA", "RGBX": "RGB",
           "RGBa": "RGBA", "La": "LA", "1": "L"}

# Formats PIL cannot open that phones and browsers write, recognised by their first bytes.
_KNOWN_OTHERS = {b"ftypheic": "an HEIC photo", b"ftypheix": "an HEIC photo", b"ftypmif1": "an HEIF photo",
                 b"ftyphevc": "an HEIF photo", b"ftypavif": "an AVIF image"}


def _not_an_image(head):
    """What ``head`` (the file's first bytes) says the file is, for an error message."""
    for marker, kind in _KNOWN_OTHERS.items():
        if head[4:12] == marker:
            return f"{kind}, which this reader cannot decode; convert it to JPEG or PNG"
    shown = head[:24].decode("latin-1")
    if shown.isprintable():
        return f"not an image file (it starts with {shown!r}); expected a JPEG or PNG page image"
    return "not an image file PIL recognises; expected a JPEG or PNG page image"


def _on_white(image):
    """An RGBA or LA PIL image composited on white paper -> RGB or L."""
    rgba = image.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(paper, rgba).convert("RGB" if image.mode == "RGBA" else "L")


def _as_array(image, path):
    """A decoded PIL image, already upright -> (h, w) uint8/uint16 grey or (h, w, 3) uint8 RGB."""
    if image.mode in _TO_RGB:
        # a palette with a transparent entry keeps it, so it can be laid on white below
        wanted = _TO_RGB[image.mode]
        image = image.convert("RGBA" if image.mode == "P" and "transparency" in image.info else wanted)
    if image.mode in ("RGBA", "LA"):
        image = _on_white(image)
    if image.mode in ("L", "RGB"):
        return np.asarray(image)
    if image.mode.startswith("I;16") or image.mode == "I":
        # 16-bit grey (PNG, TIFF); mode "I" holds it in 32-bit integers
        values = np.asarray(image)
        if values.min() < 0 or values.max() > np.iinfo(np.uint16).max:
            raise DataError(f"{path}: 32-bit integer pixels from {values.min()} to {values.max()}; "
                            "expected an 8- or 16-bit page image")
        return values.astype(np.uint16)
    raise DataError(f"{path}: pixels of PIL mode {image.mode!r}; expected an 8- or 16-bit grey, RGB or "
                    "CMYK page image")


def _decode(path, reduction_for=None):
    """Decode the page image at ``path`` upright -> (array, (h, w), reduction): the array as
    :func:`read_image` gives it, the whole upright image's height and width, and how many times
    smaller each side of the array is.

    reduction_for: callable from the whole image's pixel count to a reduction wanted (1, 2, 4
    or 8); a JPEG is then decoded that much smaller by libjpeg's DCT scaling, any other format
    whole. None: whole.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: {'a folder, not a' if path.is_dir() else 'no such'} page image")
    size = path.stat().st_size
    if size == 0:
        raise DataError(f"{path}: empty file (0 bytes); expected a JPEG or PNG page image")
    try:
        with Image.open(path) as image:
            wide, tall = image.size
            wanted = reduction_for(wide * tall) if reduction_for else 1
            if wanted > 1:  # a no-op but for JPEG (and MPO, a phone's JPEG); PIL takes the floor
                image.draft(image.mode, (max(1, wide // wanted), max(1, tall // wanted)))
            image.load()
            reduction = next(r for r in (1, *JPEG_REDUCTIONS) if -(-wide // r) == image.size[0])
            if image.getexif().get(ExifTags.Base.Orientation, 1) in _QUARTER_TURNS:
                wide, tall = tall, wide
            ImageOps.exif_transpose(image, in_place=True)
            array = _as_array(image, path)
    except UnidentifiedImageError:
        with open(path, "rb") as stream:
            head = stream.read(32)
        raise DataError(f"{path}: {_not_an_image(head)}") from None
    except Image.DecompressionBombError as error:
        raise DataError(f"{path}: {error}") from None
    except (OSError, ValueError, SyntaxError) as error:  # what PIL's decoders raise on damaged data
        detail = " ".join(str(error).split())
        raise DataError(f"{path}: cannot be decoded ({detail}); the file is damaged or cut short "
                        f"({size} bytes)") from None
    if min(tall, wide) < MIN_SIDE:
        raise DataError(f"{path}: decoded to an image of {wide}x{tall} pixels; "
                        f"expected a page image at least {MIN_SIDE} pixels on each side")
    return array, (tall, wide), reduction


def read_image(path):
    """Read a page image from disk -> (h, w) grey (uint8 or uint16) or (h, w, 3) uint8 RGB array.

    Upright as the EXIF orientation says (phones store the sensor's pixels and a tag saying how
    the phone was held). CMYK, YCbCr and palette images become RGB; transparent (RGBA, grey +
    alpha, palette) pixels are composited on white. The first frame of a multi-frame file is
    read. Anything that is not a page image raises DataError naming the file.
    """
    return _decode(path)[0]


def shrink_factor(pixels, work_pixels=None):
    """The factor, a whole or half number, a page of ``pixels`` is box-averaged down by so that
    it has at most ``work_pixels`` (default WORK_PIXELS; 1: not at all).

    Halves, not only whole numbers: a page just over ``work_pixels`` would keep a quarter of
    them at a factor of 2, and 0.44 of them at 1.5 (its characters a third larger).
    """
    factor = max(1.0, math.ceil(2 * math.sqrt(pixels / (work_pixels or WORK_PIXELS)) - 1e-9) / 2)
    return int(factor) if factor == int(factor) else factor


def _jpeg_reduction(most):
    """The largest of libjpeg's reductions (1, 2, 4, 8) that is at most ``most``."""
    return max(r for r in (1, *JPEG_REDUCTIONS) if r <= most)


class ScaledPage:
    """A JPEG page decoded smaller than it is, as :func:`open_page` gives it: a reader that only
    ever looks at the page shrunk (:func:`shrunk_grey`) needs no more.

    shape: the whole upright image's (h, w) or (h, w, 3), as :func:`read_image` would give it.
    :meth:`pixels` gives the page decoded at a given reduction or finer; ``np.asarray(page)``
    decodes it whole (what :func:`read_image` gives).
    """

    def __init__(self, path, shape, reduction, pixels):
        self.path, self.shape = Path(path), tuple(shape)
        self._decoded = {reduction: pixels}
        self._lock = threading.Lock()  # the sheet is looked for in a thread while the page shrinks

    def pixels(self, most):
        """(array, reduction): the page decoded with each side ``reduction`` times smaller: the
        coarsest reduction of at most ``most`` decoded so far, else the largest of libjpeg's
        reductions not above ``most``, decoded now."""
        with self._lock:
            have = [r for r in self._decoded if r <= most]
            if not have:
                wanted = _jpeg_reduction(most)
                array, _, reduction = _decode(self.path, lambda pixels: wanted)
                self._decoded[reduction] = array
                have = [reduction]
            return self._decoded[max(have)], max(have)

    def __array__(self, dtype=None, copy=None):
        whole = self.pixels(1)[0]
        return whole if dtype is None else whole.astype(dtype)


def open_page(path, work_pixels=None):
    """The page image at ``path``, for reading at ``work_pixels`` (default WORK_PIXELS).

    A JPEG that is shrunk by 2 or more to fit in ``work_pixels`` (:func:`shrink_factor`) is
    decoded only as finely as that needs, by libjpeg's DCT scaling (half of each side for a
    factor from 2 to 3.5: a third of the time and a quarter of the memory of the whole decode) and
    returned as a :class:`ScaledPage`; anything else is :func:`read_image`'s array. Errors as
    :func:`read_image`'s.
    """
    array, shape, reduction = _decode(path, lambda pixels: _jpeg_reduction(shrink_factor(pixels, work_pixels)))
    if reduction == 1:
        return array
    return ScaledPage(path, shape + array.shape[2:], reduction, array)


def as_page(image):
    """A :class:`ScaledPage` as it is (not decoded whole); anything else as an array."""
    return image if isinstance(image, ScaledPage) else np.asarray(image)


def coarse_pixels(image, most):
    """(pixels, reduction): a :class:`ScaledPage`'s pixels decoded at a reduction of at most
    ``most`` (:meth:`ScaledPage.pixels`); any other image is its own pixels, reduction 1."""
    if isinstance(image, ScaledPage):
        return image.pixels(most)
    return np.asarray(image), 1


def to_grey(image):
    """Page image -> (h, w) float64 grey in 0-1 (white paper ~1).

    Accepts (h, w) grey, (h, w, 1), (h, w, 3) RGB and (h, w, 4) RGBA (composited on white)
    arrays of any integer or float dtype; RGB is weighted by LUMA (as skimage.color.rgb2gray).
    Anything else raises DataError.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        return util.img_as_float(image).astype(np.float64)
    if image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8:
        # a photograph's usual layout: weighed a band of rows at a time, so no float copy of
        # all three channels is made (on a 12 MP page, half the time of rgb2gray)
        weights = np.asarray(LUMA) / 255.0
        grey = np.empty(image.shape[:2])
        rows = max(1, GREY_BAND // image.shape[1])
        for top in range(0, image.shape[0], rows):
            np.matmul(image[top : top + rows].astype(np.float64), weights, out=grey[top : top + rows])
        return grey
    if image.ndim == 3 and image.shape[2] == 4:
        image = color.rgba2rgb(image, background=(1, 1, 1))
    if image.ndim == 3 and image.shape[2] == 3:
        return color.rgb2gray(image)
    raise DataError(f"page image has shape {image.shape}; expected (h, w), (h, w, 3) or (h, w, 4)")


def block_sums(values, factor, dtype=None):
    """Sums of ``factor`` x ``factor`` blocks of (h, w, ...) ``values`` -> (ceil(h / factor),
    ceil(w / factor), ...), the last blocks padded with zeros; in ``dtype`` (default: that of
    ``values``).

    Added up from ``factor`` strided slices along each axis: a third of the time of a mean over
    a blocked view (:func:`skimage.transform.downscale_local_mean`) on a 12 MP page.
    """
    h, w = values.shape[:2]
    tall, wide = -(-h // factor), -(-w // factor)
    if (tall * factor, wide * factor) != (h, w):
        values = np.pad(values, [(0, tall * factor - h), (0, wide * factor - w)] + [(0, 0)] * (values.ndim - 2))
    rows = values[0::factor].astype(dtype or values.dtype)
    for k in range(1, factor):
        rows += values[k::factor]
    sums = rows[:, 0::factor].copy()
    for k in range(1, factor):
        sums += rows[:, k::factor]
    return sums


def shrunk_grey(image, factor):
    """:func:`to_grey` of a page image box-averaged ``factor`` times smaller -> (ceil(h / factor),
    ceil(w / factor)) float64. A whole factor: :func:`skimage.transform.downscale_local_mean` of
    its grey (the last blocks padded with zeros), to within float rounding; any other (1.5, 2.5):
    PIL's box filter (:func:`_box_shrunk`).

    An 8-bit RGB photograph is averaged before it is weighed to grey: its channels are summed in
    integers (exact), so only the small copy is ever converted to floats. A :class:`ScaledPage`
    is shrunk from its pixels decoded at a reduction that divides ``factor`` as above, else from
    those at the coarsest reduction under it by the box filter.
    """
    if isinstance(image, ScaledPage):
        pixels, reduction = image.pixels(factor)
        if factor % reduction == 0:
            return shrunk_grey(pixels, int(factor // reduction))
        return _box_shrunk(pixels, image.shape, factor)
    image = np.asarray(image)
    if factor != int(factor):
        return _box_shrunk(image, image.shape, factor)
    factor = int(factor)
    if factor == 1:
        return to_grey(image)
    if image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8:
        wide = np.uint16 if factor * factor * 255 <= np.iinfo(np.uint16).max else np.uint32
        rgb = block_sums(image, factor, wide)
        return (rgb.astype(np.float64) @ (np.asarray(LUMA) / 255.0)) / (factor * factor)
    return block_sums(to_grey(image), factor) / (factor * factor)


def _box_shrunk(pixels, whole, factor):
    """:func:`to_grey` of ``pixels`` (a page of shape ``whole``, perhaps decoded smaller) shrunk
    to (ceil(h / factor), ceil(w / factor)) of the whole by PIL's box filter: each pixel out is
    the mean of the pixels whose centres fall in the square it covers (at a step of 1.5: two,
    then one). An 8-bit photograph is filtered before it is weighed to grey (rounded to 8 bits)."""
    size = (math.ceil(whole[1] / factor - 1e-9), math.ceil(whole[0] / factor - 1e-9))  # (w, h), as PIL
    pixels = np.asarray(pixels)
    if pixels.dtype == np.uint8 and (pixels.ndim == 2 or pixels.shape[2] == 3):
        return to_grey(np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BOX)))
    grey = Image.fromarray(to_grey(pixels).astype(np.float32), "F")
    return np.asarray(grey.resize(size, Image.Resampling.BOX), np.float64)
