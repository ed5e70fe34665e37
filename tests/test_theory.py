"""The Q1 theory checks: each claim holds for our functions and each check can fail."""

import numpy as np
from nnrec import nn, theory


def test_all_claims_hold():
    checks = theory.run_checks(seed=0)
    assert list(checks.columns) == ["claim", "max_error", "tolerance", "holds"]
    assert len(checks) == 6
    assert checks["holds"].all(), checks


def test_linear_net_composes_to_one_affine_map():
    rng = np.random.default_rng(1)
    sizes = [6, 5, 4, 3]
    params = nn.init_network(sizes, ["linear"] * 3, rng)
    params = {k: v + rng.normal(0, 1, v.shape) for k, v in params.items()}
    W, b = theory.compose_linear(params)
    assert W.shape == (6, 3) and b.shape == (3,)
    X = rng.normal(size=(10, 6))
    np.testing.assert_allclose(nn.forward(params, ["linear"] * 3, X)[0], X @ W + b, atol=1e-10)
    # with a sigmoid in between the same composition is wrong: the check is not vacuous
    out, _ = nn.forward(params, ["linear", "sigmoid", "linear"], X)
    assert np.abs(out - (X @ W + b)).max() > 0.1


def test_checks_detect_a_broken_implementation(monkeypatch):
    monkeypatch.setattr(nn, "softmax", lambda x: np.exp(x) / np.exp(x).sum(axis=1, keepdims=True))
    assert theory.check_softmax_shift_invariance(np.random.default_rng(0)) == np.inf
    with np.errstate(over="ignore", invalid="ignore"):  # the naive softmax warns
        assert not theory.run_checks(seed=0)["holds"].iloc[0]
    monkeypatch.setattr(nn, "sigmoid_deriv_from_output", lambda s: s * (1 - s) * 1.01)
    assert theory.check_sigmoid_derivative() > 1e-4
    assert theory.check_sigmoid_derivative_bound() > 1e-3
    monkeypatch.setattr(nn, "sigmoid", lambda x: 1 / (1 + np.exp(-1.01 * x)))
    assert theory.check_tanh_from_sigmoid() > 1e-3
