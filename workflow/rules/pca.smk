# Stage file: pca (Q6). PCA fitted on the training split reconstructs the validation split;
# its PSNR per class is set beside the two autoencoders' of Q5 (same 32-number code).


rule pca:
    input:
        train=CHARACTERS["train"],
        valid=CHARACTERS["valid"],
        provenance=PROVENANCE["characters"],
    output:
        summary="results/q6/pca.json",
        psnr="results/q6/psnr.csv",
        examples=report(
            "results/q6/reconstructions.png",
            caption="../report/q6_reconstructions.rst",
            category="Q6",
            subcategory="figures",
            labels={"figure": "PCA reconstructions"},
        ),
    log:
        "logs/q6/pca.log",
    benchmark:
        "benchmarks/q6/pca.tsv"
    conda:
        CORE_ENV
    params:
        components=config["pca"]["components"],
        show_classes=config["autoencoder"]["show_classes"],
    script:
        "../../scripts/pca_reconstruct.py"


rule compare_ae_pca:
    input:
        ae_homework="results/q5/psnr.csv",
        ae_improved="results/q5/improved/psnr.csv",
        pca="results/q6/psnr.csv",
        provenance=PROVENANCE["characters"],
    output:
        table="results/q6/ae_vs_pca.csv",
        figure=report(
            "results/q6/ae_vs_pca.png",
            caption="../report/q6_ae_vs_pca.rst",
            category="Q6",
            subcategory="figures",
            labels={"figure": "PSNR per class, autoencoders vs PCA"},
        ),
    log:
        "logs/q6/compare_ae_pca.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        labels={
            "ae_homework": "homework AE (momentum)",
            "ae_improved": "improved AE",
            "pca": "PCA",
        },
    script:
        "../../scripts/compare_ae_pca.py"


rule q6:
    input:
        rules.pca.output,
        rules.compare_ae_pca.output,
