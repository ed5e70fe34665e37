"""The character networks of Q7: the Q3 network in PyTorch (``fc``) and a small CNN (``cnn``).

Both read NIST36-layout rows: (n, 1024) floats in 0-1, column-major 32x32, white background
~1 and ink ~0 (see :mod:`nnrec.charset`). The FC network takes the rows as they are, exactly
like the numpy Q3 network; the CNN takes upright ink maps (1 = ink, so zero padding is
background), made by :func:`rows_to_ink`.

The CNN is trained with augmentation that imitates what separates photographed handwriting
from the training glyphs (:func:`augment_ink`): random affine warps (slant, rotation, scale,
shift), a smooth random displacement field (wobbly strokes), stroke thickness changes by
grey-level dilation/erosion (max/min pooling), hard thresholding (the OCR stage
binarises and redraws its crops), blur, faded ink and sensor noise. It all runs
on batches on the training device, so it costs little next to the network.

:func:`load_character_classifier` turns a saved ``model.pt`` into the ``classify(rows) ->
probabilities`` callable the OCR pipeline (:func:`nnrec.ocr.extract_text`) expects;
:func:`nnrec.classifiers.load_classifier` calls it for ``.pt`` files.
"""

import logging
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from nnrec import DataError, charset
from nnrec.ocr.fonts import READER_FONTS, font_characters, print_font_characters
from nnrec.ocr.glyphs import DEFAULT_STROKE, redraw_rows
from nnrec.torch_models.common import fit, one_cycle, predict_logits, resolve_device, seed_everything

log = logging.getLogger(__name__)

KINDS = ("fc", "cnn")


def rows_to_ink(rows):
    """(n, 1024) dataset rows (tensor or array) -> (n, 1, 32, 32) float32 upright ink maps (1 = ink)."""
    rows = torch.as_tensor(np.asarray(rows, dtype=np.float32))
    images = rows.reshape(-1, charset.SIDE, charset.SIDE).transpose(1, 2)
    return (1.0 - images).unsqueeze(1).contiguous()


class CharacterFC(nn.Module):
    """The Q3 network: 1024 -> hidden (sigmoid) -> 36 logits (softmax lives in the loss)."""

    def __init__(self, hidden=64, n_classes=charset.N_CLASSES):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(charset.N_PIXELS, hidden), nn.Sigmoid(), nn.Linear(hidden, n_classes))

    def forward(self, rows):
        """rows: (n, 1024) dataset rows -> (n, 36) logits."""
        return self.net(rows)


def _conv(c_in, c_out):
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


