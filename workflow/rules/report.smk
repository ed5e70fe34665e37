# Stage file: the report's tables. `snakemake --report results/report.html` renders every
# output wrapped in report(...) across the stage files; these rules add the summary of headline
# numbers and the run's provenance.

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
        characters=PROVENANCE["characters"],
        replicates="results/replicates.csv",
    output:
        report(
            "results/summary.csv",
            caption="../report/summary.rst",
            category="Summary",
            labels={"table": "headline numbers"},
        ),
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
        info=report(
            "results/run_info.csv",
            caption="../report/run_info.rst",
            category="Provenance",
            labels={"table": "run information"},
        ),
        config=report(
            "results/config_used.yaml",
            caption="../report/config_used.rst",
            category="Provenance",
            labels={"table": "configuration"},
        ),
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


rule summary:
    input:
        "results/summary.csv",
        "results/replicates.png",
        "results/provenance.csv",
        "results/run_info.csv",
        "results/config_used.yaml",
