"""Q4 robustness set: character accuracy per transformation and reader over all composites,
one row per page too, and a chart (Snakemake script)."""

import pandas as pd

from nnrec import io
from nnrec.ocr import evaluate
from nnrec.plots import ocr as plots
from nnrec.plots import save

with io.log_to(snakemake.log[0]):
    scores = [row for path in snakemake.input.scores for row in io.read_json(path)]
    table = evaluate.robustness_table(scores, snakemake.params.transformations)
    io.write_csv(table, snakemake.output.csv)
    pages = pd.DataFrame(scores)[evaluate.PAGE_COLUMNS]
    io.write_csv(pages, snakemake.output.pages)
    io.log.info("robustness:\n%s", table.to_string(index=False))
    n_pages = pages["page"].nunique()
    title = f"Character accuracy on composite photographs of {n_pages} pages, per transformation"
    save(plots.robustness_chart(table, title, snakemake.params.note), snakemake.output.figure)
