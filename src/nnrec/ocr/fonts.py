"""Type faces as extra training characters: print fonts (matplotlib's) and the reader's fonts.

Two sources widen the training characters beyond the handwriting fonts of :mod:`nnrec.synth`:
the print typefaces bundled with matplotlib, rendered and randomly warped
(:func:`print_font_characters`, also used by the character CNN of :mod:`nnrec.torch_models`),
and the fontpkg families of READER_FONTS, each glyph reduced to its skeleton, warped and redrawn
with a round pen exactly like a page crop (:func:`font_characters`). Both return (n, 32, 32)
upright ink maps (1 = ink) and one-hot labels. A third set of print faces, trained on by no
reader, is drawn as page crops reach a classifier to test the readers with
(:func:`held_out_print_rows`).
"""

import numpy as np
from scipy import ndimage

from nnrec import charset, synth
from nnrec.glyph_geometry import fit_to_box
from nnrec.ocr.glyphs import (DEFAULT_STROKE, REDRAW_CHUNK, REDRAW_WIDTH_RANGE, draw_skeleton, glyph_skeleton,
                              random_affine_warp, redraw)
from nnrec.parallel import map_tasks

# Print typefaces that ship with matplotlib (a pinned dependency): sans, serif, monospace and
# oblique block capitals, whose I, 1, 0 and O come with and without serifs, slashes and dots.
PRINT_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansMono.ttf",
               "DejaVuSerif.ttf", "STIXGeneral.ttf", "cmss10.ttf", "cmtt10.ttf")


def _print_glyphs(fonts):
    """{font file: (36, 32, 32) ink maps of the classes} rendered with PIL and fit_to_box."""
    from pathlib import Path

    import matplotlib
    from PIL import Image, ImageDraw, ImageFont

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    glyphs = {}
    for name in fonts:
        font = ImageFont.truetype(str(folder / name), 96)
        cells = []
        for char in charset.CLASSES:
            canvas = Image.new("L", (192, 192), 0)
            ImageDraw.Draw(canvas).text((96, 96), char, fill=255, font=font, anchor="mm")
            cells.append(fit_to_box(np.asarray(canvas, float) / 255))
        glyphs[name] = np.stack(cells)
    return glyphs


def print_font_characters(per_class, seed=0, fonts=PRINT_FONTS):
    """(inks (36 * per_class, 32, 32), Y one-hot) of block capitals rendered from print typefaces.

    ``per_class`` samples of each class, each from a random font of ``fonts`` (files bundled
    with matplotlib) put through a random affine warp (:func:`nnrec.ocr.glyphs.random_affine_warp`).
    They widen the reader's training data from handwriting fonts to the plainer shapes of block
    capitals.
    """
    rng = np.random.default_rng(seed)
    glyphs = _print_glyphs(fonts)
    pad = charset.SIDE // 2
    labels = np.repeat(np.arange(charset.N_CLASSES), per_class)
    cells = []
    for k in labels:
        ink = np.pad(glyphs[fonts[rng.integers(len(fonts))]][k], pad)
        cells.append(fit_to_box(random_affine_warp(ink, rng)))
    inks = np.stack(cells) if cells else np.zeros((0, charset.SIDE, charset.SIDE))
    return inks, charset.one_hot(labels)


# Print faces bundled with matplotlib that no classifier trains on (none of PRINT_FONTS, nor a
# fontpkg family of READER_FONTS or a handwriting font of nnrec.synth): serif Computer Modern
# (only its sans and typewriter cuts are in PRINT_FONTS) and the bold cuts of three PRINT_FONTS
# faces. They measure how a reader takes plain printed capitals it has not seen
# (results/q4/print_faces.csv).
HELD_OUT_PRINT_FONTS = ("cmr10.ttf", "cmb10.ttf", "DejaVuSerif-Bold.ttf", "STIXGeneralBol.ttf",
                        "DejaVuSansMono-Bold.ttf")


