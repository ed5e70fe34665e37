# Stage file: bench. Benchmarks, not part of `all`: `snakemake --cores 1 bench` runs each
# bench/bench_<name>.py alone on the machine and collects their figures in results/bench.csv.
# Run with --cores 1 so no two timings share the CPU.
BENCHMARK_INPUTS = {
    "mlp": [],
    "autoencoder": [],
    "ocr": [PAGE_IMAGE.format(page="04_deep"), MODELS["reader"]],
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
    localrule: True
    conda:
        CORE_ENV
    script:
        "../../scripts/bench_table.py"


rule bench:
    input:
        "results/bench.csv",
