"""Seconds per epoch of the Q7 PyTorch runs on this machine (CPU, or CUDA when present).

    .venv/bin/python bench/bench_torch.py [--threads 2] [--device auto] [--quick]

Measures, on generated data of the real shapes (no dataset needed):
- the character CNN (config defaults: widths 16-32-64, batch 64, augmentation on): one epoch
  over 16 200 characters (the synthetic training split + 150 per class from print faces),
  extrapolated from a timed slice;
- Flowers 17 fine-tuning with the backbone frozen (config defaults): the one-off feature
  extraction of EfficientNet-Lite0 at 256 px with 2 extra pooled blocks (centre + 6 augmented
  views of 680 training images, the 340 + 340 validation and test images and their mirror
  images) and one epoch of the head on the cached 1792 features;
- Flowers 17 from scratch (48 px, widths 32-64-128-256, batch 32): one epoch over 680 images.
A reference measured in the same run (float32 matrix-multiply throughput in GFLOP/s) is printed
first, so figures from different or busy machines can be compared. A benchmark, not a test.
"""

import argparse
import time

import numpy as np
import torch

from nnrec import io
from nnrec.torch_models import characters, common, flowers


def reference_gflops(device, size=512, repeats=20):
    a = torch.rand(size, size, device=device)
    b = torch.rand(size, size, device=device)
    a @ b  # warm-up
    _sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    _sync(device)
    return 2 * size**3 * repeats / (time.perf_counter() - start) / 1e9


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def _train_seconds(model, x, y, batch_size, augment, device):
    """Wall time of one pass of SGD steps over (x, y)."""
    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(0)
    _sync(device)
    start = time.perf_counter()
    for first in range(0, len(x), batch_size):
        xb, yb = x[first : first + batch_size].to(device), y[first : first + batch_size].to(device)
        if augment is not None:
            xb = augment(xb, g)
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    _sync(device)
    return time.perf_counter() - start


def bench_character_cnn(device, n_timed):
    x = torch.rand(n_timed, 1, 32, 32)
    y = torch.randint(0, 36, (n_timed,))
    model = characters.build_model("cnn", widths=(16, 32, 64))
    _train_seconds(model, x[:64], y[:64], 64, characters.augment_ink, device)  # warm-up
    return _train_seconds(model, x, y, 64, characters.augment_ink, device) * 16200 / n_timed


def bench_flowers_finetune(device, n_timed, size=256, views=6):
    model = flowers.build_efficientnet_lite0(pooled_blocks=2).to(device).eval()
    images = (torch.rand(n_timed, 3, round(size * 1.15), round(size * 1.15)) * 255).to(torch.uint8)
    g = torch.Generator().manual_seed(0)
    # warm up at the timed batch size: oneDNN builds its kernels per input shape
    flowers.cached_features(model, images[:64], size, device, 0, g, batch_size=64, desc="warm-up")
    _sync(device)
    start = time.perf_counter()
    flowers.cached_features(model, images, size, device, 1, g, batch_size=64, desc="bench")
    _sync(device)
    per_image = (time.perf_counter() - start) / (2 * n_timed)
    n_train = 680 * (1 + views)
    n_images = n_train + 2 * (340 + 340)  # validation and test: centre view and mirror
    dim = model.features.dim
    head = torch.nn.Sequential(flowers.Standardize(dim), torch.nn.Dropout(0.3), torch.nn.Linear(dim, 17))
    feats, labels = torch.rand(n_train, dim), torch.randint(0, 17, (n_train,))
    return per_image * n_images, _train_seconds(head, feats, labels, 64, None, device)


def bench_flowers_scratch(device, n_timed, size=48):
    x = (torch.rand(n_timed, 3, round(size * 1.15), round(size * 1.15)) * 255).to(torch.uint8)
    y = torch.randint(0, 17, (n_timed,))
    model = flowers.channels_last(flowers.ScratchNet((32, 64, 128, 256)))

    def augment(b, g):
        return flowers.channels_last(flowers.augment_rgb(b, g, size, min_scale=0.35))

    _train_seconds(model, x[:32], y[:32], 32, augment, device)
    return _train_seconds(model, x, y, 32, augment, device) * 680 / n_timed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--quick", action="store_true", help="time smaller slices (noisier)")
    parser.add_argument("--csv", help="also write the figures as CSV rows to this file")
    args = parser.parse_args(argv)
    common.seed_everything(0, args.threads)
    device = common.resolve_device(args.device)
    scale = 4 if args.quick else 1
    print(f"device: {common.describe_device(device)}; torch {torch.__version__}")
    gflops = reference_gflops(device)
    print(f"reference: float32 512x512 matmul {gflops:.1f} GFLOP/s")
    cnn = bench_character_cnn(device, 2048 // scale)
    print(f"character CNN: {cnn:.1f} s per epoch (16200 characters, augmented)")
    flowers.keep_freed_memory()  # as the flowers training script does (after the character CNN: process-wide)
    extraction, head = bench_flowers_finetune(device, 64 // scale)
    print(f"flowers fine-tune: {extraction:.1f} s feature extraction (once), {head:.2f} s per head epoch")
    scratch = bench_flowers_scratch(device, 256 // scale)
    print(f"flowers scratch: {scratch:.1f} s per epoch (680 images at 48 px)")
    rows = [("character_cnn_epoch", cnn), ("flowers_finetune_features", extraction),
            ("flowers_finetune_head_epoch", head), ("flowers_scratch_epoch", scratch)]
    print("\nname,seconds\n" + "\n".join(f"{n},{np.round(s, 3)}" for n, s in rows))
    if args.csv:
        figures = [(f"{name} ({args.threads} thread{'' if args.threads == 1 else 's'})", seconds, "s") for name, seconds in rows]
        figures.append(("reference: float32 512x512 matmul", gflops, "GFLOP/s"))
        io.write_bench(f"PyTorch on {common.describe_device(device)}", figures, args.csv)


if __name__ == "__main__":
    main()
