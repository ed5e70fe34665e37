"""Run the Q7 trainings once, with the config's settings, on one device; print accuracy and time.

    .venv/bin/python bench/torch_runs.py --characters resources/characters \
        --flowers resources/flowers17 [--device auto] [--runs fc,cnn,finetune,scratch,finetune_all]

The same library calls as the Q7 rules (nnrec.torch_models), outside Snakemake, so a GPU
machine needs only PyTorch and the nnrec sources (no workflow install) to time them. Runs:
fc and cnn (the character networks, options from torch.characters), finetune and scratch
(Flowers 17, options from torch.flowers), and finetune_all: the fine-tuning run with the whole
network trained end to end (``freeze: none``; what a GPU is for). Characters may be stored as
uint8 (0-255) .mat files to travel small; they are scaled back to 0-1. A timing run, not a test.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.io
import torch
import yaml

from nnrec.torch_models import characters, common, flowers

RUNS = ("fc", "cnn", "finetune", "scratch", "finetune_all")


def load_characters(folder, split):
    """(X float32 (n, 1024) in 0-1, Y one-hot) of ``folder/<split>.mat``, stored as floats or uint8."""
    mat = scipy.io.loadmat(Path(folder) / f"{split}.mat")
    x, y = mat[f"{split}_data"], mat[f"{split}_labels"]
    x = x.astype(np.float32) / 255 if x.dtype == np.uint8 else x.astype(np.float32)
    return x, y.astype(np.float64)


def run_characters(kind, config, folder, device):
    train, valid, test = (load_characters(folder, s) for s in ("train", "valid", "test"))
    options = dict(config["torch"]["characters"][kind])
    stroke = config["ocr"]["stroke"] if options.pop("redraw", False) else None
    start = time.perf_counter()
    model, history = characters.train_character_model(kind, train, valid, seed=config["seed"], device=device,
                                                      redraw_stroke=stroke, **options)
    seconds = time.perf_counter() - start
    probs = characters.predict_proba(model, kind, characters.prepare_rows(test[0], stroke))
    return {"test_acc": float((probs.argmax(1) == test[1].argmax(1)).mean()),
            "valid_acc": float(history["valid_acc"].iloc[-1]), "epochs": options["epochs"], "seconds": seconds}


def run_flowers(run, config, root, device):
    mode = "scratch" if run == "scratch" else "finetune"
    options = dict(config["torch"]["flowers"][mode])
    if run == "finetune_all":
        options["freeze"] = "none"
    images = flowers.load_data(root, round(options["image_size"] * 1.15))
    start = time.perf_counter()
    if mode == "finetune":
        result = flowers.train_finetune(images, backbone=config["torch"]["flowers"]["backbone"],
                                        seed=config["seed"], device=device, **options)
    else:
        result = flowers.train_scratch(images, seed=config["seed"], device=device, **options)
    return {"test_acc": result["test_acc"], "valid_acc": result["valid_acc"], "epochs": options["epochs"],
            "seconds": time.perf_counter() - start}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--characters", default="resources/characters")
    parser.add_argument("--flowers", default="resources/flowers17")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", default=",".join(RUNS))
    parser.add_argument("--csv", help="also write the rows to this CSV file")
    args = parser.parse_args(argv)
    config = yaml.safe_load(Path(args.config).read_text())
    device = common.resolve_device(args.device)
    torch.set_num_threads(args.threads)
    flowers.keep_freed_memory()  # as the flowers rule script does
    print(f"device: {common.describe_device(device)}; torch {torch.__version__}", flush=True)
    rows = []
    for run in args.runs.split(","):
        if run not in RUNS:
            parser.error(f"unknown run {run!r}; choose from {', '.join(RUNS)}")
        if run in ("fc", "cnn"):
            row = run_characters(run, config, args.characters, device)
        else:
            row = run_flowers(run, config, args.flowers, device)
        rows.append({"run": run, "device": common.describe_device(device), **row})
        print(f"{run}: test {row['test_acc']:.4f}, valid {row['valid_acc']:.4f}, "
              f"{row['epochs']} epochs in {row['seconds']:.1f} s", flush=True)
    table = pd.DataFrame(rows).round({"test_acc": 4, "valid_acc": 4, "seconds": 1})
    print("\n" + table.to_csv(index=False))
    if args.csv:
        table.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
