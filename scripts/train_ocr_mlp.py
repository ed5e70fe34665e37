"""Q4: train the numpy MLP that reads the pages, on training characters redrawn like page crops
(Snakemake script)."""

import time

from nnrec import data, io, model_file, nn
from nnrec.ocr import fonts, reader

with io.log_to(snakemake.log[0]):
    p = snakemake.params
    train, valid = (data.load_split(path) for path in (snakemake.input.train, snakemake.input.valid))
    started = time.perf_counter()
    params, history, inputs = reader.train_reader(train, valid, p.hidden, p.learning_rate, p.epochs,
                                                  p.batch_size, p.seed, p.stroke, p.copies, p.font_per_class,
                                                  p.cell_copies, p.input_blur, p.deskew, p.features,
                                                  p.stored_characters, p.weight_decay, workers=snakemake.threads)
    meta = {**inputs, "hidden": p.hidden, "learning_rate": p.learning_rate, "epochs": p.epochs,
            "batch_size": p.batch_size, "seed": p.seed, "stroke": p.stroke, "copies": p.copies,
            "font_per_class": p.font_per_class, "cell_copies": p.cell_copies,
            "stored_characters": p.stored_characters, "weight_decay": p.weight_decay,
            "fonts": list(fonts.READER_FONTS), "train_seconds": round(time.perf_counter() - started, 1),
            "data_source": data.character_source(snakemake.input.provenance),
            "valid_acc": float(history["valid_acc"].iloc[-1])}
    io.log.info("reader MLP: valid accuracy %.4f on redrawn characters", meta["valid_acc"])
    model_file.save_model(snakemake.output.model, params, nn.MLP_ACTIVATIONS, meta)
    io.write_csv(history, snakemake.output.history)
