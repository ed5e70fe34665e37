"""Fetch the four handwritten test pages, verified, and record where they came from (Snakemake script)."""

from pathlib import Path

from nnrec import data, io

with io.log_to(snakemake.log[0]):
    records = data.fetch_pages(
        {Path(path).stem: path for path in snakemake.output.pages},
        snakemake.input.manifest,
        mirrors=snakemake.params.mirrors,
        timeout=snakemake.params.timeout,
    )
    data.write_provenance(records, snakemake.output.provenance)
