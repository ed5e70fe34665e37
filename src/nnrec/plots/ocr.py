"""Q4 figures: a page with its character boxes and labels, truth beside prediction, scores."""

import matplotlib.pyplot as plt
import numpy as np
from rapidfuzz.distance import Levenshtein

from nnrec.plots import data_note

# The page figure at screen size: PAGE_WIDTH_IN inches at the figures' 100 dpi is about 800
# pixels across, and the photo under the boxes is subsampled to at most PAGE_DISPLAY pixels on
# its longer side. Saved as JPEG (boxes.jpg), a page figure of the homework is 20-60 kB.
PAGE_WIDTH_IN = 8
PAGE_DISPLAY = 800


def page_boxes(grey, boxes, labels, lines=None, title="", note="", sheet=None, corners=None):
    """The page (grey, 0-1) with one rectangle and its predicted label per character.

    boxes: (n, 4) [y1, x1, y2, x2] in the page's pixels; labels: n strings; lines: optional list
    of index lists (one colour per text line, each numbered in reading order at its left);
    sheet: optional (4, 2) [x, y] corners of the sheet the characters were read on, drawn as
    its outline; corners: optional (n, 4, 2) [x, y] corners of each box on ``grey`` (a box of
    a sheet that was rectified or turned level is a quadrilateral on the photo), drawn instead of
    ``boxes``.
    """
    step = max(1, int(np.ceil(max(grey.shape) / PAGE_DISPLAY)))
    shown = grey[::step, ::step]
    height, width = shown.shape
    fig = plt.figure(figsize=(PAGE_WIDTH_IN, PAGE_WIDTH_IN * height / width))
    ax = fig.add_axes((0, 0, 1, 1))
    # contrast stretched for display: dim photographs show their ink clearly
    low, high = np.percentile(shown, [0.5, 99.5]) if shown.size else (0, 1)
    ax.imshow(shown, cmap="gray", vmin=low, vmax=max(high, low + 1e-3),
              extent=(0, grey.shape[1], grey.shape[0], 0))
    ax.set_axis_off()
    if sheet is not None:
        ax.add_patch(plt.Polygon(np.asarray(sheet, float), closed=True, fill=False, lw=2, ls="--",
                                 color="tab:orange"))
    colour_of = {}
    for k, line in enumerate(lines or [range(len(boxes))]):
        for i in line:
            colour_of[i] = f"C{k % 10}"
    size = 8 if len(boxes) < 80 else 7
    if corners is not None:  # each box as [y1, x1, y2, x2] of its quadrilateral's bounds
        corners = np.asarray(corners, float)
        boxes = np.stack([corners[:, :, 1].min(1), corners[:, :, 0].min(1),
                          corners[:, :, 1].max(1), corners[:, :, 0].max(1)], axis=1)
    for i, ((y1, x1, y2, x2), label) in enumerate(zip(boxes, labels)):
        colour = colour_of.get(i, "C0")
        outline = (plt.Polygon(corners[i], closed=True, fill=False, lw=1.2, color=colour) if corners is not None
                   else plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=1.2, color=colour))
        ax.add_patch(outline)
        ax.text(x1, y1, label, color="white", fontsize=size, fontweight="bold", va="bottom",
                bbox={"facecolor": colour, "edgecolor": "none", "pad": 1, "alpha": 0.85})
    for k, line in enumerate(lines or []):
        if len(line):
            y1, x1, y2, _ = boxes[line[0]]
            ax.text(x1 - 0.3 * (y2 - y1), (y1 + y2) / 2, str(k + 1), color=f"C{k % 10}", fontsize=size + 2,
                    fontweight="bold", ha="right", va="center")
    if title:
        ax.set_title(title)
    data_note(fig, note)
    return fig


def skipped(message):
    """A small placeholder figure for a step that did not run (e.g. Tesseract not installed)."""
    fig = plt.figure(figsize=(6, 0.6))
    fig.text(0.02, 0.5, message, fontsize=9, color="0.3", va="center")
    return fig


