"""Training and scoring the Flowers 17 networks; saving and loading them.

Fine-tuning with the backbone frozen (the CPU default) computes the backbone's pooled
features once per image view (the centre view plus ``views`` random augmented views of each
training image, :func:`cached_features`) and trains only the new 17-class head on those
cached features; the saved model is the whole network (backbone + head), so it classifies
images directly. With ``freeze="none"`` the whole network is trained end to end on augmented
batches (use a GPU). The from-scratch network always trains end to end on augmented batches.
The final validation and test scores average the centre view and its mirror (flip TTA).

Convolutions run in channels-last memory layout: on the CPU (oneDNN) that makes both the
depthwise EfficientNet and the small scratch network about a third faster, with the same
determinism for a fixed seed and thread count.
"""

import logging
import time

import numpy as np
import torch
from tqdm.auto import tqdm

from nnrec import DataError
from nnrec.torch_models.common import fit, one_cycle, predict_logits, resolve_device, seed_everything
from nnrec.torch_models.flowers.backbones import BUILDERS, backbone_name, load_backbone
from nnrec.torch_models.flowers.data import CLASS_NAMES, augment_rgb, center_view
from nnrec.torch_models.flowers.nets import ScratchNet

log = logging.getLogger(__name__)

MODEL_FORMAT = "nnrec-flower-model-1"


# ---------------------------------------------------------------- speed


def keep_freed_memory(threshold=1 << 30):
    """Have glibc's malloc keep freed blocks up to ``threshold`` bytes for reuse; True if applied.

    Every batch allocates and frees large tensors (image batches, activation maps). By default
    glibc serves each with a fresh mmap and unmaps it on free, so every batch pays page faults
    that zero the pages again: on the 2-core reference machine that system time was more than
    half of the EfficientNet feature extraction (2.5x slower with 2 threads). Raising the mmap
    and trim thresholds keeps the memory in the heap; the numbers are unchanged. A process-wide
    setting, so the rule script calls it; elsewhere than Linux/glibc it does nothing.
    """
    import ctypes
    import ctypes.util

    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(m_mmap_threshold, threshold) and libc.mallopt(m_trim_threshold, threshold))
    except (OSError, AttributeError):  # no glibc (macOS, musl without mallopt)
        return False


def channels_last(x):
    """A 4-d batch (or a model's conv weights) in channels-last layout: faster convolutions on CPU and GPU."""
    return x.to(memory_format=torch.channels_last)


# ---------------------------------------------------------------- training


@torch.no_grad()
def cached_features(model, images, size, device, views=0, g=None, batch_size=64, desc="features"):
    """Backbone features of the centre view and of ``views`` augmented views of each image.

    Returns (features (n * (1 + views), dim), index (n * (1 + views),) of the source image).
    """
    channels_last(model.eval().to(device))
    feats, index = [], []
    for view in range(1 + views):
        for start in tqdm(range(0, len(images), batch_size), desc=f"{desc} view {view}", mininterval=2.0):
            batch = images[start : start + batch_size].to(device)
            batch = center_view(batch, size) if view == 0 else augment_rgb(batch, g, size)
            feats.append(model.embed(channels_last(batch)).float().cpu())
            index.append(torch.arange(start, start + len(batch)))
    return torch.cat(feats), torch.cat(index)


def _augmenter(size, min_scale=0.5):
    """``augment(batch, generator)`` for :func:`nnrec.torch_models.common.fit`: random views, channels-last."""
    return lambda batch, g: channels_last(augment_rgb(batch, g, size, min_scale))


def _fit_one_cycle(model, train, valid, optimizer, max_lr, *, epochs, batch_size, **options):
    """:func:`~nnrec.torch_models.common.fit` under the one-cycle schedule stepped per batch; the history.

    train: (inputs (n, ...), labels (n,)); max_lr: one rate, or one per parameter group of ``optimizer``.
    """
    steps = int(np.ceil(len(train[0]) / batch_size))
    return fit(
        model,
        train,
        valid,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        scheduler=one_cycle(optimizer, max_lr, epochs, steps),
        step_scheduler_per_batch=True,
        **options,
    )


