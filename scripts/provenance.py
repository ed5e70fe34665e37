"""Concatenate the per-input provenance tables into results/provenance.csv (Snakemake script)."""

from nnrec import data, io

with io.log_to(snakemake.log[0]):
    table = data.combine_provenance(snakemake.input)
    io.write_csv(table, snakemake.output[0])
    io.log.info("%d provenance rows:\n%s", len(table), table.to_string(index=False))
