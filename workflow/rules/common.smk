# Shared definitions for every stage file. Stage files name their outputs under
# results/<stage>/, downloads under resources/, logs under logs/<stage>/.

CORE_ENV = "../../envs/core.yaml"
TORCH_ENV = "../../envs/torch.yaml"
# Downloaded pretrained weights (the Flowers 17 backbone), kept between runs.
BACKBONE_WEIGHTS = "resources/weights"
# Each seed's replicate of the headline trainings (replicates.smk) lives here.
REPLICATE_DIR = "results/replicates/seed_{seed}"


def replicate_path(path, seed):
    """Where the replicate of main-run output ``path`` (results/...) lives for ``seed``;
    the main run itself is the replicate of the configured seed."""
    if seed == config["seed"]:
        return path
    return path.replace("results/", REPLICATE_DIR.format(seed=seed) + "/", 1)


def replicate_seed(wildcards):
    return int(wildcards.seed)


# The one aggregate per stage (data, q1 ... q7, summary) lets a user build a single stage:
# `snakemake --cores 4 q4`.
localrules:
    data,
    q1,
    q2,
    q3,
    q4,
    q5,
    q6,
    q7,
    summary,
    bench,
    replicates,
