"""Download-only extras (Q7, off by default): a CNN on CIFAR-10 and on EMNIST balanced.

The data come from torchvision's dataset classes, which download from the original hosts.
There is no offline copy, so :func:`fetch_extra` gives up after a socket timeout and the
rule writes a ``skipped`` row saying why instead of failing the workflow.
"""

import logging
import socket
import time

import numpy as np
import pandas as pd
import torch

from nnrec.torch_models.characters import CharacterCNN
from nnrec.torch_models.common import evaluate, fit, one_cycle, resolve_device, seed_everything

log = logging.getLogger(__name__)

# name -> (channels, side, classes, description)
EXTRAS = {
    "cifar10": (3, 32, 10, "CIFAR-10 (torchvision.datasets.CIFAR10)"),
    "emnist": (1, 28, 47, "EMNIST balanced (torchvision.datasets.EMNIST, split 'balanced')"),
}
RESULT_COLUMNS = ["dataset", "status", "test_acc", "valid_acc", "epochs", "seconds", "note"]


def _datasets(name, root):
    import torchvision

    if name == "cifar10":
        return (torchvision.datasets.CIFAR10(root, train=t, download=True) for t in (True, False))
    return (torchvision.datasets.EMNIST(root, split="balanced", train=t, download=True) for t in (True, False))


def _to_arrays(dataset, name):
    """A torchvision dataset -> (float32 (n, C, s, s) in 0-1, int64 (n,) labels)."""
    data = torch.as_tensor(np.asarray(dataset.data))
    if name == "cifar10":
        x = data.permute(0, 3, 1, 2).float() / 255
    else:  # EMNIST images are stored transposed
        x = data.transpose(1, 2).unsqueeze(1).float() / 255
    return x, torch.as_tensor(np.asarray(dataset.targets), dtype=torch.int64)


def fetch_extra(name, root, timeout_s=10):
    """(train, test) tensors of an extra dataset, or (None, reason) when it cannot be had.

    Downloads into ``root`` (reused when already there); every socket operation gives up after
    ``timeout_s`` seconds, so an offline machine answers quickly instead of hanging.
    """
    if name not in EXTRAS:
        raise ValueError(f"unknown extra {name!r}; expected one of {sorted(EXTRAS)}")
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout_s)
    try:
        train, test = _datasets(name, root)
        return (_to_arrays(train, name), _to_arrays(test, name)), ""
    except Exception as error:  # URLError, timeouts, checksum mismatches: all mean "not available"
        # the result table keeps a note that reads the same on every machine; the detail goes to the log
        reason = f"{EXTRAS[name][3]} could not be downloaded (see the log)"
        log.warning("%s could not be downloaded (%s: %s); skipping", EXTRAS[name][3], type(error).__name__, error)
        return None, reason
    finally:
        socket.setdefaulttimeout(old)


def train_extra(name, train, test, *, epochs, batch_size, learning_rate, seed=0, device="auto", threads=None,
                valid_fraction=0.1):
    """Train the character CNN layout (widths 32-64-128) on an extra dataset.

    train, test: (X float (n, C, s, s) in 0-1, y int64). The last ``valid_fraction`` of a seeded
    shuffle of the training set is held out for validation. Returns (result row dict, history).
    """
    channels, side, n_classes, _ = EXTRAS[name]
    start = time.perf_counter()
    seed_everything(seed, threads)
    device = resolve_device(device) if isinstance(device, str) else device
    X, y = train
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    n_valid = max(1, int(len(X) * valid_fraction))
    valid_idx, train_idx = order[:n_valid], order[n_valid:]
    model = CharacterCNN((32, 64, 128), n_classes=n_classes, in_channels=channels, side=side)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=1e-4)
    steps = int(np.ceil(len(train_idx) / batch_size))
    history = fit(
        model,
        (X[train_idx], y[train_idx]),
        (X[valid_idx], y[valid_idx]),
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        scheduler=one_cycle(optimizer, learning_rate, epochs, steps),
        step_scheduler_per_batch=True,
        device=device,
        seed=seed,
        desc=name,
    )
    _, test_acc = evaluate(model, *test, device)
    row = {
        "dataset": name,
        "status": "trained",
        "test_acc": test_acc,
        "valid_acc": float(history["valid_acc"].iloc[-1]),
        "epochs": epochs,
        "seconds": round(time.perf_counter() - start, 1),
        "note": f"{EXTRAS[name][3]}; {len(train_idx)} train / {n_valid} valid / {len(test[0])} test images",
    }
    return row, history


def skipped_row(name, reason):
    """The result row of an extra that could not run."""
    return {"dataset": name, "status": "skipped", "test_acc": np.nan, "valid_acc": np.nan, "epochs": 0,
            "seconds": 0.0, "note": reason}


def run_extra(name, root, *, timeout_s=10, **training):
    """Fetch and train one extra; returns (result DataFrame of one row, history DataFrame).

    Offline (or whenever the download fails) the row has status ``skipped`` and the reason,
    and the history is empty.
    """
    data, reason = fetch_extra(name, root, timeout_s)
    if data is None:
        from nnrec.torch_models.common import HISTORY_COLUMNS

        return pd.DataFrame([skipped_row(name, reason)], columns=RESULT_COLUMNS), pd.DataFrame(columns=HISTORY_COLUMNS)
    row, history = train_extra(name, *data, **training)
    return pd.DataFrame([row], columns=RESULT_COLUMNS), history
