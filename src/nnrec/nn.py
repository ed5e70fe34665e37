"""A fully connected network in plain numpy, written from scratch (homework Q2/Q3).

Conventions (those of the homework):

- A batch is a matrix with one sample per row: ``X`` is (n, d). A layer computes
  ``pre = X @ W + b`` with ``W`` (n_in, n_out) and ``b`` (n_out,), then ``post = f(pre)``.
- Parameters live in a plain dict ``{"W1", "b1", "W2", "b2", ...}``; layer ``k`` uses
  ``Wk``/``bk`` and ``activations[k - 1]``.
- Weights are Xavier-uniform (Var = 2 / (n_in + n_out)), biases zero.
- Hidden layers use sigmoid (or relu for the autoencoder); the classifier's output is a
  numerically stable softmax; the loss is cross-entropy **summed** over the batch, and
  gradients are **summed** over the batch (so the learning rate is per sample).
- Every epoch visits the training set in random mini-batches drawn from a seeded
  ``numpy.random.Generator``: the same seed gives the same numbers.

The three calls that make a training step::

    output, caches = forward(params, activations, X)
    grads = backward(params, activations, caches, d_output)
    params = sgd_step(params, grads, learning_rate)

``d_output`` is what the loss contributes at the top of the network:

- for a ``"sigmoid"``, ``"relu"`` or ``"linear"`` output layer it is dL/d(output), the
  gradient of the loss w.r.t. the network's output (for a squared error
  ``sum((output - X)**2)`` that is ``2 * (output - X)``); ``backward`` multiplies by the
  activation's derivative itself;
- for a ``"softmax"`` output layer it is the combined softmax + cross-entropy delta
  dL/d(pre-activation) = ``probs - Y`` (see :func:`softmax_cross_entropy_delta`), which is
  simpler and more accurate than going through the softmax Jacobian.
"""

import numpy as np

from nnrec.io import log

# ----------------------------------------------------------------------------- activations


def sigmoid(x):
    """Elementwise logistic function 1 / (1 + exp(-x)); any shape, values in [0, 1].

    exp() only ever sees -|x| <= 0, so it never overflows: for x < 0 the equal form
    exp(x) / (1 + exp(x)) is used.
    """
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, z) / (1.0 + z)


def sigmoid_deriv_from_output(s):
    """Derivative of the sigmoid given its output ``s = sigmoid(x)``: s * (1 - s)."""
    return s * (1.0 - s)


def relu(x):
    """Elementwise max(x, 0)."""
    return np.maximum(x, 0.0)


def relu_deriv(x):
    """Derivative of relu at the pre-activation ``x``: 1 where x > 0, else 0 (0 at x = 0)."""
    return (x > 0).astype(x.dtype)


def softmax(x):
    """Row-wise softmax, stable for any finite input.

    x: (n, k). Returns (n, k), each row non-negative and summing to 1. Subtracting the row
    maximum leaves the result unchanged (softmax is shift-invariant) and keeps exp() from
    overflowing.
    """
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACTIVATIONS = ("sigmoid", "relu", "linear", "softmax")


def activate(name, pre):
    """Apply the activation ``name`` (one of ACTIVATIONS) to the pre-activation ``pre``."""
    if name == "sigmoid":
        return sigmoid(pre)
    if name == "relu":
        return relu(pre)
    if name == "linear":
        return pre
    if name == "softmax":
        return softmax(pre)
    raise ValueError(f"unknown activation {name!r}; expected one of {ACTIVATIONS}")


def activation_deriv(name, pre, post):
    """Elementwise derivative d post / d pre of ``name`` (not defined for softmax)."""
    if name == "sigmoid":
        return sigmoid_deriv_from_output(post)
    if name == "relu":
        return relu_deriv(pre)
    if name == "linear":
        return np.ones_like(pre)
    raise ValueError(f"no elementwise derivative for activation {name!r}")


# -------------------------------------------------------------------------- initialisation


