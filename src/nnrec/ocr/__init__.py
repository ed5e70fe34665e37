"""Reading photographed pages of handwritten block capitals (homework Q4).

    text = nnrec.ocr.read_page("page.jpg", nnrec.classifiers.load_classifier("model.npz"))

The package, one concern a module, arrows pointing down:

- :mod:`.read`     page -> text: :func:`extract_text`, :func:`read_page`, word context
- :mod:`.image`    file -> upright page array (EXIF orientation, colour spaces, alpha) -> grey
- :mod:`.segment`  page -> sheet -> upright page -> ink -> characters -> lines -> words
- :mod:`.sheet`    the sheet on a desk: found, rectified; :mod:`.skew` the text turned level
- :mod:`.ink`      light and ink: paper flattened, ink thresholded, ruled lines taken out
- :mod:`.glyphs`   one character image -> the 32x32 cell the readers see (redraw, deskew, warp)
- :mod:`.touching` a blob of two joined letters split where the reader reads two better
- :mod:`.reader`   the reader MLP: its training characters, input features (HOG) and training
- :mod:`.fonts`    type faces as extra training characters (print fonts, the reader's fonts)
- :mod:`.score`    text against truth; the Tesseract baseline
- :mod:`.composite` photographs made of a page (desks, clutter, turns, tilt, light), seeded
- :mod:`.evaluate` sets of pages read and scored: pages_dev, the robustness composites

Importing this package loads only what reading needs (numpy, scipy.ndimage, skimage), not
pandas or torch, and only when its names are first used: ``nnrec.ocr.image`` alone (numpy and
PIL) can decode a page while the rest loads (see ``nnrec ocr``). Loading a saved classifier is
:mod:`nnrec.classifiers`' job, above both this package and :mod:`nnrec.torch_models`.
"""

import importlib

_HOMES = {"PageText": "read", "extract_text": "read", "read_page": "read", "word_context_labels": "read",
          "read_image": "image", "open_page": "image", "to_grey": "image"}

__all__ = sorted(_HOMES)


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value  # looked up once
    return value


def __dir__():
    return sorted(set(globals()) | set(_HOMES))
