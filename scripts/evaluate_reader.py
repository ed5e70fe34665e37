"""Q4: the OCR reader MLP's accuracy on the characters' test split, overall and per class
(Snakemake script); the same numbers as `nnrec evaluate --model ... --per-class ...`."""

from nnrec import classifiers, io

with io.log_to(snakemake.log[0]):
    result = classifiers.evaluate_file(snakemake.input.model, snakemake.input.test)
    io.log.info("reader MLP: test accuracy %.4f on %d characters", result["accuracy"], result["n"])
    io.write_json({"test_acc": result["accuracy"], "n": result["n"]}, snakemake.output.metrics)
    io.write_csv(result["per_class"], snakemake.output.per_class)
