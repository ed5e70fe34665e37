"""The numpy network: gradients, numerics, initialisation, scores, determinism."""

import numpy as np
import pytest

from nnrec import charset, nn


def _perturbed(params, rng, scale=0.3):
    """Parameters moved off their (zero-bias) initial values so every gradient is non-trivial."""
    return {name: value + rng.normal(0, scale, value.shape) for name, value in params.items()}


@pytest.mark.parametrize(
    "sizes, activations",
    [
        ([10, 6, 5], ["sigmoid", "softmax"]),  # the homework's classifier
        ([10, 7, 6, 5, 10], ["relu", "relu", "relu", "sigmoid"]),  # the autoencoder's shape
        ([10, 6, 4], ["sigmoid", "linear"]),
        ([10, 6, 4], ["relu", "relu"]),
    ],
)
def test_backward_matches_central_differences(sizes, activations):
    rng = np.random.default_rng(1)
    params = _perturbed(nn.init_network(sizes, activations, rng), rng)
    X = rng.random((7, sizes[0]))
    Y = charset.one_hot(rng.integers(0, sizes[-1], 7), sizes[-1]) if activations[-1] == "softmax" \
        else rng.random((7, sizes[-1]))
    table = nn.gradient_check(params, activations, X, Y, eps=1e-6)
    assert list(table["parameter"]) == list(params)
    assert (table["relative_error"] < 1e-4).all(), table


def test_gradient_check_detects_a_wrong_gradient(monkeypatch):
    rng = np.random.default_rng(2)
    params = _perturbed(nn.init_network([6, 5, 3], ["sigmoid", "softmax"], rng), rng)
    X, Y = rng.random((4, 6)), charset.one_hot([0, 1, 2, 1], 3)
    # a sigmoid derivative that forgets the (1 - s) factor must be caught
    monkeypatch.setattr(nn, "sigmoid_deriv_from_output", lambda s: s)
    table = nn.gradient_check(params, ["sigmoid", "softmax"], X, Y)
    errors = dict(zip(table["parameter"], table["relative_error"]))
    assert errors["W1"] > 1e-2 and errors["W2"] < 1e-6


def test_relu_and_derivative():
    x = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    np.testing.assert_array_equal(nn.relu(x), [0, 0, 0, 1e-9, 3])
    np.testing.assert_array_equal(nn.relu_deriv(x), [0, 0, 0, 1, 1])


