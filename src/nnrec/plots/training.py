"""Q2/Q3 figures: training curves, the initialisation study, first-layer weights, confusion."""

import matplotlib.pyplot as plt
import numpy as np

from nnrec import charset
from nnrec.plots import confusion, curves, data_note


def characters_note(source):
    """The data line stamped on every Q2/Q3 figure, from ``nnrec.data.character_source``."""
    from nnrec.data import CHARACTER_DATA

    return CHARACTER_DATA[source].note


def run_curves(histories, title, note=""):
    """Loss and accuracy per epoch (train solid, valid dashed), one colour per run.

    histories: {run label: DataFrame epoch, train_loss, train_acc, valid_loss, valid_acc}.
    """
    fig = curves(histories, metrics=("loss", "acc"), title=title, note=note, loss="cross-entropy per sample")
    fig.axes[1].set_ylim(0, 1)
    return fig


def init_study_figure(frame, note=""):
    """Xavier versus zero initialisation: curves of the same training from both starts.

    frame: rows ``init, epoch, train_loss, train_acc, valid_loss, valid_acc``.
    """
    histories = {f"{init} init": group for init, group in frame.groupby("init", sort=False)}
    return run_curves(histories, "Initialisation: zero weights stall, Xavier weights learn", note)


def weight_images(W):
    """First-layer weights W (1024, h) -> (h, 32, 32) upright images, one per hidden unit."""
    return charset.rows_to_images(np.asarray(W).T)


def weights_figure(W_before, W_after, note=""):
    """First-layer weights before and after training, each an 8 x 8 grid of 32 x 32 images.

    Each hidden unit's 1024 input weights are drawn as the image they respond to, on a
    grey scale symmetric around 0 (white positive, black negative, grey 0), one scale per
    panel: +-the 99th percentile of |w|, so a few large weights do not wash the rest out.
    Shows the first 64 hidden units.
    """
    fig = plt.figure(figsize=(12, 6.4))
    panels = fig.subfigures(1, 2, wspace=0.03)
    for panel, W, title in zip(panels, (W_before, W_after), ("before training (Xavier init)", "after training")):
        images = weight_images(W)[:64]
        limit = np.percentile(np.abs(images), 99)
        axes = panel.subplots(8, 8, gridspec_kw=dict(wspace=0.06, hspace=0.06))
        for k, ax in enumerate(axes.flat):
            ax.axis("off")
            if k < len(images):
                ax.imshow(images[k], cmap="gray", vmin=-limit, vmax=limit, interpolation="nearest")
        panel.subplots_adjust(left=0.02, right=0.98, top=0.92, bottom=0.02)
        panel.suptitle(f"{title}; grey scale +-{limit:.2f}", fontsize=11)
    data_note(fig, note)
    return fig


def confusion_figure(cm, title, note=""):
    """Confusion matrix over the 36 classes (rows true, columns predicted)."""
    return confusion(cm, charset.CLASSES, title=title, note=note)
