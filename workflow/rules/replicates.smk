# Stage file: replicates. The headline trainings rerun with the seeds seed .. seed+n-1
# (config replicates.n), each seed's outputs under results/replicates/seed_<s>/ (the first seed
# is the main run itself), gathered into results/replicates.csv (mean, sd, min, max over the
# seeds) and a figure. Which stages: config replicates.stages (q3, q4 = the OCR reader MLP,
# q5, q7 = the PyTorch runs). `snakemake --cores 4 replicates` builds it; the summary reads it.

REPLICATE_SEEDS = [config["seed"] + i for i in range(config["replicates"]["n"])]
REPLICATE_STAGES = config["replicates"]["stages"]


wildcard_constraints:
    seed=r"\d+",


# quantity -> (stage, the main-run files its value is read from)
REPLICATE_QUANTITIES = {
    "q3_mlp": ("q3", ["results/q3/lr_best/metrics.json"]),
    "q4_mlp": ("q4", expand("results/q4/mlp/{page}/score.json", page=OCR_PAGES)),
    "q5_homework": ("q5", ["results/q5/psnr.csv"]),
    "q5_improved": ("q5", ["results/q5/improved/psnr.csv"]),
    "q7_fc": ("q7", ["results/q7/fc/metrics.json"]),
    "q7_cnn": ("q7", ["results/q7/cnn/metrics.json"]),
    "q7_cnn_ocr": ("q7", expand("results/q4/cnn/{page}/score.json", page=OCR_PAGES)),
    "q7_flowers_finetune": ("q7", ["results/q7/flowers/finetune/metrics.json"]),
    "q7_flowers_scratch": ("q7", ["results/q7/flowers/scratch/metrics.json"]),
}
# {quantity: {seed: [files]}} of the configured stages
REPLICATE_FILES = {
    quantity: {
        seed: [replicate_path(path, seed) for path in paths] for seed in REPLICATE_SEEDS
    }
    for quantity, (stage, paths) in REPLICATE_QUANTITIES.items()
    if stage in REPLICATE_STAGES
}


use rule train_mlp as replicate_train_mlp with:
    output:
        history=f"{REPLICATE_DIR}/q3/lr_{{lr}}/history.csv",
        model=f"{REPLICATE_DIR}/q3/lr_{{lr}}/model.npz",
        initial=f"{REPLICATE_DIR}/q3/lr_{{lr}}/model_init.npz",
        metrics=f"{REPLICATE_DIR}/q3/lr_{{lr}}/metrics.json",
    log:
        "logs/replicates/seed_{seed}/train_mlp_{lr}.log",
    benchmark:
        "benchmarks/replicates/seed_{seed}/train_mlp_{lr}.tsv"
    params:
        seed=replicate_seed,


use rule train_ocr_mlp as replicate_train_ocr_mlp with:
    output:
        model=f"{REPLICATE_DIR}/q4/reader/model.npz",
        history=f"{REPLICATE_DIR}/q4/reader/history.csv",
    log:
        "logs/replicates/seed_{seed}/train_ocr_mlp.log",
    benchmark:
        "benchmarks/replicates/seed_{seed}/train_ocr_mlp.tsv"
    params:
        seed=replicate_seed,


# `use rule ... with: input:` replaces a rule's whole input, so a replicate names all of it
use rule ocr_page as replicate_ocr_page with:
    input:
        page=PAGE_IMAGE,
        model=lambda wc: replicate_path(OCR_CLASSIFIERS[wc.model], int(wc.seed)),
        provenance=PROVENANCE["characters"],
    output:
        text=f"{REPLICATE_DIR}/q4/{{model}}/{{page}}/text.txt",
        figure=f"{REPLICATE_DIR}/q4/{{model}}/{{page}}/boxes.jpg",
        comparison=f"{REPLICATE_DIR}/q4/{{model}}/{{page}}/comparison.png",
        score=f"{REPLICATE_DIR}/q4/{{model}}/{{page}}/score.json",
    log:
        "logs/replicates/seed_{seed}/ocr_{model}_{page}.log",


