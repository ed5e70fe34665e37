"""Synthetic NIST36-format characters rendered from handwriting fonts.

A stand-in for NIST36 when the real set cannot be had. Each font *face* (a ``fontpkg`` font
family at one weight) renders the 36 classes once; each sample then takes one of those
glyphs through a random stroke-width change, rotation, shear, anisotropic scale and elastic
distortion, is normalised by :func:`nnrec.glyph_geometry.fit_to_box` exactly like a character cropped
from a photographed page, gets a mild scale/position jitter, blur, ink and paper tone and noise,
and is stored as a NIST36 row (32x32 column-major, white background near 1, ink near 0).

The fonts come from ``fontpkg-*`` packages (pinned in pyproject.toml). Before use every face is
checked to cover A-Z and 0-9, and glyph pairs a face draws (nearly) the same way -- e.g. an O
and a 0 that differ only by a pixel -- are dropped from that face, decided by comparing the
rendered glyphs (:func:`ambiguous_pairs`). The test split uses fonts that the training split
never sees, so test accuracy measures generalisation to a new hand; the validation split shares
the training fonts (fresh samples), so it tracks fitting the training hands, like a classic
held-out split, and model selection never peeks at the test hands.

Everything random comes from one ``numpy`` generator per split seeded from ``seed``; the same
seed gives byte-identical arrays.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import ndimage

from . import DataError, charset
from .splits import CHARACTER_SPLITS as SPLITS
from .splits import save_split
from .glyph_geometry import fit_to_box, fit_to_box_batch, random_elastic_warp

# Default fonts per split (fontpkg family slugs). Test fonts must not appear in train.
_TRAIN_FONTS = [
    "caveat",
    "comfortaa",
    "dancing-script",
    "delius",
    "kalam",
    "permanent-marker",
    "quicksand",
    "satisfy",
    "varela-round",
    "yellowtail",
    "zeyada",
]
DEFAULT_FONTS = {
    "train": _TRAIN_FONTS,
    # validation: new samples of the training hands, so model choice never sees a test hand
    "valid": _TRAIN_FONTS,
    "test": ["indie-flower", "shadows-into-light"],
}

# Two glyphs of one face whose skeletons are everywhere within this fraction of the ink's
# longer side of each other (a symmetric Hausdorff distance) are ambiguous: both are dropped.
# On the default fonts the pairs at or under it are all O/0 and I/1 drawn alike (0.02-0.08:
# kalam's I and 1 are the same stroke); the closest pairs above it are distinct (kalam 400
# O/0 0.09, indie-flower O/0 0.09, quicksand 700 5/S 0.10).
AMBIGUITY_DISTANCE = 0.085

# Render resolution: glyphs are normalised to RENDER_LONG px in a RENDER_SIDE cell, leaving a
# margin for rotation and shear, and augmented there before the final fit_to_box to 32x32.
FONT_SIZE = 160
RENDER_SIDE = 64
RENDER_LONG = 44
# Augmentation strengths. stroke: target stroke width in final 32x32 pixels, drawn uniformly
# per sample (fine pen to marker); redraw: fraction of samples whose glyph is redrawn from its
# skeleton with a round pen (else the font's strokes are dilated or eroded); rotation_deg: s.d. of the rotation (clipped at 2 s.d.);
# shear: uniform +-; aspect: s.d. of log(width/height); elastic_px: s.d. of the displacement
# at a 5x5 grid of control points, in render pixels; zoom/shift_px: the mild jitter after the
# box fit (the cropper centres exactly, so little is needed); blur: Gaussian sigmas drawn from;
# ink/paper: darkness of ink and of paper (0 = white); noise: s.d. of pixel noise up to.
AUGMENT = {
    "stroke": (1.3, 4.2),
    "redraw": 0.5,
    "rotation_deg": 7.0,
    "shear": 0.25,
    "aspect": 0.15,
    "elastic_px": 2.6,
    "zoom": (0.86, 1.0),
    "shift_px": 1.0,
    "blur": (0.0, 0.0, 0.4, 0.6, 0.8),
    "ink": (0.85, 1.0),
    "paper": (0.0, 0.06),
    "noise": 0.04,
}


@dataclass(frozen=True)
class Face:
    """One font family at one weight."""

    family: str
    weight: int
    path: Path

    @property
    def name(self):
        return f"{self.family}:{self.weight}"


def font_faces(family):
    """The faces of an installed ``fontpkg`` family: every static weight, and the lightest and
    boldest instance of a variable font. Raises DataError when the family is not installed."""
    import fontpkg

    try:
        fam = fontpkg.family(family)
    except fontpkg.FamilyNotInstalled as err:
        raise DataError(
            f"font '{family}' (characters.synth.fonts): fontpkg family not installed; "
            f"install it with `pip install fontpkg-{family}` (installed: "
            f"{', '.join(sorted(fontpkg.families())) or 'none'})"
        ) from err
    weights = set()
    for f in fam.files:
        if f.style != "normal":
            continue
        if f.variable and f.wght_min is not None:
            weights |= {f.wght_min, f.wght_max}
        elif f.weight is not None:
            weights.add(f.weight)
    return [Face(fam.slug, w, fontpkg.path(fam.slug, w, nearest=True)) for w in sorted(weights)]


def pil_font(face, size=FONT_SIZE):
    """A PIL font of ``face`` at ``size`` pt; a variable font is set to the face's weight."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(face.path), size)
    try:
        axes = font.get_variation_axes()
    except OSError:  # not a variable font
        return font
    values = []
    for axis in axes:
        name = axis["name"]
        name = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        is_weight = name.strip().lower() in ("weight", "wght")
        values.append(float(face.weight) if is_weight else float(axis["default"]))
    font.set_variation_by_axes(values)
    return font


