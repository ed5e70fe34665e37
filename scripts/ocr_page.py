"""Q4: read one page with a trained character classifier; score it when its truth is known
(Snakemake script)."""

from nnrec import charset, classifiers, data, io, ocr
from nnrec.ocr.score import score_page
from nnrec.plots import ocr as plots
from nnrec.plots import save

with io.log_to(snakemake.log[0]):
    p, out = snakemake.params, snakemake.output
    image = ocr.open_page(snakemake.input.page)
    classify = classifiers.load_classifier(snakemake.input.model)
    judge = classifiers.load_classifier(snakemake.input.judge) if p.judge else None
    result = ocr.extract_text(image, classify, stroke=p.stroke, word_context=p.word_context,
                               orientation=p.orientation, judge=judge)
    io.log.info("%s / %s: %d characters in %d lines", p.page, p.model, len(result.boxes), len(result.lines))
    with io.atomic_path(out.text) as tmp:
        tmp.write_text(result.text + "\n" if result.text else "")
    note = (f"{p.model}: {snakemake.input.model}, trained on "
            f"{data.character_source(snakemake.input.provenance)} characters")
    labels = [charset.CLASSES[k] for k in result.labels]
    title = f"{p.page}: {len(result.boxes)} characters found, read by {p.model}"
    # the boxes lie on the upright page (the sheet cut out of the photo and turned level)
    save(plots.page_boxes(result.page, result.boxes * result.scale, labels, result.lines, title, note), out.figure)
    if p.truth:
        scores = score_page(result.text, p.truth, len(result.boxes), result.text_without_context)
        scores = {"image": p.page, "model": p.model, **scores}
        io.log.info("%s / %s: character accuracy %.3f", p.page, p.model, scores["char_accuracy"])
        io.write_json({**scores, "status": "ok", "note": note}, out.score)
        title = f"{p.page} read by {p.model}: character accuracy {scores['char_accuracy']:.1%}"
        save(plots.truth_vs_prediction(p.truth, result.text, title, note), out.comparison)
