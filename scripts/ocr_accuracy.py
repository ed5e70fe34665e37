"""Q4: gather the per-page OCR scores into one table with an overall row per model, and chart
them (Snakemake script)."""

from nnrec import io
from nnrec.ocr.score import accuracy_table
from nnrec.plots import ocr as plots
from nnrec.plots import save

with io.log_to(snakemake.log[0]):
    table = accuracy_table([io.read_json(path) for path in snakemake.input.scores])
    io.write_csv(table, snakemake.output.csv)
    io.log.info("OCR accuracy:\n%s", table.to_string(index=False))
    title = "Character accuracy on the four handwritten pages"
    save(plots.accuracy_bars(table, title, snakemake.params.note), snakemake.output.figure)
