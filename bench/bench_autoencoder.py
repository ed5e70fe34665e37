"""Time per epoch of the homework autoencoder (numpy) against the same network in PyTorch.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_autoencoder.py [--epochs 2] [--repeats 3]

Both train 1024-32-32-32-1024 (ReLU x3, sigmoid output, total squared error, momentum 0.9,
batch 36) on the same random rows, one thread each: numpy in float32 (the pipeline's default,
config autoencoder.homework.dtype) and float64, PyTorch in float32. The numpy epoch is
nnrec.autoencoder.train itself (validation pass on a third as many rows included); the
PyTorch reference is the bare training loop. Prints seconds per epoch, the projected
100-epoch time (target: under 120 s) and the ratio numpy / PyTorch measured in this run, so
the number means something on another machine. A benchmark, not a test.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # must be set before numpy loads its BLAS

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from nnrec import autoencoder as ae  # noqa: E402
from nnrec import io  # noqa: E402

HIDDEN = 32


def numpy_seconds_per_epoch(X_train, X_valid, epochs, batch_size, dtype):
    sizes, activations = ae.homework_architecture(HIDDEN, X_train.shape[1])
    start = time.perf_counter()
    ae.train(X_train, X_valid, sizes=sizes, activations=activations, epochs=epochs, batch_size=batch_size,
             learning_rate=3e-5, optimizer="momentum", momentum=0.9, lr_decay=0.9, decay_every=20,
             seed=0, dtype=dtype, progress=False)
    return (time.perf_counter() - start) / epochs


def torch_seconds_per_epoch(X_train, epochs, batch_size):
    torch.manual_seed(0)
    d = X_train.shape[1]
    model = torch.nn.Sequential(
        torch.nn.Linear(d, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, d), torch.nn.Sigmoid(),
    )
    optimiser = torch.optim.SGD(model.parameters(), lr=3e-5, momentum=0.9)
    X = torch.as_tensor(X_train, dtype=torch.float32)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.as_tensor(rng.permutation(len(X)))
        for i in range(0, len(X), batch_size):
            batch = X[order[i : i + batch_size]]
            optimiser.zero_grad()
            ((model(batch) - batch) ** 2).sum().backward()
            optimiser.step()
    return (time.perf_counter() - start) / epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=36)
    parser.add_argument("--n", type=int, default=10800, help="training rows (NIST36 train size)")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs each")
    parser.add_argument("--csv", help="also write the figures as CSV rows to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    X_train, X_valid = rng.random((args.n, 1024)), rng.random((args.n // 3, 1024))
    numpy_s = {
        dtype: min(numpy_seconds_per_epoch(X_train, X_valid, args.epochs, args.batch_size, dtype)
                   for _ in range(args.repeats))
        for dtype in ("float32", "float64")
    }
    torch_s = min(torch_seconds_per_epoch(X_train, args.epochs, args.batch_size) for _ in range(args.repeats))
    print(f"autoencoder 1024-32-32-32-1024, batch {args.batch_size}, {args.n} training rows, one thread")
    for dtype, seconds in numpy_s.items():
        print(f"numpy nnrec.autoencoder {dtype}: {seconds:.3f} s/epoch -> 100 epochs in {100 * seconds:.0f} s"
              f" (target < 120 s: {'met' if 100 * seconds < 120 else 'MISSED'});"
              f" ratio to PyTorch {seconds / torch_s:.2f}")
    print(f"PyTorch reference float32:      {torch_s:.3f} s/epoch")
    if args.csv:
        rows = [(f"numpy {dtype} s/epoch", seconds, "s") for dtype, seconds in numpy_s.items()]
        rows += [("numpy float32, 100 epochs (target < 120 s)", 100 * numpy_s["float32"], "s"),
                 ("PyTorch float32 s/epoch (reference)", torch_s, "s"),
                 ("ratio numpy float32 / PyTorch", numpy_s["float32"] / torch_s, "x")]
        io.write_bench("homework autoencoder epoch time", rows, args.csv)


if __name__ == "__main__":
    main()
