"""Q4: each reader's accuracy on printed capitals of faces no reader trains on, drawn as page
crops reach a classifier, per face and overall (Snakemake script)."""

from nnrec import classifiers, io
from nnrec.ocr.fonts import held_out_print_rows

with io.log_to(snakemake.log[0]):
    p = snakemake.params
    rows, labels, fonts = held_out_print_rows(p.per_class, p.seed, p.stroke)
    paths = dict(zip(p.models, snakemake.input.models, strict=True))
    models = {name: classifiers.load_classifier(path) for name, path in paths.items()}
    table = classifiers.font_accuracy_table(models, rows, labels, fonts)
    io.write_csv(table, snakemake.output.csv)
    io.log.info("held-out print faces:\n%s", table.to_string(index=False))
