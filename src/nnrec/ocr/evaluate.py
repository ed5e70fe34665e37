"""Reading and scoring sets of pages: the pages_dev photographs and the robustness composites.

:func:`write_composites` makes a page's composites (:mod:`nnrec.ocr.composite`) as JPEG files;
:func:`score_images` reads a list of images with one classifier (or Tesseract) and scores each
against its truth (:func:`nnrec.ocr.score.score_page`); :func:`robustness_table` sums those
scores per transformation and model.
"""

import numpy as np

from nnrec.ocr import composite
from nnrec.ocr.read import extract_text
from nnrec.ocr.score import run_tesseract, score_page
from nnrec.ocr.image import open_page, read_image

# Columns of robustness.csv: per transformation and model, the character accuracy over all
# pages (weighted by their characters), without word context too, and the change from `flat`.
# pages_near_flat counts the pages read within NEAR_FLAT of their own flat score (or better): one
# page read as garbage (1 - CER far below 0 when desk texture is read as text) can sink the
# pooled accuracy, so the count says how many pages a transformation actually hurt.
# vs_flat_low and vs_flat_high bound the middle INTERVAL of vs_flat over the pages: the pages
# drawn BOOTSTRAP times with replacement (seeded), each draw's composites and flat pages pooled as
# above. A few characters more or fewer on one page move vs_flat by a point: the interval says
# whether a change is more than the pages that happen to be in the set.
ROBUSTNESS_COLUMNS = ["transformation", "model", "char_accuracy", "char_accuracy_no_context", "vs_flat",
                      "vs_flat_low", "vs_flat_high", "pages_near_flat", "n_pages", "n_true"]
NEAR_FLAT = 0.03
INTERVAL = 0.95
BOOTSTRAP = 2000
# Columns of robustness_pages.csv: one row per composite and reader.
PAGE_COLUMNS = ["page", "transformation", "model", "n_true", "n_found", "char_accuracy", "char_accuracy_no_context",
                "lines_correct", "lines_true"]
JPEG_QUALITY = 92


def write_composites(page_path, page_name, paths, seed, progress=None):
    """Make ``page_path``'s composites and write each as a JPEG.

    paths: {transformation name: output path}; each composite is drawn with
    :func:`nnrec.ocr.composite.composite_rng` (seed, page_name, transformation), so a page's
    composites do not depend on which others are made. progress: a tqdm bar to advance (or None).
    """
    import imageio.v3 as iio

    from nnrec.io import atomic_path

    page = read_image(page_path)
    for name, made in composite.composites(page, page_name, list(paths), seed):
        with atomic_path(paths[name]) as tmp:
            iio.imwrite(tmp, made.image, extension=".jpg", quality=JPEG_QUALITY)
        if progress is not None:
            progress.update()


def score_images(items, model, classify=None, stroke=None, word_context=True, progress=None, orientation=False,
                 judge=None):
    """Read and score images: one dict per item, in order.

    items: dicts with at least "image" (a name), "path" and "truth" (the true text); any
    other keys (e.g. "page", "transformation") are kept in the result. model: its name in the
    result; classify: a classifier callable (:func:`nnrec.classifiers.load_classifier`), or
    None to read with Tesseract (:func:`nnrec.ocr.score.run_tesseract`). stroke, word_context,
    orientation, judge: see :func:`nnrec.ocr.read.extract_text`. Each result holds the item's keys but "path", the
    scores of :func:`nnrec.ocr.score.score_page`, model, status "ok" and the text read.
    """
    scores = []
    for item in items:
        if classify is None:
            text, boxes = run_tesseract(item["path"])
            page = score_page(text, item["truth"], len(boxes))
        else:
            kwargs = {} if stroke is None else {"stroke": stroke}
            result = extract_text(open_page(item["path"]), classify, word_context=word_context,
                                  orientation=orientation, judge=judge, **kwargs)
            text = result.text
            page = score_page(text, item["truth"], len(result.boxes), result.text_without_context)
        kept = {key: value for key, value in item.items() if key not in ("path", "truth")}
        scores.append({**kept, "model": model, **page, "status": "ok", "text": text})
        if progress is not None:
            progress.update()
    return scores


def skipped_scores(items, model):
    """What :func:`score_images` gives for ``items`` that could not be read (Tesseract not
    installed): status "skipped", true counts filled in, scores empty."""
    rows = []
    for item in items:
        kept = {key: value for key, value in item.items() if key not in ("path", "truth")}
        page = score_page("", item["truth"], 0)
        page.update(n_found=None, char_accuracy=None, lines_correct=None)
        rows.append({**kept, "model": model, **page, "status": "skipped", "text": ""})
    return rows


