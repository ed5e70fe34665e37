"""The `nnrec` command: what a user runs by hand, outside the pipeline.

    nnrec evaluate --model results/q3/lr_best/model.npz --data my_chars.mat [--per-class out.csv]
    nnrec evaluate --model results/q7/cnn/model.pt --data my_chars.mat
    nnrec ocr page.jpg [more.jpg ...] [--model results/q7/cnn/model.pt] [--no-word-context]
              [--no-orientation | --judge FILE] [--boxes found.png] [--json [--top 3]]

Errors a user can act on (bad file, wrong layout) print as one line and exit with status 2.

``nnrec ocr --json`` prints one JSON document, ``{"model", "word_context", "orientation", "judge", "pages": [...]}``,
each page ``{"page", "width", "height"}`` and :meth:`nnrec.ocr.PageText.as_record` (lines,
boxes, the top classes of each character); the README ("Your own data") shows an example.
"""

import argparse
import sys
from pathlib import Path

from nnrec import DataError, NnrecError

# the numpy MLP trained for reading pages; results/q7/cnn/model.pt reads better
DEFAULT_MODEL = Path("results/q4/reader/model.npz")
DEFAULT_MODEL_RULE = "snakemake --cores 4 train_ocr_mlp"


def _evaluate(args):
    from nnrec import classifiers, io

    result = classifiers.evaluate_file(args.model, args.data)
    if args.per_class:
        io.write_csv(result["per_class"], args.per_class)
    print(f"{args.data}: accuracy {result['accuracy']:.4f} on {result['n']} samples (model {args.model})")


def repository():
    """The checkout this package runs from (its Snakefile beside src/), or None when installed."""
    import nnrec

    root = Path(nnrec.__file__).resolve().parents[2]
    return root if (root / "Snakefile").is_file() and (root / "src" / "nnrec").is_dir() else None


def default_model():
    """The reader MLP the pipeline trains, DEFAULT_MODEL under the working directory or else
    under the repository the package runs from; DataError naming both places and the rule that
    makes it when neither has one."""
    places = [Path.cwd()]
    repo = repository()
    if repo is not None and repo != Path.cwd().resolve():
        places.append(repo)
    for place in places:
        if (place / DEFAULT_MODEL).is_file():
            return place / DEFAULT_MODEL
    where = " or ".join(str(place / DEFAULT_MODEL) for place in places)
    make = f"run `{DEFAULT_MODEL_RULE}` in {repo or 'the nnrec repository'}"
    raise DataError(f"no reader model at {where}; {make}, or pass --model FILE (a model.npz or model.pt)")


def orientation_judge(model, judge=None):
    """The classifier file that decides which way up ``model`` reads a page: ``judge`` when given,
    else the default reader MLP (:func:`default_model`, the better-calibrated judge, see config
    ocr.orientation_judge) when there is one, else None (``model`` judges for itself)."""
    if judge:
        return Path(judge)
    try:
        reader = default_model()
    except DataError:
        return None
    return None if reader.resolve() == Path(model).resolve() else reader


def boxes_paths(template, pages):
    """Where ``--boxes template`` draws each page: the template itself for one page; for several,
    the page's file name (stem) joins it, found.png -> found-<stem>.png (or replaces "{page}")."""
    template = Path(template)
    if len(pages) == 1 and "{page}" not in template.name:
        return [template]
    paths = []
    for page in pages:
        stem = Path(page).stem
        name = (template.name.replace("{page}", stem) if "{page}" in template.name
                else f"{template.stem}-{stem}{template.suffix or '.png'}")
        paths.append(template.with_name(name))
    clash = {p for p in paths if paths.count(p) > 1}
    if clash:
        raise DataError(f"--boxes {template}: several pages would be drawn to {sorted(clash)[0]}; "
                        "give them distinct file names")
    return paths


def draw_boxes(image, result, path, page):
    """The page with what was read on it (:func:`nnrec.plots.ocr.page_boxes`) written to ``path``."""
    from nnrec import charset, ocr
    from nnrec.plots import ocr as plots
    from nnrec.plots import save

    labels = [charset.CLASSES[k] for k in result.labels]
    title = f"{Path(page).name}: {len(result.boxes)} characters in {len(result.lines)} lines"
    save(plots.page_boxes(ocr.to_grey(image), result.boxes, labels, result.lines, title, sheet=result.sheet,
                          corners=result.corners), path)


