"""Saved networks of :mod:`nnrec.nn`: the model.npz file, written, read and checked.

A model file is a plain ``.npz`` (no pickles) holding the parameters ``W1, b1, ..., WL, bL``
as :func:`nnrec.nn.init_network` makes them, the L activation names (``__activations__``)
and a JSON object of free-form metadata (``__meta__``; the OCR reader keeps its input
transforms there). :func:`load_model` checks every member before anything is computed with
it, so a damaged or foreign file ends in one DataError naming the file and the problem.
"""

import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnrec import DataError
from nnrec.io import atomic_path
from nnrec.nn import ACTIVATIONS, accuracy, cross_entropy, forward

FORMAT_HINT = "expected a model.npz written by nnrec.model_file.save_model"
# What reading a damaged archive member raises: a bad CRC or zip structure, a broken deflate
# stream, a truncated or malformed .npy header, an object array (refused without pickles).
MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)


@dataclass
class Model:
    """A trained network: parameters, activation names, and free-form metadata."""

    params: dict
    activations: list
    meta: dict


def save_model(path, params, activations, meta=None):
    """Write the network to ``path`` (.npz, no pickles), atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as stream:
        np.savez(stream, **params, __activations__=np.array(activations),
                 __meta__=np.array(json.dumps(meta or {})))


def load_model(path):
    """Read a network written by :func:`save_model`; DataError (one line, naming ``path``) if
    it is not one: not a readable .npz, a damaged member, unknown activations, bad meta JSON,
    missing arrays or shapes that do not chain from layer to layer."""
    if not Path(path).is_file():
        raise DataError(f"{path}: no such model file (expected a model.npz written by the Q3 step)")
    not_npz = DataError(f"{path}: not a .npz archive; {FORMAT_HINT}")
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):  # also what would need unpickling
        raise not_npz from None
    if not isinstance(archive, np.lib.npyio.NpzFile):  # a plain .npy array
        raise not_npz
    with archive:
        contents = {name: _read_member(path, archive, name) for name in archive.files}
    if "__activations__" not in contents:
        raise DataError(f"{path}: no '__activations__' entry; {FORMAT_HINT}")
    activations = _activations(path, contents.pop("__activations__"))
    meta = _meta(path, contents.pop("__meta__", np.array("{}")))
    expected = {f"{p}{k}" for k in range(1, len(activations) + 1) for p in "Wb"}
    if set(contents) != expected:
        raise DataError(f"{path}: has arrays {sorted(contents)}; expected {sorted(expected)} "
                        f"for {len(activations)} layers")
    params = {name: contents[name] for name in sorted(expected, key=lambda n: (int(n[1:]), n[0] != "W"))}
    _check_shapes(path, params)
    return Model(params=params, activations=activations, meta=meta)


def _read_member(path, archive, name):
    try:
        return archive[name]
    except MEMBER_ERRORS as error:
        raise DataError(f"{path}: member '{name}' is damaged or unreadable "
                        f"({type(error).__name__}: {_first_line(error)}); {FORMAT_HINT}") from None


def _first_line(error):
    return (str(error).strip().splitlines() or [""])[0]


def _activations(path, names):
    """The ``__activations__`` member -> list of L names, each in ACTIVATIONS, softmax last only."""
    if names.ndim != 1 or names.dtype.kind not in "US" or len(names) == 0:
        raise DataError(f"{path}: '__activations__' is a {names.dtype} array of shape {names.shape}; "
                        "expected one activation name per layer")
    activations = [str(a) for a in names]
    for k, name in enumerate(activations, start=1):
        if name not in ACTIVATIONS:
            raise DataError(f"{path}: unknown activation {name!r} for layer {k}; expected one of {ACTIVATIONS}")
    if "softmax" in activations[:-1]:
        raise DataError(f"{path}: softmax in hidden layer {activations.index('softmax') + 1}; "
                        "it is supported only as the output layer")
    return activations


def _meta(path, value):
    """The ``__meta__`` member -> dict (a JSON object)."""
    try:
        meta = json.loads(str(value))
    except ValueError as error:
        raise DataError(f"{path}: '__meta__' is not valid JSON ({error}); expected a JSON object") from None
    if not isinstance(meta, dict):
        raise DataError(f"{path}: '__meta__' is a JSON {type(meta).__name__}; expected a JSON object")
    return meta


def _check_shapes(path, params):
    """Every Wk (n_in, n_out) and bk (n_out,) real floats, finite, and W(k+1) reading Wk's outputs."""
    for name, value in params.items():
        if not np.issubdtype(value.dtype, np.floating):
            raise DataError(f"{path}: array '{name}' has dtype {value.dtype}; expected floating-point numbers")
        bad = int(np.count_nonzero(~np.isfinite(value)))
        if bad:
            raise DataError(f"{path}: array '{name}' has {bad} NaN or infinite values; expected none")
    n_out = None
    for k in range(1, len(params) // 2 + 1):
        W, b = params[f"W{k}"], params[f"b{k}"]
        if W.ndim != 2:
            raise DataError(f"{path}: W{k} has shape {W.shape}; expected a (n_in, n_out) matrix")
        if n_out is not None and W.shape[0] != n_out:
            raise DataError(f"{path}: W{k} has shape {W.shape} but W{k - 1} gives {n_out} outputs; "
                            f"expected W{k} of shape ({n_out}, n_out)")
        if b.shape != (W.shape[1],):
            raise DataError(f"{path}: b{k} has shape {b.shape}; expected ({W.shape[1]},) to match W{k} {W.shape}")
        n_out = W.shape[1]


def model_sizes(model):
    """(inputs, outputs) of a loaded network: W1's rows and the last layer's columns."""
    return model.params["W1"].shape[0], model.params[f"W{len(model.activations)}"].shape[1]


# ------------------------------------------------------------------ predicting with one


def predict_proba(model, X):
    """Class probabilities (n, k) of a loaded classifier on dataset rows X (n, d)."""
    dtype = model.params["W1"].dtype
    output, _ = forward(model.params, model.activations, np.asarray(X, dtype=dtype))
    return output


def predict_classes(model, X):
    """Predicted class indices (n,) of a loaded classifier on rows X (n, d)."""
    return np.argmax(predict_proba(model, X), axis=1)


def split_scores(model, X, Y):
    """{"loss": mean cross-entropy per sample, "acc": accuracy, "n": rows} of a classifier."""
    probs = predict_proba(model, X)
    return {"loss": cross_entropy(Y, probs) / max(len(X), 1), "acc": accuracy(Y, probs), "n": len(X)}
