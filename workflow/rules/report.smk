# Stage file: the report's tables. `snakemake --report results/report.html` renders every
# output wrapped in report(...) across the stage files; these rules add the summary of headline
# numbers and the run's provenance.

SUMMARY_INPUTS = {
    "q1_checks": "results/q1/checks.csv",
    "q2_gradcheck": "results/q2/gradcheck.csv",
    "q3_summary": "results/q3/summary.csv",
    "q4_ocr": "results/q4/ocr_accuracy.csv",
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
        characters="resources/provenance/characters.csv",
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


# Benchmarks (not part of `all`): `snakemake --cores 1 bench` runs each bench/bench_<name>.py
# alone on the machine and collects their figures in results/bench.csv. Run with --cores 1 so
# no two timings share the CPU.
BENCHMARK_INPUTS = {
    "mlp": [],
    "autoencoder": [],
    "ocr": ["resources/images/04_deep.jpg", config["ocr"]["model"]],
    "torch": [],
}


rule benchmark:
    input:
        script="bench/bench_{name}.py",
        data=lambda wildcards: BENCHMARK_INPUTS[wildcards.name],
    output:
        table="results/bench/{name}.csv",
        text="results/bench/{name}.txt",
    log:
        "logs/bench/{name}.log",
    wildcard_constraints:
        name="|".join(BENCHMARK_INPUTS),
    conda:
        TORCH_ENV
    params:
        args=lambda wildcards, input: (
            ["--page", input.data[0], "--model", input.data[1]]
            if wildcards.name == "ocr"
            else []
        ),
    script:
        "../../scripts/run_benchmark.py"


rule bench_table:
    input:
        expand("results/bench/{name}.csv", name=BENCHMARK_INPUTS),
    output:
        "results/bench.csv",
    log:
        "logs/bench/bench_table.log",
    conda:
        CORE_ENV
    script:
        "../../scripts/bench_table.py"


rule bench:
    input:
        "results/bench.csv",
