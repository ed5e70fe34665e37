# Stage file: the Q4 robustness set. Each page of config ocr.robustness.pages (and of
# ocr.robustness.dev_pages, when a mirror holds pages_dev) is made into composite photographs
# (nnrec.ocr.composite: on desks, beside clutter, turned, tilted, unevenly lit, shadowed),
# which each reader of ocr.robustness.models reads; the scores are summed per transformation.
# One job per page makes its composites; one job per (reader, page set) reads them.

ROBUST = OCR["robustness"]
ROBUST_TRANSFORMATIONS = list(ROBUST["transformations"])
ROBUST_SETS = {
    name: pages
    for name, pages in {
        "pages": {
            page: {"path": PAGE_IMAGE.format(page=page), "text": OCR["pages"][page]}
            for page in check_workflow_names(
                "ocr.robustness.pages", ROBUST["pages"], OCR["pages"]
            )
        },
        "pages_dev": dev_pages("ocr.robustness.dev_pages", ROBUST["dev_pages"]),
    }.items()
    if pages
}
ROBUST_PAGES = {
    page: info for pages in ROBUST_SETS.values() for page, info in pages.items()
}


rule robustness_composites:
    input:
        page=lambda wc: ROBUST_PAGES[wc.page]["path"],
    output:
        expand(
            ROBUSTNESS["composite"],
            page="{page}",
            transformation=ROBUST_TRANSFORMATIONS,
        ),
    log:
        "logs/q4/robustness_composites_{page}.log",
    benchmark:
        "benchmarks/q4/robustness_composites_{page}.tsv"
    wildcard_constraints:
        page="|".join(re.escape(p) for p in ROBUST_PAGES) or "^$",
    conda:
        CORE_ENV
    params:
        page=lambda wc: wc.page,
        transformations=ROBUST_TRANSFORMATIONS,
        seed=ROBUST["seed"],
        sha256=lambda wc: ROBUST_PAGES[wc.page].get("sha256"),
    script:
        "../../scripts/robustness_composites.py"


rule robustness_read:
    input:
        images=lambda wc: composite_paths(ROBUST_SETS[wc.set], ROBUST_TRANSFORMATIONS),
        model=lambda wc: [] if wc.model == "tesseract" else OCR_CLASSIFIERS[wc.model],
        judge=lambda wc: judge_file(wc.model),
    output:
        scores="results/q4/robustness/scores/{model}/{set}.json",
    log:
        "logs/q4/robustness_read_{model}_{set}.log",
    benchmark:
        "benchmarks/q4/robustness_read_{model}_{set}.tsv"
    wildcard_constraints:
        model="|".join(ROBUST["models"]) or "^$",
        set="|".join(ROBUST_SETS) or "^$",
    conda:
        CORE_ENV
    params:
        name=lambda wc: f"composites of {wc.set}",
        model=lambda wc: wc.model,
        images=lambda wc: composite_items(ROBUST_SETS[wc.set], ROBUST_TRANSFORMATIONS),
        stroke=OCR["stroke"],
        word_context=OCR["word_context"],
        orientation=lambda wc: wc.model in OCR["orientation"],
        judge=lambda wc: orientation_judge(wc.model),
    script:
        "../../scripts/ocr_images.py"


rule robustness:
    input:
        scores=expand(
            "results/q4/robustness/scores/{model}/{set}.json",
            model=ROBUST["models"],
            set=ROBUST_SETS,
        ),
    output:
        csv=ROBUSTNESS["csv"],
        pages=ROBUSTNESS["pages"],
        figure=report(
            ROBUSTNESS["figure"],
            caption="../report/q4_robustness.rst",
            category="Q4",
            subcategory="accuracy",
            labels={"figure": "character accuracy per transformation"},
        ),
    log:
        "logs/q4/robustness.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        transformations=ROBUST_TRANSFORMATIONS,
        note=lambda wc: (
            f"composites (seed {ROBUST['seed']}) of "
            + ", ".join(f"{name}: {len(p)}" for name, p in ROBUST_SETS.items())
        ),
    script:
        "../../scripts/robustness_table.py"