def train_finetune(
    data,
    *,
    backbone,
    weights_folder,
    image_size=256,
    epochs=30,
    batch_size=64,
    learning_rate=3e-3,
    weight_decay=0.05,
    label_smoothing=0.1,
    freeze="backbone",
    views=6,
    pooled_blocks=2,
    standardize=True,
    seed=0,
    device="auto",
    threads=None,
):
    """Fine-tune a pretrained backbone with a new 17-class head on Flowers 17.

    data: {"train"|"val"|"test": (uint8 images, labels)} at a side >= image_size.
    backbone, weights_folder: the backbone's provenance record and weights folder (:func:`load_backbone`).
    freeze: ``backbone`` trains only the head on cached features (``views`` augmented views of
    each training image plus the centre view); ``none`` trains the whole network end to end.
    pooled_blocks: how many blocks before the backbone's last layer add their pooled outputs to
    the feature vector. standardize: fix the head's per-feature standardisation from the
    training features (the cached views; with ``freeze="none"`` the pretrained backbone's
    centre-view features), else it stays the identity.
    Returns a dict: model, history, row (backbone provenance), test_pred, test_acc, valid_acc, seconds.
    The final valid/test scores average the centre view and its mirror (:func:`flip_tta_probs`);
    the per-epoch history uses the centre view only.
    """
    start = time.perf_counter()
    seed_everything(seed, threads)
    device = resolve_device(device) if isinstance(device, str) else device
    model, row = load_backbone(backbone, weights_folder, pooled_blocks=pooled_blocks), dict(backbone)
    g = torch.Generator().manual_seed(seed)
    (xt, yt), (xv, yv), (xs, ys) = data["train"], data["val"], data["test"]
    options = dict(epochs=epochs, batch_size=batch_size, device=device, seed=seed, label_smoothing=label_smoothing)
    if freeze == "backbone":
        for p in model.features.parameters():
            p.requires_grad_(False)
        ft, idx = cached_features(model, xt, image_size, device, views, g, desc="train features")
        fv, _ = cached_features(model, xv, image_size, device, desc="val features")
        if standardize:
            model.head[0].fit(ft)
        optimizer = torch.optim.AdamW(model.head.parameters(), lr=learning_rate, weight_decay=weight_decay)
        history = _fit_one_cycle(
            model.head, (ft, yt[idx]), (fv, yv), optimizer, learning_rate, desc="finetune head", **options
        )
    elif freeze == "none":
        if standardize:  # from the pretrained features; the head adapts as the backbone moves
            model.head[0].fit(cached_features(model, xt, image_size, device, desc="train features")[0])
        optimizer = torch.optim.AdamW(
            [
                {"params": model.features.parameters(), "lr": learning_rate / 10},
                {"params": model.head.parameters(), "lr": learning_rate},
            ],
            weight_decay=weight_decay,
        )
        history = _fit_one_cycle(
            model, (xt, yt), (center_view(xv, image_size), yv), optimizer, [learning_rate / 10, learning_rate],
            augment=_augmenter(image_size), desc="finetune all", **options,
        )
    else:
        raise ValueError(f"freeze must be 'backbone' or 'none', got {freeze!r}")
    model = model.cpu().eval()
    if freeze == "backbone":  # the backbone is unchanged: score cached centre-view features
        cpu = torch.device("cpu")
        fv_flip, _ = cached_features(model, xv.flip(-1), image_size, device, desc="val features, flipped")
        valid_probs = _mean_probs(model.head, [fv, fv_flip], cpu)
        fs, _ = cached_features(model, xs, image_size, device, desc="test features")
        fs_flip, _ = cached_features(model, xs.flip(-1), image_size, device, desc="test features, flipped")
        test_probs = _mean_probs(model.head, [fs, fs_flip], cpu)
        model.cpu()  # cached_features moved it back to the training device
    else:
        valid_probs = flip_tta_probs(model, xv, image_size, device)
        test_probs = flip_tta_probs(model, xs, image_size, device)
        model.cpu()
    return _result(model, history, row, valid_probs, yv, test_probs, ys, start)