def held_out_print_rows(per_class, seed=0, stroke=DEFAULT_STROKE, fonts=HELD_OUT_PRINT_FONTS):
    """(rows (n, 1024), labels (n,), font (n,)) of characters printed in ``fonts`` as a page crop
    reaches a classifier; n = len(fonts) * 36 * per_class.

    Font by font, ``per_class`` samples of each class in class order, from that font alone
    (:func:`print_font_characters`, seeded by (seed, the font's position)), each thresholded and
    redrawn with a ``stroke`` px pen as page crops are (:func:`nnrec.ocr.glyphs.redraw`).
    rows: NIST36 rows (white ~1, ink ~0); labels: class indices; font: the file of each row.
    """
    per_font = [print_font_characters(per_class, (seed, k), (font,)) for k, font in enumerate(fonts)]
    inks = np.concatenate([inks for inks, _ in per_font])
    labels = np.concatenate([Y.argmax(axis=1) for _, Y in per_font])
    return charset.inks_to_rows(redraw(inks, stroke)), labels, np.repeat(fonts, charset.N_CLASSES * per_class)


# Font families (fontpkg packages, pinned in pyproject.toml) whose capitals and digits widen the
# reader's training characters beyond the handwriting fonts of nnrec.synth. Every glyph is
# reduced to its skeleton and redrawn with a uniform round pen (as page crops are), so a type
# face becomes a plausible single-stroke hand: plain sans (one-stroke I and 1), rounded and casual
# faces, monospace and slab faces (I and 1 with serifs, 0 with a dot or slash, barred 7 and Z).
# Left out: scripts, display, condensed and hairline faces, and the synthetic test split's fonts
# (nnrec.synth.DEFAULT_FONTS["test"]), so held-out accuracy stays an honest measure.
READER_FONTS = (
    # sans
    "abeezee", "albert-sans", "archivo", "arimo", "asap", "atkinson-hyperlegible", "barlow",
    "cabin", "dm-sans", "figtree", "fira-sans", "hind", "ibm-plex-sans", "inter", "josefin-sans",
    "jost", "karla", "lato", "lexend", "manrope", "montserrat", "mulish", "noto-sans", "nunito",
    "open-sans", "outfit", "oxygen", "poppins", "pt-sans", "public-sans", "questrial", "raleway",
    "roboto", "rubik", "signika", "source-sans-3", "work-sans",
    # rounded and casual
    "acme", "baloo-2", "dosis", "fredoka",
    # monospace
    "dm-mono", "fira-code", "geist-mono", "ibm-plex-mono", "inconsolata", "jetbrains-mono",
    "roboto-mono", "source-code-pro", "space-mono",
    # slab and serif
    "arvo", "bitter", "ibm-plex-serif", "noto-serif", "pt-serif", "roboto-slab", "zilla-slab",
)


# Weights each family is drawn at (the nearest static weight, or a variable font's instance).
# A light and a semi-bold face differ in proportions; extreme weights do not skeletonise into
# clean strokes (hairlines break when warped, black faces grow spurs in their small counters).
READER_FONT_WEIGHTS = (300, 600)


READER_FONT_SIZE = 128  # render size (pt); strokes stay several pixels wide at weight 300


# Random warps of a font character (see _warp_points): rotation (degrees, uniform +-),
# shear (uniform +-), width (log-uniform, as REDRAW_WIDTH_RANGE) and a smooth elastic displacement
# whose 3x3 control points move by this fraction (s.d.) of the glyph's longer side.
FONT_ROTATION, FONT_SHEAR, FONT_ELASTIC = 8.0, 0.2, 0.02


def reader_faces(families=READER_FONTS, weights=READER_FONT_WEIGHTS):
    """The faces (nnrec.synth.Face) of ``families`` at ``weights``: per weight the nearest static
    weight of the family, or the variable font's instance (clipped to its range); no italics."""
    import fontpkg

    faces = []
    for family in families:
        synth.font_faces(family)  # a DataError naming the package when it is not installed
        files = [f for f in fontpkg.family(family).files if f.style == "normal"]
        variable = [f for f in files if f.variable and f.wght_min is not None]
        chosen = {}
        for weight in weights:
            if variable:
                font = variable[0]
                chosen[int(np.clip(weight, font.wght_min, font.wght_max))] = font.path
            else:
                font = min((f for f in files if f.weight is not None), key=lambda f: abs(f.weight - weight))
                chosen[font.weight] = font.path
        faces += [synth.Face(family, w, path) for w, path in sorted(chosen.items())]
    return faces


