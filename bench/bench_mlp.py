"""Training throughput of the numpy MLP against the same network in PyTorch on the CPU.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_mlp.py [--batch-size 32] [--epochs 3]

Both train 1024-64-36 (sigmoid hidden, softmax output, cross-entropy summed over the batch,
plain SGD) on the same random data in the same random mini-batches, one thread each (numpy's
BLAS via OMP_NUM_THREADS=1, torch.set_num_threads(1)), both in float32 (as the pipeline trains,
and PyTorch's default); float64 rates of both are printed too. Prints samples/s for each and
the ratios numpy / PyTorch. Best of --repeats runs each, interleaved, so a busy
machine slows both alike. A benchmark, not a test: numbers depend on the machine.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # must be set before numpy loads its BLAS

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from nnrec import charset, io, nn  # noqa: E402

SIZES = [1024, 64, 36]
ACTIVATIONS = ["sigmoid", "softmax"]


def make_data(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.random((n, SIZES[0]))
    Y = charset.one_hot(rng.integers(0, SIZES[-1], n), SIZES[-1])
    return X, Y


def batches(n, batch_size, epochs, seed):
    """The same list of index batches for both frameworks."""
    rng = np.random.default_rng(seed)
    return [b for _ in range(epochs) for b in np.array_split(rng.permutation(n), range(batch_size, n, batch_size))]


def numpy_samples_per_s(X, Y, index_batches, learning_rate, dtype=np.float32):
    params = nn.init_network(SIZES, ACTIVATIONS, np.random.default_rng(0), dtype)
    X, Y = X.astype(dtype), Y.astype(dtype)
    start = time.perf_counter()
    for idx in index_batches:
        params, _ = nn.classifier_step(params, ACTIVATIONS, X[idx], Y[idx], learning_rate)
    return sum(map(len, index_batches)) / (time.perf_counter() - start)


def torch_samples_per_s(X, Y, index_batches, learning_rate, dtype=torch.float32):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.Sigmoid(),
                                torch.nn.Linear(SIZES[1], SIZES[2])).to(dtype)
    optimiser = torch.optim.SGD(model.parameters(), lr=learning_rate)
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
    X_t = torch.as_tensor(X, dtype=dtype)
    y_t = torch.as_tensor(Y.argmax(axis=1))
    idx_t = [torch.as_tensor(idx) for idx in index_batches]
    start = time.perf_counter()
    for idx in idx_t:
        optimiser.zero_grad()
        loss_fn(model(X_t[idx]), y_t[idx]).backward()
        optimiser.step()
    return sum(map(len, idx_t)) / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--n", type=int, default=10800, help="samples (NIST36 train size)")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs each")
    parser.add_argument("--csv", help="also write the figures as CSV rows to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    X, Y = make_data(args.n, seed=0)
    index_batches = batches(args.n, args.batch_size, args.epochs, seed=1)
    lr = 1e-3
    runs = {
        "numpy float32": lambda: numpy_samples_per_s(X, Y, index_batches, lr),
        "pytorch float32": lambda: torch_samples_per_s(X, Y, index_batches, lr),
        "numpy float64": lambda: numpy_samples_per_s(X, Y, index_batches, lr, np.float64),
        "pytorch float64": lambda: torch_samples_per_s(X, Y, index_batches, lr, torch.float64),
    }
    rates = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, run in runs.items():
            rates[name].append(run())
    best = {name: max(values) for name, values in rates.items()}
    print(f"MLP 1024-64-36, batch {args.batch_size}, {args.epochs} epochs of {args.n} samples, "
          f"1 thread each (torch {torch.__version__}, numpy {np.__version__})")
    for name, rate in best.items():
        print(f"{name:16s} {rate:10.0f} samples/s")
    print(f"ratio numpy/pytorch {best['numpy float32'] / best['pytorch float32']:.2f} "
          f"(float64: {best['numpy float64'] / best['pytorch float64']:.2f})")
    if args.csv:
        rows = [(f"{name} samples/s (batch {args.batch_size})", round(rate), "samples/s") for name, rate in best.items()]
        rows.append(("ratio numpy/pytorch float32 (target >= 1)", best["numpy float32"] / best["pytorch float32"], "x"))
        io.write_bench("mlp training throughput", rows, args.csv)


if __name__ == "__main__":
    main()