def train_scratch(
    data,
    *,
    image_size=48,
    epochs=120,
    batch_size=32,
    learning_rate=3e-3,
    weight_decay=5e-4,
    label_smoothing=0.1,
    widths=(32, 64, 128, 256),
    seed=0,
    device="auto",
    threads=None,
):
    """Train :class:`ScratchNet` from random weights on augmented Flowers 17 batches.

    Same inputs and return dict as :func:`train_finetune` (row is None).
    """
    start = time.perf_counter()
    seed_everything(seed, threads)
    device = resolve_device(device) if isinstance(device, str) else device
    model = channels_last(ScratchNet(widths))
    (xt, yt), (xv, yv), (xs, ys) = data["train"], data["val"], data["test"]
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    history = _fit_one_cycle(
        model, (xt, yt), (center_view(xv, image_size), yv), optimizer, learning_rate,
        epochs=epochs, batch_size=batch_size, augment=_augmenter(image_size, min_scale=0.35),
        device=device, seed=seed, desc="scratch", label_smoothing=label_smoothing,
    )
    valid_probs = flip_tta_probs(model, xv, image_size, device)
    test_probs = flip_tta_probs(model, xs, image_size, device)
    return _result(model.cpu().eval(), history, None, valid_probs, yv, test_probs, ys, start)


# ---------------------------------------------------------------- scoring


def _mean_probs(model, inputs, device):
    """Class probabilities (n, k) of ``model`` averaged over ``inputs``, a list of (n, ...) tensors."""
    # cached_features may have moved the backbone (and so this head) to the training device
    model.to(device)
    return torch.stack([torch.softmax(predict_logits(model, x, device), 1) for x in inputs]).mean(0)


def flip_tta_probs(model, images, size, device):
    """Class probabilities averaged over the centre view and its mirror image (test-time augmentation).

    Flowers have no preferred left/right, so the mirror is an equally valid view; averaging the
    two evens out some of the network's view-specific mistakes at twice the evaluation cost.
    """
    return torch.stack(
        [
            torch.softmax(predict_logits(model.to(device), images, device, 64, lambda b: center_view(b, size)).cpu(), 1),
            torch.softmax(predict_logits(model, images, device, 64, lambda b: center_view(b, size).flip(-1)).cpu(), 1),
        ]
    ).mean(0)


def _result(model, history, row, valid_scores, yv, test_scores, ys, start):
    """The return dict of :func:`train_finetune` / :func:`train_scratch` (scores: (n, k) probabilities)."""
    pred = test_scores.argmax(1).numpy()
    return {
        "model": model.to(memory_format=torch.contiguous_format),
        "history": history,
        "row": row,
        "test_pred": pred,
        "test_acc": float((pred == ys.numpy()).mean()),
        "valid_acc": float((valid_scores.argmax(1) == yv).float().mean()),
        "seconds": time.perf_counter() - start,
    }


# ---------------------------------------------------------------- saved models


def save_flower_model(path, model, mode, row=None):
    """Write a trained flowers network with what is needed to rebuild it (see :func:`load_flower_model`).

    mode: ``scratch`` (a :class:`ScratchNet`) or ``finetune`` (a FlowerNet; row: its backbone record).
    """
    from nnrec.io import atomic_path

    if mode == "scratch":
        arch = {"net": "scratch", "widths": list(model.widths)}
    else:
        arch = {"net": backbone_name(row), "pooled_blocks": model.features.pooled_blocks}
    payload = {"format": MODEL_FORMAT, "arch": arch, "classes": list(CLASS_NAMES), "state_dict": model.state_dict()}
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_flower_model(path):
    """A network saved by :func:`save_flower_model`, in eval mode; input (n, 3, s, s) floats in 0-1."""
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise DataError(f"{path}: not an nnrec flowers model (expected the dict written by save_flower_model)")
    arch = payload["arch"]
    if arch["net"] == "scratch":
        model = ScratchNet(tuple(arch["widths"]))
    elif arch["net"] in BUILDERS:
        model = BUILDERS[arch["net"]](pooled_blocks=arch.get("pooled_blocks", 0))
    else:
        raise DataError(f"{path}: unknown network {arch['net']!r}; expected 'scratch' or one of {sorted(BUILDERS)}")
    model.load_state_dict(payload["state_dict"])
    return model.eval()
