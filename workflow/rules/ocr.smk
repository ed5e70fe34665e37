# Stage file: ocr (Q4). Photographed pages of handwritten capitals -> text, with each trained
# character classifier (mlp: the numpy MLP, cnn: the PyTorch CNN of Q7) and with Tesseract as a
# baseline, scored against the true texts of config ocr.pages. Pages of config
# ocr.extra_pages are read by the same rule but not scored. The pages_dev photographs are
# scored the same way (results/q4/ocr_dev.csv) when a mirror folder holds them. Each reader
# also classifies printed capitals of faces none of them trains on (results/q4/print_faces.csv).

import re

OCR = config["ocr"]
OCR_PAGES = list(OCR["pages"])
OCR_EXTRA = list(OCR["extra_pages"])
OCR_MODELS = list(OCR["models"])
OCR_CLASSIFIERS = {
    "mlp": MODELS["reader"],
    "mlp_q3": MODELS["mlp_q3"],
    "cnn": MODELS["cnn"],
}
OCR_NETWORKS = [m for m in OCR_MODELS if m in OCR_CLASSIFIERS]
# wildcard constraints: exactly the configured names ("^$" matches nothing when a list is empty)
OCR_PAGE_RE = "|".join(re.escape(p) for p in OCR_PAGES) or "^$"
OCR_EXTRA_RE = "|".join(re.escape(p) for p in OCR_EXTRA) or "^$"
OCR_NETWORK_RE = "|".join(OCR_NETWORKS) or "^$"


OCR_DEV = dev_pages("ocr.dev_pages", OCR["dev_pages"])


rule train_ocr_mlp:
    input:
        train=CHARACTERS["train"],
        valid=CHARACTERS["valid"],
        provenance=PROVENANCE["characters"],
    output:
        model=MODELS["reader"],
        history="results/q4/reader/history.csv",
    log:
        "logs/q4/train_ocr_mlp.log",
    benchmark:
        "benchmarks/q4/train_ocr_mlp.tsv"
    conda:
        CORE_ENV
    threads: 2
    params:
        hidden=OCR["reader"]["hidden"],
        learning_rate=OCR["reader"]["learning_rate"],
        epochs=OCR["reader"]["epochs"],
        batch_size=OCR["reader"]["batch_size"],
        copies=OCR["reader"]["copies"],
        font_per_class=OCR["reader"]["font_per_class"],
        cell_copies=OCR["reader"]["cell_copies"],
        input_blur=OCR["reader"]["input_blur"],
        deskew=OCR["reader"]["deskew"],
        features=OCR["reader"]["features"],
        stored_characters=OCR["reader"]["stored_characters"],
        weight_decay=OCR["reader"]["weight_decay"],
        stroke=OCR["stroke"],
        seed=config["seed"],
    script:
        "../../scripts/train_ocr_mlp.py"


rule evaluate_reader:
    input:
        model=MODELS["reader"],
        test=CHARACTERS["test"],
    output:
        metrics="results/q4/reader/test_metrics.json",
        per_class="results/q4/reader/test_per_class.csv",
    log:
        "logs/q4/evaluate_reader.log",
    localrule: True
    conda:
        CORE_ENV
    script:
        "../../scripts/evaluate_reader.py"


rule ocr_page:
    input:
        page=PAGE_IMAGE,
        model=lambda wc: OCR_CLASSIFIERS[wc.model],
        judge=lambda wc: judge_file(wc.model),
        provenance=PROVENANCE["characters"],
    output:
        text="results/q4/{model}/{page}/text.txt",
        figure=report(
            "results/q4/{model}/{page}/boxes.jpg",
            caption="../report/q4_boxes.rst",
            category="Q4",
            subcategory="{model}",
            labels={"page": "{page}", "model": "{model}", "figure": "boxes"},
        ),
        comparison=report(
            "results/q4/{model}/{page}/comparison.png",
            caption="../report/q4_comparison.rst",
            category="Q4",
            subcategory="{model}",
            labels={
                "page": "{page}",
                "model": "{model}",
                "figure": "truth vs prediction",
            },
        ),
        score="results/q4/{model}/{page}/score.json",
    log:
        "logs/q4/ocr_{model}_{page}.log",
    wildcard_constraints:
        model=OCR_NETWORK_RE,
        page=OCR_PAGE_RE,
    conda:
        CORE_ENV
    params:
        page=lambda wc: wc.page,
        model=lambda wc: wc.model,
        truth=lambda wc: OCR["pages"][wc.page],
        stroke=OCR["stroke"],
        word_context=OCR["word_context"],
        orientation=lambda wc: wc.model in OCR["orientation"],
        judge=lambda wc: orientation_judge(wc.model),
    script:
        "../../scripts/ocr_page.py"


rule ocr_extra_page:
    input:
        page=lambda wc: OCR["extra_pages"][wc.page],
        model=lambda wc: OCR_CLASSIFIERS[wc.model],
        judge=lambda wc: judge_file(wc.model),
        provenance=PROVENANCE["characters"],
    output:
        text="results/q4/{model}/extra/{page}/text.txt",
        figure=report(
            "results/q4/{model}/extra/{page}/boxes.jpg",
            caption="../report/q4_extra.rst",
            category="Q4",
            subcategory="your pages",
            labels={"page": "{page}", "model": "{model}", "figure": "boxes"},
        ),
    log:
        "logs/q4/ocr_{model}_extra_{page}.log",
    wildcard_constraints:
        model=OCR_NETWORK_RE,
        page=OCR_EXTRA_RE,
    conda:
        CORE_ENV
    params:
        page=lambda wc: wc.page,
        model=lambda wc: wc.model,
        truth="",
        stroke=OCR["stroke"],
        word_context=OCR["word_context"],
        orientation=lambda wc: wc.model in OCR["orientation"],
        judge=lambda wc: orientation_judge(wc.model),
    script:
        "../../scripts/ocr_page.py"


