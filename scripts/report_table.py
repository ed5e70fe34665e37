"""One table of the run (a CSV, or the configuration's YAML as text) as an HTML page for the
report (Snakemake script)."""

from pathlib import Path

import pandas as pd

from nnrec import io, report

with io.log_to(snakemake.log[0]):
    source, p = Path(snakemake.input[0]), snakemake.params
    if source.suffix == ".csv":
        page = report.table_html(pd.read_csv(source), p.title, p.note)
    else:
        page = report.text_html(source.read_text(), p.title, p.note)
    with io.atomic_path(snakemake.output[0]) as tmp:
        tmp.write_text(page)
