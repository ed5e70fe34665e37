"""Q1 figures: activations and their derivatives, and softmax's shift invariance."""

import matplotlib.pyplot as plt
import numpy as np

from nnrec import nn


def activations_figure():
    """Sigmoid and tanh beside their derivatives: the vanishing-gradient figure.

    sigma' never exceeds 1/4 and tanh' never exceeds 1, and both vanish for |x| > ~4; a
    gradient back-propagated through n sigmoid layers shrinks by at least 4**n.
    """
    x = np.linspace(-6, 6, 601)
    s = nn.sigmoid(x)
    t = np.tanh(x)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.plot(x, s, label=r"sigmoid $\sigma(x)$")
    left.plot(x, t, label=r"tanh$(x) = 2\sigma(2x) - 1$")
    left.set_title("activation")
    right.plot(x, s * (1 - s), label=r"$\sigma'(x) = \sigma(x)(1-\sigma(x))$")
    right.plot(x, 1 - t**2, label=r"tanh$'(x) = 1 - $tanh$^2(x)$")
    right.axhline(0.25, color="0.5", lw=0.8, ls=":", label=r"1/4, the largest $\sigma'$")
    right.set_title("derivative")
    for ax in (left, right):
        ax.set_xlabel("x")
        ax.axvline(0, color="0.6", lw=0.6, label="x = 0")
        ax.legend(fontsize=8, loc="upper left")
    left.set_ylabel("f(x)")
    right.set_ylabel("f'(x)")
    fig.suptitle("Sigmoid saturates: its gradient is at most 1/4 and vanishes away from 0")
    fig.tight_layout()
    return fig


def softmax_shift_figure(seed=0, k=8):
    """Softmax of logits around 1e3 equals softmax of the same logits shifted to 0.

    Left: the probabilities of logits x ~ 1000 and of x - max(x), side by side (the naive
    exp(x) / sum exp(x) gives nan there). Right: max |softmax(z + c) - softmax(z)| as the
    largest logit c sweeps -1500..1500: the stable softmax stays within rounding error, the
    naive one returns nan once exp overflows (c > ~709) or every exp underflows to 0.
    """
    rng = np.random.default_rng(seed)
    x = 1000 + rng.normal(0, 2, size=(1, k))
    z = x - x.max()  # the same logits, largest at 0
    reference = nn.softmax(z)
    shifts = np.linspace(-1500, 1500, 601)

    def naive(logits):
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            e = np.exp(logits)
            return e / e.sum(axis=1, keepdims=True)

    stable_err = np.array([np.abs(nn.softmax(z + c) - reference).max() for c in shifts])
    naive_err = np.array([np.abs(naive(z + c) - reference).max() for c in shifts])
    floor = 1e-18  # exact agreement drawn at the bottom of the log axis

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    idx = np.arange(k)
    left.bar(idx - 0.2, nn.softmax(x)[0], 0.4, label="softmax(x), x ~ 1000")
    left.bar(idx + 0.2, reference[0], 0.4, label="softmax(x - max x)")
    left.set_xticks(idx, [f"{v:.1f}" for v in x[0]], fontsize=8)
    left.set_xlabel("logit x")
    left.set_ylabel("probability")
    left.set_title("identical probabilities (naive exp(x) overflows)")
    left.legend(fontsize=8)
    right.semilogy(shifts, np.maximum(stable_err, floor), label="stable softmax (subtract row max)")
    finite = np.isfinite(naive_err)
    right.semilogy(shifts[finite], np.maximum(naive_err[finite], floor), "--",
                   label="naive exp(x) / sum exp(x)")
    right.fill_between(shifts, floor, 10, where=~finite, color="tab:red", alpha=0.12,
                       label="naive gives nan")
    right.set_ylim(floor / 2, 10)
    right.set_xlabel("largest logit c")
    right.set_ylabel("max |softmax(z + c) - softmax(z)|")
    right.set_title("shift invariance in floating point")
    right.legend(fontsize=8, loc="center")
    fig.tight_layout()
    return fig
