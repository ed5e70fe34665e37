"""Seconds per page to find and classify the characters of the largest test page.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_ocr.py [--page resources/images/04_deep.jpg]
        [--model results/q3/lr_best/model.npz] [--repeat 3]

Times, on one thread, each step of reading a page with nnrec.ocr: decoding the JPEG, finding the
characters (grey conversion, shrinking, background, threshold, components, merging), grouping
lines and words, cropping and normalising the crops, and classifying them, and the total of
finding + classifying (everything after the JPEG is decoded). The reference measured in the same
run is the bare cost of decoding the file and converting it to grey, so the ratio total /
reference says how much work the OCR adds to merely opening the photograph, whatever the
machine. Without --model (or if the file is missing) a random 1024-64-36 MLP stands in: the
classifier's cost is the same whatever its weights. Best of --repeat runs. A benchmark, not a
test: numbers depend on the machine. Target: under 2 s per page for the 4032x3024 page.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # must be set before numpy loads its BLAS

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from nnrec import classifiers, io, model_file, nn, ocr  # noqa: E402
from nnrec.ocr import read, segment  # noqa: E402


def classifier(model_path):
    if model_path and Path(model_path).is_file():
        return classifiers.load_classifier(model_path), model_path
    rng = np.random.default_rng(0)
    model = model_file.Model(nn.init_network([1024, 64, 36], nn.MLP_ACTIVATIONS, rng), nn.MLP_ACTIVATIONS, {})
    return (lambda rows: model_file.predict_proba(model, rows)), "random 1024-64-36 MLP (same cost)"


def best_of(repeat, fn):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--page", default="resources/images/04_deep.jpg")
    parser.add_argument("--model", default="results/q3/lr_best/model.npz")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv", help="also write the figures as CSV rows to this file")
    args = parser.parse_args()

    classify, model_name = classifier(args.model)
    t_read, image = best_of(args.repeat, lambda: ocr.read_image(args.page))
    t_reference, _ = best_of(args.repeat, lambda: ocr.to_grey(ocr.read_image(args.page)))
    t_find, found = best_of(args.repeat, lambda: segment.find_characters(image))
    t_group, (lines, _) = best_of(args.repeat, lambda: segment.group_lines(found.boxes))
    order = [i for line in lines for i in line]
    t_crop, rows = best_of(args.repeat, lambda: read.crop_rows(found, order))
    t_classify, _ = best_of(args.repeat, lambda: classify(rows))
    t_total, result = best_of(args.repeat, lambda: ocr.extract_text(image, classify))

    height, width = image.shape[:2]
    print(f"page {args.page}: {width}x{height} ({width * height / 1e6:.1f} MP), "
          f"{len(result.boxes)} characters in {len(result.lines)} lines; classifier: {model_name}")
    print(f"  decode JPEG                {t_read:7.3f} s")
    print(f"  reference: decode + grey   {t_reference:7.3f} s")
    print(f"  find letters               {t_find:7.3f} s")
    print(f"  group lines and words      {t_group:7.3f} s")
    print(f"  crop + normalise           {t_crop:7.3f} s")
    print(f"  classify                   {t_classify:7.3f} s")
    print(f"  total find + classify      {t_total:7.3f} s per page  (target < 2 s)")
    print(f"  ratio total / reference    {t_total / t_reference:7.2f}")
    if args.csv:
        rows = [("find + classify, largest page (target < 2 s)", t_total, "s"),
                ("reference: decode + grey conversion", t_reference, "s"),
                ("ratio to the reference", t_total / t_reference, "x")]
        io.write_bench(f"OCR, {width}x{height} page, {model_name}", rows, args.csv)


if __name__ == "__main__":
    main()
