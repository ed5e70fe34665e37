"""Q4 robustness set: one page's composite photographs, each a JPEG (Snakemake script)."""

from tqdm import tqdm

from nnrec import io
from nnrec.data.fetch import check_sha256
from nnrec.ocr import evaluate

with io.log_to(snakemake.log[0]):
    p = snakemake.params
    if p.sha256:  # a pages_dev image: check it is the file truth.json describes
        check_sha256(snakemake.input.page, p.sha256)
    paths = dict(zip(p.transformations, snakemake.output))
    with tqdm(total=len(paths), desc=f"composites of {p.page}", unit="image") as bar:
        evaluate.write_composites(snakemake.input.page, p.page, paths, p.seed, progress=bar)
    io.log.info("%s: %d composites (seed %d)", p.page, len(paths), p.seed)