def initialize_weights(n_in, n_out, rng, dtype=np.float64):
    """Xavier-uniform weights (n_in, n_out) and zero biases (n_out,).

    Uniform on [-a, a] has variance a**2 / 3; a = sqrt(6 / (n_in + n_out)) gives the
    Glorot & Bengio variance 2 / (n_in + n_out).
    """
    a = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-a, a, size=(n_in, n_out)).astype(dtype), np.zeros(n_out, dtype=dtype)


def init_network(sizes, activations, rng, dtype=np.float64):
    """Parameters of a fully connected net with layer widths ``sizes``.

    sizes: [d_in, h1, ..., d_out] (len L + 1); activations: L names, one per layer.
    rng: numpy Generator. Returns {"W1": (d_in, h1), "b1": (h1,), ..., "WL", "bL"} of
    ``dtype`` (the same random draws whatever the dtype).
    """
    if len(activations) != len(sizes) - 1:
        raise ValueError(f"{len(sizes) - 1} layers but {len(activations)} activations")
    for name in activations:
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; expected one of {ACTIVATIONS}")
    if "softmax" in activations[:-1]:
        raise ValueError("softmax is supported only as the output layer")
    params = {}
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{k}"], params[f"b{k}"] = initialize_weights(n_in, n_out, rng, dtype)
    return params


def zero_network(params):
    """A copy of ``params`` with every weight and bias zero (the Q2.1 initialisation study)."""
    return {name: np.zeros_like(value) for name, value in params.items()}


def n_layers(params):
    """Number of layers (weight matrices W1..WL) in ``params``."""
    return sum(1 for name in params if name.startswith("W"))


# ------------------------------------------------------------------------ forward/backward


def layer_forward(X, W, b, activation):
    """One layer: X (n, n_in), W (n_in, n_out), b (n_out,) -> (post (n, n_out), cache).

    The cache ``(X, pre, post)`` holds what backward needs.
    """
    pre = X @ W + b
    post = activate(activation, pre)
    return post, (X, pre, post)


def forward(params, activations, X):
    """Run the network on a batch.

    X: (n, d_in). Returns (output (n, d_out), caches), caches[k] = (input, pre, post) of
    layer k + 1.
    """
    caches = []
    h = X
    for k, activation in enumerate(activations, start=1):
        h, cache = layer_forward(h, params[f"W{k}"], params[f"b{k}"], activation)
        caches.append(cache)
    return h, caches


def layer_backward(delta, cache, W, need_input_grad=True):
    """Gradients of one layer given delta = dL/d(pre) (n, n_out).

    Returns (dW (n_in, n_out), db (n_out,), dX (n, n_in) or None), summed over the batch.
    """
    X, _, _ = cache
    dX = delta @ W.T if need_input_grad else None
    return X.T @ delta, delta.sum(axis=0), dX


def backward(params, activations, caches, d_output):
    """Back-propagate through the whole network; returns grads with the keys of ``params``.

    d_output (n, d_out): for a sigmoid/relu/linear output layer, dL/d(output); for a softmax
    output layer, the combined softmax + cross-entropy delta ``probs - Y`` (see the module
    docstring). Gradients are summed over the batch. The gradient w.r.t. the network's input
    is not computed (nothing needs it).
    """
    grads = {}
    L = len(activations)
    _, pre, post = caches[-1]
    if activations[-1] == "softmax":
        delta = d_output
    else:
        delta = d_output * activation_deriv(activations[-1], pre, post)
    for k in range(L, 0, -1):
        dW, db, dX = layer_backward(delta, caches[k - 1], params[f"W{k}"], need_input_grad=k > 1)
        grads[f"W{k}"], grads[f"b{k}"] = dW, db
        if k > 1:
            _, pre, post = caches[k - 2]
            delta = dX * activation_deriv(activations[k - 2], pre, post)
    return {name: grads[name] for name in params}


def sgd_step(params, grads, learning_rate, weight_decay=0.0, batch_size=1):
    """Gradient descent: a new dict with p - learning_rate * grad for every parameter.

    ``weight_decay`` > 0 adds an L2 penalty of weight_decay / 2 * |W|^2 per sample to the loss,
    on the weights W only (biases are not shrunk): on a loss summed over ``batch_size`` samples
    its gradient is weight_decay * batch_size * W, so the same weight_decay acts alike for any
    batch size.
    """
    def step(name, value):
        grad = grads[name]
        if weight_decay and name.startswith("W"):
            grad = grad + (weight_decay * batch_size) * value
        return value - learning_rate * grad

    return {name: step(name, value) for name, value in params.items()}


