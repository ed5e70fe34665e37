"""Q7 extra: a CNN on CIFAR-10 or EMNIST balanced, or a `skipped` row when offline (Snakemake script)."""

from nnrec import io
from nnrec.torch_models import extras

with io.log_to(snakemake.log[0]):
    p = snakemake.params
    result, history = extras.run_extra(p.name, p.root, timeout_s=p.timeout_s, epochs=p.epochs,
                                       batch_size=p.batch_size, learning_rate=p.learning_rate,
                                       seed=p.seed, device=p.device, threads=snakemake.threads)
    io.log.info("%s: %s", p.name, result.to_dict("records")[0])
    io.write_csv(history, snakemake.output.history)
    io.write_csv(result, snakemake.output.result)