def render_glyph(font, char):
    """Draw one character with a PIL font; returns an (h, w) ink map in 0-1 (1 = ink)."""
    from PIL import Image, ImageDraw

    left, top, right, bottom = font.getbbox(char)
    pad = 8
    image = Image.new("L", (max(1, right - left) + 2 * pad, max(1, bottom - top) + 2 * pad), 0)
    ImageDraw.Draw(image).text((pad - left, pad - top), char, font=font, fill=255)
    return np.asarray(image, dtype=float) / 255.0


def check_coverage(path, chars=charset.CLASSES):
    """Raise DataError unless the font file at ``path`` maps every character of ``chars``
    to a glyph (its cmap) that draws some ink."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        cmap = font.getBestCmap() or {}
    missing = [c for c in chars if ord(c) not in cmap]
    if not missing:
        from PIL import ImageFont

        pil = ImageFont.truetype(str(path), 48)
        missing = [c for c in chars if render_glyph(pil, c).max() < 0.5]
    if missing:
        raise DataError(
            f"font {path}: no glyph for {' '.join(missing)}; every font used for synthetic "
            "characters must cover A-Z and 0-9 (choose another font in characters.synth.fonts)"
        )


def _skeleton_distance_maps(glyphs):
    from skimage.morphology import skeletonize

    skeletons = [skeletonize(g > 0.5) for g in glyphs]
    distances = [ndimage.distance_transform_edt(~s) for s in skeletons]
    return skeletons, distances


def ambiguous_pairs(glyphs, max_distance=AMBIGUITY_DISTANCE, long_side=RENDER_LONG):
    """Pairs of characters a face draws (nearly) the same way.

    glyphs: {char: (s, s) ink map already normalised by fit_to_box with ``long_side``}.
    Two glyphs are ambiguous when every point of each one's skeleton lies within
    ``max_distance * long_side`` pixels of the other's skeleton (symmetric Hausdorff distance
    of the skeletons, so stroke weight does not matter). Comparing fit_to_box layouts is what
    the networks see: an O and a 0 of different widths differ, identical ones do not.
    Returns a list of (char_a, char_b, distance / long_side) sorted by distance.
    """
    chars = sorted(glyphs)
    skeletons, distances = _skeleton_distance_maps([glyphs[c] for c in chars])
    pairs = []
    limit = max_distance * long_side
    for i in range(len(chars)):
        if not skeletons[i].any():
            continue
        for j in range(i + 1, len(chars)):
            if not skeletons[j].any():
                continue
            d = max(distances[j][skeletons[i]].max(), distances[i][skeletons[j]].max())
            if d <= limit:
                pairs.append((chars[i], chars[j], d / long_side))
    return sorted(pairs, key=lambda p: p[2])


def _stroke_width(glyph):
    """(median stroke width in px, skeleton) of an ink map: the width is twice the distance to
    the background along the skeleton."""
    from skimage.morphology import skeletonize

    mask = glyph > 0.5
    skeleton = skeletonize(mask)
    if not skeleton.any():
        return 1.0, mask
    return float(2 * np.median(ndimage.distance_transform_edt(mask)[skeleton])), skeleton


@dataclass
class GlyphBank:
    """Rendered, normalised glyphs of several faces.

    images: (m, RENDER_SIDE, RENDER_SIDE) ink maps; labels: (m,) class indices;
    faces: (m,) index into ``face_names``; stroke: (m,) stroke width in px at render size;
    skeletons: (m, RENDER_SIDE, RENDER_SIDE) their one-pixel skeletons (0/1);
    dropped: {face name: [(a, b, distance), ...]} the ambiguous pairs removed.
    """

    images: np.ndarray
    labels: np.ndarray
    faces: np.ndarray
    stroke: np.ndarray
    skeletons: np.ndarray
    face_names: list
    dropped: dict


@lru_cache(maxsize=None)
def _face_glyphs(face):
    font = pil_font(face)
    glyphs = {
        c: fit_to_box(render_glyph(font, c), long_side=RENDER_LONG, side=RENDER_SIDE)
        for c in charset.CLASSES
    }
    return glyphs


def glyph_bank(families, max_distance=AMBIGUITY_DISTANCE):
    """Render every face of ``families`` (fontpkg slugs), checking coverage and dropping
    ambiguous pairs. Raises DataError when a class is left without any glyph.
    Cached per font list: treat the returned bank as read-only."""
    return _glyph_bank(tuple(families), float(max_distance))


@lru_cache(maxsize=8)
def _glyph_bank(families, max_distance):
    images, labels, faces, stroke, skeletons, names, dropped = [], [], [], [], [], [], {}
    for family in families:
        for face in font_faces(family):
            check_coverage(face.path)
            glyphs = _face_glyphs(face)
            pairs = ambiguous_pairs(glyphs, max_distance)
            bad = {c for a, b, _ in pairs for c in (a, b)}
            dropped[face.name] = pairs
            names.append(face.name)
            for k, c in enumerate(charset.CLASSES):
                if c in bad:
                    continue
                images.append(glyphs[c])
                labels.append(k)
                faces.append(len(names) - 1)
                width, skeleton = _stroke_width(glyphs[c])
                stroke.append(width)
                skeletons.append(skeleton)
    labels = np.array(labels, dtype=int)
    missing = [c for k, c in enumerate(charset.CLASSES) if not np.any(labels == k)]
    if missing:
        raise DataError(
            f"synthetic characters: fonts {', '.join(families)} leave no unambiguous glyph "
            f"for {' '.join(missing)}; add a font that draws them distinctly "
            "(characters.synth.fonts)"
        )
    return GlyphBank(
        np.stack(images).astype(np.float32), labels, np.array(faces), np.array(stroke),
        np.stack(skeletons).astype(np.float32), names, dropped,
    )


def _disk(radius):
    y, x = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    return x * x + y * y <= radius * radius + radius  # a slightly rounder digital disk


def _change_strokes(images, radius):
    """Per-sample grey dilation (radius > 0) or erosion (radius < 0) by a disk."""
    out = images.copy()
    for r in np.unique(radius):
        if r == 0:
            continue
        sel = radius == r
        footprint = _disk(abs(int(r)))[None]
        op = ndimage.grey_dilation if r > 0 else ndimage.grey_erosion
        out[sel] = op(images[sel], footprint=footprint)
    return out


def _blur(cells, sigma):
    out = cells.copy()
    for s in np.unique(sigma):
        if s > 0:
            sel = sigma == s
            out[sel] = ndimage.gaussian_filter(cells[sel], (0, s, s))
    return out


def render_samples(bank, labels, rng):
    """Augmented 32x32 upright images (n, 32, 32), white background near 1, ink near 0, one per
    entry of ``labels`` (class indices), each from a random face of ``bank`` drawing that class."""
    n = len(labels)
    choice = np.empty(n, dtype=int)
    for k in np.unique(labels):
        pool = np.flatnonzero(bank.labels == k)
        sel = labels == k
        choice[sel] = rng.choice(pool, sel.sum())
    chunks = [
        _augment(bank, choice[start : start + CHUNK], rng) for start in range(0, n, CHUNK)
    ]
    return np.concatenate(chunks) if chunks else np.zeros((0, charset.SIDE, charset.SIDE))


CHUNK = 1024  # samples augmented at once (bounds memory to some tens of MB)


def _augment(bank, choice, rng):
    n = len(choice)
    base = bank.images[choice]

    # stroke width: aim at a target width (final pixels), relative to the face's own stroke
    aug = AUGMENT
    scale_up = RENDER_LONG / charset.INK_LONG_SIDE
    target = rng.uniform(*aug["stroke"], n) * scale_up
    radius = np.round((target - bank.stroke[choice]) / 2).astype(int)
    # never erode a stroke away: keep at least ~2 px of it at render size
    radius = np.clip(radius, -np.floor((bank.stroke[choice] - 2) / 2).clip(0), 4).astype(int)
    # or redraw the glyph's skeleton with a round pen of the target width: a monoline hand
    # without the font's thick-thin contrast (what a ballpoint or marker draws)
    redraw = rng.random(n) < aug["redraw"]
    base[redraw] = bank.skeletons[choice[redraw]]
    radius[redraw] = np.clip(np.round((target[redraw] - 1) / 2), 0, 4)
    inked = _change_strokes(base, radius)

    warped = random_elastic_warp(inked, rng, aug["rotation_deg"], aug["shear"], aug["aspect"],
                                 aug["elastic_px"])
    warped = ndimage.gaussian_filter(warped, (0, 0.5, 0.5))  # anti-alias the 64 -> 32 step
    cells = fit_to_box_batch(warped, rng, aug["zoom"], aug["shift_px"])
    cells = _blur(cells, rng.choice(aug["blur"], n))
    # thin strokes and blur leave no pixel fully inked; give every glyph a solid core, as a
    # pen (and the OCR cropper's redrawn strokes) would
    cells /= np.maximum(cells.max(axis=(1, 2), keepdims=True), 0.05)

    ink_tone = rng.uniform(*aug["ink"], n)[:, None, None]
    paper = rng.uniform(*aug["paper"], n)[:, None, None]
    noise = rng.normal(0, 1, cells.shape) * rng.uniform(0, aug["noise"], n)[:, None, None]
    pixels = 1.0 - paper - np.clip(cells, 0, 1) * (ink_tone - paper) + noise
    return np.clip(pixels, 0, 1).astype(np.float32)


def synthesize_split(bank, per_class, rng):
    """(X, Y) of one split: ``per_class`` samples of each class in class order.
    X: (36 * per_class, 1024) float32 NIST36 rows; Y: one-hot float rows."""
    labels = np.repeat(np.arange(charset.N_CLASSES), per_class)
    images = render_samples(bank, labels, rng)
    return charset.images_to_rows(images), charset.one_hot(labels)


def write_synthetic_splits(
    paths, per_class, seed, fonts=None, ambiguity_distance=AMBIGUITY_DISTANCE
):
    """Write synthetic train/valid/test .mat files in the NIST36 layout.

    paths: {split: path} for some of "train", "valid", "test"; per_class: {split: samples per
    class}; seed: int (same seed -> byte-identical arrays); fonts: {split: [fontpkg slugs]}
    (default DEFAULT_FONTS); ambiguity_distance: see :func:`ambiguous_pairs`.
    Each file holds ``<split>_data`` (36 * per_class, 1024) float32 in 0-1 and
    ``<split>_labels`` one-hot (labels A-Z then 0-9). Test fonts must be disjoint from train
    fonts (ConfigError otherwise). Returns a one-line provenance note.
    """
    from . import ConfigError

    fonts = {**DEFAULT_FONTS, **(fonts or {})}
    unknown = set(paths) - set(SPLITS)
    if unknown:
        raise ConfigError(f"synthetic characters: unknown split(s) {sorted(unknown)}; expected {SPLITS}")
    shared = set(fonts["test"]) & set(fonts["train"])
    if shared:
        raise ConfigError(
            f"characters.synth.fonts: test fonts {sorted(shared)} also appear in train; the test "
            "split must use fonts never seen in training"
        )
    missing = [s for s in paths if s not in per_class]
    if missing:
        raise ConfigError(f"characters.synth.per_class: no sample count for split(s) {missing}")
    seeds = np.random.SeedSequence(seed).spawn(len(SPLITS))
    notes = []
    for i, split in enumerate(SPLITS):
        if split not in paths:
            continue
        bank = glyph_bank(fonts[split], ambiguity_distance)
        rng = np.random.default_rng(seeds[i])
        X, Y = synthesize_split(bank, per_class[split], rng)
        save_split(paths[split], split, X, Y)
        dropped = sum(len(p) for p in bank.dropped.values())
        same = split == "valid" and list(fonts["valid"]) == list(fonts["train"])
        names = "the train fonts" if same else ", ".join(fonts[split])
        notes.append(f"{split} {len(X)} from {names} ({dropped} ambiguous glyph pairs dropped)")
    return (
        f"synthetic, not NIST36: rendered from fontpkg handwriting fonts (seed {seed}); "
        + "; ".join(notes)
    )
