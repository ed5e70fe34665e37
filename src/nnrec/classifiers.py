"""Saved character classifiers -> the ``classify(rows) -> probabilities`` callables OCR reads with.

Above both :mod:`nnrec.ocr` and :mod:`nnrec.torch_models` (which imports ocr's glyph code), so
neither needs the other's loader: the CLI and the rule scripts load a model here and hand the
callable to :func:`nnrec.ocr.extract_text` or :func:`nnrec.ocr.read_page`. Each kind is imported
only when a file of that kind is loaded, so reading with the numpy MLP never imports torch.
"""

from pathlib import Path

from nnrec import DataError


def _numpy_mlp(path):
    """A reader or Q3 MLP (.npz of nnrec.nn), its inputs prepared as its meta says."""
    from nnrec import nn
    from nnrec.ocr.reader import reader_inputs

    model = nn.load_model(path)
    return lambda rows: nn.predict_proba(model, reader_inputs(rows, model.meta))


def _torch_network(path):
    """A character network (.pt of nnrec.torch_models.characters)."""
    from nnrec.torch_models import load_character_classifier

    return load_character_classifier(path)


LOADERS = {".npz": _numpy_mlp, ".pt": _torch_network}


def load_classifier(model_path):
    """A saved character classifier -> callable (n, 1024) rows -> (n, 36) probabilities.

    ".npz": the numpy MLP of :mod:`nnrec.nn`; ".pt": the PyTorch network of
    :mod:`nnrec.torch_models`. Anything else, or a missing file, raises DataError.
    """
    path = Path(model_path)
    if not path.is_file():
        raise DataError(f"{path}: no such model file; train one first (e.g. `snakemake q3`)")
    if path.suffix not in LOADERS:
        raise DataError(f"{path}: unknown model type {path.suffix!r}; expected .npz (numpy MLP) or .pt (PyTorch)")
    return LOADERS[path.suffix](path)