rule ocr_tesseract:
    input:
        page=PAGE_IMAGE,
    output:
        text="results/q4/tesseract/{page}/text.txt",
        figure=tesseract_report(
            "results/q4/tesseract/{page}/boxes.jpg",
            caption="../report/q4_tesseract.rst",
            category="Q4",
            subcategory="tesseract",
            labels={"page": "{page}", "model": "tesseract", "figure": "word boxes"},
        ),
        comparison=tesseract_report(
            "results/q4/tesseract/{page}/comparison.png",
            caption="../report/q4_comparison.rst",
            category="Q4",
            subcategory="tesseract",
            labels={
                "page": "{page}",
                "model": "tesseract",
                "figure": "truth vs prediction",
            },
        ),
        score="results/q4/tesseract/{page}/score.json",
    log:
        "logs/q4/ocr_tesseract_{page}.log",
    wildcard_constraints:
        page=OCR_PAGE_RE,
    conda:
        CORE_ENV
    params:
        page=lambda wc: wc.page,
        truth=lambda wc: OCR["pages"][wc.page],
        installed=TESSERACT_INSTALLED,
    script:
        "../../scripts/ocr_tesseract.py"


rule ocr_accuracy:
    input:
        scores=expand(
            "results/q4/{model}/{page}/score.json", model=OCR_MODELS, page=OCR_PAGES
        ),
    output:
        csv="results/q4/ocr_accuracy.csv",
        figure=report(
            "results/q4/ocr_accuracy.png",
            caption="../report/q4_accuracy.rst",
            category="Q4",
            subcategory="accuracy",
            labels={"figure": "character accuracy per page"},
        ),
    log:
        "logs/q4/ocr_accuracy.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        note="networks trained on the characters of resources/characters (see provenance.csv)",
    script:
        "../../scripts/ocr_accuracy.py"


rule ocr_dev_read:
    input:
        images=[page["path"] for page in OCR_DEV.values()],
        model=lambda wc: [] if wc.model == "tesseract" else OCR_CLASSIFIERS[wc.model],
        judge=lambda wc: judge_file(wc.model),
    output:
        scores="results/q4/dev/{model}/scores.json",
    log:
        "logs/q4/ocr_dev_{model}.log",
    benchmark:
        "benchmarks/q4/ocr_dev_{model}.tsv"
    wildcard_constraints:
        model="|".join(OCR_MODELS) or "^$",
    conda:
        CORE_ENV
    params:
        name="pages_dev",
        model=lambda wc: wc.model,
        images=scored_items(OCR_DEV),
        stroke=OCR["stroke"],
        word_context=OCR["word_context"],
        orientation=lambda wc: wc.model in OCR["orientation"],
        judge=lambda wc: orientation_judge(wc.model),
    script:
        "../../scripts/ocr_images.py"


rule ocr_dev_accuracy:
    input:
        scores=expand("results/q4/dev/{model}/scores.json", model=OCR_MODELS),
    output:
        csv="results/q4/ocr_dev.csv",
        figure=report(
            "results/q4/ocr_dev.png",
            caption="../report/q4_dev.rst",
            category="Q4",
            subcategory="accuracy",
            labels={"figure": "character accuracy per pages_dev image"},
        ),
    log:
        "logs/q4/ocr_dev_accuracy.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        note="real photographs and scans of the mirror's pages_dev, never trained on",
    script:
        "../../scripts/ocr_dev_accuracy.py"


rule print_face_accuracy:
    input:
        models=[OCR_CLASSIFIERS[m] for m in OCR_NETWORKS],
    output:
        csv="results/q4/print_faces.csv",
    log:
        "logs/q4/print_face_accuracy.log",
    benchmark:
        "benchmarks/q4/print_face_accuracy.tsv"
    conda:
        CORE_ENV
    params:
        models=OCR_NETWORKS,
        per_class=OCR["print_faces"]["per_class"],
        seed=OCR["print_faces"]["seed"],
        stroke=OCR["stroke"],
    script:
        "../../scripts/print_face_accuracy.py"


rule q4:
    input:
        rules.ocr_accuracy.output,
        # the readers on print faces none of them trains on, when ocr.models names a reader
        rules.print_face_accuracy.output if OCR_NETWORKS else [],
        # scored only when a mirror holds pages_dev
        rules.ocr_dev_accuracy.output if OCR_DEV else [],
        # the robustness set (robustness.smk), when it has pages
        lambda wc: (
            [ROBUSTNESS[k] for k in ("csv", "pages", "figure")] if ROBUST_SETS else []
        ),
        expand(
            "results/q4/{model}/{page}/{file}",
            model=OCR_MODELS,
            page=OCR_PAGES,
            file=["text.txt", "boxes.jpg", "comparison.png"],
        ),
        expand(
            "results/q4/{model}/extra/{page}/{file}",
            model=OCR_NETWORKS,
            page=OCR_EXTRA,
            file=["text.txt", "boxes.jpg"],
        ),
