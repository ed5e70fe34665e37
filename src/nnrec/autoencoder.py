"""The numpy autoencoder of Q5, trained with momentum SGD, and an improved configuration.

The network is :mod:`nnrec.nn`'s (the same forward/backward as the Q2-Q3 MLP); this module
adds what an autoencoder needs on top: the total squared error loss, the homework's momentum
update and learning-rate schedule, an Adam update for the improved configuration, the
training loop and the reconstructions.

Homework configuration: 1024-32-32-32-1024, ReLU, ReLU, ReLU, sigmoid output, total squared
error, ``M = 0.9 * M - lr * grad; W = W + M`` per parameter, batch 36, lr 3e-5 multiplied by
0.9 every 20 epochs, 100 epochs.
"""

import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from nnrec import ConfigError, DataError, nn
from nnrec.io import log

HOMEWORK_ACTIVATIONS = ("relu", "relu", "relu", "sigmoid")
OPTIMIZERS = ("momentum", "adam")
SCHEDULES = ("step", "cosine")


def homework_architecture(hidden, n_pixels=1024):
    """Layer sizes and activations of the homework autoencoder with ``hidden`` units per layer:
    ``[n_pixels, hidden, hidden, hidden, n_pixels]`` and ReLU, ReLU, ReLU, sigmoid."""
    return [n_pixels, hidden, hidden, hidden, n_pixels], list(HOMEWORK_ACTIVATIONS)


def architecture(hidden, activations, n_pixels=1024):
    """Layer sizes ``[n_pixels, *hidden, n_pixels]`` for explicit hidden widths, checked against
    ``activations`` (one per layer, the last the output's)."""
    hidden = [int(h) for h in hidden]
    if len(activations) != len(hidden) + 1:
        raise ConfigError(
            f"autoencoder: {len(hidden)} hidden layers need {len(hidden) + 1} activations "
            f"(one per layer, the last for the output); got {len(activations)}: {list(activations)}"
        )
    return [n_pixels, *hidden, n_pixels], list(activations)


def code_size(sizes):
    """The autoencoder's code length: its narrowest hidden layer."""
    return min(sizes[1:-1])


def squared_error(output, target):
    """Total squared error ``sum((output - target)**2)`` over all rows and pixels."""
    diff = np.asarray(output) - np.asarray(target)
    return float(np.einsum("ij,ij->", diff, diff))


def squared_error_grad(output, target):
    """d(total squared error)/d(output) = 2 (output - target), same shape as ``output``."""
    return 2.0 * (output - target)


def learning_rate_at(epoch, learning_rate, schedule="step", lr_decay=1.0, decay_every=None, epochs=None):
    """The learning rate used in 0-based ``epoch``.

    step: ``learning_rate * lr_decay ** (epoch // decay_every)``, the homework's
    "multiply by 0.9 every 20 epochs" (epochs 0-19 use the initial rate, 20-39 0.9 of it, ...).
    cosine: half a cosine from ``learning_rate`` at epoch 0 down to ``learning_rate * lr_decay``
    at the last epoch (``epochs - 1``).
    """
    if schedule == "step":
        if not decay_every:
            return learning_rate
        return learning_rate * lr_decay ** (epoch // decay_every)
    if schedule == "cosine":
        span = max(epochs - 1, 1)
        floor = learning_rate * lr_decay
        return floor + (learning_rate - floor) * 0.5 * (1 + math.cos(math.pi * min(epoch, span) / span))
    raise ConfigError(f"autoencoder schedule {schedule!r}; expected one of {SCHEDULES}")


class Momentum:
    """The homework's momentum SGD, per parameter: ``M = momentum * M - lr * grad; W = W + M``.

    M starts at zero for every parameter. Updates the parameter arrays in place.
    """

    def __init__(self, params, momentum=0.9):
        self.momentum = momentum
        self.velocity = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params, grads, lr):
        for key, grad in grads.items():
            m = self.velocity[key]
            m *= self.momentum
            m -= lr * grad
            params[key] += m


