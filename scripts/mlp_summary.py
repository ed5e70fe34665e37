"""Q3: one row per learning rate with its final accuracies (Snakemake script)."""

import pandas as pd

from nnrec import io

with io.log_to(snakemake.log[0]):
    rows = [io.read_json(path) for path in snakemake.input.metrics]
    columns = ["lr_name", "learning_rate", "test_acc", "valid_acc", "train_acc", "train_seconds",
               "train_cpu_seconds", "data_source"]
    table = pd.DataFrame(rows)[columns]
    io.log.info("Q3 summary:\n%s", table.to_string(index=False))
    best_valid = table.loc[table["valid_acc"].idxmax(), "lr_name"]
    if best_valid != "best":
        io.log.warning("run %r, not 'best', has the highest validation accuracy", best_valid)
    io.write_csv(table, snakemake.output.csv)
