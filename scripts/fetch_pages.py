"""Fetch the four handwritten test pages, verified, and record where they came from (Snakemake script).

The provenance output is read first (it is flagged update()): a page reused from resources/
keeps the origin recorded when it was first fetched.
"""

from pathlib import Path

from nnrec import data, io

with io.log_to(snakemake.log[0]):
    records = data.fetch_pages(
        {Path(path).stem: path for path in snakemake.output.pages},
        snakemake.input.manifest,
        mirrors=snakemake.params.mirrors,
        timeout=snakemake.params.timeout,
    )
    records = data.with_origin(records, previous=snakemake.output.provenance)
    data.write_provenance(records, snakemake.output.provenance)
