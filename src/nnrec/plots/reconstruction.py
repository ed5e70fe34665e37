"""Figures of Q5 and Q6: originals above reconstructions, and PSNR per class by method."""

import matplotlib.pyplot as plt
import numpy as np

from nnrec.charset import rows_to_images
from nnrec.plots import data_note


def reconstructions(originals, recons, titles, psnrs=None, title="", note=""):
    """Originals (top row) above their reconstructions (bottom row), one column per example.

    originals, recons: (n, 1024) dataset rows in 0-1; titles: n column labels (e.g. the class);
    psnrs: optional n PSNR values (dB) printed under each reconstruction.
    """
    top, bottom = rows_to_images(originals), rows_to_images(np.clip(recons, 0, 1))
    n = len(top)
    fig, axes = plt.subplots(2, n, figsize=(0.95 * n + 0.9, 2.75), squeeze=False)
    for k in range(n):
        for row, images in enumerate((top, bottom)):
            ax = axes[row, k]
            ax.imshow(images[k], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
        axes[0, k].set_title(titles[k], fontsize=9)
        if psnrs is not None:
            axes[1, k].set_xlabel(f"{psnrs[k]:.1f} dB", fontsize=7)
    axes[0, 0].set_ylabel("original", fontsize=9)
    axes[1, 0].set_ylabel("reconstruction", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    data_note(fig, note)
    return fig


def psnr_by_method(frame, methods, title="", note=""):
    """Grouped bars: mean PSNR (dB) per class, one bar per method, the ``all`` row at the right.

    frame: DataFrame with a ``class`` column (classes then ``all``) and one PSNR column per
    entry of ``methods`` ({column: legend label}). Each method's overall mean is drawn as a
    dotted line across the panel, so the gap between methods reads at a glance.
    """
    classes = list(frame["class"])
    x = np.arange(len(classes))
    width = 0.8 / len(methods)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, ax = plt.subplots(figsize=(12, 4.2))
    overall = frame.set_index("class")
    for i, ((column, label), colour) in enumerate(zip(methods.items(), colours)):
        mean = float(overall.loc["all", column]) if "all" in overall.index else float(frame[column].mean())
        ax.bar(x - 0.4 + width * (i + 0.5), frame[column], width, color=colour, label=label)
        ax.axhline(mean, color=colour, linestyle=":", linewidth=1, label=f"{label}, mean of all: {mean:.2f} dB")
    ax.set_xticks(x, classes, fontsize=8)
    ax.set_xlim(-0.6, len(classes) - 0.4)
    low = float(frame[list(methods)].to_numpy().min())
    high = float(frame[list(methods)].to_numpy().max())
    ax.set_ylim(max(0.0, low - 2), high + 1.5)
    ax.set_xlabel("class (validation split)")
    ax.set_ylabel("mean PSNR (dB)")
    ax.legend(fontsize=8, loc="upper left", ncol=len(methods))
    if title:
        ax.set_title(title)
    fig.tight_layout()
    data_note(fig, note)
    return fig


def examples(X, recons, labels, show_classes, title="", note="", per_class=2):
    """:func:`reconstructions` of the first ``per_class`` rows of each class in ``show_classes``.

    X, recons: (n, 1024) rows; labels: (n,) class indices. Each column is titled with its class
    and each reconstruction with its PSNR.
    """
    from nnrec.autoencoder import example_indices
    from nnrec.charset import CLASSES
    from nnrec.metrics import psnr

    picked = example_indices(labels, CLASSES, show_classes, per_class)
    values = [psnr(X[i], recons[i]) for i in picked]
    return reconstructions(X[picked], recons[picked], [CLASSES[labels[i]] for i in picked], values, title, note)


def source_note(source):
    """The line stamped under a figure saying which characters it was made from (validation split)."""
    from nnrec.data import CHARACTER_DATA

    return f"{CHARACTER_DATA[source].note} Validation split."
