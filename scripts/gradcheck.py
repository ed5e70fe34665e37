"""Q2: back-propagation against central differences on every parameter (Snakemake script)."""

import numpy as np

from nnrec import io, nn
from nnrec.splits import load_split

with io.log_to(snakemake.log[0]):
    p = snakemake.params
    X, Y = load_split(snakemake.input.train)
    rng = np.random.default_rng(p.seed)
    rows = rng.choice(len(X), size=min(p.n_samples, len(X)), replace=False)
    params = nn.init_network([X.shape[1], p.hidden, Y.shape[1]], nn.MLP_ACTIVATIONS, rng)
    table = nn.gradient_check(params, nn.MLP_ACTIVATIONS, X[rows].astype(float), Y[rows], eps=p.eps)
    io.log.info("gradient check on %d training samples:\n%s", len(rows), table.to_string(index=False))
    io.write_csv(table, snakemake.output.csv)
    if (table["relative_error"] >= p.tolerance).any():
        raise AssertionError(f"gradient check failed: relative error >= {p.tolerance}")
