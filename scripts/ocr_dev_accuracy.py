"""Q4: gather the pages_dev scores into one table with an overall row per model, and chart them
(Snakemake script)."""

from nnrec import io
from nnrec.ocr.score import accuracy_table
from nnrec.plots import ocr as plots
from nnrec.plots import save

with io.log_to(snakemake.log[0]):
    table = accuracy_table([row for path in snakemake.input.scores for row in io.read_json(path)])
    io.write_csv(table, snakemake.output.csv)
    io.log.info("pages_dev accuracy:\n%s", table.to_string(index=False))
    title = f"Character accuracy on {table['image'].nunique() - 1} real photographs and scans (pages_dev)"
    save(plots.accuracy_by_image(table, title, snakemake.params.note), snakemake.output.figure)
