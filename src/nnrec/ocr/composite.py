"""Photographs made from a page: the page laid on a desk, turned, warped, lit and shadowed.

A robustness set the pipeline makes itself. :data:`TRANSFORMATIONS` names each composite
(``flat`` is the page alone, the reference); :func:`make_composite` draws one from a page
array with a generator seeded by (seed, page name, transformation), see :func:`composite_rng`,
so the same call gives the same image on every machine and a new seed gives new ones.

Coordinates are (x, y) with y down; a positive angle turns the page counter-clockwise as seen
on screen. Images are float RGB in 0-1 inside, uint8 RGB on the way out.
"""

import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage
from skimage import draw, transform, util


# The page's longer side in the composites (pixels; a larger page is shrunk to it, a smaller
# one kept), and the most a frame may measure: phone-photo sizes the reader shrinks anyway.
PAGE_SIDE = 1400
MAX_SIDE = 2000
# The desk shows around the page: each side gets this fraction of the page's extent, drawn.
MARGIN = (0.1, 0.2)
# Photographed from a metre or so away, the page fills 3-6% of a 12-megapixel phone frame
# (4000 pixels across): its longer side is then about 900 pixels.
FAR_MARGIN = (1.5, 2.1)
FAR_FRAME_SIDE = 4000
# Squared paper: 5 mm squares on an A4 sheet are 2.4% of its longer side, and a phone photo of
# it shows lines about a tenth of a millimetre thick (0.1% of the side), printed light blue.
SQUARED_SPACING = 0.03
SQUARED_WIDTH = 0.001
SQUARED_COLOUR = (0.59, 0.73, 0.88)


@dataclass(frozen=True)
class Scene:
    """What one composite does to the page (every amount is drawn around these values).

    background: "none" (the page alone), "plain" (an even grey-beige desk), "wood"
    (procedural wood grain), "dark" (a dark desk), "bright_object" (a dark desk with a white
    box partly in frame at an edge), "keyboard" (a dark desk with a keyboard partly in frame).
    angle: turn of the page in degrees (counter-clockwise). perspective: corner displacement
    of a tilted camera, as a fraction of the page's size. gradient: brightness lost across the
    frame by uneven light (0-1). shadow: brightness lost under a soft shadow over part of the
    page (0-1). noise: sensor noise (sd, 0-1 scale); blur: defocus (Gaussian sigma, pixels).
    margin: the desk shown on each side of the page, a fraction of the page's extent (drawn
    between the two); frame_side: the most the frame may measure (pixels, longer side; a larger
    frame is shrunk whole). squared: the page is squared paper, its grid's squares this fraction
    of its longer side (0: plain paper; see :func:`squared_paper`).
    """

    background: str = "plain"
    angle: float = 0.0
    perspective: float = 0.0
    gradient: float = 0.0
    shadow: float = 0.0
    noise: float = 0.006
    blur: float = 0.0
    margin: tuple = MARGIN
    frame_side: int = MAX_SIDE
    squared: float = 0.0


# Every composite the robustness set can make, in the order tables and figures show them.
TRANSFORMATIONS = {
    "flat": Scene(background="none", noise=0.0),
    "desk_plain": Scene(),
    "desk_wood": Scene(background="wood"),
    "desk_dark": Scene(background="dark"),
    "bright_object": Scene(background="bright_object"),
    "keyboard": Scene(background="keyboard"),
    "far": Scene(margin=FAR_MARGIN, frame_side=FAR_FRAME_SIDE),
    "rot+5": Scene(angle=5),
    "rot-5": Scene(angle=-5),
    "rot+15": Scene(angle=15),
    "rot-15": Scene(angle=-15),
    "rot+25": Scene(angle=25),
    "rot-25": Scene(angle=-25),
    # lying sideways or upside down: for the readers' orientation step (nnrec.ocr.orientation)
    "rot+90": Scene(angle=90),
    "rot180": Scene(angle=180),
    "rot-90": Scene(angle=-90),
    "perspective": Scene(perspective=0.08),
    "gradient": Scene(gradient=0.45),
    "shadow": Scene(shadow=0.45),
    "camera": Scene(noise=0.03, blur=1.0),
    "combined": Scene(background="wood", angle=-12, perspective=0.06, gradient=0.3, shadow=0.35,
                      noise=0.02, blur=0.7),
    # the writing on squared paper: a case past the robustness target, tracked (see STRESS)
    "squared": Scene(background="none", noise=0.0, squared=SQUARED_SPACING),
}
REFERENCE = "flat"
# Transformations the readers are not yet held to (the README says how they fare), each with
# what it does: reported on their own, not as the worst of the set
STRESS = {"squared": "printed on squared paper"}


