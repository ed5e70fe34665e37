# Stage file: the report's tables. `snakemake --report results/report.html` renders every
# output wrapped in report(...) across the stage files; these rules add the summary of headline
# numbers, the run's provenance, and an HTML page of every table in REPORT_TABLES (the report
# shows .html results in the page; a .csv would only be a download link).

SUMMARY_INPUTS = {
    "q1_checks": "results/q1/checks.csv",
    "q2_gradcheck": "results/q2/gradcheck.csv",
    "q3_summary": "results/q3/summary.csv",
    "q4_ocr": "results/q4/ocr_accuracy.csv",
    "q4_reader": "results/q4/reader/test_metrics.json",
    "q5_psnr": "results/q5/psnr.csv",
    "q6_psnr": "results/q6/psnr.csv",
    "q6_comparison": "results/q6/ae_vs_pca.csv",
    "q7_fc": "results/q7/fc/metrics.json",
    "q7_cnn": "results/q7/cnn/metrics.json",
    "q7_flowers": "results/q7/flowers/summary.csv",
}

TRAINING_METRICS = {
    **{
        f"mlp lr_{name}": f"results/q3/lr_{name}/metrics.json"
        for name in config["mlp"]["learning_rates"]
    },
    "torch fc": "results/q7/fc/metrics.json",
    "torch cnn": "results/q7/cnn/metrics.json",
}


rule summary_table:
    input:
        **SUMMARY_INPUTS,
        # pages_dev is scored only when a mirror holds it; the composites, when they have pages
        **({"q4_dev": rules.ocr_dev_accuracy.output.csv} if OCR_DEV else {}),
        **({"q4_robustness": ROBUSTNESS["csv"]} if ROBUST_SETS else {}),
        # and the print faces, when ocr.models names a network
        **(
            {"q4_print_faces": rules.print_face_accuracy.output.csv}
            if OCR_NETWORKS
            else {}
        ),
        characters=PROVENANCE["characters"],
        replicates="results/replicates.csv",
    output:
        "results/summary.csv",
    log:
        "logs/report/summary_table.log",
    localrule: True
    conda:
        CORE_ENV
    script:
        "../../scripts/summary_table.py"


rule run_info:
    input:
        unpack(lambda wildcards: TRAINING_METRICS),
    output:
        info="results/run_info.csv",
        config="results/config_used.yaml",
    log:
        "logs/report/run_info.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        config=config,
        packages=[
            "nnrec",
            "snakemake",
            "numpy",
            "scipy",
            "scikit-image",
            "pandas",
            "matplotlib",
            "torch",
            "torchvision",
        ],
    script:
        "../../scripts/run_info.py"


# Tables shown in the report, each as an HTML page (rule report_table_<name>): name ->
# (table, category, label, caption). Adding a table to the report is one line here and its
# caption in workflow/report/.
REPORT_TABLES = {
    "summary": ("results/summary.csv", "Summary", "headline numbers", "summary.rst"),
    "replicates": (
        "results/replicates.csv",
        "Summary",
        "spread over seeds",
        "replicates.rst",
    ),
    "provenance": (
        "results/provenance.csv",
        "Provenance",
        "data sources",
        "provenance.rst",
    ),
    "run_info": (
        "results/run_info.csv",
        "Provenance",
        "run information",
        "run_info.rst",
    ),
    "config": (
        "results/config_used.yaml",
        "Provenance",
        "configuration",
        "config_used.rst",
    ),
    "q1_checks": ("results/q1/checks.csv", "Q1", "theory checks", "q1_checks.rst"),
    "q2_gradcheck": (
        "results/q2/gradcheck.csv",
        "Q2",
        "gradient check",
        "q2_gradcheck.rst",
    ),
    "q3_summary": (
        "results/q3/summary.csv",
        "Q3",
        "the three learning rates",
        "q3_summary.rst",
    ),
    "q4_accuracy": (
        "results/q4/ocr_accuracy.csv",
        "Q4",
        "character accuracy per page",
        "q4_accuracy_table.rst",
    ),
    "q6_ae_vs_pca": (
        "results/q6/ae_vs_pca.csv",
        "Q6",
        "PSNR per class, autoencoders vs PCA",
        "q6_ae_vs_pca_table.rst",
    ),
    "q7_flowers": (
        "results/q7/flowers/summary.csv",
        "Q7",
        "Flowers 17: fine-tuned vs from scratch",
        "q7_flowers_summary.rst",
    ),
}

if ROBUST_SETS:  # config ocr.robustness may name no pages
    REPORT_TABLES["q4_robustness"] = (
        ROBUSTNESS["csv"],
        "Q4",
        "accuracy per photograph transformation",
        "q4_robustness_table.rst",
    )
if OCR_NETWORKS:  # config ocr.models may name Tesseract alone
    REPORT_TABLES["q4_print_faces"] = (
        rules.print_face_accuracy.output.csv,
        "Q4",
        "character accuracy per held-out print face",
        "q4_print_faces_table.rst",
    )
if OCR_DEV:  # the pages_dev scores exist only when a mirror holds pages_dev
    REPORT_TABLES["q4_dev"] = (
        "results/q4/ocr_dev.csv",
        "Q4",
        "character accuracy per pages_dev photograph",
        "q4_dev_table.rst",
    )


for _name, (_table, _category, _label, _caption) in REPORT_TABLES.items():

    rule:
        name:
            f"report_table_{_name}"
        input:
            _table,
        output:
            report(
                f"results/tables/{_name}.html",
                caption=f"../report/{_caption}",
                category=_category,
                subcategory="tables",
                labels={"table": _label},
            ),
        log:
            f"logs/report/table_{_name}.log",
        localrule: True
        conda:
            CORE_ENV
        params:
            title=_label,
            note=f"from {_table}",
        script:
            "../../scripts/report_table.py"


rule summary:
    input:
        "results/replicates.png",
        [f"results/tables/{name}.html" for name in REPORT_TABLES],
