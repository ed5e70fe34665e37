"""The Q5 autoencoder: gradients through nnrec.nn, the momentum rule, schedules, training."""

import numpy as np
import pandas as pd
import pytest

from nnrec import ConfigError, DataError, autoencoder as ae, nn


def toy_images(n, d=64, seed=0):
    """n rows in 0-1 built from a few smooth bumps, so an autoencoder has structure to learn."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(0, 1, d)
    centres = rng.uniform(0.1, 0.9, size=(n, 2))
    rows = np.exp(-((grid - centres[:, :1]) ** 2) / 0.01) + 0.5 * np.exp(-((grid - centres[:, 1:]) ** 2) / 0.02)
    return 1 - np.clip(rows, 0, 1)


def numeric_grad(f, array, eps=1e-6):
    grad = np.zeros_like(array)
    for idx in np.ndindex(array.shape):
        keep = array[idx]
        array[idx] = keep + eps
        up = f()
        array[idx] = keep - eps
        down = f()
        array[idx] = keep
        grad[idx] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("activations", [list(ae.HOMEWORK_ACTIVATIONS), ["relu", "linear", "relu", "sigmoid"]])
def test_squared_error_gradients_through_relu_layers_match_finite_differences(activations):
    rng = np.random.default_rng(0)
    sizes = [10, 6, 4, 6, 10]
    params = nn.init_network(sizes, activations, rng)
    for key in params:  # non-zero biases so no ReLU unit sits exactly at its kink
        params[key] = params[key] + 0.1 * rng.normal(size=params[key].shape)
    X = rng.random((7, 10))

    def loss():
        return ae.squared_error(nn.forward(params, activations, X)[0], X)

    output, caches = nn.forward(params, activations, X)
    grads = nn.backward(params, activations, caches, ae.squared_error_grad(output, X))
    assert any((c[1] <= 0).any() for c in caches[:-1])  # some ReLUs are off: their zero slope is tested
    for key, value in params.items():
        expected = numeric_grad(loss, value)
        assert np.allclose(grads[key], expected, rtol=1e-5, atol=1e-7), key


def test_momentum_follows_the_homework_rule_by_hand():
    # toy quadratic loss 0.5 * |W - target|^2, gradient W - target
    target = np.array([1.0, -2.0, 3.0])
    params = {"W": np.array([0.0, 0.0, 0.0])}
    opt = ae.Momentum(params, momentum=0.9)
    lr = 0.1
    W, M = params["W"].copy(), np.zeros(3)
    for _ in range(3):
        grad = params["W"] - target
        opt.step(params, {"W": grad}, lr)
        M = 0.9 * M - lr * (W - target)
        W = W + M
        assert np.allclose(params["W"], W) and np.allclose(opt.velocity["W"], M)
    # first step alone is plain gradient descent: W1 = W0 - lr * g0 = 0.1 * target
    first = {"W": np.zeros(3)}
    ae.Momentum(first).step(first, {"W": -target}, lr)
    assert np.allclose(first["W"], lr * target)


def test_momentum_and_adam_minimise_a_quadratic():
    target = np.array([[1.0, -2.0], [0.5, 3.0]])
    for opt_name, lr in (("momentum", 0.05), ("adam", 0.05)):
        params = {"W": np.zeros((2, 2))}
        opt = ae.make_optimizer(opt_name, params)
        for _ in range(400):
            opt.step(params, {"W": params["W"] - target}, lr)
        assert np.allclose(params["W"], target, atol=1e-2), opt_name


def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    params = {"W": np.zeros(4)}
    ae.Adam(params).step(params, {"W": np.array([3.0, -0.5, 1e-3, -20.0])}, 0.01)
    assert np.allclose(params["W"], [-0.01, 0.01, -0.01, 0.01], rtol=1e-4)


def test_homework_learning_rate_schedule():
    lrs = [ae.learning_rate_at(e, 3e-5, "step", 0.9, 20) for e in range(100)]
    assert lrs[0] == lrs[19] == 3e-5
    assert lrs[20] == pytest.approx(0.9 * 3e-5) and lrs[39] == lrs[20]
    assert lrs[99] == pytest.approx(3e-5 * 0.9**4)
    assert ae.learning_rate_at(50, 1e-3, "step", 0.5, None) == 1e-3


def test_cosine_schedule_runs_from_lr_down_to_lr_times_decay():
    lrs = [ae.learning_rate_at(e, 1e-3, "cosine", 0.01, epochs=50) for e in range(50)]
    assert lrs[0] == pytest.approx(1e-3) and lrs[-1] == pytest.approx(1e-5)
    assert all(a >= b for a, b in zip(lrs, lrs[1:]))
    with pytest.raises(ConfigError, match="schedule"):
        ae.learning_rate_at(0, 1e-3, "linear")


def small_run(seed=0, epochs=4, optimizer="momentum", learning_rate=3e-3, **extra):
    X = toy_images(120)
    return ae.train(
        X[:90], X[90:], sizes=[64, 8, 8, 8, 64], activations=list(ae.HOMEWORK_ACTIVATIONS),
        epochs=epochs, batch_size=16, learning_rate=learning_rate, optimizer=optimizer,
        lr_decay=0.9, decay_every=2, seed=seed, progress=False, **extra,
    )


def test_training_lowers_the_loss_and_records_the_history():
    run = small_run(epochs=12)
    h = run.history
    assert list(h.columns) == ["epoch", "train_loss", "valid_loss", "learning_rate"]
    assert list(h["epoch"]) == list(range(1, 13))
    assert h["valid_loss"].iloc[-1] < 0.8 * h["valid_loss"].iloc[0]
    assert h["learning_rate"].iloc[2] == pytest.approx(0.9 * 3e-3)
    recon = ae.reconstruct(run.params, run.activations, toy_images(5, seed=9))
    assert recon.shape == (5, 64) and recon.min() >= 0 and recon.max() <= 1


def test_same_seed_same_run_other_seed_other_run():
    a, b, c = small_run(seed=1), small_run(seed=1), small_run(seed=2)
    pd.testing.assert_frame_equal(a.history, b.history)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert not np.array_equal(a.params["W1"], c.params["W1"])


def test_configuration_from_config_sections():
    X = toy_images(40)
    run = ae.train_configuration(X, X, hidden=[16, 4, 16], activations=["relu", "linear", "relu", "sigmoid"],
                                 epochs=1, batch_size=8, learning_rate=1e-3, optimizer="adam", progress=False)
    assert run.sizes == [64, 16, 4, 16, 64] and ae.code_size(run.sizes) == 4
    hw = ae.train_configuration(X, X, hidden=8, epochs=1, batch_size=8, learning_rate=1e-5, progress=False)
    assert hw.sizes == [64, 8, 8, 8, 64] and hw.activations == list(ae.HOMEWORK_ACTIVATIONS)
    with pytest.raises(ConfigError, match="activations"):
        ae.train_configuration(X, X, hidden=[16, 4], activations=["relu", "sigmoid"], epochs=1,
                               batch_size=8, learning_rate=1e-3)


def test_divergence_and_bad_input_are_reported():
    X = toy_images(40)
    with pytest.raises(ConfigError, match="diverged"), np.errstate(all="ignore"):
        ae.train(X, X, sizes=[64, 8, 64], activations=["linear", "linear"], epochs=5, batch_size=8,
                 learning_rate=1e3, optimizer="momentum", progress=False)
    with pytest.raises(DataError, match="expected \\(n, 64\\)"):
        ae.train(np.zeros((4, 10)), np.zeros((4, 64)), sizes=[64, 4, 64], activations=["relu", "sigmoid"],
                 epochs=1, batch_size=2, learning_rate=1e-3, progress=False)


def test_example_indices_pick_the_first_rows_of_each_class():
    labels = np.array([0, 1, 0, 2, 1, 0, 2])
    assert list(ae.example_indices(labels, ("A", "B", "C"), ["C", "A"])) == [3, 6, 0, 2]
    with pytest.raises(DataError, match="'B' has 2"):
        ae.example_indices(labels, ("A", "B", "C"), ["B"], per_class=3)
    with pytest.raises(ConfigError, match="not a class"):
        ae.example_indices(labels, ("A", "B", "C"), ["Z"])


def test_compare_psnr_lines_up_methods_and_differences():
    def table(values):
        return pd.DataFrame({"class": ["A", "B", "all"], "n": [2, 1, 3], "psnr_mean": values})

    frame = ae.compare_psnr({"ae": table([14.0, 15.0, 14.5]), "pca": table([16.0, 16.5, 16.2])}, baseline="pca")
    assert list(frame.columns) == ["class", "n", "psnr_ae", "psnr_pca", "ae_minus_pca"]
    assert np.allclose(frame["ae_minus_pca"], [-2.0, -1.5, -1.7])
    with pytest.raises(DataError, match="same split"):
        ae.compare_psnr({"ae": table([1, 2, 3]), "pca": table([1, 2, 3]).iloc[1:]}, baseline="pca")


def test_figures_draw(tmp_path):
    from nnrec import plots
    from nnrec.plots import reconstruction

    rng = np.random.default_rng(0)
    X = rng.random((8, 1024))
    labels = np.array([0, 0, 1, 1, 26, 26, 2, 2])
    fig = reconstruction.examples(X, X * 0.9, labels, ["A", "B", "0"], title="t", note="data: test")
    assert len(fig.axes) == 12
    plots.save(fig, tmp_path / "examples.png")
    frame = pd.DataFrame({"class": ["A", "all"], "n": [2, 2], "psnr_x": [14.0, 14.0], "psnr_y": [16.0, 16.0]})
    plots.save(reconstruction.psnr_by_method(frame, {"psnr_x": "x", "psnr_y": "y"}), tmp_path / "bars.png")
    assert (tmp_path / "examples.png").stat().st_size > 0 and (tmp_path / "bars.png").stat().st_size > 0


def test_float32_training_keeps_float32_and_tracks_float64():
    single, double = small_run(epochs=2, dtype="float32"), small_run(epochs=2)
    assert all(v.dtype == np.float32 for v in single.params.values())
    assert all(v.dtype == np.float64 for v in double.params.values())
    assert np.allclose(single.history["valid_loss"], double.history["valid_loss"], rtol=1e-3)
