"""Code and software versions, seed and training devices of this run (Snakemake script)."""

import yaml

from nnrec import io, report

with io.log_to(snakemake.log[0]):
    metrics = {key: snakemake.input[key] for key in snakemake.input.keys()}
    table = report.run_info(snakemake.params.config, metrics, snakemake.params.packages)
    io.write_csv(table, snakemake.output.info)
    with io.atomic_path(snakemake.output.config) as tmp:
        tmp.write_text(yaml.safe_dump(dict(snakemake.params.config), sort_keys=False))
