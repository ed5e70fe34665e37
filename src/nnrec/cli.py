"""The `nnrec` command: what a user runs by hand, outside the pipeline.

    nnrec evaluate --model results/q3/lr_best/model.npz --data my_chars.mat [--per-class out.csv]
    nnrec evaluate --model results/q7/cnn/model.pt --data my_chars.mat
    nnrec ocr my_page.jpg [--model results/q7/cnn/model.pt] [--no-word-context]

Errors a user can act on (bad file, wrong layout) print as one line and exit with status 2.
"""

import argparse
import sys

from nnrec import NnrecError

# the numpy MLP trained for reading pages (rule train_ocr_mlp); results/q7/cnn/model.pt reads better
DEFAULT_MODEL = "results/q4/reader/model.npz"


def _evaluate(args):
    from nnrec import classifiers, io

    result = classifiers.evaluate_file(args.model, args.data)
    if args.per_class:
        io.write_csv(result["per_class"], args.per_class)
    print(f"{args.data}: accuracy {result['accuracy']:.4f} on {result['n']} samples (model {args.model})")


def _ocr(args):
    from nnrec import classifiers, ocr

    classify = classifiers.load_classifier(args.model)
    print(ocr.read_page(args.page, classify, word_context=not args.no_word_context), end="")


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

    read = commands.add_parser("ocr", help="print the text of a photographed page of block capitals")
    read.add_argument("page", help="image file (JPEG, PNG; colour, grey or RGBA)")
    read.add_argument("--model", default=DEFAULT_MODEL, help=f"classifier (default: {DEFAULT_MODEL})")
    read.add_argument("--no-word-context", action="store_true",
                      help="classify every character on its own (default: read each word as all letters or all digits)")
    read.set_defaults(run=_ocr)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except NnrecError as error:
        print("nnrec: " + " ".join(str(error).split("\n")), file=sys.stderr)  # one line, always
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