class Adam:
    """Adam (Kingma and Ba, 2015) with bias correction, in place, per parameter::

        m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
        W -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
    """

    def __init__(self, params, beta1=0.9, beta2=0.999, eps=1e-8):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, params, grads, lr):
        self.t += 1
        correction1 = 1 - self.beta1**self.t
        correction2 = 1 - self.beta2**self.t
        for key, grad in grads.items():
            m, v = self.m[key], self.v[key]
            m *= self.beta1
            m += (1 - self.beta1) * grad
            v *= self.beta2
            v += (1 - self.beta2) * grad * grad
            params[key] -= (lr / correction1) * m / (np.sqrt(v / correction2) + self.eps)


def make_optimizer(name, params, momentum=0.9):
    if name == "momentum":
        return Momentum(params, momentum)
    if name == "adam":
        return Adam(params)
    raise ConfigError(f"autoencoder optimizer {name!r}; expected one of {OPTIMIZERS}")


@dataclass
class Run:
    """A trained autoencoder: ``params`` and ``activations`` as :mod:`nnrec.nn` uses them, and
    ``history`` (DataFrame: epoch, train_loss, valid_loss, learning_rate; losses are total
    squared error per image), ``seconds_per_epoch`` (mean wall time of the epochs)."""

    params: dict
    activations: list
    sizes: list
    history: pd.DataFrame
    seconds_per_epoch: float


def reconstruct(params, activations, X, batch_size=4096):
    """(n, d) rows -> the autoencoder's (n, d) outputs, computed in chunks of ``batch_size``."""
    X = np.asarray(X)
    out = [nn.forward(params, activations, X[i : i + batch_size])[0] for i in range(0, len(X), batch_size)]
    return np.concatenate(out) if out else np.zeros_like(X)


def _check_rows(X, name, n_pixels):
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != n_pixels:
        raise DataError(f"autoencoder {name} rows have shape {X.shape}; expected (n, {n_pixels})")
    if len(X) == 0:
        raise DataError(f"autoencoder {name} split is empty; expected at least one row")
    return X


def train(
    X_train,
    X_valid,
    *,
    sizes,
    activations,
    epochs,
    batch_size,
    learning_rate,
    optimizer="momentum",
    momentum=0.9,
    schedule="step",
    lr_decay=1.0,
    decay_every=None,
    seed=0,
    dtype="float64",
    progress=True,
):
    """Train an autoencoder (output = input) by mini-batch descent on total squared error.

    X_train, X_valid: (n, d) rows in 0-1 with d == sizes[0] == sizes[-1].
    sizes, activations: the network as :func:`nnrec.nn.init_network` takes it.
    optimizer: "momentum" (the homework's update, :class:`Momentum`) or "adam".
    The learning rate of each epoch comes from :func:`learning_rate_at`. Each epoch visits the
    training rows once in a fresh random order, in batches of ``batch_size`` (the last may be
    smaller). ``seed`` fixes the initial weights and the batch order: the same seed gives the
    same run. ``dtype`` is the float type of the weights and the arithmetic ("float32", about
    twice as fast, or "float64", numpy's default). train_loss is the mean over the epoch's batches as they were trained (per image);
    valid_loss is measured after the epoch.
    Returns a :class:`Run`.
    """
    if sizes[0] != sizes[-1]:
        raise ConfigError(f"an autoencoder's output must match its input; got layer sizes {sizes}")
    X_train = _check_rows(X_train, "training", sizes[0]).astype(dtype, copy=False)
    X_valid = _check_rows(X_valid, "validation", sizes[0]).astype(dtype, copy=False)
    rng = np.random.default_rng(seed)
    params = {k: v.astype(dtype) for k, v in nn.init_network(sizes, activations, rng).items()}
    opt = make_optimizer(optimizer, params, momentum)
    n = len(X_train)
    rows = []
    started = time.perf_counter()
    bar = tqdm(range(epochs), desc=f"autoencoder {'-'.join(map(str, sizes))}", unit="epoch", disable=not progress)
    for epoch in bar:
        lr = learning_rate_at(epoch, learning_rate, schedule, lr_decay, decay_every, epochs)
        shuffled = X_train[rng.permutation(n)]  # one copy per epoch; the batches are views of it
        total = 0.0
        for start in range(0, n, batch_size):
            batch = shuffled[start : start + batch_size]
            output, caches = nn.forward(params, activations, batch)
            diff = output - batch
            total += float(np.einsum("ij,ij->", diff, diff))  # squared_error(output, batch)
            grads = nn.backward(params, activations, caches, 2.0 * diff)  # squared_error_grad
            opt.step(params, grads, lr)
        train_loss = total / n
        if not np.isfinite(train_loss):
            raise ConfigError(
                f"autoencoder training diverged in epoch {epoch + 1} (loss {train_loss}) at learning "
                f"rate {lr:g}; expected a finite loss: lower the learning rate"
            )
        valid_loss = squared_error(reconstruct(params, activations, X_valid), X_valid) / len(X_valid)
        rows.append({"epoch": epoch + 1, "train_loss": train_loss, "valid_loss": valid_loss, "learning_rate": lr})
        bar.set_postfix(train=f"{train_loss:.1f}", valid=f"{valid_loss:.1f}")
    seconds = (time.perf_counter() - started) / max(epochs, 1)
    log.info("autoencoder %s: %d epochs, %.3f s/epoch, final valid loss %.2f per image",
             sizes, epochs, seconds, rows[-1]["valid_loss"] if rows else float("nan"))
    return Run(params, list(activations), list(sizes), pd.DataFrame(rows), seconds)