use rule train_autoencoder_homework as replicate_train_autoencoder_homework with:
    output:
        model=f"{REPLICATE_DIR}/q5/model.npz",
        history=f"{REPLICATE_DIR}/q5/history.csv",
    log:
        "logs/replicates/seed_{seed}/train_autoencoder_homework.log",
    benchmark:
        "benchmarks/replicates/seed_{seed}/train_autoencoder_homework.tsv"
    params:
        seed=replicate_seed,


use rule train_autoencoder_improved as replicate_train_autoencoder_improved with:
    output:
        model=f"{REPLICATE_DIR}/q5/improved/model.npz",
        history=f"{REPLICATE_DIR}/q5/improved/history.csv",
    log:
        "logs/replicates/seed_{seed}/train_autoencoder_improved.log",
    benchmark:
        "benchmarks/replicates/seed_{seed}/train_autoencoder_improved.tsv"
    params:
        seed=replicate_seed,


use rule evaluate_autoencoder_homework as replicate_evaluate_autoencoder_homework with:
    input:
        model=f"{REPLICATE_DIR}/q5/model.npz",
        history=f"{REPLICATE_DIR}/q5/history.csv",
        valid=CHARACTERS["valid"],
        provenance=PROVENANCE["characters"],
    output:
        psnr=f"{REPLICATE_DIR}/q5/psnr.csv",
        loss=f"{REPLICATE_DIR}/q5/loss.png",
        examples=f"{REPLICATE_DIR}/q5/reconstructions.png",
    log:
        "logs/replicates/seed_{seed}/evaluate_autoencoder_homework.log",
    localrule: True


use rule evaluate_autoencoder_improved as replicate_evaluate_autoencoder_improved with:
    input:
        model=f"{REPLICATE_DIR}/q5/improved/model.npz",
        history=f"{REPLICATE_DIR}/q5/improved/history.csv",
        valid=CHARACTERS["valid"],
        provenance=PROVENANCE["characters"],
    output:
        psnr=f"{REPLICATE_DIR}/q5/improved/psnr.csv",
        loss=f"{REPLICATE_DIR}/q5/improved/loss.png",
        examples=f"{REPLICATE_DIR}/q5/improved/reconstructions.png",
    log:
        "logs/replicates/seed_{seed}/evaluate_autoencoder_improved.log",
    localrule: True


use rule train_characters as replicate_train_characters with:
    output:
        history=f"{REPLICATE_DIR}/q7/{{run}}/history.csv",
        metrics=f"{REPLICATE_DIR}/q7/{{run}}/metrics.json",
        predictions=f"{REPLICATE_DIR}/q7/{{run}}/test_predictions.csv",
        model=f"{REPLICATE_DIR}/q7/{{run}}/model.pt",
    log:
        "logs/replicates/seed_{seed}/train_{run}.log",
    benchmark:
        "benchmarks/replicates/seed_{seed}/train_{run}.tsv"
    params:
        seed=replicate_seed,


use rule flowers_train as replicate_flowers_train with:
    output:
        history=f"{REPLICATE_DIR}/q7/flowers/{{mode}}/history.csv",
        metrics=f"{REPLICATE_DIR}/q7/flowers/{{mode}}/metrics.json",
        predictions=f"{REPLICATE_DIR}/q7/flowers/{{mode}}/test_predictions.csv",
        model=f"{REPLICATE_DIR}/q7/flowers/{{mode}}/model.pt",
    log:
        "logs/replicates/seed_{seed}/flowers_{mode}.log",
    benchmark:
        "benchmarks/replicates/seed_{seed}/flowers_{mode}.tsv"
    params:
        seed=replicate_seed,


rule replicate_table:
    input:
        [
            path
            for by_seed in REPLICATE_FILES.values()
            for paths in by_seed.values()
            for path in paths
        ],
    output:
        table="results/replicates.csv",
        figure=report(
            "results/replicates.png",
            caption="../report/replicates_figure.rst",
            category="Summary",
            subcategory="figures",
            labels={"figure": "spread over seeds"},
        ),
    log:
        "logs/replicates/replicate_table.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        files=REPLICATE_FILES,
    script:
        "../../scripts/replicate_table.py"


rule replicates:
    input:
        rules.replicate_table.output,