class CharacterCNN(nn.Module):
    """A small VGG-style CNN for 32x32 ink maps.

    Three stages (two 3x3 convolutions, one, one; batch norm, ReLU, 2x2 max pool) take 32x32
    to 4x4; dropout and one linear layer give 36 logits. With the default widths (32, 64, 128)
    it has about 0.4 M parameters and ~25 M multiply-adds per image.
    """

    def __init__(self, widths=(32, 64, 128), n_classes=charset.N_CLASSES, dropout=0.3, in_channels=1, side=32):
        super().__init__()
        a, b, c = widths
        layers = _conv(in_channels, a) + _conv(a, a) + [nn.MaxPool2d(2)]
        layers += _conv(a, b) + _conv(b, b) + [nn.MaxPool2d(2)]
        layers += _conv(b, c) + [nn.MaxPool2d(2)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(c * (side // 8) ** 2, n_classes))

    def forward(self, x):
        """x: (n, C, side, side) images -> (n, n_classes) logits."""
        return self.classifier(self.features(x))


class CharacterEnsemble(nn.Module):
    """Several character networks whose predicted probabilities are averaged.

    The output is the log of the members' mean softmax, so a softmax of it gives that mean (and
    its argmax is the ensemble's answer). Averaging networks trained from different seeds
    cancels much of what each learned by chance, which is what makes one network read a page
    well and its twin from another seed misread a few letters.
    """

    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x):
        """x: what every member reads -> (n, n_classes) log mean probabilities."""
        probs = torch.stack([torch.softmax(member(x), 1) for member in self.members]).mean(0)
        return torch.log(probs.clamp_min(1e-12))


def build_model(kind, members=1, **options):
    """``fc`` or ``cnn`` -> a fresh network (options: ``hidden`` for fc, ``widths`` for cnn);
    ``members`` > 1 gives a :class:`CharacterEnsemble` of that many such networks."""
    if members > 1:
        return CharacterEnsemble([build_model(kind, **options) for _ in range(members)])
    if kind == "fc":
        return CharacterFC(hidden=options.get("hidden", 64))
    if kind == "cnn":
        return CharacterCNN(widths=tuple(options.get("widths", (32, 64, 128))))
    raise ValueError(f"unknown character model {kind!r}; expected one of {KINDS}")


def model_input(kind, rows):
    """Dataset rows -> the tensor the ``kind`` network reads (rows for fc, ink maps for cnn)."""
    if kind == "fc":
        return torch.as_tensor(np.asarray(rows, dtype=np.float32))
    return rows_to_ink(rows)


# ---------------------------------------------------------------- augmentation


def _uniform(n, low, high, g, device):
    return (torch.rand(n, generator=g) * (high - low) + low).to(device)


# Width factors (log-uniform) a batch is stretched by: hands differ far more in how wide they
# draw a letter (a wide serifed I, a narrow E) than in how tall. Chosen over the former +-15%
# on the held-out test fonts (0.917 -> 0.925 with print faces added). Narrower than the OCR
# reader's nnrec.ocr.glyphs.REDRAW_WIDTH_RANGE, which warps glyphs before they are redrawn.
AUGMENT_WIDTH_RANGE = (0.6, 1.6)


def augment_ink(x, g, strength=1.0):
    """Randomly distort a batch of ink maps the way handwriting differs between writers and cameras.

    x: (n, 1, h, w) ink maps (1 = ink, 0 = background) on any device; g: a CPU torch.Generator
    (all random draws come from it, so a seed fixes the result). Returns a new tensor, same
    shape, values in 0-1. ``strength`` scales every distortion (0 = identity).
    """
    n, _, h, w = x.shape
    dev = x.device
    s = strength
    # affine: rotation, shear (slant), anisotropic scale, shift
    angle = _uniform(n, -12, 12, g, dev) * s * np.pi / 180
    shear = _uniform(n, -0.3, 0.3, g, dev) * s
    scale_x = torch.exp(_uniform(n, *np.log(AUGMENT_WIDTH_RANGE), g, dev) * s)
    scale_y = 1 + _uniform(n, -0.15, 0.12, g, dev) * s
    shift = (torch.rand(n, 2, generator=g).to(dev) * 2 - 1) * 0.12 * s
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.zeros(n, 2, 3, device=dev)
    # output -> input sampling coordinates: inverse of scale, then shear, then rotation
    theta[:, 0, 0] = (cos + shear * sin) / scale_x
    theta[:, 0, 1] = (-sin + shear * cos) / scale_x
    theta[:, 1, 0] = sin / scale_y
    theta[:, 1, 1] = cos / scale_y
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, (n, 1, h, w), align_corners=False)
    # elastic: a smooth random displacement field (coarse noise, upsampled)
    coarse = (torch.rand(n, 2, 4, 4, generator=g).to(dev) * 2 - 1) * 0.07 * s
    field = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False).permute(0, 2, 3, 1)
    x = F.grid_sample(x, grid + field, mode="bilinear", padding_mode="zeros", align_corners=False)
    # stroke thickness: grey dilation (max pool) or erosion (min pool) on some samples
    if s > 0:
        choice = torch.rand(n, generator=g).to(dev).view(n, 1, 1, 1)
        thick = F.max_pool2d(x, 3, stride=1, padding=1)
        thin = -F.max_pool2d(-x, 3, stride=1, padding=1)
        half = 0.5 * (x + thick)
        x = torch.where(choice < 0.2, thick, torch.where(choice < 0.4, half, torch.where(choice > 0.9, thin, x)))
        # hard-thresholded ink on some samples: the OCR stage hands over binarised, redrawn crops
        level = _uniform(n, 0.3, 0.6, g, dev).view(n, 1, 1, 1)
        x = torch.where(torch.rand(n, generator=g).to(dev).view(n, 1, 1, 1) < 0.35, (x > level).to(x.dtype), x)
        # blur on some samples
        sigma = _uniform(n, 0.4, 1.0, g, dev)
        taps = torch.arange(-2, 3, device=dev, dtype=x.dtype)
        kernel = torch.exp(-(taps.view(1, -1) ** 2) / (2 * sigma.view(-1, 1) ** 2))
        kernel = kernel / kernel.sum(1, keepdim=True)
        blurred = F.conv2d(x.transpose(0, 1), kernel.view(n, 1, 5, 1), padding=(2, 0), groups=n)
        blurred = F.conv2d(blurred, kernel.view(n, 1, 1, 5), padding=(0, 2), groups=n).transpose(0, 1)
        x = torch.where(torch.rand(n, generator=g).to(dev).view(n, 1, 1, 1) < 0.3, blurred, x)
        # faded ink, a grey background and sensor noise
        ink_level = _uniform(n, 0.7, 1.0, g, dev).view(n, 1, 1, 1)
        background = _uniform(n, 0.0, 0.08, g, dev).view(n, 1, 1, 1) * s
        noise = torch.randn(x.shape, generator=g).to(dev) * 0.03 * s
        x = background + (ink_level - background) * x + noise
    return x.clamp(0, 1)


