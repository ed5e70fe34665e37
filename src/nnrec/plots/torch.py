"""Figures of the PyTorch stage (Q7): character runs and Flowers 17."""

import matplotlib.pyplot as plt
import numpy as np

from nnrec import charset
from nnrec.metrics import confusion_matrix
from nnrec.plots import confusion, curves, data_note

RUN_TITLES = {"fc": "Q3 network in PyTorch (1024-64-36, sigmoid)", "cnn": "character CNN (augmented)"}


def characters_note(metrics):
    from nnrec.data import CHARACTER_DATA

    source = CHARACTER_DATA.get(metrics.get("data_source"))
    data = source.note if source else "Data: unknown characters."
    return f"{data} Device: {metrics.get('device', '?')}. Seed {metrics.get('seed', '?')}."


def character_curves(history, metrics):
    """Loss and accuracy per epoch (train solid = on augmented batches for the CNN, valid dashed)."""
    title = f"{RUN_TITLES.get(metrics['run'], metrics['run'])}: test accuracy {metrics['test_acc']:.1%}"
    if "member" in history:  # an ensemble: one pair of curves per member network
        runs = {f"{metrics['run']} member {k}": h.drop(columns="member") for k, h in history.groupby("member")}
        title += f" (ensemble of {len(runs)})"
    else:
        runs = {metrics["run"]: history}
    return curves(runs, title=title, note=characters_note(metrics), loss="cross-entropy per sample")


def character_confusion(predictions, metrics):
    """36x36 test confusion matrix (rows true, columns predicted)."""
    cm = confusion_matrix(predictions["label"], predictions["predicted"], charset.N_CLASSES)
    title = f"{metrics['run']}: test confusion, accuracy {metrics['test_acc']:.1%} (n = {len(predictions)})"
    return confusion(cm, charset.CLASSES, title=title, note=characters_note(metrics))


def _flowers_note(runs):
    ft = runs["finetune"]
    return (f"Data: Oxford Flowers 17, 680 train / 340 val / 340 test. Fine-tuned: {ft['backbone']} at "
            f"{ft['image_size']} px, freeze={ft['freeze']}; scratch at {runs['scratch']['image_size']} px. "
            f"Device: {ft['device']}.")


def flowers_curves(histories, runs):
    """Loss and accuracy per epoch of the fine-tuned and the scratch network, side by side."""
    labels = {"finetune": f"fine-tuned {runs['finetune']['backbone']}", "scratch": "from scratch"}
    named = {labels[mode]: history for mode, history in histories.items()}
    title = "Flowers 17: " + ", ".join(f"{labels[m]} test {r['test_acc']:.1%}" for m, r in runs.items())
    # training loss label-smoothed (flowers.train's label_smoothing), validation loss plain
    return curves(named, title=title, note=_flowers_note(runs),
                  loss="cross-entropy per image (train: label-smoothed)")


def flowers_confusion(predictions, runs):
    """Test confusion matrices of both runs (class names of the Oxford 17 page)."""
    from nnrec.torch_models.flowers import CLASS_NAMES, N_CLASSES

    fig, axes = plt.subplots(1, len(predictions), figsize=(7.2 * len(predictions), 6.6), squeeze=False)
    for ax, (mode, frame) in zip(axes[0], predictions.items()):
        cm = confusion_matrix(frame["label"], frame["predicted"], N_CLASSES)
        ax.grid(False)
        ax.imshow(cm, cmap="Blues", vmin=0, vmax=max(1, cm.sum(1).max()))
        ax.set_xticks(range(N_CLASSES), CLASS_NAMES, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(N_CLASSES), CLASS_NAMES, fontsize=7)
        for i, j in zip(*np.nonzero(cm)):
            ax.text(j, i, cm[i, j], ha="center", va="center", fontsize=6,
                    color="white" if cm[i, j] > cm.sum(1).max() / 2 else "black")
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        name = f"fine-tuned {runs[mode]['backbone']}" if mode == "finetune" else "from scratch"
        ax.set_title(f"{name}: test accuracy {runs[mode]['test_acc']:.1%}")
    data_note(fig, _flowers_note(runs))
    fig.tight_layout()
    return fig