def _warp_points(points, rng):
    """A random warp of (m, 2) (y, x) points about their centre: width scaled within
    REDRAW_WIDTH_RANGE (log-uniform), shear within FONT_SHEAR, rotation within FONT_ROTATION degrees,
    then a smooth elastic displacement (bilinear between 3x3 random control points)."""
    y, x = (points - points.mean(axis=0)).T
    x = x * np.exp(rng.uniform(*np.log(REDRAW_WIDTH_RANGE))) + rng.uniform(-FONT_SHEAR, FONT_SHEAR) * y
    angle = np.deg2rad(rng.uniform(-FONT_ROTATION, FONT_ROTATION))
    out = np.stack([np.cos(angle) * y + np.sin(angle) * x, np.cos(angle) * x - np.sin(angle) * y], axis=1)
    low, extent = out.min(axis=0), np.ptp(out, axis=0)
    grid = 2 * (out - low) / np.maximum(extent, 1e-9)  # control-point coordinates, 0-2
    control = rng.normal(0, FONT_ELASTIC * extent.max(), (2, 3, 3))
    for axis in range(2):
        out[:, axis] += ndimage.map_coordinates(control[axis], grid.T, order=1, mode="nearest")
    return out


def _face_skeletons(face):
    """(class indices, skeletons) of one face's characters, less those of pairs the face draws
    alike (nnrec.synth.ambiguous_pairs, e.g. an O and a 0 of one shape)."""
    synth.check_coverage(face.path)
    font = synth.pil_font(face, READER_FONT_SIZE)
    inks = {c: synth.render_glyph(font, c) for c in charset.CLASSES}
    layouts = {c: fit_to_box(ink, long_side=synth.RENDER_LONG, side=synth.RENDER_SIDE)
               for c, ink in inks.items()}
    alike = {c for a, b, _ in synth.ambiguous_pairs(layouts) for c in (a, b)}
    keep = [k for k, c in enumerate(charset.CLASSES) if c not in alike]
    return keep, [glyph_skeleton(inks[charset.CLASSES[k]] > 0.5) for k in keep]


def _font_chunk(task):
    """Warp and draw one chunk of font characters; task: (skeletons, stroke, seed)."""
    skeletons, stroke, seed = task
    rng = np.random.default_rng(seed)
    pens = stroke + rng.uniform(-0.6, 0.6, len(skeletons))
    return np.stack([draw_skeleton(_warp_points(s, rng), pen) for s, pen in zip(skeletons, pens)])


def font_characters(per_class, seed=0, stroke=DEFAULT_STROKE, families=READER_FONTS,
                    weights=READER_FONT_WEIGHTS, workers=1):
    """(inks (36 * per_class, 32, 32), Y one-hot) of characters drawn from type faces the way page
    crops are drawn.

    ``per_class`` samples of each class, each from a random face of ``families`` at ``weights``
    (:func:`reader_faces`) that draws the class unambiguously: the glyph's skeleton is warped
    (:func:`_warp_points`) and redrawn with a round pen within +-0.6 px of ``stroke``
    (:func:`nnrec.ocr.glyphs.draw_skeleton`). Cells are in class order, already in the redrawn
    layout. ``workers`` processes share the work (same result for any number).
    """
    per_face = map_tasks(_face_skeletons, reader_faces(families, weights), workers)
    labels = np.concatenate([np.asarray(keep, int) for keep, _ in per_face])
    skeletons = [s for _, face_skeletons in per_face for s in face_skeletons]
    rng = np.random.default_rng(seed)
    pick = np.concatenate([rng.choice(np.flatnonzero(labels == k), per_class) for k in range(charset.N_CLASSES)])
    tasks = [([skeletons[i] for i in pick[k : k + REDRAW_CHUNK]], stroke, (seed, k))
             for k in range(0, len(pick), REDRAW_CHUNK)]
    cells = map_tasks(_font_chunk, tasks, workers)
    if not cells:
        return np.zeros((0, charset.SIDE, charset.SIDE)), np.zeros((0, charset.N_CLASSES))
    return np.concatenate(cells), charset.one_hot(labels[pick])