def _marked(predicted, truth):
    """Per-character flags of ``predicted`` that an edit to ``truth`` touches."""
    wrong = np.zeros(len(predicted), bool)
    for tag, p1, p2, _, _ in Levenshtein.opcodes(predicted, truth).as_list():
        if tag != "equal":
            wrong[p1:p2] = True
    return wrong


# Font size of the listing; a monospace character is about 0.6 of it wide.
LISTING_PT = 11


def truth_vs_prediction(truth, predicted, title="", note=""):
    """Side-by-side listing: each true line beside the predicted line, wrong characters in red.

    Lines are paired in order; a missing or extra line shows as an empty partner. A green "="
    marks a line reproduced exactly.
    """
    true_lines = [line for line in truth.splitlines() if line.strip()]
    pred_lines = [line for line in predicted.splitlines() if line.strip()]
    n = max(len(true_lines), len(pred_lines), 1)
    width = max([len(s) for s in true_lines + pred_lines] + [12])
    columns = 2 * width + 6  # truth, gap with the mark, prediction
    char_in = 0.6 * LISTING_PT / 72
    fig = plt.figure(figsize=(columns * char_in + 0.4, (n + 2.5) * 2 * char_in))
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.8 if title else 0.96))
    ax.set_axis_off()
    ax.set_xlim(0, columns)
    ax.set_ylim(n - 0.4, -1.6)
    style = {"family": "monospace", "fontsize": LISTING_PT, "va": "center"}
    ax.text(0, -1, "truth", fontweight="bold", **style)
    ax.text(width + 4, -1, "prediction", fontweight="bold", **style)
    for row in range(n):
        t = true_lines[row] if row < len(true_lines) else ""
        p = pred_lines[row] if row < len(pred_lines) else ""
        ax.text(0, row, t, **style)
        same = " ".join(p.split()) == " ".join(t.split())
        ax.text(width + 1.5, row, "=" if same else "x", color="tab:green" if same else "tab:red", **style)
        wrong = _marked(p, t)
        for k, char in enumerate(p):
            ax.text(width + 4 + k, row, char, color="tab:red" if wrong[k] else "black",
                    fontweight="bold" if wrong[k] else "normal", **style)
    if title:
        fig.suptitle(title, x=0.02, ha="left")
    data_note(fig, note)
    return fig