# ---------------------------------------------------------------- training


def with_type_faces(train, print_per_class=0, font_per_class=0, seed=0, stroke=DEFAULT_STROKE, workers=1,
                    families=READER_FONTS):
    """(X, Y) training rows plus characters of each class drawn from type faces.

    ``print_per_class`` of each class from matplotlib's print faces, randomly warped
    (:func:`nnrec.ocr.fonts.print_font_characters`), and ``font_per_class`` from the OCR reader's
    font ``families``, redrawn with a round pen of about ``stroke`` px the way page crops are
    (:func:`nnrec.ocr.fonts.font_characters`, ``workers`` processes): handwriting alone rarely
    draws block capitals the plain way people print them (a serifed I, a 1 with a flag, a
    slashed or dotted 0). Returns (X (n + 36 * (print_per_class + font_per_class), 1024)
    float32, Y one-hot); with neither, ``train`` unchanged.
    """
    if not print_per_class and not font_per_class:
        return train
    X, Y = [np.asarray(train[0], np.float32)], [np.asarray(train[1], float)]
    if print_per_class:
        inks, Y_print = print_font_characters(print_per_class, seed)
        X.append(charset.inks_to_rows(inks))
        Y.append(Y_print)
    if font_per_class:
        inks, Y_font = font_characters(font_per_class, seed, stroke=stroke, families=families, workers=workers)
        X.append(charset.inks_to_rows(inks))
        Y.append(Y_font)
    return np.vstack(X).astype(np.float32), np.vstack(Y)


