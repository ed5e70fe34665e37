"""Headline numbers of every stage next to published references (Snakemake script)."""

from nnrec import data, io, report

with io.log_to(snakemake.log[0]):
    paths = {key: snakemake.input[key] for key in snakemake.input.keys() if key != "characters"}
    table = report.headline_table(paths, data.character_source(snakemake.input.characters))
    io.write_csv(table, snakemake.output[0])