def _weighted(values, weights):
    values = np.asarray(values, float)
    if np.isnan(values).any():
        return None
    return float((values * weights).sum() / weights.sum())


def robustness_table(scores, transformations=None):
    """Per-composite scores (:func:`score_images` results with "transformation") -> DataFrame.

    One row per (transformation, model), columns ROBUSTNESS_COLUMNS: character accuracy over
    the transformation's pages weighted by their true characters (1 - total edits / total
    characters, as the overall rows of :func:`nnrec.ocr.score.accuracy_table`), the same
    without word context, vs_flat (the change from the model's ``flat`` row; empty without
    one), vs_flat_low and vs_flat_high (its interval over the pages, see INTERVAL; empty without
    per-page names or flat rows), pages_near_flat (pages within NEAR_FLAT of their own flat score
    or above; empty likewise), pages and true characters. Rows follow ``transformations`` (default: the order of
    :data:`nnrec.ocr.composite.TRANSFORMATIONS`, then any others), models in order of appearance.
    """
    import pandas as pd

    frame = pd.DataFrame(scores)
    order = list(transformations or composite.TRANSFORMATIONS)
    order += [t for t in dict.fromkeys(frame["transformation"]) if t not in order]
    models = list(dict.fromkeys(frame["model"]))
    rows = []
    for name in order:
        for model in models:
            group = frame[(frame["transformation"] == name) & (frame["model"] == model)]
            if group.empty:
                continue
            weights = group["n_true"].to_numpy(float)
            no_context = group["char_accuracy_no_context"] if "char_accuracy_no_context" in group else [np.nan]
            rows.append({"transformation": name, "model": model,
                         "char_accuracy": _weighted(group["char_accuracy"], weights),
                         "char_accuracy_no_context": _weighted(pd.to_numeric(no_context), weights),
                         "n_pages": len(group), "n_true": int(weights.sum())})
    table = pd.DataFrame(rows, columns=ROBUSTNESS_COLUMNS)
    flat = table[table["transformation"] == composite.REFERENCE].set_index("model")["char_accuracy"]
    table["vs_flat"] = table["char_accuracy"] - table["model"].map(flat)
    if "page" in frame:
        page_flat = frame[frame["transformation"] == composite.REFERENCE].set_index(["model", "page"])["char_accuracy"]
        reference = pd.Series([page_flat.get((m, p), np.nan) for m, p in zip(frame["model"], frame["page"])],
                              index=frame.index, dtype=float)
        near = (frame["char_accuracy"].astype(float) >= reference - NEAR_FLAT - 1e-9)
        counts = near.groupby([frame["transformation"], frame["model"]]).sum()
        has_flat = not page_flat.empty
        table["pages_near_flat"] = [int(counts.get((t, m), 0)) if has_flat else None
                                    for t, m in zip(table["transformation"], table["model"])]
        bounds = [_vs_flat_interval(frame, page_flat, t, m) if has_flat else (np.nan, np.nan)
                  for t, m in zip(table["transformation"], table["model"])]
        table[["vs_flat_low", "vs_flat_high"]] = np.array(bounds, float).reshape(-1, 2)
    return table


def _vs_flat_interval(frame, page_flat, transformation, model):
    """(low, high): the middle INTERVAL of vs_flat for ``transformation`` read by ``model`` over
    BOOTSTRAP draws of its pages with replacement (those with a flat score), pooled by characters."""
    group = frame[(frame["transformation"] == transformation) & (frame["model"] == model)]
    flat = np.array([page_flat.get((model, page), np.nan) for page in group["page"]], float)
    keep = ~np.isnan(flat)
    if not keep.any():
        return np.nan, np.nan
    n = group["n_true"].to_numpy(float)[keep]
    # 1 - accuracy = edits / characters: the difference of two pooled accuracies is their edits'
    lost = (flat[keep] - group["char_accuracy"].to_numpy(float)[keep]) * n
    draws = np.random.default_rng(0).integers(0, len(n), (BOOTSTRAP, len(n)))
    changes = -lost[draws].sum(axis=1) / n[draws].sum(axis=1)
    return tuple(np.quantile(changes, [(1 - INTERVAL) / 2, (1 + INTERVAL) / 2]))
