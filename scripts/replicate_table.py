"""The headline numbers over seeds: results/replicates.csv and its figure (Snakemake script)."""

from nnrec import io, replicates
from nnrec.plots import save
from nnrec.plots.replicates import spread_figure

with io.log_to(snakemake.log[0]):
    table = replicates.replicate_table(snakemake.params.files)
    io.write_csv(table, snakemake.output.table)
    io.log.info("spread over seeds:\n%s", table.to_string(index=False))
    save(spread_figure(table), snakemake.output.figure)