def train_configuration(X_train, X_valid, *, hidden, activations=None, seed=0, progress=True, **settings):
    """:func:`train` from a config section: ``hidden`` an int (the homework network with that
    width, ``activations`` ignored) or a list of widths with matching ``activations``."""
    if isinstance(hidden, int):
        sizes, acts = homework_architecture(hidden, np.shape(X_train)[1])
    else:
        sizes, acts = architecture(hidden, activations or [], np.shape(X_train)[1])
    return train(X_train, X_valid, sizes=sizes, activations=acts, seed=seed, progress=progress, **settings)


def example_indices(labels, class_names, show_classes, per_class=2):
    """Indices of the first ``per_class`` rows of each class in ``show_classes``, class by class.

    labels: (n,) class indices into ``class_names``. The same labels give the same examples,
    so the autoencoder and PCA figures show the same images.
    """
    labels = np.asarray(labels)
    picked = []
    for name in show_classes:
        if name not in class_names:
            raise ConfigError(f"show_classes entry {name!r} is not a class; expected one of {''.join(class_names)}")
        rows = np.flatnonzero(labels == class_names.index(name))[:per_class]
        if len(rows) < per_class:
            raise DataError(f"class {name!r} has {len(rows)} validation rows; expected at least {per_class} to show")
        picked.extend(rows.tolist())
    return np.array(picked, dtype=int)


def compare_psnr(tables, baseline):
    """One table of mean PSNR per class across methods.

    tables: {method name: DataFrame ``class, n, psnr_mean``} as :func:`nnrec.metrics.psnr_by_class`
    returns, all on the same split; baseline: the name of the method the others are measured
    against. Returns a DataFrame ``class, n, psnr_<method>...`` plus ``<method>_minus_<baseline>``
    for every other method, rows in the first table's class order (``all`` last).
    """
    names = list(tables)
    first = tables[names[0]]
    frame = first[["class", "n"]].copy()
    for name, table in tables.items():
        if list(table["class"]) != list(first["class"]) or list(table["n"]) != list(first["n"]):
            raise DataError(
                f"PSNR table of {name!r} covers classes/counts {list(zip(table['class'], table['n']))[:3]}...; "
                f"expected the same rows as {names[0]!r} (all tables must come from the same split)"
            )
        frame[f"psnr_{name}"] = table["psnr_mean"].to_numpy()
    for name in names:
        if name != baseline:
            frame[f"{name}_minus_{baseline}"] = frame[f"psnr_{name}"] - frame[f"psnr_{baseline}"]
    return frame