def train_character_model(
    kind,
    train,
    valid,
    *,
    epochs,
    batch_size,
    learning_rate,
    seed=0,
    device="auto",
    threads=None,
    augment=True,
    hidden=64,
    widths=(32, 64, 128),
    redraw_stroke=None,
    print_per_class=0,
    font_per_class=0,
    font_stroke=DEFAULT_STROKE,
    ensemble=1,
):
    """Train a character network; return (model on the CPU, history DataFrame).

    train, valid: (X, Y) with X (n, 1024) dataset rows and Y (n, 36) one-hot (as
    :func:`nnrec.data.load_split` returns them). ``fc`` trains like Q3 (plain mini-batch SGD
    at ``learning_rate``); ``cnn`` uses AdamW with a one-cycle schedule peaking at
    ``learning_rate`` and, if ``augment``, :func:`augment_ink` on every batch.
    ``redraw_stroke``: if set, every character is first redrawn the way the OCR stage redraws
    page crops (:func:`prepare_rows`), so the network learns from what it will be shown.
    ``print_per_class``, ``font_per_class``: training characters added per class from print faces
    and from the OCR reader's fonts redrawn with a ``font_stroke`` px pen (:func:`with_type_faces`).
    ``ensemble`` > 1 trains that many networks like this, each for ``epochs``, from seeds
    ``seed``, ``seed + 1``, ... and returns them as one :class:`CharacterEnsemble`; the history
    then has a ``member`` column (1, 2, ...).
    """
    if ensemble > 1:
        options = dict(epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, device=device,
                       threads=threads, augment=augment, hidden=hidden, widths=widths,
                       redraw_stroke=redraw_stroke, print_per_class=print_per_class,
                       font_per_class=font_per_class, font_stroke=font_stroke)
        trained = [train_character_model(kind, train, valid, seed=seed + k, **options) for k in range(ensemble)]
        histories = [history.assign(member=k + 1) for k, (_, history) in enumerate(trained)]
        return CharacterEnsemble([model for model, _ in trained]).eval(), pd.concat(histories, ignore_index=True)
    seed_everything(seed, threads)
    device = resolve_device(device) if isinstance(device, str) else device
    model = build_model(kind, hidden=hidden, widths=widths)
    train = with_type_faces(train, print_per_class, font_per_class, seed, font_stroke, workers=threads or 1)
    X = model_input(kind, prepare_rows(train[0], redraw_stroke))
    Xv = model_input(kind, prepare_rows(valid[0], redraw_stroke))
    y, yv = (torch.as_tensor(np.asarray(split[1]).argmax(1)) for split in (train, valid))
    steps = int(np.ceil(len(X) / batch_size))
    if kind == "fc":
        optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
        scheduler, per_batch, aug = None, False, None
    else:
        optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=1e-4)
        scheduler, per_batch = one_cycle(optimizer, learning_rate, epochs, steps), True
        aug = augment_ink if augment else None
    history = fit(
        model,
        (X, y),
        (Xv, yv),
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        scheduler=scheduler,
        step_scheduler_per_batch=per_batch,
        augment=aug,
        device=device,
        seed=seed,
        desc=f"{kind} characters",
    )
    return model.cpu().eval(), history


def prepare_rows(rows, redraw_stroke=None):
    """Dataset rows as the network reads them: unchanged, or redrawn with a ``redraw_stroke`` px pen.

    Redrawing (:func:`nnrec.ocr.glyphs.redraw_rows`: threshold, skeletonise, redraw with a round pen,
    refit to the cell) is what the OCR stage does to every page crop; doing it to the training
    characters too removes the pen-width and anti-aliasing differences between fonts, scans and
    photographs. It is idempotent up to pixel noise, so already-redrawn crops pass through.
    """
    if redraw_stroke is None or len(rows) == 0:
        return np.asarray(rows, dtype=np.float32)
    return redraw_rows(np.asarray(rows), stroke=redraw_stroke).astype(np.float32)


def predict_proba(model, kind, rows, device="cpu"):
    """(n, 1024) dataset rows -> (n, 36) class probabilities as a numpy array."""
    logits = predict_logits(model, model_input(kind, rows), torch.device(device))
    return torch.softmax(logits, 1).numpy()


# ---------------------------------------------------------------- saving and loading


# what save_character_model writes: a dict of these keys, "format" naming the layout
FORMAT = "nnrec-character-model-1"
PAYLOAD_KEYS = ("format", "kind", "options", "classes", "state_dict", "meta")
OPTIONS = ("hidden", "widths", "members")  # what build_model reads (hidden for fc, widths for cnn)


