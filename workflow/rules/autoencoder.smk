# Stage file: autoencoder (Q5). The homework's numpy autoencoder (1024-32-32-32-1024, momentum
# SGD) and an improved configuration with the same 32-number code, both trained on the
# training split and scored by PSNR on the validation split. Q6 (pca.smk) compares them to PCA.

AE_HW = config["autoencoder"]["homework"]
AE_IMPROVED = config["autoencoder"]["improved"]
AE_SHOW = config["autoencoder"]["show_classes"]


rule train_autoencoder_homework:
    input:
        train=CHARACTERS["train"],
        valid=CHARACTERS["valid"],
    output:
        model="results/q5/model.npz",
        history="results/q5/history.csv",
    log:
        "logs/q5/train_autoencoder_homework.log",
    benchmark:
        "benchmarks/q5/train_autoencoder_homework.tsv"
    conda:
        CORE_ENV
    params:
        hidden=AE_HW["hidden"],
        epochs=AE_HW["epochs"],
        batch_size=AE_HW["batch_size"],
        learning_rate=AE_HW["learning_rate"],
        optimizer="momentum",
        momentum=AE_HW["momentum"],
        schedule="step",
        lr_decay=AE_HW["lr_decay"],
        decay_every=AE_HW["decay_every"],
        dtype=AE_HW["dtype"],
        seed=config["seed"],
    script:
        "../../scripts/train_autoencoder.py"


use rule train_autoencoder_homework as train_autoencoder_improved with:
    output:
        model="results/q5/improved/model.npz",
        history="results/q5/improved/history.csv",
    log:
        "logs/q5/train_autoencoder_improved.log",
    benchmark:
        "benchmarks/q5/train_autoencoder_improved.tsv"
    params:
        hidden=AE_IMPROVED["hidden"],
        activations=AE_IMPROVED["activations"],
        epochs=AE_IMPROVED["epochs"],
        batch_size=AE_IMPROVED["batch_size"],
        learning_rate=AE_IMPROVED["learning_rate"],
        optimizer=AE_IMPROVED["optimizer"],
        schedule=AE_IMPROVED["schedule"],
        lr_decay=AE_IMPROVED["lr_decay"],
        decay_every=AE_IMPROVED["decay_every"],
        dtype=AE_IMPROVED["dtype"],
        seed=config["seed"],


rule evaluate_autoencoder_homework:
    input:
        model="results/q5/model.npz",
        history="results/q5/history.csv",
        valid=CHARACTERS["valid"],
        provenance=PROVENANCE["characters"],
    output:
        psnr="results/q5/psnr.csv",
        loss=report(
            "results/q5/loss.png",
            caption="../report/q5_loss.rst",
            category="Q5",
            subcategory="figures",
            labels={"autoencoder": "homework", "figure": "loss curve"},
        ),
        examples=report(
            "results/q5/reconstructions.png",
            caption="../report/q5_reconstructions.rst",
            category="Q5",
            subcategory="figures",
            labels={"autoencoder": "homework", "figure": "reconstructions"},
        ),
    log:
        "logs/q5/evaluate_autoencoder_homework.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        name="homework autoencoder (momentum SGD)",
        show_classes=AE_SHOW,
    script:
        "../../scripts/evaluate_autoencoder.py"


use rule evaluate_autoencoder_homework as evaluate_autoencoder_improved with:
    input:
        model="results/q5/improved/model.npz",
        history="results/q5/improved/history.csv",
        valid=CHARACTERS["valid"],
        provenance=PROVENANCE["characters"],
    output:
        psnr="results/q5/improved/psnr.csv",
        loss=report(
            "results/q5/improved/loss.png",
            caption="../report/q5_improved_loss.rst",
            category="Q5",
            subcategory="figures",
            labels={"autoencoder": "improved", "figure": "loss curve"},
        ),
        examples=report(
            "results/q5/improved/reconstructions.png",
            caption="../report/q5_improved_reconstructions.rst",
            category="Q5",
            subcategory="figures",
            labels={"autoencoder": "improved", "figure": "reconstructions"},
        ),
    log:
        "logs/q5/evaluate_autoencoder_improved.log",
    localrule: True
    params:
        name="improved autoencoder",
        show_classes=AE_SHOW,


rule q5:
    input:
        rules.evaluate_autoencoder_homework.output,
        rules.evaluate_autoencoder_improved.output,
        "results/q5/history.csv",
        "results/q5/improved/history.csv",