@dataclass
class Composite:
    """One composite photograph.

    image: (H, W, 3) uint8 RGB. corners: (4, 2) float, where the page's corners (top-left,
    top-right, bottom-right, bottom-left of the scaled page) lie in the image, as (x, y).
    page_to_image: the skimage ProjectiveTransform from scaled-page (x, y) to image (x, y).
    scale: scaled-page pixels per input-page pixel. transformation: its name.
    """

    image: np.ndarray = field(repr=False)
    corners: np.ndarray
    page_to_image: transform.ProjectiveTransform = field(repr=False)
    scale: float
    transformation: str


def composite_rng(seed, page, transformation):
    """The generator of one composite: seeded by (seed, page name, transformation name).

    Names enter through crc32, which (unlike Python's hash) is the same in every process.
    """
    keys = [int(seed), zlib.crc32(str(page).encode()), zlib.crc32(str(transformation).encode())]
    return np.random.default_rng(keys)


def as_rgb(page):
    """Page image (h, w), (h, w, 1), (h, w, 3) or (h, w, 4), any dtype -> (h, w, 3) float 0-1.

    Alpha is composited on white (what a page with a transparent background shows).
    """
    page = util.img_as_float(np.asarray(page))
    if page.ndim == 3 and page.shape[2] == 1:
        page = page[..., 0]
    if page.ndim == 2:
        return np.repeat(page[..., None], 3, axis=2)
    if page.ndim == 3 and page.shape[2] == 4:
        alpha = page[..., 3:]
        return page[..., :3] * alpha + (1.0 - alpha)
    if page.ndim == 3 and page.shape[2] == 3:
        return page
    raise ValueError(f"page image has shape {page.shape}; expected (h, w), (h, w, 3) or (h, w, 4)")


def scale_page(page, page_side=PAGE_SIDE):
    """Page -> ((h', w', 3) float RGB with longer side at most ``page_side``, scale factor).

    Shrinks with anti-aliasing (strokes stay whole); a page already small enough is kept as it
    is (scale 1), so calling this twice changes nothing.
    """
    page = as_rgb(page)
    scale = min(1.0, page_side / max(page.shape[:2]))
    if scale == 1.0:
        return page, 1.0
    small = transform.rescale(page, scale, order=1, channel_axis=2, anti_aliasing=True)
    return np.clip(small, 0, 1), scale


# --------------------------------------------------------------------------- textures


def _spread(n_out, n_in, cell):
    """(n_out, n_in) float32 weights that spread n_in grid values ``cell`` pixels apart smoothly
    over n_out pixels (a Gaussian of 0.6 cells around each pixel's place on the grid, rows
    summing to 1). A 2-D field is then ``rows @ grid @ columns.T``: two small matrix products
    instead of an image-sized interpolation."""
    place = np.arange(n_out, dtype=np.float32)[:, None] / np.float32(cell) + 1.0
    weights = np.exp(-((place - np.arange(n_in, dtype=np.float32)[None, :]) ** 2) / np.float32(2 * 0.6 ** 2))
    return weights / weights.sum(axis=1, keepdims=True)


def smooth_noise(shape, cell, rng):
    """(h, w) float32 smooth random field, about zero mean and unit sd, features ~``cell``
    pixels wide (a coarse random grid spread smoothly over the pixels, see :func:`_spread`)."""
    h, w = shape
    gh, gw = int(np.ceil(h / cell)) + 3, int(np.ceil(w / cell)) + 3
    grid = rng.standard_normal((gh, gw), dtype=np.float32)
    field_ = _spread(h, gh, cell) @ grid @ _spread(w, gw, cell).T
    return (field_ - field_.mean()) / max(float(field_.std()), 1e-6)


def _axes(shape):
    """(h, 1) and (1, w) float32 pixel coordinates y, x (broadcast instead of full grids)."""
    h, w = shape
    return np.arange(h, dtype=np.float32)[:, None], np.arange(w, dtype=np.float32)[None, :]


