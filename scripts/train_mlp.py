"""Q3: train the 1024-64-36 MLP at one learning rate and score it (Snakemake script)."""

import time

from nnrec import data, io, model_file, nn

with io.log_to(snakemake.log[0]):
    p = snakemake.params
    train, valid, test = (data.load_split(path) for path in
                          (snakemake.input.train, snakemake.input.valid, snakemake.input.test))
    started, cpu_started = time.perf_counter(), time.process_time()
    initial, params, history = nn.train_mlp(train, valid, p.hidden, p.learning_rate, p.epochs,
                                            p.batch_size, p.seed)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    meta = {"learning_rate": p.learning_rate, "hidden": p.hidden, "epochs": p.epochs,
            "batch_size": p.batch_size, "seed": p.seed,
            "data_source": data.character_source(snakemake.input.provenance)}
    model_file.save_model(snakemake.output.initial, initial, nn.MLP_ACTIVATIONS, {**meta, "trained": False})
    model_file.save_model(snakemake.output.model, params, nn.MLP_ACTIVATIONS, meta)
    io.write_csv(history, snakemake.output.history)
    model = model_file.load_model(snakemake.output.model)
    scores = {split: model_file.split_scores(model, *xy) for split, xy in
              (("train", train), ("valid", valid), ("test", test))}
    metrics = {**meta, "lr_name": snakemake.wildcards.lr, "train_seconds": round(seconds, 2),
               "train_cpu_seconds": round(cpu_seconds, 2),
               **{f"{split}_{k}": v for split, s in scores.items() for k, v in s.items()}}
    io.log.info("lr %s: test accuracy %.4f", snakemake.wildcards.lr, metrics["test_acc"])
    io.write_json(metrics, snakemake.output.metrics)
