"""Q7: train the fc (Q3 network) or cnn character model in PyTorch and score it (Snakemake script)."""

import time

import numpy as np
import pandas as pd

from nnrec import data, io
from nnrec.torch_models import characters, common

with io.log_to(snakemake.log[0]):
    p = snakemake.params
    train, valid, test = (data.load_split(path) for path in
                          (snakemake.input.train, snakemake.input.valid, snakemake.input.test))
    device = common.resolve_device(p.device)
    options = dict(p.options)
    stroke = p.stroke if options.pop("redraw", False) else None
    started = time.perf_counter()
    model, history = characters.train_character_model(p.kind, train, valid, seed=p.seed, device=device,
                                                      threads=snakemake.threads, redraw_stroke=stroke,
                                                      font_stroke=p.stroke, **options)
    seconds = time.perf_counter() - started
    predicted = characters.predict_proba(model, p.kind, characters.prepare_rows(test[0], stroke)).argmax(1)
    truth = np.asarray(test[1]).argmax(1)
    # of the model as saved (for an ensemble, the members' average; the history has each member's)
    valid_predicted = characters.predict_proba(model, p.kind, characters.prepare_rows(valid[0], stroke)).argmax(1)
    meta = {"run": p.kind, **p.options, "redraw_stroke": stroke, "seed": p.seed, "device": common.describe_device(device),
            "data_source": data.character_source(snakemake.input.provenance),
            "parameters": sum(t.numel() for t in model.parameters())}
    characters.save_character_model(snakemake.output.model, model, p.kind, meta, redraw_stroke=stroke)
    io.write_csv(history, snakemake.output.history)
    io.write_csv(pd.DataFrame({"label": truth, "predicted": predicted}), snakemake.output.predictions)
    metrics = {**meta, "test_acc": float((predicted == truth).mean()), "train_seconds": round(seconds, 1),
               "valid_acc": float((valid_predicted == np.asarray(valid[1]).argmax(1)).mean()), "n_test": len(truth)}
    io.log.info("%s: test accuracy %.4f in %.0f s", p.kind, metrics["test_acc"], seconds)
    io.write_json(metrics, snakemake.output.metrics)
