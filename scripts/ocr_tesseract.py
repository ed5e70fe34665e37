"""Q4 baseline: read one page with the tesseract binary, or record that it is not installed
(Snakemake script)."""

from nnrec import io, ocr
from nnrec.ocr import score
from nnrec.plots import ocr as plots
from nnrec.plots import save

with io.log_to(snakemake.log[0]):
    p, out = snakemake.params, snakemake.output
    image = ocr.read_image(snakemake.input.page)
    if score.tesseract_binary():
        text, boxes = score.run_tesseract(snakemake.input.page)
        status, note = "ok", "Tesseract 5 (eng, default layout analysis), answer upper-cased, A-Z 0-9 kept"
    else:
        text, boxes = "", []
        status, note = "skipped", "skipped: tesseract is not installed (apt-get install tesseract-ocr)"
    io.log.info("%s / tesseract: %s", p.page, status)
    with io.atomic_path(out.text) as tmp:
        tmp.write_text(text + "\n" if text else "")
    title = f"{p.page}: Tesseract word boxes" if status == "ok" else f"{p.page}: {note}"
    save(plots.page_boxes(ocr.to_grey(image), boxes, [""] * len(boxes), None, title, note), out.figure)
    if p.truth:
        scores = {"image": p.page, "model": "tesseract", **score.score_page(text, p.truth, len(boxes))}
        if status == "skipped":
            scores.update(char_accuracy=None, lines_correct=None, n_found=None)
        io.write_json({**scores, "status": status, "note": note}, out.score)
        accuracy = "skipped" if status == "skipped" else f"character accuracy {scores['char_accuracy']:.1%}"
        save(plots.truth_vs_prediction(p.truth, text, f"{p.page} read by tesseract: {accuracy}", note),
             out.comparison)