def test_sigmoid_is_stable_and_symmetric():
    x = np.array([-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = nn.sigmoid(x)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    np.testing.assert_allclose(s + s[::-1], 1.0, atol=1e-15)
    np.testing.assert_allclose(s[2], 1 / (1 + np.e), rtol=1e-15)


def test_softmax_stable_and_shift_invariant():
    rng = np.random.default_rng(3)
    x = 1e3 + rng.normal(0, 5, (50, 36))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = nn.softmax(x)
        p_shifted = nn.softmax(x - 1e3)
        p_huge = nn.softmax(np.array([[1e300, 0.0, -1e300]]))
    assert np.isfinite(p).all() and (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(p, p_shifted, atol=1e-14)
    np.testing.assert_array_equal(p_huge, [[1.0, 0.0, 0.0]])


def test_xavier_variance_and_zero_biases():
    rng = np.random.default_rng(4)
    n_in, n_out = 1024, 512
    W, b = nn.initialize_weights(n_in, n_out, rng)
    assert W.shape == (n_in, n_out) and b.shape == (n_out,)
    assert not b.any()
    assert W.var() == pytest.approx(2 / (n_in + n_out), rel=0.02)
    assert np.abs(W).max() <= np.sqrt(6 / (n_in + n_out))
    assert abs(W.mean()) < 1e-3


def test_init_network_shapes_and_names():
    params = nn.init_network([1024, 64, 36], nn.MLP_ACTIVATIONS, np.random.default_rng(0))
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (1024, 64), "b1": (64,), "W2": (64, 36), "b2": (36,)}
    with pytest.raises(ValueError, match="activations"):
        nn.init_network([4, 3, 2], ["sigmoid"], np.random.default_rng(0))
    with pytest.raises(ValueError, match="softmax"):
        nn.init_network([4, 3, 2], ["softmax", "sigmoid"], np.random.default_rng(0))


def test_forward_shapes_and_probabilities():
    rng = np.random.default_rng(5)
    params = nn.init_network([20, 8, 6], nn.MLP_ACTIVATIONS, rng)
    probs, caches = nn.forward(params, nn.MLP_ACTIVATIONS, rng.random((9, 20)))
    assert probs.shape == (9, 6) and len(caches) == 2
    np.testing.assert_allclose(probs.sum(axis=1), 1)
    X1, pre1, post1 = caches[0]
    assert X1.shape == (9, 20) and pre1.shape == post1.shape == (9, 8)
    np.testing.assert_allclose(post1, nn.sigmoid(pre1))


def test_one_hot_and_accuracy_edge_cases():
    Y = charset.one_hot([0, 2, 1, 2], 3)
    np.testing.assert_array_equal(Y.sum(axis=1), 1)
    np.testing.assert_array_equal(Y.argmax(axis=1), [0, 2, 1, 2])
    assert charset.one_hot([], 3).shape == (0, 3)
    probs = np.array([[0.9, 0.05, 0.05], [0.1, 0.2, 0.7], [0.5, 0.4, 0.1], [0.2, 0.2, 0.6]])
    assert nn.accuracy(Y, probs) == 0.75
    assert nn.accuracy(Y, Y) == 1.0
    assert nn.accuracy(Y, 1 - Y) == 0.0  # wrong everywhere: arg-max never the true class
    assert np.isnan(nn.accuracy(Y[:0], probs[:0]))
    # a tie goes to the lower class index
    assert nn.accuracy(charset.one_hot([0], 3), np.array([[0.5, 0.5, 0.0]])) == 1.0


def test_cross_entropy_sums_over_batch_and_stays_finite():
    Y = charset.one_hot([0, 1], 2)
    assert nn.cross_entropy(Y, np.array([[1.0, 0.0], [0.0, 1.0]])) == pytest.approx(0.0)
    assert nn.cross_entropy(Y, np.full((2, 2), 0.5)) == pytest.approx(2 * np.log(2))
    wrong = nn.cross_entropy(Y, np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert np.isfinite(wrong) and wrong > 40


def test_random_batches_cover_every_sample_once():
    X = np.arange(10)[:, None] * np.ones((1, 3))
    Y = charset.one_hot(np.arange(10) % 4, 4)
    batches = nn.get_random_batches(X, Y, 4, np.random.default_rng(0))
    assert [len(xb) for xb, _ in batches] == [4, 4, 2]
    seen = np.concatenate([xb[:, 0] for xb, _ in batches])
    assert sorted(seen) == list(range(10)) and list(seen) != list(range(10))
    for xb, yb in batches:  # rows stay paired with their labels
        np.testing.assert_array_equal(yb.argmax(axis=1), xb[:, 0].astype(int) % 4)


def _toy_problem(rng, sizes, d=30, k=6):
    """Splits of k classes, each a fixed random prototype plus noise (pixels in 0-1)."""
    prototypes = rng.random((k, d))
    splits = []
    for n in sizes:
        labels = rng.integers(0, k, n)
        X = np.clip(prototypes[labels] + rng.normal(0, 0.15, (n, d)), 0, 1)
        splits.append((X, charset.one_hot(labels, k)))
    return splits


def test_training_learns():
    train, valid = _toy_problem(np.random.default_rng(6), (400, 100))
    _, _, history = nn.train_mlp(train, valid, hidden=16, learning_rate=0.05, epochs=15, batch_size=16, seed=0)
    assert list(history.columns) == ["epoch", "train_loss", "train_acc", "valid_loss", "valid_acc"]
    assert list(history["epoch"]) == list(range(16))
    assert history["valid_acc"].iloc[0] < 0.5 < 0.95 < history["valid_acc"].iloc[-1]
    assert history["train_loss"].iloc[-1] < 0.2 * history["train_loss"].iloc[0]


def test_zero_init_hidden_units_stay_identical():
    (train,) = _toy_problem(np.random.default_rng(7), (200,))
    _, params, _ = nn.train_mlp(train, train, hidden=5, learning_rate=0.05, epochs=3, batch_size=20, seed=0,
                                init="zero")
    W1 = params["W1"]
    assert np.abs(W1).max() > 1e-4  # it did learn, but every unit the same way
    np.testing.assert_allclose(W1, W1[:, :1] * np.ones((1, 5)), atol=1e-12)


def test_same_seed_same_numbers():
    train, valid = _toy_problem(np.random.default_rng(8), (120, 40))
    runs = [nn.train_mlp(train, valid, hidden=8, learning_rate=0.02, epochs=3, batch_size=10, seed=seed)
            for seed in (11, 11, 12)]
    for name in runs[0][1]:
        np.testing.assert_array_equal(runs[0][1][name], runs[1][1][name])
    assert runs[0][2].equals(runs[1][2])
    assert not np.array_equal(runs[0][1]["W1"], runs[2][1]["W1"])


def test_sgd_step_is_pure():
    params = {"W1": np.ones((2, 2)), "b1": np.zeros(2)}
    grads = {"W1": np.full((2, 2), 2.0), "b1": np.ones(2)}
    new = nn.sgd_step(params, grads, 0.5)
    np.testing.assert_array_equal(new["W1"], 0.0)
    np.testing.assert_array_equal(new["b1"], -0.5)
    np.testing.assert_array_equal(params["W1"], 1.0)


def test_weight_decay_shrinks_weights_not_biases_in_proportion_to_the_batch():
    params = {"W1": np.ones((2, 2)), "b1": np.ones(2)}
    zero = {"W1": np.zeros((2, 2)), "b1": np.zeros(2)}
    new = nn.sgd_step(params, zero, 0.1, weight_decay=0.01, batch_size=10)
    np.testing.assert_allclose(new["W1"], 1 - 0.1 * 0.01 * 10)  # gradient of 10 samples' penalties
    np.testing.assert_array_equal(new["b1"], 1.0)


def test_weight_decay_keeps_weights_smaller_and_still_learns():
    train, valid = _toy_problem(np.random.default_rng(9), (400, 100))
    runs = {wd: nn.train_mlp(train, valid, hidden=16, learning_rate=0.05, epochs=15, batch_size=16, seed=0,
                             weight_decay=wd) for wd in (0.0, 1e-3)}
    norms = {wd: np.linalg.norm(params["W1"]) for wd, (_, params, _) in runs.items()}
    assert norms[1e-3] < 0.9 * norms[0.0]
    assert runs[1e-3][2]["valid_acc"].iloc[-1] > 0.95
