"""Shared PyTorch plumbing: device choice, seeding, the epoch loop and its history.

Every training run in this package goes through :func:`fit`, so they all log the same
per-epoch history (``epoch, train_loss, train_acc, valid_loss, valid_acc``), show one tqdm
bar on stderr, and give the same numbers for the same seed on the CPU.
"""

import logging
import random
import time

import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm.auto import tqdm

from nnrec import ConfigError

log = logging.getLogger(__name__)

HISTORY_COLUMNS = ["epoch", "train_loss", "train_acc", "valid_loss", "valid_acc", "seconds"]


def resolve_device(name="auto"):
    """Config value -> torch.device. ``auto`` is CUDA when present, else the CPU.

    A CUDA device asked for by name on a machine without one is a ConfigError (no silent
    fall-back: the run would otherwise take hours longer than planned without saying so).
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"torch.device is {name!r} but this machine has no CUDA device; use 'auto' or 'cpu'")
    try:
        return torch.device(name)
    except RuntimeError as error:
        raise ConfigError(f"torch.device: {name!r} is not a device name ({error}); expected auto, cpu or cuda[:N]")


def describe_device(device):
    """A short human-readable name for metrics files, e.g. ``cpu (1 thread)``, ``cpu (2 threads)``."""
    device = torch.device(device)
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    threads = torch.get_num_threads()
    return f"cpu ({threads} thread{'' if threads == 1 else 's'})"


def seed_everything(seed, threads=None):
    """Seed Python, numpy and torch, and make CPU kernels deterministic.

    Same seed and thread count -> the same numbers on the CPU. CUDA runs are seeded too but
    cuDNN may still pick non-deterministic kernels (faster), so GPU runs agree only closely.
    """
    if threads:
        torch.set_num_threads(int(threads))
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    # CPU kernels are deterministic for a fixed thread count; ask cuDNN for the same where it
    # can. (torch.use_deterministic_algorithms would also do, but it imports torch._inductor,
    # which costs seconds per process.)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def generator(seed):
    """A torch.Generator on the CPU seeded with ``seed`` (shuffling, augmentation draws)."""
    g = torch.Generator()
    g.manual_seed(int(seed))
    return g


@torch.no_grad()
def predict_logits(model, X, device, batch_size=256, transform=None):
    """Logits of ``model`` on the tensor ``X`` (n, ...), in eval mode, batch by batch, on the CPU."""
    model.eval()
    out = []
    for start in range(0, len(X), batch_size):
        batch = X[start : start + batch_size].to(device)
        if transform is not None:
            batch = transform(batch)
        out.append(model(batch).float().cpu())
    return torch.cat(out) if out else torch.empty(0)


def evaluate(model, X, y, device, batch_size=256):
    """(mean cross-entropy, accuracy) of ``model`` on tensors X, y (integer labels)."""
    logits = predict_logits(model, X, device, batch_size)
    loss = nn.functional.cross_entropy(logits, y).item()
    acc = (logits.argmax(1) == y).float().mean().item()
    return loss, acc


def fit(
    model,
    train,
    valid,
    *,
    epochs,
    batch_size,
    optimizer,
    scheduler=None,
    augment=None,
    device="cpu",
    seed=0,
    desc="train",
    step_scheduler_per_batch=False,
    label_smoothing=0.0,
):
    """Train ``model`` for ``epochs`` epochs; return the history DataFrame.

    train, valid: (X, y) tensors, y integer labels. ``augment(batch, generator) -> batch`` runs
    on each training batch on ``device`` (so augmentation is as fast as the model is). The
    training loss and accuracy are the means over the epoch's batches (with augmentation and
    dropout on); the validation numbers are measured after the epoch in eval mode.
    ``label_smoothing`` applies to the training loss only (validation loss is plain cross-entropy).
    Columns: epoch, train_loss, train_acc, valid_loss, valid_acc, seconds (wall time of the epoch).
    """
    device = torch.device(device)
    model.to(device)
    X, y = train
    g = generator(seed)
    rows = []
    bar = tqdm(range(1, epochs + 1), desc=desc, unit="epoch", mininterval=1.0)
    for epoch in bar:
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(X), generator=g)
        total_loss, total_correct = 0.0, 0
        for first in range(0, len(X), batch_size):
            index = order[first : first + batch_size]
            xb, yb = X[index].to(device), y[index].to(device)
            if augment is not None:
                xb = augment(xb, g)
            logits = model(xb)
            loss = nn.functional.cross_entropy(logits, yb, label_smoothing=label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None and step_scheduler_per_batch:
                scheduler.step()
            total_loss += loss.item() * len(index)
            total_correct += (logits.argmax(1) == yb).sum().item()
        if scheduler is not None and not step_scheduler_per_batch:
            scheduler.step()
        valid_loss, valid_acc = evaluate(model, *valid, device)
        rows.append(
            {
                "epoch": epoch,
                "train_loss": total_loss / len(X),
                "train_acc": total_correct / len(X),
                "valid_loss": valid_loss,
                "valid_acc": valid_acc,
                "seconds": time.perf_counter() - start,
            }
        )
        bar.set_postfix(loss=f"{rows[-1]['train_loss']:.3f}", valid_acc=f"{valid_acc:.3f}")
        log.info("%s epoch %d: %s", desc, epoch, {k: round(v, 4) for k, v in rows[-1].items()})
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def one_cycle(optimizer, max_lr, epochs, steps_per_epoch):
    """The one-cycle learning-rate schedule (warm-up then cosine decay), stepped per batch."""
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=max_lr, epochs=epochs, steps_per_epoch=max(1, steps_per_epoch), pct_start=0.25
    )
