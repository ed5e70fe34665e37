from snakemake.utils import min_version, validate

from nnrec.config import (
    check_workflow_config,
    check_workflow_config_file,
    check_workflow_resources,
)

min_version("9.0")


# a config mistake stops the run with one line naming the file or the key
check_workflow_config_file("config/config.yaml")


configfile: "config/config.yaml"


check_workflow_config(config, f"{workflow.basedir}/workflow/schemas/config.schema.yaml")
validate(config, "workflow/schemas/config.schema.yaml")
# a profile (workflow/profiles/slurm-gpu) whose <ACCOUNT> or partition was not filled in
check_workflow_resources(workflow.resource_settings)


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/theory.smk"
include: "workflow/rules/mlp.smk"
include: "workflow/rules/ocr.smk"
include: "workflow/rules/robustness.smk"
include: "workflow/rules/autoencoder.smk"
include: "workflow/rules/pca.smk"
include: "workflow/rules/torch.smk"
include: "workflow/rules/replicates.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/bench.smk"


rule all:
    input:
        rules.data.input,
        rules.q1.input,
        rules.q2.input,
        rules.q3.input,
        rules.q4.input,
        rules.q5.input,
        rules.q6.input,
        rules.q7.input,
        rules.summary.input,
