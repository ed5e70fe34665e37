"""Q4 baseline: read one page with the tesseract binary, or record that it is not installed
(small placeholder figures, left out of the report; Snakemake script)."""

from nnrec import io, ocr
from nnrec.ocr import score
from nnrec.plots import ocr as plots
from nnrec.plots import save

with io.log_to(snakemake.log[0]):
    p, out = snakemake.params, snakemake.output
    if p.installed:
        text, boxes = score.run_tesseract(snakemake.input.page)
        status, note = "ok", "Tesseract 5 (eng, default layout analysis), answer upper-cased, A-Z 0-9 kept"
    else:
        text, boxes = "", []
        status = "skipped"
        note = "skipped: tesseract is not installed (apt-get install tesseract-ocr, or brew install tesseract)"
    io.log.info("%s / tesseract: %s", p.page, status)
    with io.atomic_path(out.text) as tmp:
        tmp.write_text(text + "\n" if text else "")
    if status == "ok":
        grey = ocr.to_grey(ocr.read_image(snakemake.input.page))
        save(plots.page_boxes(grey, boxes, [""] * len(boxes), None, f"{p.page}: Tesseract word boxes", note),
             out.figure)
    else:
        save(plots.skipped(f"{p.page}: {note}"), out.figure)
    if p.truth:
        scores = {"image": p.page, "model": "tesseract", **score.score_page(text, p.truth, len(boxes))}
        if status == "skipped":
            scores.update(char_accuracy=None, lines_correct=None, n_found=None)
        io.write_json({**scores, "status": status, "note": note}, out.score)
        if status == "ok":
            title = f"{p.page} read by tesseract: character accuracy {scores['char_accuracy']:.1%}"
            save(plots.truth_vs_prediction(p.truth, text, title, note), out.comparison)
        else:
            save(plots.skipped(f"{p.page}: {note}"), out.comparison)