# ---------------------------------------------------------------------------- loss, scores


def cross_entropy(Y, probs):
    """Cross-entropy summed over the batch: -sum(Y * log(probs)).

    Y: (n, k) one-hot; probs: (n, k) softmax outputs. Probabilities are clipped at 1e-12
    so a confidently wrong prediction gives a large finite loss, not inf.
    """
    return float(-np.sum(Y * np.log(np.clip(probs, 1e-12, None))))


def softmax_cross_entropy_delta(probs, Y):
    """dL/d(pre-activation) of softmax + summed cross-entropy: probs - Y, (n, k)."""
    return probs - Y


def accuracy(Y, probs):
    """Fraction of rows whose arg-max of ``probs`` is the one-hot class of ``Y``; nan if empty.

    Y: (n, k) one-hot; probs: (n, k) scores (ties go to the lower class index).
    """
    if len(Y) == 0:
        return float("nan")
    return float(np.mean(np.argmax(probs, axis=1) == np.argmax(Y, axis=1)))


def loss_and_accuracy(params, activations, X, Y):
    """(mean cross-entropy per sample, accuracy) of a softmax classifier on (X, Y)."""
    probs, _ = forward(params, activations, X)
    return cross_entropy(Y, probs) / max(len(X), 1), accuracy(Y, probs)


# ------------------------------------------------------------------------------- training


def get_random_batches(X, Y, batch_size, rng):
    """Split (X, Y) into mini-batches of ``batch_size`` rows in a random order.

    Every sample appears exactly once per call; the last batch may be smaller.
    Returns a list of (X_batch, Y_batch).
    """
    order = rng.permutation(len(X))
    return [
        (X[idx], Y[idx]) for idx in (order[i : i + batch_size] for i in range(0, len(X), batch_size))
    ]


def classifier_step(params, activations, X, Y, learning_rate, weight_decay=0.0):
    """One SGD step of a softmax classifier on the batch (X, Y); returns (params, loss).

    loss is the batch's summed cross-entropy, without the weight-decay penalty (see sgd_step).
    """
    probs, caches = forward(params, activations, X)
    grads = backward(params, activations, caches, softmax_cross_entropy_delta(probs, Y))
    return sgd_step(params, grads, learning_rate, weight_decay, len(X)), cross_entropy(Y, probs)


def train_classifier(params, activations, train, valid, learning_rate, epochs, batch_size, rng,
                     weight_decay=0.0):
    """Train a softmax classifier with mini-batch SGD.

    train, valid: (X (n, d), Y (n, k) one-hot). rng: numpy Generator for the batch order.
    weight_decay: L2 penalty on the weights (see :func:`sgd_step`); 0 is the homework's plain SGD.
    Returns (params, history): history is a DataFrame with one row per epoch, epoch 0 being
    the untrained network, and columns ``epoch, train_loss, train_acc, valid_loss,
    valid_acc``; losses are the mean cross-entropy per sample over the whole split,
    measured after the epoch.
    """
    X, Y = train

    def scores(epoch, p):
        train_loss, train_acc = loss_and_accuracy(p, activations, X, Y)
        valid_loss, valid_acc = loss_and_accuracy(p, activations, *valid)
        return dict(epoch=epoch, train_loss=train_loss, train_acc=train_acc,
                    valid_loss=valid_loss, valid_acc=valid_acc)

    import pandas as pd  # training and checks only: a loaded network predicts without either
    from tqdm import tqdm

    rows = [scores(0, params)]
    bar = tqdm(range(1, epochs + 1), desc=f"lr {learning_rate:g}", unit="epoch", mininterval=2)
    for epoch in bar:
        for X_batch, Y_batch in get_random_batches(X, Y, batch_size, rng):
            params, _ = classifier_step(params, activations, X_batch, Y_batch, learning_rate, weight_decay)
        rows.append(scores(epoch, params))
        bar.set_postfix(train_acc=f"{rows[-1]['train_acc']:.3f}", valid_acc=f"{rows[-1]['valid_acc']:.3f}")
    log.info("lr %g: after %d epochs train acc %.4f, valid acc %.4f", learning_rate, epochs,
             rows[-1]["train_acc"], rows[-1]["valid_acc"])
    return params, pd.DataFrame(rows)


