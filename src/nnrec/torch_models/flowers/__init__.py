"""Oxford Flowers 17 (Q7): fine-tuning a pretrained backbone against a network trained from scratch.

- :mod:`.data`      class folders -> labels, decoding to (n, 3, side, side) uint8, the centre
  view and the random augmented views the networks see
- :mod:`.nets`      :class:`FlowerNet` (backbone features -> standardised pooled vector ->
  new head), :class:`ScratchNet` (the homework's conv + FC network, from nothing)
- :mod:`.backbones` SqueezeNet 1.1 / EfficientNet-Lite0 as FlowerNet feature extractors,
  loaded from the data stage's provenance record (:func:`load_backbone`)
- :mod:`.train`     :func:`train_finetune` (head on cached features, or end to end),
  :func:`train_scratch`, flip test-time augmentation, saving and loading trained networks
- :mod:`.tables`    the test predictions and the two-run summary table

Arrows point one way: data <- nets <- backbones <- train; tables stand alone.
"""

from nnrec.torch_models.flowers.backbones import (
    BUILDERS,
    backbone_name,
    build_efficientnet_lite0,
    build_squeezenet,
    load_backbone,
)
from nnrec.torch_models.flowers.data import (
    CLASS_NAMES,
    N_CLASSES,
    augment_rgb,
    center_view,
    class_folders,
    list_split,
    load_data,
    load_image_split,
    load_images,
)
from nnrec.torch_models.flowers.nets import FlowerNet, ScratchNet, Standardize
from nnrec.torch_models.flowers.tables import predictions_frame, summary_table
from nnrec.torch_models.flowers.train import (
    cached_features,
    channels_last,
    flip_tta_probs,
    keep_freed_memory,
    load_flower_model,
    save_flower_model,
    train_finetune,
    train_scratch,
)

__all__ = [
    "BUILDERS", "CLASS_NAMES", "N_CLASSES", "FlowerNet", "ScratchNet", "Standardize", "augment_rgb",
    "backbone_name", "build_efficientnet_lite0", "build_squeezenet", "cached_features", "center_view",
    "channels_last", "class_folders", "flip_tta_probs", "keep_freed_memory", "list_split", "load_backbone",
    "load_data", "load_flower_model", "load_image_split", "load_images", "predictions_frame",
    "save_flower_model", "summary_table", "train_finetune", "train_scratch",
]  # fmt: skip
