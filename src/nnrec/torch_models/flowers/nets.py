"""The two Flowers 17 networks Q7 compares: a pretrained backbone with a new head, and one from scratch.

:class:`FlowerNet` wraps any feature extractor (the pretrained backbones of
:mod:`.backbones`): it normalises the images as the backbone was trained, pools its features
into one vector, and classifies that with a new head. The head standardises the vector with
constants measured on the training features (:class:`Standardize`), then applies dropout and a
linear layer. :class:`ScratchNet` is the homework's conv + FC network, made trainable on 680
images. Both take (n, 3, s, s) RGB floats in 0-1; their normalisation is part of the model, so
a saved network classifies images as they are.
"""

import torch
from torch import nn

from nnrec.torch_models.flowers.data import N_CLASSES

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class Normalize(nn.Module):
    """Per-channel (x - mean) / std with the constants stored in the model (saved with it)."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


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

    @property
    def widths(self):
        """The conv stages' widths, as given to the constructor (what rebuilds this network)."""
        return tuple(m.out_channels for m in self.features if isinstance(m, nn.Conv2d))
