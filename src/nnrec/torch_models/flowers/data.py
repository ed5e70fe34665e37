"""Flowers 17 images: class folders to labels, decoding, the evaluation view and augmentation.

Data: ``<root>/{train,val,test}/<k>/image_NNNN.jpg`` (the split folders of
:data:`nnrec.data.FLOWER_SPLITS`, the data layer's 680/340/340 partition) with class folders
named ``0`` .. ``16``. Folder names are mapped to labels as integers (:func:`class_folders`),
never by sorting strings ("10" sorts before "2").

Images are decoded once into (n, 3, side, side) uint8 tensors; the views the networks see
(:func:`center_view` for evaluation, :func:`augment_rgb` for training) are (n, 3, size, size)
floats in 0-1, made batch by batch on the training device.
"""

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.nn import functional as F
from tqdm.auto import tqdm

from nnrec import DataError
from nnrec.data import FLOWER_SPLITS

N_CLASSES = 17
# Class k holds the original images 80k+1 .. 80k+80; names in the order of the dataset page.
CLASS_NAMES = (
    "daffodil", "snowdrop", "lily valley", "bluebell", "crocus", "iris", "tigerlily", "tulip",
    "fritillary", "sunflower", "daisy", "colts foot", "dandelion", "cowslip", "buttercup",
    "windflower", "pansy",
)  # fmt: skip
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


# ---------------------------------------------------------------- reading


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
        files = sorted(p for p in (Path(split_dir) / name).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
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


def load_image_split(root, split, side, n_classes=N_CLASSES):
    """(images uint8 (n, 3, side, side), labels int64 (n,), paths) of the split folder ``root/split``."""
    paths, labels = list_split(Path(root) / split, n_classes)
    return load_images(paths, side), torch.as_tensor(labels), paths


def load_data(root, side):
    """{"train", "val", "test"} -> (uint8 images (n, 3, side, side), labels) read from ``root``."""
    return {split: load_image_split(root, split, side)[:2] for split in FLOWER_SPLITS}


# ---------------------------------------------------------------- views


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
