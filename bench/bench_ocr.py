"""`nnrec ocr` on the largest test page, end to end, against Tesseract on the same page.

    .venv/bin/python bench/bench_ocr.py [--page resources/images/04_deep.jpg]
        [--model results/q4/reader/model.npz] [--runs 5]

The candidate is the command a user types, `nnrec ocr PAGE --model MODEL` (run as
`python -m nnrec`), in a fresh process each time: start-up, imports, decoding the JPEG, finding,
cropping and classifying the characters and printing the text all count. The reference is
`tesseract PAGE stdout --psm 6` (one uniform block of text: Tesseract's quickest full read) in
a fresh process too. Both get the caller's environment (threads included). After nnrec's
bytecode is compiled (a user's earlier runs leave it) and one untimed run of each (file cache),
they run alternately --runs times, so a busy
machine slows both alike; the figures are the medians of wall time and of the pairs' ratios
nnrec / Tesseract, and the medians of CPU time (user + system over all threads). Where nnrec's
time goes is printed below: the start-up (importing what reading needs, median of --runs fresh
processes) and each step in this process (best of 3). A benchmark, not a test: absolute
numbers depend on the machine, the ratio much less.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # as `nnrec ocr` itself reads; Tesseract's OpenMP threads are untouched

import argparse  # noqa: E402
import compileall  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import nnrec  # noqa: E402

# what `nnrec ocr` imports to read a page, as it does (the cyclic collector waits meanwhile, unused
# modules put off and scipy's docstrings left as they are: nnrec.lazy_imports)
IMPORTS = "import gc; gc.disable(); import nnrec.lazy_imports; nnrec.lazy_imports.defer(); nnrec.lazy_imports.skip_array_api_notes(); import nnrec.cli, nnrec.classifiers, nnrec.ocr.read, nnrec.ocr.reader, nnrec.model_file"


def wall(command):
    """Wall seconds `command` takes in a fresh process, its CPU seconds (user + system, all its
    threads) and its stdout; it must succeed."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()[-500:]}")
    cpu = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
    return seconds, cpu, result.stdout


def best_of(repeat, fn):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def steps(page, model):
    """Seconds of each step of reading ``page`` in this process (best of 3)."""
    from nnrec import classifiers, ocr
    from nnrec.ocr import read, segment

    t_load, classify = best_of(3, lambda: classifiers.load_classifier(model))
    t_read, image = best_of(3, lambda: ocr.open_page(page))
    t_grey, _ = best_of(3, lambda: segment._shrink(image))
    t_find, found = best_of(3, lambda: segment.find_characters(image))
    t_group, (lines, _) = best_of(3, lambda: segment.group_lines(found.boxes))
    order = [i for line in lines for i in line]
    t_crop, rows = best_of(3, lambda: read.crop_rows(found, order))
    t_classify, _ = best_of(3, lambda: classify(rows))
    return image.shape, len(rows), [
        ("load the model", t_load), ("decode the JPEG", t_read), ("grey, working size (part of finding)", t_grey),
        ("find the characters", t_find), ("group lines and words", t_group),
        ("crop + normalise", t_crop), ("classify (features + MLP)", t_classify)]


def main():
    from nnrec import io

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--page", default="resources/images/04_deep.jpg")
    parser.add_argument("--model", default="results/q4/reader/model.npz")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--csv", help="also write the figures as CSV rows to this file")
    args = parser.parse_args()
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        sys.exit("tesseract is not installed (Debian: apt-get install tesseract-ocr); it is this benchmark's reference")
    if not Path(args.model).is_file():
        sys.exit(f"{args.model}: no such model; `snakemake --cores 4 train_ocr_mlp` makes the reader MLP")

    ours = [sys.executable, "-m", "nnrec", "ocr", args.page, "--model", args.model]
    theirs = [tesseract, args.page, "stdout", "--psm", "6"]
    # the untimed first runs stand for a user's earlier ones, whose compiled bytecode Python keeps:
    # compiled here, as Python does not write it where PYTHONDONTWRITEBYTECODE is set (some CI
    # shells set it), and every timed run would compile the package's sources again
    compileall.compile_dir(Path(nnrec.__file__).parent, quiet=1)
    text = wall(ours)[2]
    wall(theirs)
    runs = {"ours": [], "theirs": []}
    for _ in range(args.runs):
        runs["ours"].append(wall(ours)[:2])
        runs["theirs"].append(wall(theirs)[:2])
    t_start = [wall([sys.executable, "-c", IMPORTS])[0] for _ in range(args.runs)]
    (ours_s, ours_cpu), (theirs_s, theirs_cpu) = (
        (statistics.median(w for w, _ in runs[k]), statistics.median(c for _, c in runs[k])) for k in runs)
    start_s = statistics.median(t_start)
    t_ours, t_theirs = ([w for w, _ in runs[k]] for k in runs)
    # each pair ran back to back, so its ratio sees the same load: their median is the figure
    ratio = statistics.median(a / b for a, b in zip(t_ours, t_theirs))
    shape, n_chars, breakdown = steps(args.page, args.model)

    height, width = shape[:2]
    print(f"page {args.page}: {width}x{height} ({width * height / 1e6:.1f} MP); model {args.model}; "
          f"{n_chars} characters, {len(text.splitlines())} lines read")
    threads = ", ".join(f"{v}={os.environ[v]}" for v in ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT") if v in os.environ)
    print(f"end to end, fresh process each, median of {args.runs} alternating runs ({threads or 'default threads'}):")
    print(f"  nnrec ocr               {ours_s:7.3f} s   (runs {' '.join(f'{t:.2f}' for t in t_ours)})")
    print(f"  tesseract --psm 6       {theirs_s:7.3f} s   (runs {' '.join(f'{t:.2f}' for t in t_theirs)})")
    print(f"  ratio nnrec / tesseract {ratio:7.2f}   (median of the {args.runs} pairs' ratios; "
          f"ratio of the medians {ours_s / theirs_s:.2f})")
    print(f"  CPU time (user + system, median): nnrec {ours_cpu:.3f} s, tesseract {theirs_cpu:.3f} s, "
          f"ratio {ours_cpu / theirs_cpu:.2f}")
    print("where nnrec's time goes:")
    print(f"  start-up: python + imports   {start_s:7.3f} s   (median of {args.runs})")
    for name, seconds in breakdown:
        print(f"  {name:28} {seconds:7.3f} s")
    if args.csv:
        rows = [("nnrec ocr end to end (fresh process, median)", ours_s, "s"),
                ("tesseract --psm 6 end to end (fresh process, median)", theirs_s, "s"),
                ("ratio nnrec / tesseract (median of pairs)", ratio, "x"),
                ("CPU time ratio nnrec / tesseract (user + system)", ours_cpu / theirs_cpu, "x"),
                ("nnrec start-up: python + imports (median)", start_s, "s")]
        rows += [(f"step: {name}", seconds, "s") for name, seconds in breakdown]
        io.write_bench(f"nnrec ocr vs tesseract, {width}x{height} page", rows, args.csv)


if __name__ == "__main__":
    main()
