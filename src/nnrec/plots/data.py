"""Figures of the data layer: what the character splits look like."""

import textwrap

import matplotlib.pyplot as plt
import numpy as np

from nnrec.charset import CLASSES, SIDE, rows_to_images
from nnrec.plots import data_note

GAP = 2  # pixels of grey between cells


def pick_per_class(Y, n, rng):
    """Indices of up to ``n`` random samples of each class, class by class (A-Z then 0-9).

    Y: (N, 36) one-hot rows. Returns a list of 36 index arrays.
    """
    labels = np.argmax(Y, axis=1)
    return [
        rng.choice(np.flatnonzero(labels == k), size=min(n, int((labels == k).sum())), replace=False)
        for k in range(len(CLASSES))
    ]


def _mosaic(X, picks, n):
    """One image: column k holds the picked samples of class k, upright, top to bottom."""
    cell = SIDE + GAP
    mosaic = np.full((n * cell + GAP, len(picks) * cell + GAP), 0.6)
    for k, indices in enumerate(picks):
        for row, image in enumerate(rows_to_images(X[indices])):
            top, left = GAP + row * cell, GAP + k * cell
            mosaic[top : top + SIDE, left : left + SIDE] = image
    return mosaic


def character_samples(splits, n_per_class, rng, title, note=""):
    """Grid of sample characters per class, one panel per split.

    splits: {split name: (X (N, 1024) NIST36 rows, Y (N, 36) one-hot)}. Each panel has one
    column per class (labelled A-Z then 0-9) and ``n_per_class`` random samples per column,
    shown as stored (white background, dark ink) and upright.
    """
    picked = {name: pick_per_class(Y, n_per_class, rng) for name, (X, Y) in splits.items()}
    rows = [max(len(p) for p in picks) for picks in picked.values()]
    fig, axes = plt.subplots(
        len(splits), 1, figsize=(13, 0.37 * sum(rows) + 0.55 * len(rows) + 0.7),
        height_ratios=rows, squeeze=False,
    )  # fmt: skip
    cell = SIDE + GAP
    for ax, n_rows, (name, (X, Y)) in zip(axes[:, 0], rows, splits.items()):
        picks = picked[name]
        ax.imshow(_mosaic(X, picks, n_rows), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.grid(False)
        ax.set_xticks(GAP + cell * np.arange(len(CLASSES)) + SIDE / 2, CLASSES, fontsize=9)
        ax.set_yticks([])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_ylabel(f"{name}\n({len(X)} samples)", fontsize=10)
    fig.suptitle(title)
    fig.tight_layout()
    data_note(fig, textwrap.fill(note, 200))
    return fig
