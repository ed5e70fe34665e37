"""Q4: read a set of images (pages_dev, or a page set's composites) with one reader and score
each against its truth (Snakemake script)."""

from tqdm import tqdm

from nnrec import classifiers, io
from nnrec.data.fetch import check_sha256
from nnrec.ocr import evaluate, score

with io.log_to(snakemake.log[0]):
    p = snakemake.params
    items = []
    for item, path in zip(p.images, snakemake.input.images, strict=True):
        if item.get("sha256"):  # a pages_dev image: check it is the file truth.json describes
            check_sha256(path, item["sha256"])
        items.append({**{k: v for k, v in item.items() if k != "sha256"}, "path": path})
    if p.model == "tesseract" and not score.tesseract_binary():
        io.log.info("tesseract is not installed (apt-get install tesseract-ocr): %d images skipped", len(items))
        scores = evaluate.skipped_scores(items, p.model)
    else:
        classify = None if p.model == "tesseract" else classifiers.load_classifier(snakemake.input.model)
        judge = classifiers.load_classifier(snakemake.input.judge) if p.judge else None
        with tqdm(total=len(items), desc=f"{p.name} / {p.model}", unit="image") as bar:
            scores = evaluate.score_images(items, p.model, classify, p.stroke, p.word_context, progress=bar,
                                           orientation=p.orientation, judge=judge)
        for row in scores:
            io.log.info("%s: %s character accuracy %.3f", row["image"], p.model, row["char_accuracy"])
    io.write_json(scores, snakemake.output.scores)
