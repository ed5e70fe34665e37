"""Figures. Shared helpers live here; each stage's figures live in a submodule.

Every figure is written through :func:`save` so all share one look and are written
atomically (a failed step never leaves a half-drawn PNG).
"""

import io

import matplotlib

matplotlib.use("Agg")  # rules run headless

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402

from nnrec.io import atomic_path  # noqa: E402

plt.rcParams.update(
    {
        "figure.dpi": 100,
        "savefig.dpi": 100,  # screen resolution: a 10-inch figure is 1000 pixels wide
        "savefig.bbox": "tight",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "font.size": 10,
        "axes.titlesize": 11,
    }
)


# JPEG quality of photographic figures (.jpg): the page photos under the OCR boxes; at 50 the
# labels stay sharp at screen size and the report stays under 6 MB with the Q4 tables.
JPEG_QUALITY = 50
# PNG figures are stored with a palette of this many colours: plots need no more, and the files
# (embedded in the report) are about a third the size of full-colour PNGs. Figures of grey-scale
# images (characters, weights, reconstructions) pass GREY_COLOURS: 64 levels look the same and
# their noise-like pixels compress a third better.
PNG_COLOURS = 256
GREY_COLOURS = 64


def save(fig, path, colours=PNG_COLOURS):
    """Write ``fig`` to ``path`` and close it: .png as a palette image of ``colours`` colours,
    .jpg (for photographs) at JPEG_QUALITY, any other suffix as matplotlib writes it."""
    fmt = str(path).rsplit(".", 1)[-1].lower()
    with atomic_path(path) as tmp:
        if fmt == "png":
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png")
            image = Image.open(buffer).convert("RGB").quantize(colours, method=Image.Quantize.MEDIANCUT)
            image.save(tmp, format="png", optimize=True)
        elif fmt in ("jpg", "jpeg"):
            fig.savefig(tmp, format="jpeg", pil_kwargs={"quality": JPEG_QUALITY, "optimize": True})
        else:
            fig.savefig(tmp, format=fmt)
    plt.close(fig)


def data_note(fig, note):
    """Stamp a small grey line at the bottom of ``fig``, e.g. which data it was made from."""
    if note:
        fig.text(0.01, -0.02, note, fontsize=8, color="0.4", ha="left", va="top")


def curves(histories, metrics=("loss", "acc"), title="", note="", loss="loss"):
    """Training curves: one panel per metric, train solid and valid dashed, one colour per run.

    histories: {run name: DataFrame with columns epoch, train_<m>, valid_<m> for each m}.
    loss: the y label of the loss panel, naming the loss (e.g. "cross-entropy per sample").
    Epochs are whole numbers, and so are the ticks.
    """
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 3.8), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, metric in zip(axes[0], metrics):
        for (name, hist), colour in zip(histories.items(), colours):
            for split, style in (("train", "-"), ("valid", "--")):
                column = f"{split}_{metric}"
                if column in hist:
                    ax.plot(hist["epoch"], hist[column], style, color=colour, label=f"{name} {split}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel({"loss": loss, "acc": "accuracy"}.get(metric, metric))
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    data_note(fig, note)
    fig.tight_layout()
    return fig


def confusion(cm, labels, title="", note=""):
    """Confusion matrix heat map, rows = true class, columns = predicted, counts annotated."""
    n = len(labels)
    # wider than tall: the colour bar sits right of the square matrix
    fig, ax = plt.subplots(figsize=(0.28 * n + 2.8, 0.28 * n + 1.2))
    ax.grid(False)
    image = ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(n), labels, fontsize=7)
    ax.set_yticks(range(n), labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = cm.max() / 2 if cm.size else 0
    for i, j in zip(*np.nonzero(cm)):
        ax.text(j, i, cm[i, j], ha="center", va="center", fontsize=5.5,
                color="white" if cm[i, j] > threshold else "black")
    fig.colorbar(image, ax=ax, fraction=0.04)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    data_note(fig, note)
    return fig
