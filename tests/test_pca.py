"""PCA (Q6): exact on data of rank <= k, lossy above, the projection's shape and rank, PSNR."""

import numpy as np
import pytest

from nnrec import ConfigError, metrics, pca


def low_rank_rows(n, d, rank, seed=0, noise=0.0):
    """n rows in d dimensions lying on an affine subspace of dimension ``rank`` (plus noise)."""
    rng = np.random.default_rng(seed)
    rows = 0.5 + 0.1 * rng.normal(size=(n, rank)) @ rng.normal(size=(rank, d)) / np.sqrt(rank)
    return rows + noise * rng.normal(size=(n, d))


@pytest.mark.parametrize("rank", [1, 5, 8])
def test_reconstruction_is_exact_when_data_rank_is_at_most_k(rank):
    train = low_rank_rows(200, 64, rank)
    model = pca.fit(train, n_components=8)
    # fresh rows from the same affine subspace are reproduced too, not only the training rows
    rng = np.random.default_rng(1)
    fresh = train[:50] + rng.normal(size=(50, 200)) @ (train - train.mean(axis=0)) / 200
    for rows in (train, fresh):
        assert np.abs(model.reconstruct(rows) - rows).max() < 1e-9


def test_reconstruction_loses_information_above_k_and_improves_with_k():
    train = low_rank_rows(300, 64, rank=20, noise=0.01)
    errors = [np.mean((pca.fit(train, k).reconstruct(train) - train) ** 2) for k in (4, 8, 16, 20)]
    assert errors[0] > 0 and all(a > b for a, b in zip(errors, errors[1:]))
    # rank 20 plus noise of sd 0.01: 20 components leave only (part of) the noise's variance
    assert errors[-1] < 0.01**2 < 0.1 * errors[0]


def test_projection_shape_rank_and_orthonormal_components():
    train = low_rank_rows(120, 1024, rank=40, noise=0.01)
    model = pca.fit(train, n_components=32)
    info = pca.summary(model)
    assert info["projection_shape"] == [1024, 32] and info["projection_rank"] == 32
    assert info["projector_shape"] == [1024, 1024] and info["projector_rank"] == 32
    assert np.allclose(model.components @ model.components.T, np.eye(32), atol=1e-10)
    assert 0 < info["explained_variance_ratio"] < 1
    assert np.all(np.diff(model.explained_variance) <= 0)  # most variance first


def test_first_component_follows_the_dominant_direction():
    rng = np.random.default_rng(3)
    direction = np.zeros(10)
    direction[2] = 1.0
    train = rng.normal(size=(500, 1)) * 5 * direction + 0.1 * rng.normal(size=(500, 10))
    model = pca.fit(train, 1)
    assert abs(model.components[0] @ direction) > 0.99


def test_fit_is_deterministic_and_codes_decode():
    train = low_rank_rows(100, 32, rank=10, noise=0.05)
    a, b = pca.fit(train, 6), pca.fit(train.copy(), 6)
    assert np.array_equal(a.components, b.components) and np.array_equal(a.mean, b.mean)
    codes = a.encode(train)
    assert codes.shape == (100, 6)
    assert np.allclose(a.decode(codes), a.reconstruct(train))


def test_too_many_components_is_a_config_error():
    with pytest.raises(ConfigError, match="pca.components"):
        pca.fit(np.zeros((5, 4)), 6)


@pytest.mark.parametrize("error", [0.01, 0.05, 0.2])
def test_psnr_of_a_constant_error(error):
    reference = np.full((3, 1024), 0.5)
    expected = 10 * np.log10(1 / error**2)
    assert metrics.psnr(reference[0], reference[0] + error) == pytest.approx(expected)
    table = metrics.psnr_by_class(reference, reference - error, np.array([0, 0, 2]), ("A", "B", "C"))
    assert list(table["class"]) == ["A", "C", "all"]
    assert list(table["n"]) == [2, 1, 3]
    assert np.allclose(table["psnr_mean"], expected)


def test_psnr_rises_as_reconstructions_improve():
    rng = np.random.default_rng(0)
    reference = rng.random(1024)
    noise = rng.normal(size=1024)
    values = [metrics.psnr(reference, reference + s * noise) for s in (0.3, 0.1, 0.03)]
    assert values[0] < values[1] < values[2]
