"""nnrec: the "Neural Networks for Recognition" homework (CMU 16-720 HW5) as a library.

One module per concern; the Snakemake rule scripts in ``scripts/`` only call into these.

- ``charset``      the 36 classes and the NIST36 32x32 column-major image layout
- ``data``         fetching inputs (resources, mirror, download), checksums, provenance, loaders
- ``glyph_geometry`` fitting ink to the 32x32 cell, warping and resampling batches of glyphs
- ``synth``        synthetic NIST36-format characters rendered from handwriting fonts
- ``nn``           the numpy network, written from scratch (layers, backprop, SGD)
- ``model_file``   the numpy network's saved model.npz: write, read and check, predict
- ``theory``       numerical checks of the Q1 claims
- ``ocr``          reading photographed pages: segment, glyphs, read, reader, fonts, score
- ``classifiers``  saved character classifiers (numpy .npz, PyTorch .pt) -> classify callables, scores
- ``autoencoder``  the numpy autoencoder with momentum SGD
- ``pca``          PCA reconstructions
- ``torch_models`` PyTorch character and flower networks
- ``metrics``      accuracy, confusion, character error rate, PSNR
- ``plots``        figures
- ``io``           logging and atomic writes shared by the rule scripts
- ``parallel``     work shared by worker processes
- ``lazy_imports`` start-up work reading never uses (modules, scipy's docstring notes), skipped by ``nnrec ocr``
"""

__version__ = "0.1.0"


class NnrecError(Exception):
    """An error a user can act on; the CLI prints it on one line and exits non-zero."""


class DataError(NnrecError):
    """An input file is missing, corrupt, or not in the expected layout."""


class ConfigError(NnrecError):
    """A configuration value is invalid."""
