"""Figures read on a screen: page figures as screen-sized JPEGs, whole-number epoch ticks, named
losses, reference lines in the legend."""

import numpy as np
import pandas as pd
from PIL import Image

from nnrec.plots import curves, ocr, reconstruction, save, theory


def test_a_page_figure_is_a_screen_sized_jpeg(tmp_path):
    rng = np.random.default_rng(0)
    page = rng.uniform(0.6, 1.0, (3024, 4032))  # a 12 MP photograph's noise is what makes PNGs big
    boxes = np.array([[100, 100, 300, 250], [100, 400, 300, 550]])
    save(ocr.page_boxes(page, boxes, ["A", "B"], title="page"), tmp_path / "boxes.jpg")
    with Image.open(tmp_path / "boxes.jpg") as image:
        assert image.format == "JPEG"
        assert max(image.size) <= 1400
    assert (tmp_path / "boxes.jpg").stat().st_size < 500_000


def test_a_skipped_step_leaves_a_small_placeholder(tmp_path):
    save(ocr.skipped("01_list: skipped: tesseract is not installed"), tmp_path / "boxes.jpg")
    assert (tmp_path / "boxes.jpg").stat().st_size < 30_000


def test_training_curves_tick_whole_epochs_and_name_the_loss():
    history = pd.DataFrame({"epoch": [0, 1, 2, 3], "train_loss": [2.0, 1.5, 1.2, 1.0],
                            "valid_loss": [2.1, 1.6, 1.3, 1.2], "train_acc": [0.1, 0.4, 0.6, 0.7],
                            "valid_acc": [0.1, 0.4, 0.5, 0.6]})
    fig = curves({"run": history}, loss="cross-entropy per sample")
    fig.canvas.draw()
    for ax in fig.axes:
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks)
    assert fig.axes[0].get_ylabel() == "cross-entropy per sample"


def test_reference_lines_are_in_the_legend():
    frame = pd.DataFrame({"class": ["A", "B", "all"], "psnr_ae": [15.0, 16.0, 15.5], "psnr_pca": [16.0, 17.0, 16.5]})
    fig = reconstruction.psnr_by_method(frame, {"psnr_ae": "autoencoder", "psnr_pca": "PCA"})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "PCA, mean of all: 16.50 dB" in labels and "autoencoder" in labels
    right = theory.activations_figure().axes[1]
    assert any("1/4" in t.get_text() for t in right.get_legend().get_texts())


def test_a_plot_is_stored_as_a_palette_png(tmp_path):
    history = pd.DataFrame({"epoch": [0, 1], "train_loss": [2.0, 1.0], "valid_loss": [2.1, 1.2]})
    save(curves({"run": history}, metrics=("loss",)), tmp_path / "curves.png")
    with Image.open(tmp_path / "curves.png") as image:
        assert image.format == "PNG" and image.mode == "P"
        assert image.width <= 800  # a 5.2-inch panel at screen resolution
