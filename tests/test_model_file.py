"""Saved numpy networks (nnrec.model_file): round trips, predictions, and files that are not models.

Broken model files through the `nnrec` command are in test_bad_inputs.py.
"""

import numpy as np
import pytest

from nnrec import DataError, charset, model_file, nn


def test_save_load_round_trip_and_predict(tmp_path):
    rng = np.random.default_rng(9)
    params = nn.init_network([1024, 8, 36], nn.MLP_ACTIVATIONS, rng)
    model_file.save_model(tmp_path / "m.npz", params, nn.MLP_ACTIVATIONS, {"seed": 3})
    model = model_file.load_model(tmp_path / "m.npz")
    assert model.activations == list(nn.MLP_ACTIVATIONS) and model.meta == {"seed": 3}
    assert list(model.params) == ["W1", "b1", "W2", "b2"]
    for name in params:
        np.testing.assert_array_equal(model.params[name], params[name])
    assert model_file.model_sizes(model) == (1024, 36)
    X = rng.random((5, 1024))
    np.testing.assert_allclose(model_file.predict_proba(model, X), nn.forward(params, nn.MLP_ACTIVATIONS, X)[0])
    labels = model_file.predict_classes(model, X)
    scores = model_file.split_scores(model, X, charset.one_hot(labels))
    assert scores["acc"] == 1.0 and scores["n"] == 5


def test_trained_float32_model_round_trips(tmp_path):
    rng = np.random.default_rng(10)
    X, labels = rng.random((40, 30)), rng.integers(0, 6, 40)
    train = valid = (X, charset.one_hot(labels, 6))
    _, params, _ = nn.train_mlp(train, valid, hidden=4, learning_rate=0.01, epochs=1, batch_size=8, seed=0)
    assert params["W1"].dtype == np.float32
    model_file.save_model(tmp_path / "m.npz", params, nn.MLP_ACTIVATIONS)
    probs = model_file.predict_proba(model_file.load_model(tmp_path / "m.npz"), X)
    np.testing.assert_allclose(probs, nn.forward(params, nn.MLP_ACTIVATIONS, X.astype(np.float32))[0])


def test_load_model_rejects_other_files(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(DataError, match="other.npz"):
        model_file.load_model(tmp_path / "other.npz")
    (tmp_path / "text.npz").write_text("not a model")
    with pytest.raises(DataError, match="text.npz"):
        model_file.load_model(tmp_path / "text.npz")
    np.save(tmp_path / "array.npy", np.zeros(3))
    with pytest.raises(DataError, match=r"array\.npy: not a \.npz"):
        model_file.load_model(tmp_path / "array.npy")
    with pytest.raises(DataError, match="no such model file"):
        model_file.load_model(tmp_path / "missing.npz")


def test_an_autoencoder_round_trips_too(tmp_path):
    params = nn.init_network([1024, 32, 1024], ["relu", "sigmoid"], np.random.default_rng(0))
    model_file.save_model(tmp_path / "ae.npz", params, ["relu", "sigmoid"])
    model = model_file.load_model(tmp_path / "ae.npz")
    assert model.activations == ["relu", "sigmoid"] and model_file.model_sizes(model) == (1024, 1024)
