# Shared definitions for every stage file. Stage files name their outputs under
# results/<stage>/, downloads under resources/, logs under logs/<stage>/.

import shutil

from nnrec.data import CHARACTER_SPLITS, PAGES

CORE_ENV = "../../envs/core.yaml"
TORCH_ENV = "../../envs/torch.yaml"
# What the data stage (data.smk) puts under resources/, each path spelled here only.
CHARACTERS = {split: f"resources/characters/{split}.mat" for split in CHARACTER_SPLITS}
PAGE_IMAGE = "resources/images/{page}.jpg"
FLOWERS17 = "resources/flowers17"
# downloaded pretrained weights (the Flowers 17 backbone), kept between runs
BACKBONE_WEIGHTS = "resources/weights"
PROVENANCE = {
    name: f"resources/provenance/{name}.csv"
    for name in ("characters", "pages", "flowers17", "backbone")
}
# Trained character classifiers that later stages read (Q4 reads pages with each).
MODELS = {
    "mlp_q3": "results/q3/lr_best/model.npz",
    "reader": "results/q4/reader/model.npz",
    "cnn": "results/q7/cnn/model.pt",
}
# Each seed's replicate of the headline trainings (replicates.smk) lives here.
REPLICATE_DIR = "results/replicates/seed_{seed}"


def replicate_path(path, seed):
    """Where the replicate of main-run output ``path`` (results/...) lives for ``seed``;
    the main run itself is the replicate of the configured seed."""
    if seed == config["seed"]:
        return path
    return path.replace("results/", REPLICATE_DIR.format(seed=seed) + "/", 1)


def replicate_seed(wildcards):
    return int(wildcards.seed)


# Without the tesseract binary the Q4 baseline's rules write small "skipped" placeholders, kept
# out of the report; installing it reruns them (the installed state is one of their params).
# (shutil.which, as nnrec.ocr.score.tesseract_binary: importing nnrec.ocr here would slow every start)
TESSERACT_INSTALLED = shutil.which("tesseract") is not None


def tesseract_report(path, **options):
    """``report(path, **options)`` when Tesseract is installed, else the plain path."""
    return report(path, **options) if TESSERACT_INSTALLED else path


# The one aggregate per stage (data, q1 ... q7, summary) lets a user build a single stage:
# `snakemake --cores 4 q4`.
localrules:
    data,
    q1,
    q2,
    q3,
    q4,
    q5,
    q6,
    q7,
    summary,
    bench,
    replicates,