def save_character_model(path, model, kind, meta=None, redraw_stroke=None):
    """Write ``model`` with what is needed to rebuild and feed it (kind, sizes, redraw pen) to ``path``."""
    from nnrec.io import atomic_path

    members = list(model.members) if isinstance(model, CharacterEnsemble) else [model]
    if kind == "fc":
        options = {"hidden": members[0].net[0].out_features}
    else:
        convs = [m for m in members[0].features if isinstance(m, nn.Conv2d)]
        options = {"widths": [convs[0].out_channels, convs[2].out_channels, convs[4].out_channels]}
    options["members"] = len(members)
    payload = {
        "format": FORMAT,
        "kind": kind,
        "options": options,
        "redraw_stroke": redraw_stroke,
        "classes": "".join(charset.CLASSES),
        "state_dict": model.state_dict(),
        "meta": dict(meta or {}),
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_character_model(path):
    """Read a ``model.pt`` written by :func:`save_character_model` -> (model in eval mode, kind, meta).

    A missing, unreadable or foreign file, or one whose weights do not fit the network its
    kind and options describe, raises DataError (one line, naming ``path``).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such model file; build it with `snakemake --cores 4 results/q7/cnn/model.pt`")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for a corrupt or foreign file
        # torch's own unpickling message advises weights_only=False: not advice for a user's file
        found = ("holds objects other than tensors and plain values, or is no pickle at all"
                 if isinstance(error, pickle.UnpicklingError) else (str(error).strip().splitlines() or [""])[0])
        raise DataError(f"{path}: not a readable PyTorch file ({type(error).__name__}: {found}); "
                        "expected a model.pt written by save_character_model") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise DataError(f"{path}: not an nnrec character model (expected the dict written by save_character_model)")
    missing = [key for key in PAYLOAD_KEYS if key not in payload]
    if missing:
        raise DataError(f"{path}: missing keys {missing}; expected {list(PAYLOAD_KEYS)} as save_character_model writes")
    if payload["classes"] != "".join(charset.CLASSES):
        raise DataError(f"{path}: classes {payload['classes']!r}; expected {''.join(charset.CLASSES)!r}")
    model = _build_saved(path, payload)
    return model.eval(), payload["kind"], {**payload["meta"], "redraw_stroke": payload.get("redraw_stroke")}


def _build_saved(path, payload):
    """The network a payload's kind and options describe, its state dict checked and loaded."""
    kind, options, state = payload["kind"], payload["options"], payload["state_dict"]
    if kind not in KINDS:
        raise DataError(f"{path}: kind {kind!r}; expected one of {KINDS}")
    if not isinstance(options, dict) or set(options) - set(OPTIONS) or not isinstance(payload["meta"], dict):
        raise DataError(f"{path}: options {options!r}, meta of type {type(payload['meta']).__name__}; "
                        f"expected options a dict of some of {list(OPTIONS)} and meta a dict")
    try:
        model = build_model(kind, **options)
    except (TypeError, ValueError, RuntimeError) as error:
        raise DataError(f"{path}: cannot build a {kind} network from options {options} ({error})") from None
    expected = model.state_dict()
    if not isinstance(state, dict) or set(state) != set(expected):
        found = sorted(state) if isinstance(state, dict) else type(state).__name__
        raise DataError(f"{path}: state_dict entries {found}; expected {sorted(expected)} for a {kind} "
                        f"network with options {options}")
    for name, value in state.items():
        if not isinstance(value, torch.Tensor) or value.shape != expected[name].shape:
            shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise DataError(f"{path}: state_dict entry {name!r} is {shape}; expected "
                            f"{tuple(expected[name].shape)} for a {kind} network with options {options}")
    model.load_state_dict(state)
    return model


def load_character_classifier(path, device="cpu"):
    """``model.pt`` -> ``classify(rows) -> probs``: (n, 1024) dataset rows -> (n, 36) numpy probabilities.

    This is the hook the OCR pipeline calls (:func:`nnrec.classifiers.load_classifier` for ``.pt`` files).
    """
    model, kind, meta = load_character_model(path)
    model.to(device)

    def classify(rows):
        rows = np.asarray(rows, dtype=np.float32).reshape(-1, charset.N_PIXELS)
        if len(rows) == 0:
            return np.zeros((0, charset.N_CLASSES))
        return predict_proba(model, kind, prepare_rows(rows, meta["redraw_stroke"]), device)

    return classify