def _decoded_ahead(pages, read):
    """Each page's ``read`` (a decoded image) in turn, made in a background thread while the
    caller works on the page before (and, for the first, while it imports the readers): PIL
    decodes without holding the interpreter. Returns an iterator giving, for each page in turn,
    a callable that returns its image or raises what ``read`` raised; the first page is
    submitted at once, each later one when the page before is taken (one page ahead, no more)."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1)
    ahead = pool.submit(read, pages[0]) if pages else None  # now, not at the first next()

    def in_turn(ahead):
        try:
            for k in range(len(pages)):
                current = ahead
                ahead = pool.submit(read, pages[k + 1]) if k + 1 < len(pages) else None
                yield current.result
        finally:
            pool.shutdown(cancel_futures=True)

    return in_turn(ahead)


def _ocr(args):
    import gc
    import json
    import os

    # a page holds a few hundred characters: numpy reads them sooner on one BLAS thread than it
    # starts a pool of them (set before numpy loads; a caller's own setting wins)
    for variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    from nnrec import lazy_imports

    lazy_imports.defer()  # before numpy's and scipy's importers, and before the decoding thread
    lazy_imports.skip_array_api_notes()  # before scipy.ndimage
    from nnrec.ocr.image import open_page

    images = _decoded_ahead(args.pages, open_page)  # the first page decodes while the readers load
    # loading the readers (numpy, scipy, scikit-image) makes some 50,000 objects that live as
    # long as the process: the cyclic collector walks them over and over while they load (130
    # collections, 40-50 ms on a 2-core test machine), for nothing. It waits, then leaves them out.
    gc.disable()
    try:
        from nnrec import classifiers
        from nnrec.ocr import extract_text

        model = Path(args.model) if args.model else default_model()
        classify = classifiers.load_classifier(model)
        judge_path = orientation_judge(model, args.judge) if not args.no_orientation else None
        judge = classifiers.load_classifier(judge_path) if judge_path else None
    finally:
        gc.freeze()
        gc.enable()
    drawings = boxes_paths(args.boxes, args.pages) if args.boxes else [None] * len(args.pages)
    records, failed, shown = [], False, 0
    for page, drawing in zip(args.pages, drawings):
        try:
            image = next(images)()
            result = extract_text(image, classify, word_context=not args.no_word_context,
                                  orientation=not args.no_orientation, judge=judge)
            if drawing:
                draw_boxes(image, result, drawing, page)
        except NnrecError as error:
            failed = True
            _print_error(error)
            continue
        if args.json:
            height, width = image.shape[:2]
            records.append({"page": page, "width": width, "height": height, **result.as_record(args.top)})
            continue
        if len(args.pages) > 1:
            print(("\n" if shown else "") + f"==> {page} <==")
        print(result.text + "\n" if result.text else "", end="", flush=True)
        shown += 1
    if args.json:
        print(json.dumps({"model": str(model), "word_context": not args.no_word_context,
                          "orientation": not args.no_orientation,
                          "judge": None if args.no_orientation else str(judge_path or model),
                          "pages": records}, indent=1))
    return 2 if failed else 0


def _top_k(value):
    from nnrec import charset

    k = int(value) if value.isdigit() else 0
    if not 1 <= k <= charset.N_CLASSES:
        raise argparse.ArgumentTypeError(f"{value!r}: expected a whole number of classes from 1 to {charset.N_CLASSES}")
    return k


def build_parser():
    parser = argparse.ArgumentParser(prog="nnrec", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    evaluate = commands.add_parser("evaluate", help="accuracy of a saved character model on a NIST36-layout .mat")
    evaluate.add_argument("--model", required=True,
                          help="model.npz (the Q3 MLP or the OCR reader) or model.pt (the PyTorch fc or cnn)")
    evaluate.add_argument("--data", required=True, help=".mat with <split>_data and <split>_labels")
    evaluate.add_argument("--per-class", metavar="CSV",
                          help="also write accuracy per class (class, n, correct, accuracy) to this CSV")
    evaluate.set_defaults(run=_evaluate)

    read = commands.add_parser(
        "ocr", help="print the text of photographed pages of block capitals",
        description="Print the text of photographed pages of block capitals (a header line per page "
                    "when there are several).")
    read.add_argument("pages", nargs="+", metavar="page",
                      help="image file (JPEG, PNG, TIFF; colour, grey, CMYK, with or without transparency)")
    read.add_argument("--model", help=f"classifier, a model.npz or model.pt (default: {DEFAULT_MODEL} in the "
                                      "working directory, else in the nnrec repository)")
    read.add_argument("--no-word-context", action="store_true",
                      help="classify every character on its own (default: read each word as all letters or all digits)")
    read.add_argument("--no-orientation", action="store_true",
                      help="read every page as it stands (default: a page lying sideways or upside down is read "
                           "turned upright when the judge, see --judge, is clearly surer of its characters so turned)")
    read.add_argument("--judge", metavar="FILE",
                      help="classifier whose confidence decides which way up a page is read (default: the reader "
                           f"MLP, {DEFAULT_MODEL}, when there is one, else --model itself)")
    read.add_argument("--boxes", metavar="PNG",
                      help="also draw what was found (character boxes, what each was read as, line numbers, the "
                           "sheet) to this image; with several pages one per page, PNG-<page name>.png")
    read.add_argument("--json", action="store_true",
                      help="print lines, boxes and class probabilities per character as JSON instead of the text "
                           "(schema: README, section 'Your own data')")
    read.add_argument("--top", type=_top_k, default=3, metavar="K",
                      help="with --json, the K most probable classes of each character (default 3)")
    read.set_defaults(run=_ocr)
    return parser


def _print_error(error):
    print("nnrec: " + " ".join(str(error).split("\n")), file=sys.stderr)  # one line, always


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except NnrecError as error:
        _print_error(error)
        return 2


if __name__ == "__main__":
    sys.exit(main())
