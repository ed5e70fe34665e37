# Stage file: torch (Q7). PyTorch networks: the Q3 network (fc) and a small CNN (cnn) on the
# characters, the CNN that the OCR stage (Q4, model = cnn) reads pages with, and Flowers 17
# fine-tuned from a pretrained backbone vs trained from scratch. Optional extras (CIFAR-10,
# EMNIST balanced) are download-only and off by default.
#
# Training rules declare resources: gpu (1 unless torch.device is cpu), mem_mb, runtime
# (minutes). Plain `snakemake --cores 4` ignores them; the profiles in workflow/profiles/
# (local-gpu, slurm-gpu) use them to run GPU jobs one at a time or on a GPU partition.

TORCH = config["torch"]
TORCH_GPU = 0 if TORCH["device"] == "cpu" else 1
TORCH_EXTRAS = [name for name, on in TORCH["extras"]["enabled"].items() if on]


rule train_characters:
    input:
        **CHARACTERS,
        provenance=PROVENANCE["characters"],
    output:
        history="results/q7/{run}/history.csv",
        metrics="results/q7/{run}/metrics.json",
        predictions="results/q7/{run}/test_predictions.csv",
        model="results/q7/{run}/model.pt",
    log:
        "logs/q7/train_{run}.log",
    benchmark:
        "benchmarks/q7/train_{run}.tsv"
    wildcard_constraints:
        run="fc|cnn",
    conda:
        TORCH_ENV
    threads: TORCH["threads"]
    resources:
        gpu=TORCH_GPU,
        mem_mb=TORCH["resources"]["mem_mb"],
        runtime=TORCH["resources"]["runtime"],
    params:
        kind=lambda wc: wc.run,
        options=lambda wc: TORCH["characters"][wc.run],
        stroke=config["ocr"]["stroke"],
        device=TORCH["device"],
        seed=config["seed"],
    script:
        "../../scripts/train_characters_torch.py"


rule plot_characters_torch:
    input:
        history="results/q7/{run}/history.csv",
        metrics="results/q7/{run}/metrics.json",
        predictions="results/q7/{run}/test_predictions.csv",
    output:
        curves=report(
            "results/q7/{run}/curves.png",
            caption="../report/q7_character_curves.rst",
            category="Q7",
            subcategory="characters",
            labels={"model": "{run}", "figure": "training curves"},
        ),
        confusion=report(
            "results/q7/{run}/confusion.png",
            caption="../report/q7_character_confusion.rst",
            category="Q7",
            subcategory="characters",
            labels={"model": "{run}", "figure": "test confusion matrix"},
        ),
    log:
        "logs/q7/plot_{run}.log",
    wildcard_constraints:
        run="fc|cnn",
    localrule: True
    conda:
        TORCH_ENV
    script:
        "../../scripts/plot_characters_torch.py"


rule flowers_train:
    input:
        flowers=FLOWERS17,
        provenance=PROVENANCE["flowers17"],
        backbone=PROVENANCE["backbone"],
    output:
        history="results/q7/flowers/{mode}/history.csv",
        metrics="results/q7/flowers/{mode}/metrics.json",
        predictions="results/q7/flowers/{mode}/test_predictions.csv",
        model="results/q7/flowers/{mode}/model.pt",
    log:
        "logs/q7/flowers_{mode}.log",
    benchmark:
        "benchmarks/q7/flowers_{mode}.tsv"
    wildcard_constraints:
        mode="finetune|scratch",
    conda:
        TORCH_ENV
    threads: TORCH["threads"]
    resources:
        gpu=TORCH_GPU,
        mem_mb=TORCH["resources"]["mem_mb"],
        runtime=TORCH["resources"]["runtime"],
    params:
        mode=lambda wc: wc.mode,
        options=lambda wc: TORCH["flowers"][wc.mode],
        weights_folder=BACKBONE_WEIGHTS,
        device=TORCH["device"],
        seed=config["seed"],
    script:
        "../../scripts/train_flowers.py"


rule flowers_summary:
    input:
        finetune="results/q7/flowers/finetune/metrics.json",
        scratch="results/q7/flowers/scratch/metrics.json",
        histories=expand(
            "results/q7/flowers/{mode}/history.csv", mode=["finetune", "scratch"]
        ),
        predictions=expand(
            "results/q7/flowers/{mode}/test_predictions.csv",
            mode=["finetune", "scratch"],
        ),
    output:
        summary="results/q7/flowers/summary.csv",
        curves=report(
            "results/q7/flowers/curves.png",
            caption="../report/q7_flowers_curves.rst",
            category="Q7",
            subcategory="flowers 17",
            labels={"figure": "training curves"},
        ),
        confusion=report(
            "results/q7/flowers/confusion.png",
            caption="../report/q7_flowers_confusion.rst",
            category="Q7",
            subcategory="flowers 17",
            labels={"figure": "test confusion matrices"},
        ),
    log:
        "logs/q7/flowers_summary.log",
    localrule: True
    conda:
        TORCH_ENV
    script:
        "../../scripts/flowers_summary.py"


rule train_extra:
    output:
        result="results/q7/extras/{extra}/result.csv",
        history="results/q7/extras/{extra}/history.csv",
    log:
        "logs/q7/extra_{extra}.log",
    benchmark:
        "benchmarks/q7/extra_{extra}.tsv"
    wildcard_constraints:
        extra="cifar10|emnist",
    conda:
        TORCH_ENV
    threads: TORCH["threads"]
    resources:
        gpu=TORCH_GPU,
        mem_mb=TORCH["resources"]["mem_mb"],
        runtime=TORCH["resources"]["runtime"],
    params:
        name=lambda wc: wc.extra,
        root="resources/torchvision",
        epochs=TORCH["extras"]["epochs"],
        batch_size=TORCH["extras"]["batch_size"],
        learning_rate=TORCH["extras"]["learning_rate"],
        timeout_s=config["data"]["download_timeout_s"],
        device=TORCH["device"],
        seed=config["seed"],
    script:
        "../../scripts/train_extra.py"


rule q7:
    input:
        expand(
            "results/q7/{run}/{name}",
            run=["fc", "cnn"],
            name=[
                "history.csv",
                "metrics.json",
                "model.pt",
                "curves.png",
                "confusion.png",
            ],
        ),
        rules.flowers_summary.output,
        expand("results/q7/extras/{extra}/result.csv", extra=TORCH_EXTRAS),