def accuracy_bars(table, title="", note=""):
    """Grouped bars of character accuracy per page, one bar per model (skipped rows omitted).

    table: DataFrame with columns image, model, char_accuracy (an image named "overall" is the
    character-weighted mean and is drawn last), optionally char_accuracy_no_context: drawn as a
    black tick across each bar where word context changed the score.
    """
    table = table.dropna(subset=["char_accuracy"])
    images = [i for i in dict.fromkeys(table["image"]) if i != "overall"] + ["overall"]
    models = list(dict.fromkeys(table["model"]))
    fig, ax = plt.subplots(figsize=(1.6 * len(images) + 2, 4))
    width = 0.8 / max(len(models), 1)
    ticked = False  # the "without word context" legend entry is drawn once
    for m, model in enumerate(models):
        rows = table[table["model"] == model].set_index("image")
        values = [rows["char_accuracy"].get(i, np.nan) for i in images]
        x = np.arange(len(images)) + (m - (len(models) - 1) / 2) * width
        bars = ax.bar(x, values, width, label=model)
        ax.bar_label(bars, labels=[f"{v:.0%}" if np.isfinite(v) else "" for v in values], fontsize=7)
        if "char_accuracy_no_context" in rows:
            plain = np.array([rows["char_accuracy_no_context"].get(i, np.nan) for i in images], float)
            changed = np.isfinite(plain) & (np.abs(plain - np.asarray(values, float)) > 1e-9)
            if changed.any():
                ax.hlines(plain[changed], x[changed] - width / 2, x[changed] + width / 2, colors="black", lw=1.5,
                          label=None if ticked else "without word context")
                ticked = True
    ax.set_xticks(np.arange(len(images)), images)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("character accuracy (1 - CER)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the bars, not over them
    if title:
        ax.set_title(title)
    data_note(fig, note)
    fig.tight_layout()
    return fig


def accuracy_by_image(table, title="", note=""):
    """Horizontal grouped bars of character accuracy per image, one bar per model (for sets of
    many images with long names; skipped rows omitted).

    table: DataFrame with columns image, model, char_accuracy; the image named "overall" (the
    character-weighted mean) is drawn at the bottom, set apart.
    """
    table = table.dropna(subset=["char_accuracy"])
    images = [i for i in dict.fromkeys(table["image"]) if i != "overall"] + ["overall"]
    models = list(dict.fromkeys(table["model"]))
    height = 0.8 / max(len(models), 1)
    fig, ax = plt.subplots(figsize=(8, 0.17 * len(images) * max(len(models), 2) + 1.5))
    y_of = {image: k + (0.6 if image == "overall" else 0) for k, image in enumerate(images)}
    for m, model in enumerate(models):
        rows = table[table["model"] == model].set_index("image")["char_accuracy"]
        y = np.array([y_of[i] for i in images]) + (m - (len(models) - 1) / 2) * height
        values = np.array([rows.get(i, np.nan) for i in images], float)
        bars = ax.barh(y, values, height, label=model)
        ax.bar_label(bars, labels=[f"{v:.0%}" if np.isfinite(v) else "" for v in values], fontsize=6, padding=2)
    ax.axvline(0.9, color="0.5", ls="--", lw=1)
    ax.set_yticks([y_of[i] for i in images], images, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("character accuracy (1 - CER)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if title:
        ax.set_title(title)
    data_note(fig, note)
    fig.tight_layout()
    return fig


def robustness_chart(table, title="", note="", reference="flat"):
    """Character accuracy per transformation (x) and model (one marker series each), with each
    model's ``reference`` accuracy as a dashed line in its colour and a band 3 points below it.
    Points below -0.1 (1 - CER has no floor) are drawn as triangles on the axis with their value.

    table: DataFrame with columns transformation, model, char_accuracy (robustness.csv).
    """
    table = table.dropna(subset=["char_accuracy"])
    names = list(dict.fromkeys(table["transformation"]))
    models = list(dict.fromkeys(table["model"]))
    fig, ax = plt.subplots(figsize=(0.55 * len(names) + 3, 4.2))
    x = np.arange(len(names))
    offsets = (np.arange(len(models)) - (len(models) - 1) / 2) * 0.15
    bottom = -0.1  # 1 - CER has no floor (desk texture read as text); lower points sit on the axis
    for (model, offset), colour in zip(zip(models, offsets), plt.rcParams["axes.prop_cycle"].by_key()["color"]):
        rows = table[table["model"] == model].set_index("transformation")["char_accuracy"]
        values = np.array([rows.get(n, np.nan) for n in names], float)
        low = values < bottom
        label = f"{model} ({reference}: {rows[reference]:.1%}, dashed)" if reference in rows else model
        ax.plot((x + offset)[~low], values[~low], "o", color=colour, label=label)
        ax.plot((x + offset)[low], np.full(low.sum(), bottom + 0.015), "v", color=colour)
        for xi, v in zip((x + offset)[low], values[low]):
            ax.annotate(f"{v:.2f}", (xi, bottom + 0.04), fontsize=6, color=colour, ha="center", rotation=90)
        ax.vlines(x + offset, bottom, np.maximum(values, bottom), color=colour, lw=0.6, alpha=0.4)
        if reference in rows:
            flat = rows[reference]
            ax.axhline(flat, color=colour, ls="--", lw=1)
            ax.axhspan(flat - 0.03, flat, color=colour, alpha=0.08, lw=0)
    ax.set_xticks(x, names, rotation=45, ha="right")
    ax.set_ylim(bottom, 1.02)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_ylabel("character accuracy (1 - CER)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="reader", title_fontsize=8)
    if title:
        ax.set_title(title)
    data_note(fig, note)
    fig.tight_layout()
    return fig