def wood(shape, rng):
    """(h, w, 3) float RGB wood: planks of wavy sinusoidal growth rings, streaks, brown tones.

    Grain runs along x or y (drawn); rings are sin(2 pi (t + wobble) / period) over the
    distance t across the grain, the wobble a smooth noise field; each plank has its own tint
    and a dark seam between planks; fine streaks are noise stretched along the grain.
    """
    h, w = shape
    across_y = rng.random() < 0.5  # grain along x: rings vary with y
    yy, xx = _axes(shape)
    t, along = (yy, xx) if across_y else (xx, yy)
    extent_along = w if across_y else h
    period = rng.uniform(18, 45)
    wobble = period * (0.5 * smooth_noise(shape, max(40, extent_along // 6), rng)
                       + 1.0 * smooth_noise(shape, max(80, extent_along // 2), rng))
    rings = 0.5 + 0.5 * np.sin((2 * np.pi / period) * (t + wobble + 0.03 * along))
    rings = rings ** 2.5
    stretch = 24  # streaks are ~24 pixels long along the grain, one pixel wide across it
    n_along = int(np.ceil(extent_along / stretch)) + 3
    spread = _spread(extent_along, n_along, stretch)
    if across_y:
        streaks = rng.standard_normal((h, n_along), dtype=np.float32) @ spread.T
    else:
        streaks = spread @ rng.standard_normal((n_along, w), dtype=np.float32)
    streaks /= max(float(streaks.std()), 1e-6)
    plank_width = rng.uniform(0.2, 0.35) * max(h, w)
    position = (t + rng.uniform(0, plank_width)) / plank_width
    plank = np.floor(position).astype(int)
    tint = rng.uniform(-0.06, 0.06, plank.max() + 1).astype(np.float32)[plank]
    seam = np.where((position % 1.0) * plank_width < 2.0, np.float32(0.5), np.float32(1.0))
    light = rng.uniform([0.58, 0.42, 0.28], [0.68, 0.5, 0.34]).astype(np.float32)
    dark = light * np.float32(rng.uniform(0.55, 0.7))
    mix = np.clip(0.6 * rings + 0.08 * streaks + 0.2 + tint, 0, 1)[..., None]
    return (light * (1 - mix) + dark * mix) * seam[..., None]


def plain_desk(shape, rng):
    """(h, w, 3) float RGB: an even, slightly mottled grey-beige surface."""
    base = rng.uniform(0.38, 0.5) * np.array([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.85, 0.95)])
    mottle = 0.03 * smooth_noise(shape, max(20, max(shape) // 10), rng)
    return np.clip(base.astype(np.float32) + mottle[..., None], 0, 1)


def dark_desk(shape, rng):
    """(h, w, 3) float RGB: a dark desk (near-black with a faint sheen and texture)."""
    h, w = shape
    base = rng.uniform(0.08, 0.16) * np.array([1.0, rng.uniform(0.95, 1.05), rng.uniform(1.0, 1.15)])
    cy, cx = rng.uniform(0, h), rng.uniform(0, w)
    yy, xx = _axes(shape)
    spread = 2 * (0.4 * max(h, w)) ** 2
    sheen = 0.08 * np.exp(-((yy - cy) ** 2) / spread) * np.exp(-((xx - cx) ** 2) / spread)
    texture = 0.015 * smooth_noise(shape, 8, rng)
    return np.clip(base.astype(np.float32) + (sheen + texture)[..., None], 0, 1)


def _edge_box(shape, rng, depth):
    """A box entering the frame from a drawn edge: (top, left, bottom, right) pixels, edge."""
    h, w = shape
    edge = rng.choice(["top", "bottom", "left", "right"])
    if edge in ("top", "bottom"):
        width = rng.uniform(0.35, 0.6) * w
        left = rng.uniform(0, w - width)
        box = (-20, left, depth * h, left + width) if edge == "top" else (h - depth * h, left, h + 20, left + width)
    else:
        height = rng.uniform(0.35, 0.6) * h
        top = rng.uniform(0, h - height)
        box = (top, -20, top + height, depth * w) if edge == "left" else (top, w - depth * w, top + height, w + 20)
    return np.array(box), edge


def add_bright_object(image, rng, depth):
    """Draw a white box (brighter than paper) entering from an edge, ``depth`` of the frame deep."""
    (top, left, bottom, right), _ = _edge_box(image.shape[:2], rng, depth)
    rr, cc = draw.rectangle((top, left), (bottom, right), shape=image.shape[:2])
    image[rr, cc] = rng.uniform(0.93, 1.0)
    return image


def add_keyboard(image, rng, depth):
    """Draw a light-grey keyboard (rows of keys with dark gaps and dark legends) from an edge."""
    (top, left, bottom, right), edge = _edge_box(image.shape[:2], rng, depth)
    h, w = image.shape[:2]
    rr, cc = draw.rectangle((top, left), (bottom, right), shape=(h, w))
    image[rr, cc] = 0.35
    key = rng.uniform(0.02, 0.03) * max(h, w)
    gap = 0.15 * key
    ys = np.arange(top + gap, bottom - key, key + gap)
    for row, y in enumerate(ys):
        xs = np.arange(left + gap + (row % 3) * key / 3, right - key, key + gap)
        for x in xs:
            kr, kc = draw.rectangle((y, x), (y + key, x + key), shape=(h, w))
            image[kr, kc] = rng.uniform(0.78, 0.88)
            # a legend: one short stroke or two, dark, like a key's letter
            cy, cx = y + key * rng.uniform(0.3, 0.5), x + key * rng.uniform(0.3, 0.5)
            for _ in range(rng.integers(1, 3)):
                dy, dx = rng.uniform(-0.25, 0.25, 2) * key
                for shift in (0, 1):  # two pixels wide
                    lr, lc = draw.line(int(cy) + shift, int(cx), int(cy + dy) + shift, int(cx + dx))
                    keep = (lr >= 0) & (lr < h) & (lc >= 0) & (lc < w)
                    image[lr[keep], lc[keep]] = 0.2
    return image


def background(kind, shape, rng):
    """(h, w, 3) float RGB desk of ``kind`` (see :class:`Scene`), drawn with ``rng``."""
    if kind == "wood":
        return wood(shape, rng)
    if kind == "plain":
        return plain_desk(shape, rng)
    desk = dark_desk(shape, rng)
    if kind == "dark":
        return desk
    if kind == "bright_object":
        return add_bright_object(desk, rng, rng.uniform(0.1, 0.16))
    if kind == "keyboard":
        return add_keyboard(desk, rng, rng.uniform(0.14, 0.22))
    raise ValueError(f"unknown background {kind!r}; expected none, plain, wood, dark, bright_object or keyboard")


def squared_paper(page, spacing, rng, width=SQUARED_WIDTH, colour=SQUARED_COLOUR):
    """(h, w, 3) float RGB page printed on squared paper: lines across and down every
    ``spacing`` x its longer side, ``width`` x that side thick (at least a pixel), anti-aliased,
    at an offset drawn from ``rng``, in ``colour`` multiplied in (the writing over them stays as
    dark as it was, or darker)."""
    h, w = page.shape[:2]
    step = spacing * max(h, w)
    half = max(0.5, width * max(h, w) / 2)
    offset = rng.uniform(0, step, 2)

    def coverage(n, start):
        distance = np.abs((np.arange(n) - start + step / 2) % step - step / 2)
        return np.clip(half + 0.5 - distance, 0, 1)

    grid = np.maximum(coverage(h, offset[0])[:, None], coverage(w, offset[1])[None, :])
    return page * (1 - grid[..., None] * (1 - np.asarray(colour, np.float32)))


# --------------------------------------------------------------------------- geometry


def page_corners(shape):
    """(4, 2) (x, y) corners of an (h, w) page: top-left, top-right, bottom-right, bottom-left."""
    h, w = shape[:2]
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], float)


def rotated(points, angle):
    """(n, 2) (x, y) points turned ``angle`` degrees counter-clockwise on screen (y down)."""
    a = np.deg2rad(angle)
    rotation = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    return points @ rotation.T


def tilted(corners, amount, rng):
    """Corners (4, 2) as a camera tilted towards one side sees them: that side's edge shrinks
    by ~2 ``amount`` of the page size, and every corner moves a little (0.3 ``amount``)."""
    if amount == 0:
        return corners
    size = np.ptp(corners, axis=0).max()
    out = corners.copy()
    side = rng.integers(4)  # edge from corner `side` to corner `side + 1` is the far one
    a, b = out[side].copy(), out[(side + 1) % 4].copy()
    shrink = amount * rng.uniform(0.7, 1.0)
    out[side] = a + (b - a) * shrink
    out[(side + 1) % 4] = b + (a - b) * shrink
    out += rng.uniform(-0.3, 0.3, out.shape) * amount * size
    return out


def quad_distance(shape, corners):
    """(h, w) float32 signed distance in pixels from a convex quadrilateral (positive outside,
    negative inside; the largest of the distances beyond its four edge lines, exact inside and
    along the edges). corners: (4, 2) (x, y), clockwise on screen (TL, TR, BR, BL)."""
    yy, xx = _axes(shape)
    distance = None
    for a, b in zip(corners, np.roll(corners, -1, axis=0)):
        dx, dy = b - a
        length = np.hypot(dx, dy)
        nx, ny = np.float32(dy / length), np.float32(-dx / length)  # outward normal
        beyond = (xx - np.float32(a[0])) * nx + (yy - np.float32(a[1])) * ny
        distance = beyond if distance is None else np.maximum(distance, beyond)
    return distance


def place(corners, rng, margin=MARGIN, max_side=MAX_SIDE):
    """Frame around page corners already turned/tilted: ((4, 2) corners in the frame, (H, W)).

    Each side gets a margin drawn between the two fractions ``margin`` of the page's extent; a
    frame over ``max_side`` is shrunk as a whole.
    """
    low, high = corners.min(axis=0), corners.max(axis=0)
    extent = high - low
    margins = rng.uniform(*margin, size=4) * np.r_[extent, extent]  # left, top, right, bottom
    shrink = min(1.0, max_side / (extent + margins[:2] + margins[2:]).max())
    placed = (corners - low + margins[:2]) * shrink
    width, height = np.minimum(np.ceil((extent + margins[:2] + margins[2:]) * shrink), max_side).astype(int)
    return placed, (int(height), int(width))


# --------------------------------------------------------------------------- light and camera


def light_gradient(shape, amount, rng):
    """(h, w) brightness factor falling linearly from 1 to 1 - ``amount`` across the frame in
    a drawn direction."""
    h, w = shape
    a = rng.uniform(0, 2 * np.pi)
    yy, xx = _axes(shape)
    ramp = np.float32(np.cos(a) / w) * xx + np.float32(np.sin(a) / h) * yy
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-9)
    return 1.0 - np.float32(amount) * ramp


def soft_shadow(shape, corners, amount, rng):
    """(h, w) brightness factor: 1 - ``amount`` under a soft-edged shadow (a hand or phone
    held over the page) that covers a drawn 25-50% of the page's box from one side."""
    h, w = shape
    low, high = corners.min(axis=0), corners.max(axis=0)
    centre = (low + high) / 2
    a = rng.uniform(0, 2 * np.pi)
    direction = np.array([np.cos(a), np.sin(a)])
    # the shadow is the half-plane beyond a line across the page, its edge slightly curved
    reach = np.abs(direction) @ (high - low) / 2
    offset = reach * (1 - 2 * rng.uniform(0.25, 0.5))
    yy, xx = _axes(shape)
    yy, xx = yy - np.float32(centre[1]), xx - np.float32(centre[0])
    distance = xx * np.float32(direction[0]) + yy * np.float32(direction[1]) - np.float32(offset)
    along = yy * np.float32(direction[0]) - xx * np.float32(direction[1])
    distance -= np.float32(rng.uniform(-0.3, 0.3) / max(reach, 1.0)) * along ** 2
    softness = np.float32(rng.uniform(0.02, 0.05) * max(h, w))
    mask = 0.5 + 0.5 * np.tanh(distance / (2 * softness))  # a logistic step
    return 1.0 - np.float32(amount) * mask


def camera(image, noise, blur, rng):
    """Defocus (Gaussian ``blur`` sigma, pixels) and sensor noise (sd ``noise`` in brightness,
    plus colour noise at a 2-pixel grain when it is strong) of (h, w, 3) float RGB; returns
    float RGB clipped to 0-1."""
    image = image.astype(np.float32, copy=False)
    if blur > 0:
        image = ndimage.gaussian_filter(image, (blur, blur, 0))
    if noise > 0:
        h, w = image.shape[:2]
        image = image + np.float32(noise) * rng.standard_normal((h, w, 1), dtype=np.float32)
        if noise >= 0.01:  # a strong sensor noise has colour too, at a 2-pixel grain
            colour = rng.standard_normal(((h + 1) // 2, 1, (w + 1) // 2, 1, 3), dtype=np.float32)
            padded = np.pad(image, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
            padded = padded.reshape((h + 1) // 2, 2, (w + 1) // 2, 2, 3) + np.float32(0.5 * noise) * colour
            image = padded.reshape(2 * ((h + 1) // 2), 2 * ((w + 1) // 2), 3)[:h, :w]
    return np.clip(image, 0, 1)


# --------------------------------------------------------------------------- the composite


def make_composite(page, transformation, rng, page_side=PAGE_SIDE):
    """One composite photograph of ``page``.

    page: (h, w), (h, w, 3) or (h, w, 4) image, any dtype; shrunk first to ``page_side``
    (see :func:`scale_page`; pass a page already scaled to do that once for many composites).
    transformation: a name of :data:`TRANSFORMATIONS` (or a :class:`Scene`). rng: a
    numpy Generator, normally :func:`composite_rng` (seed, page name, transformation).
    ``flat`` returns the scaled page itself. Returns a :class:`Composite`; the whole page
    lies inside the frame, whose longer side is at most the scene's ``frame_side``.
    """
    if isinstance(transformation, Scene):
        scene, name = transformation, "custom"
    elif transformation in TRANSFORMATIONS:
        scene, name = TRANSFORMATIONS[transformation], transformation
    else:
        raise ValueError(f"unknown transformation {transformation!r}; expected one of {', '.join(TRANSFORMATIONS)}")
    page, scale = scale_page(page, page_side)
    if scene.squared:
        page = squared_paper(page, scene.squared, rng)
    src = page_corners(page.shape)
    if scene.background == "none" and not (scene.angle or scene.perspective):
        if scene != Scene(background="none", noise=0.0):
            page = light_and_camera(page, scene, src, rng)
        return Composite(_to_uint8(page), src, transform.ProjectiveTransform(), scale, name)
    turned = tilted(rotated(src, scene.angle), scene.perspective, rng)
    corners, shape = place(turned, rng, scene.margin, scene.frame_side)
    page_to_image = transform.estimate_transform("projective", src, corners)
    desk = background("plain" if scene.background == "none" else scene.background, shape, rng)
    warped = transform.warp(page.astype(np.float32), page_to_image.inverse, output_shape=shape, order=1,
                            mode="edge")
    outside = quad_distance(shape, corners)
    alpha = np.clip(0.5 - outside, 0, 1)[..., None]  # the sheet's edge, anti-aliased
    # the sheet lies on the desk: a faint contact shadow just around its edge
    contact = np.float32(0.35) * np.exp(-np.maximum(outside, 0) / np.float32(rng.uniform(3, 8)))
    image = alpha * warped + (1 - alpha) * desk * (1 - contact)[..., None]
    image = light_and_camera(image, scene, corners, rng)
    return Composite(_to_uint8(image), corners, page_to_image, scale, name)


def light_and_camera(image, scene, corners, rng):
    """Apply a scene's light gradient, shadow, blur and noise to (h, w, 3) float RGB."""
    shape = image.shape[:2]
    if scene.gradient:
        image = image * light_gradient(shape, scene.gradient, rng)[..., None]
    if scene.shadow:
        image = image * soft_shadow(shape, corners, scene.shadow, rng)[..., None]
    return camera(image, scene.noise, scene.blur, rng)


def _to_uint8(image):
    return np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)


def composites(page, page_name, transformations=None, seed=0, page_side=PAGE_SIDE):
    """Yield (transformation, :class:`Composite`) for each name (default: all of
    :data:`TRANSFORMATIONS`), each drawn with :func:`composite_rng` (seed, page_name, name);
    the page is shrunk once."""
    page, scale = scale_page(page, page_side)
    for name in transformations or TRANSFORMATIONS:
        made = make_composite(page, name, composite_rng(seed, page_name, name), page_side)
        made.scale = scale
        yield name, made
