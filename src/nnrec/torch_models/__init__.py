"""PyTorch networks of Q7: characters (fc, cnn), Flowers 17 (fine-tuned vs scratch), extras.

- :mod:`.common`     device choice, seeding, the shared epoch loop and its history
- :mod:`.characters` the Q3 network in PyTorch, the character CNN, its augmentation, and
  :func:`load_character_classifier` (the OCR stage's hook for ``.pt`` models)
- :mod:`.flowers`    Flowers 17: data, pretrained backbones (SqueezeNet 1.1 / EfficientNet-Lite0),
  the from-scratch network, their training and tables (a package; see its docstring)
- :mod:`.extras`     CIFAR-10 / EMNIST balanced (download-only, skipped offline)
"""

from nnrec.torch_models.characters import load_character_classifier, load_character_model
from nnrec.torch_models.common import resolve_device, seed_everything

__all__ = ["load_character_classifier", "load_character_model", "resolve_device", "seed_everything"]
