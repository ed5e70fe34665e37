# Shared definitions for every stage file. Stage files name their outputs under
# results/<stage>/, downloads under resources/, logs under logs/<stage>/.

import shutil

from nnrec.config import check_workflow_names
from nnrec.data import CHARACTER_SPLITS, PAGES, find_pages_dev, read_pages_dev

CORE_ENV = "../../envs/core.yaml"
TORCH_ENV = "../../envs/torch.yaml"
# What the data stage (data.smk) puts under resources/, each path spelled here only.
CHARACTERS = {split: f"resources/characters/{split}.mat" for split in CHARACTER_SPLITS}
PAGE_IMAGE = "resources/images/{page}.jpg"
# pages_dev (real photos and scans with their text) is mirror-only and read where the mirror
# keeps it: the folder of the first mirror holding it, or None (its rules then drop out).
PAGES_DEV_DIR = find_pages_dev(config["data"]["mirrors"])
# What the robustness set (robustness.smk) writes; the q4 target (ocr.smk) gathers it.
ROBUSTNESS = {
    "csv": "results/q4/robustness.csv",
    "pages": "results/q4/robustness_pages.csv",
    "figure": "results/q4/robustness.png",
    "composite": "results/q4/robustness/composites/{page}/{transformation}.jpg",
}
FLOWERS17 = "resources/flowers17"
# downloaded pretrained weights (the Flowers 17 backbone), kept between runs
BACKBONE_WEIGHTS = "resources/weights"
PROVENANCE = {
    name: f"resources/provenance/{name}.csv"
    for name in ("characters", "pages", "flowers17", "backbone")
}


def dev_pages(key, names):
    """{name: {path, text, sha256}} of the pages_dev images ``names`` ("all" or a list) of
    config ``key``; empty when no mirror holds pages_dev."""
    if PAGES_DEV_DIR is None or not names:
        return {}
    pages = read_pages_dev(PAGES_DEV_DIR)
    return {name: pages[name] for name in check_workflow_names(key, names, pages)}


def scored_items(pages):
    """What the script ocr_images.py needs per image: name, truth and (pages_dev) checksum."""
    return [
        {"image": name, "truth": page["text"], "sha256": page.get("sha256")}
        for name, page in pages.items()
    ]


def composite_paths(pages, transformations):
    """The robustness composites of ``pages`` ({name: ...}), page by page."""
    return expand(ROBUSTNESS["composite"], page=pages, transformation=transformations)


def composite_items(pages, transformations):
    """Per composite (in composite_paths order): its name, page, transformation and truth."""
    return [
        {
            "image": f"{page}/{name}",
            "page": page,
            "transformation": name,
            "truth": info["text"],
        }
        for page, info in pages.items()
        for name in transformations
    ]


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
# `snakemake --cores 4 q4`. Under a cluster executor (workflow/profiles/slurm-gpu) local rules
# run on the submitting node: these aggregates, and every step a stage file marks
# `localrule: True` (fetching the inputs, figures, tables, checks of a few seconds; `use rule`
# does not inherit it, so each copy says it again); the trainings, the OCR of each page,
# Tesseract and the PCA are cluster jobs.
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


def orientation_judge(model):
    """The reader whose confidence decides which way up reader ``model`` reads a page (config
    ocr.orientation_judge); None when ``model`` reads pages as they stand or judges itself.
    """
    judge = config["ocr"]["orientation_judge"]
    return judge if model in config["ocr"]["orientation"] and judge != model else None


def judge_file(model):
    """The saved classifier of orientation_judge(model) as a rule input ([] when none;
    OCR_CLASSIFIERS: ocr.smk)."""
    judge = orientation_judge(model)
    return OCR_CLASSIFIERS[judge] if judge else []
