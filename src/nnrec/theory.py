"""Numerical checks of the homework's Q1 claims, each measured as a maximum error.

Each ``check_*`` function returns the largest absolute deviation between the two sides of
one claim, evaluated on many inputs; :func:`run_checks` collects them into the table
``claim, max_error, tolerance, holds`` written to ``results/q1/checks.csv``.
"""

import numpy as np
import pandas as pd

from nnrec import nn


def check_softmax_shift_invariance(rng, n=200, k=10, scale=1e3):
    """softmax(x) == softmax(x + c) for logits x of size ~``scale`` and shifts c of size ~scale.

    x, c drawn from N(0, scale); returns max |softmax(x) - softmax(x + c)|, or inf if
    anything overflowed (the stable softmax subtracts the row maximum, so nothing does).
    """
    x = rng.normal(0, scale, size=(n, k))
    c = rng.normal(0, scale, size=(n, 1))
    try:
        with np.errstate(over="raise", invalid="raise"):
            return float(np.abs(nn.softmax(x) - nn.softmax(x + c)).max())
    except FloatingPointError:
        return float("inf")


def check_softmax_is_distribution(rng, n=200, k=10, scale=1e3):
    """Each row of softmax(x) is a probability distribution; max deviation of row sums from 1."""
    p = nn.softmax(rng.normal(0, scale, size=(n, k)))
    if (p < 0).any():
        return float("inf")
    return float(np.abs(p.sum(axis=1) - 1).max())


def check_sigmoid_derivative(x=None, eps=1e-5):
    """sigma'(x) == sigma(x) (1 - sigma(x)), against central differences on x in [-10, 10]."""
    x = np.linspace(-10, 10, 2001) if x is None else x
    numeric = (nn.sigmoid(x + eps) - nn.sigmoid(x - eps)) / (2 * eps)
    return float(np.abs(numeric - nn.sigmoid_deriv_from_output(nn.sigmoid(x))).max())


def check_tanh_from_sigmoid(x=None):
    """tanh(x) == 2 sigma(2x) - 1 on x in [-10, 10]."""
    x = np.linspace(-10, 10, 2001) if x is None else x
    return float(np.abs(np.tanh(x) - (2 * nn.sigmoid(2 * x) - 1)).max())


def check_sigmoid_derivative_bound(x=None):
    """max_x sigma'(x) == 1/4 (at x = 0): each sigmoid layer shrinks a gradient at least 4x."""
    x = np.linspace(-10, 10, 2001) if x is None else x
    return float(abs(nn.sigmoid_deriv_from_output(nn.sigmoid(x)).max() - 0.25))


def compose_linear(params):
    """The single affine map (W (d_in, d_out), b (d_out,)) equal to a net of linear layers.

    x W1 + b1 then (.) W2 + b2 ... gives x (W1 W2 ...) + ((b1 W2 + b2) W3 + ...).
    """
    W, b = params["W1"], params["b1"]
    for k in range(2, nn.n_layers(params) + 1):
        W, b = W @ params[f"W{k}"], b @ params[f"W{k}"] + params[f"b{k}"]
    return W, b


def check_linear_layers_collapse(rng, sizes=(20, 15, 12, 8), n=50):
    """A multi-layer net with linear activations equals one affine map.

    Random weights and non-zero biases; returns max |net(X) - (X W + b)| over a batch.
    """
    activations = ["linear"] * (len(sizes) - 1)
    params = nn.init_network(list(sizes), activations, rng)
    params = {name: value + rng.normal(0, 0.5, value.shape) for name, value in params.items()}
    X = rng.normal(size=(n, sizes[0]))
    W, b = compose_linear(params)
    output, _ = nn.forward(params, activations, X)
    return float(np.abs(output - (X @ W + b)).max())


def run_checks(seed):
    """All Q1 checks as a DataFrame ``claim, max_error, tolerance, holds``."""
    rng = np.random.default_rng(seed)
    checks = [
        ("softmax(x) == softmax(x + c), x and c ~ 1e3, no overflow",
         check_softmax_shift_invariance(rng), 1e-12),
        ("softmax rows are probability distributions (sum to 1), x ~ 1e3",
         check_softmax_is_distribution(rng), 1e-12),
        ("sigmoid'(x) == sigmoid(x) * (1 - sigmoid(x))", check_sigmoid_derivative(), 1e-8),
        ("tanh(x) == 2 * sigmoid(2x) - 1", check_tanh_from_sigmoid(), 1e-12),
        ("max sigmoid'(x) == 1/4 (vanishing gradients)", check_sigmoid_derivative_bound(), 1e-12),
        ("linear layers compose to one affine map", check_linear_layers_collapse(rng), 1e-9),
    ]
    frame = pd.DataFrame(checks, columns=["claim", "max_error", "tolerance"])
    frame["holds"] = frame["max_error"] <= frame["tolerance"]
    return frame
