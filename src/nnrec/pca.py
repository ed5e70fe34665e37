"""PCA reconstructions of character images (Q6): the linear baseline for the autoencoder.

PCA with k components keeps, of all rank-k linear codes, the one with the least total
squared reconstruction error on the data it is fitted to (Eckart-Young), so it is the
yardstick an autoencoder with a k-number code has to beat.
"""

from dataclasses import dataclass

import numpy as np

from nnrec import ConfigError, DataError


@dataclass
class PCA:
    """A fitted PCA: ``mean`` (d,), ``components`` (k, d) orthonormal rows, most variance first,
    ``explained_variance`` (k,) the variance of the training data along each component and
    ``total_variance`` the training data's total variance (sum over all d directions)."""

    mean: np.ndarray
    components: np.ndarray
    explained_variance: np.ndarray
    total_variance: float

    @property
    def projection(self):
        """(d, k) projection matrix: centred rows times it give the k-number codes."""
        return self.components.T

    def encode(self, X):
        """(n, d) rows -> (n, k) codes (coordinates of the centred rows on the components)."""
        return (np.asarray(X, dtype=np.float64) - self.mean) @ self.projection

    def decode(self, codes):
        """(n, k) codes -> (n, d) rows (not clipped to the data's range)."""
        return codes @ self.components + self.mean

    def reconstruct(self, X):
        """(n, d) rows -> their projections onto the mean plus the k-dimensional subspace."""
        return self.decode(self.encode(X))


def fit(X, n_components):
    """Fit PCA with ``n_components`` components to the rows of ``X`` (n, d), centred on their mean.

    The components are the top right singular vectors of the centred data, so the result does
    not depend on the random state of anything. Each component's sign is fixed (largest
    absolute entry positive) so refits give identical matrices.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise DataError(f"PCA input has shape {X.shape}; expected (n, d) rows")
    n, d = X.shape
    if not 1 <= n_components <= min(n, d):
        raise ConfigError(
            f"pca.components = {n_components}; expected 1 <= components <= min(n, d) = {min(n, d)} "
            f"for {n} training rows of {d} pixels"
        )
    mean = X.mean(axis=0)
    _, singular, vt = np.linalg.svd(X - mean, full_matrices=False)
    components = vt[:n_components]
    signs = np.sign(components[np.arange(n_components), np.abs(components).argmax(axis=1)])
    components = components * signs[:, None]
    variance = singular**2 / max(n - 1, 1)
    return PCA(mean, components, variance[:n_components], float(variance.sum()))


def summary(model):
    """A JSON-ready description: the projection matrix's shape and rank, the projector's, and
    the fraction of the training variance the components keep."""
    projection = model.projection
    projector = projection @ projection.T  # (d, d): maps a centred row to its reconstruction
    return {
        "n_components": int(len(model.components)),
        "projection_shape": list(projection.shape),
        "projection_rank": int(np.linalg.matrix_rank(projection)),
        "projector_shape": list(projector.shape),
        "projector_rank": int(np.linalg.matrix_rank(projector)),
        "explained_variance_ratio": float(model.explained_variance.sum() / model.total_variance),
    }
