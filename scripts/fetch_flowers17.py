"""Fetch Flowers 17 in its 680/340/340 partition, every image verified (Snakemake script)."""

from nnrec import data, io

with io.log_to(snakemake.log[0]):
    record = data.fetch_flowers17(
        snakemake.output.flowers,
        snakemake.input.manifest,
        mirrors=snakemake.params.mirrors,
        timeout=snakemake.params.timeout,
    )
    records = data.with_origin([record], previous=snakemake.output.provenance)
    data.write_provenance(records, snakemake.output.provenance)