MLP_ACTIVATIONS = ("sigmoid", "softmax")  # the homework's classifier: sigmoid hidden, softmax out


def train_mlp(train, valid, hidden, learning_rate, epochs, batch_size, seed, init="xavier",
              dtype=np.float32, weight_decay=0.0):
    """The homework's Q3 network: d_in-hidden-k, sigmoid hidden layer, softmax output.

    train, valid: (X (n, d_in), Y (n, k) one-hot). One numpy Generator seeded with ``seed``
    draws the initial weights and then every epoch's batch order, so runs with the same seed
    start from the same weights and see the same batches whatever their learning rate.
    init: "xavier", or "zero" for the Q2.1 study (every weight and bias 0).
    dtype: of the data and parameters while training; float32 (the data's own precision)
    is about 1.5x faster than float64 here and plenty for SGD; the gradient check runs in
    float64. weight_decay: see :func:`train_classifier` (0, the homework's setting, by default).
    Returns (initial params, trained params, history) - see :func:`train_classifier`.
    """
    X, Y = (np.asarray(a, dtype=dtype) for a in train)
    valid = tuple(np.asarray(a, dtype=dtype) for a in valid)
    rng = np.random.default_rng(seed)
    activations = MLP_ACTIVATIONS
    start = init_network([X.shape[1], hidden, Y.shape[1]], activations, rng, dtype)
    if init == "zero":
        start = zero_network(start)
    elif init != "xavier":
        raise ValueError(f"unknown init {init!r}; expected 'xavier' or 'zero'")
    params, history = train_classifier(start, activations, (X, Y), valid, learning_rate,
                                       epochs, batch_size, rng, weight_decay)
    return start, params, history


# ------------------------------------------------------------------------- gradient check


def network_loss(params, activations, X, Y):
    """Loss of the net on (X, Y): summed cross-entropy for a softmax output, else the summed
    squared error sum((output - Y)**2). Returns (loss, d_output) with d_output as
    :func:`backward` expects it."""
    output, _ = forward(params, activations, X)
    if activations[-1] == "softmax":
        return cross_entropy(Y, output), softmax_cross_entropy_delta(output, Y)
    return float(np.sum((output - Y) ** 2)), 2.0 * (output - Y)


def numerical_gradient(loss_fn, params, eps=1e-6):
    """Central differences (loss(p + eps) - loss(p - eps)) / (2 eps), one entry at a time.

    loss_fn: params -> float. Returns a dict of arrays shaped like ``params``.
    """
    grads = {}
    for name, value in params.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            original = value[index]
            value[index] = original + eps
            plus = loss_fn(params)
            value[index] = original - eps
            minus = loss_fn(params)
            value[index] = original
            grad[index] = (plus - minus) / (2 * eps)
        grads[name] = grad
    return grads


def gradient_check(params, activations, X, Y, eps=1e-6):
    """Compare :func:`backward` with central differences on every parameter.

    Returns a DataFrame ``parameter, max_abs_diff, relative_error`` with relative error
    ||numeric - analytic|| / (||numeric|| + ||analytic||) (Frobenius norms; 0 when both are 0).
    """
    import pandas as pd

    params = {name: value.astype(float).copy() for name, value in params.items()}
    _, d_output = network_loss(params, activations, X, Y)
    _, caches = forward(params, activations, X)
    analytic = backward(params, activations, caches, d_output)
    numeric = numerical_gradient(lambda p: network_loss(p, activations, X, Y)[0], params, eps)
    rows = []
    for name in params:
        diff = numeric[name] - analytic[name]
        scale = np.linalg.norm(numeric[name]) + np.linalg.norm(analytic[name])
        rows.append({"parameter": name, "max_abs_diff": float(np.abs(diff).max()),
                     "relative_error": float(np.linalg.norm(diff) / scale) if scale else 0.0})
    return pd.DataFrame(rows)
