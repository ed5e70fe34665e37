# Stage file: mlp (Q2, Q3). The numpy MLP of nnrec.nn: gradient check and initialisation
# study (Q2), then training at each learning rate of config mlp.learning_rates (Q3).

import re

MLP = config["mlp"]
LR_NAMES = list(MLP["learning_rates"])
LR_PATTERN = "|".join(re.escape(name) for name in LR_NAMES)


rule gradcheck:
    input:
        train=CHARACTERS["train"],
    output:
        csv="results/q2/gradcheck.csv",
    log:
        "logs/q2/gradcheck.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        eps=MLP["gradcheck"]["eps"],
        hidden=MLP["gradcheck"]["hidden"],
        n_samples=MLP["gradcheck"]["n_samples"],
        tolerance=MLP["gradcheck"]["tolerance"],
        seed=config["seed"],
    script:
        "../../scripts/gradcheck.py"


rule init_study:
    input:
        train=CHARACTERS["train"],
        valid=CHARACTERS["valid"],
        provenance=PROVENANCE["characters"],
    output:
        csv="results/q2/init_study.csv",
        figure=report(
            "results/q2/init_study.png",
            caption="../report/q2_init_study.rst",
            category="Q2",
            subcategory="figures",
            labels={"figure": "zero vs Xavier initialisation"},
        ),
    log:
        "logs/q2/init_study.log",
    benchmark:
        "benchmarks/q2/init_study.tsv"
    conda:
        CORE_ENV
    params:
        hidden=MLP["hidden"],
        learning_rate=MLP["learning_rates"]["best"],
        epochs=MLP["init_study_epochs"],
        batch_size=MLP["batch_size"],
        seed=config["seed"],
    script:
        "../../scripts/init_study.py"


rule q2:
    input:
        rules.gradcheck.output,
        rules.init_study.output,


rule train_mlp:
    input:
        **CHARACTERS,
        provenance=PROVENANCE["characters"],
    output:
        history="results/q3/lr_{lr}/history.csv",
        model="results/q3/lr_{lr}/model.npz",
        initial="results/q3/lr_{lr}/model_init.npz",
        metrics="results/q3/lr_{lr}/metrics.json",
    log:
        "logs/q3/train_mlp_{lr}.log",
    benchmark:
        "benchmarks/q3/train_mlp_{lr}.tsv"
    wildcard_constraints:
        lr=LR_PATTERN,
    conda:
        CORE_ENV
    params:
        learning_rate=lambda wc: MLP["learning_rates"][wc.lr],
        hidden=MLP["hidden"],
        epochs=MLP["epochs"],
        batch_size=MLP["batch_size"],
        seed=config["seed"],
    script:
        "../../scripts/train_mlp.py"


rule mlp_curves:
    input:
        histories=["results/q3/lr_{lr}/history.csv"],
        metrics=["results/q3/lr_{lr}/metrics.json"],
        provenance=PROVENANCE["characters"],
    output:
        figure=report(
            "results/q3/lr_{lr}/curves.png",
            caption="../report/q3_curves.rst",
            category="Q3",
            subcategory="training curves",
            labels={"figure": "curves", "run": "{lr}"},
        ),
    log:
        "logs/q3/mlp_curves_{lr}.log",
    wildcard_constraints:
        lr=LR_PATTERN,
    localrule: True
    conda:
        CORE_ENV
    params:
        title=lambda wc: f"MLP 1024-{MLP['hidden']}-36, learning rate {MLP['learning_rates'][wc.lr]:g} ({wc.lr})",
    script:
        "../../scripts/plot_mlp_curves.py"


rule mlp_curves_all:
    input:
        histories=expand("results/q3/lr_{lr}/history.csv", lr=LR_NAMES),
        metrics=expand("results/q3/lr_{lr}/metrics.json", lr=LR_NAMES),
        provenance=PROVENANCE["characters"],
    output:
        figure=report(
            "results/q3/curves_all.png",
            caption="../report/q3_curves_all.rst",
            category="Q3",
            subcategory="training curves",
            labels={"figure": "curves", "run": "all"},
        ),
    log:
        "logs/q3/mlp_curves_all.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        title="MLP at three learning rates (train solid, valid dashed)",
    script:
        "../../scripts/plot_mlp_curves.py"


rule mlp_summary:
    input:
        metrics=expand("results/q3/lr_{lr}/metrics.json", lr=LR_NAMES),
    output:
        csv="results/q3/summary.csv",
    log:
        "logs/q3/mlp_summary.log",
    localrule: True
    conda:
        CORE_ENV
    script:
        "../../scripts/mlp_summary.py"


rule mlp_weights:
    input:
        initial="results/q3/lr_best/model_init.npz",
        model=MODELS["mlp_q3"],
        provenance=PROVENANCE["characters"],
    output:
        figure=report(
            "results/q3/weights.png",
            caption="../report/q3_weights.rst",
            category="Q3",
            subcategory="figures",
            labels={"figure": "first-layer weights"},
        ),
    log:
        "logs/q3/mlp_weights.log",
    localrule: True
    conda:
        CORE_ENV
    script:
        "../../scripts/plot_mlp_weights.py"


rule mlp_confusion:
    input:
        model=MODELS["mlp_q3"],
        test=CHARACTERS["test"],
        provenance=PROVENANCE["characters"],
    output:
        csv="results/q3/confusion.csv",
        pairs="results/q3/confused_pairs.csv",
        figure=report(
            "results/q3/confusion.png",
            caption="../report/q3_confusion.rst",
            category="Q3",
            subcategory="figures",
            labels={"figure": "confusion matrix (test)"},
        ),
    log:
        "logs/q3/mlp_confusion.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        top=10,
    script:
        "../../scripts/mlp_confusion.py"


rule q3:
    input:
        expand(rules.train_mlp.output, lr=LR_NAMES),
        expand("results/q3/lr_{lr}/curves.png", lr=LR_NAMES),
        rules.mlp_curves_all.output,
        rules.mlp_summary.output,
        rules.mlp_weights.output,
        rules.mlp_confusion.output,
