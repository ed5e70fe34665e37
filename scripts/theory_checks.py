"""Q1: numerical checks of the theory claims and their two figures (Snakemake script)."""

from nnrec import io, theory
from nnrec.plots import save
from nnrec.plots import theory as figures

with io.log_to(snakemake.log[0]):
    checks = theory.run_checks(snakemake.params.seed)
    io.log.info("Q1 checks:\n%s", checks.to_string(index=False))
    io.write_csv(checks, snakemake.output.checks)
    save(figures.activations_figure(), snakemake.output.activations)
    save(figures.softmax_shift_figure(snakemake.params.seed), snakemake.output.softmax)
    if not checks["holds"].all():
        failed = checks.loc[~checks["holds"], "claim"].tolist()
        raise AssertionError(f"Q1 claims failed numerically: {failed}")
