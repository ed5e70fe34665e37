"""The GPU and cluster profiles: they plan the whole workflow (dry runs, no GPU or SLURM needed),
a placeholder left in the cluster profile stops the run naming it, and what the profiles say
about the workflow holds (which steps stay on the submitting node, who asks for a GPU).
tests/test_slurm.py runs the cluster profile through a real scheduler."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from workflow_runs import workflow_rules

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
SLURM_PROFILE = ROOT / "workflow" / "profiles" / "slurm-gpu" / "config.yaml"
GPU_RULES = ("train_characters", "flowers_train", "train_extra", "replicate_train_characters",
             "replicate_flowers_train")
PLACEHOLDERS = {"<ACCOUNT>": "my_account", "<CPU_PARTITION>": "cpu_nodes", "<GPU_PARTITION>": "gpu_nodes"}
# the cluster steps that have no benchmark file: reading one page (network, Tesseract) and bench/
LIGHT_CLUSTER_RULES = {"ocr_page", "ocr_extra_page", "replicate_ocr_page", "ocr_tesseract", "benchmark"}


def _dry_run(profile, *extra):
    return subprocess.run(
        [*SNAKEMAKE, "-n", "--forceall", "--profile", str(profile), *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


def _filled_slurm_profile(folder):
    """The slurm-gpu profile with its placeholders filled in, as a user would edit it."""
    text = SLURM_PROFILE.read_text()
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    (folder / "config.yaml").write_text(text)
    return folder


def _job_blocks(out, rule):
    """The dry run's description of each job of ``rule`` (its first paragraph)."""
    return [b.split("\n\n")[0] for b in out.split("\nrule ")[1:] if b.startswith(f"{rule}:")]


@pytest.mark.workflow
@pytest.mark.parametrize("profile", ["local-gpu", "slurm-gpu"])
def test_profile_dry_run_plans_the_torch_jobs_on_a_gpu(profile, tmp_path):
    path = ROOT / "workflow" / "profiles" / profile
    if profile == "slurm-gpu":
        path = _filled_slurm_profile(tmp_path)
    result = _dry_run(path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    blocks = _job_blocks(result.stdout, "train_characters") + _job_blocks(result.stdout, "flowers_train")
    assert len(blocks) == 4, "the dry run did not plan fc, cnn, and the two Flowers 17 trainings"
    assert all(re.search(r"\bgpu=1\b", b) for b in blocks), "a PyTorch training job does not request gpu=1"
    if profile == "slurm-gpu":
        assert all("slurm_partition=gpu_nodes" in b for b in blocks)
        for block in _job_blocks(result.stdout, "train_mlp") + _job_blocks(result.stdout, "ocr_page"):
            assert "slurm_partition=cpu_nodes" in block and not re.search(r"\bgpu=[1-9]", block)


@pytest.mark.workflow
def test_a_placeholder_left_in_the_slurm_profile_stops_a_dry_run_naming_it():
    result = _dry_run(SLURM_PROFILE.parent)
    assert result.returncode != 0, "a dry run with <ACCOUNT> still in the profile passed"
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "nnrec:" in line or "Error" in line]
    assert len(lines) == 1, result.stdout + result.stderr
    assert lines[0].startswith("nnrec: profile: placeholders not filled in: <ACCOUNT> (default-resources slurm_account)")
    assert "<CPU_PARTITION>" in lines[0] and "<GPU_PARTITION>" in lines[0]


def test_local_gpu_profile_runs_gpu_jobs_one_at_a_time():
    profile = yaml.safe_load((ROOT / "workflow/profiles/local-gpu/config.yaml").read_text())
    assert "gpu=1" in profile["resources"]


@pytest.fixture(scope="module")
def rules():
    return workflow_rules()


@pytest.mark.workflow
def test_small_steps_stay_on_the_submitting_node(rules):
    # the measured trainings (a benchmark: file each) are cluster jobs
    benchmarked = {name for name, rule in rules.items() if rule["benchmark"]}
    assert benchmarked and not {name for name in benchmarked if rules[name]["local"]}
    # a step that only reads other steps' results (a figure, a table, an aggregate) is local
    derived = {name for name, rule in rules.items()
               if all(f.startswith(("results/", "resources/provenance/")) for f in rule["input"])
               and not rule["benchmark"] and rule["input"]}
    assert {"mlp_curves", "ocr_accuracy", "flowers_summary", "summary_table", "replicate_table"} <= derived
    assert not {name for name in derived if not rules[name]["local"]}
    # everything else on the cluster: the trainings and reading the pages
    cluster = {name for name, rule in rules.items() if not rule["local"]}
    assert cluster - benchmarked == LIGHT_CLUSTER_RULES


def test_slurm_profile_resources_name_real_rules_and_cover_the_replicates(rules):
    profile = yaml.safe_load(SLURM_PROFILE.read_text())
    cpu_partition = profile["default-resources"]["slurm_partition"]
    set_resources = profile["set-resources"]
    assert set(set_resources) <= set(rules), "the profile names a rule the workflow does not have"
    assert not {name for name in set_resources if rules[name]["local"]}, "resources for a local rule"
    for name, resources in set_resources.items():
        assert resources["mem_mb"] >= profile["default-resources"]["mem_mb"] and resources["runtime"] >= 10
        # a replicate of a rule needs what the rule needs
        if f"replicate_{name}" in rules:
            assert set_resources.get(f"replicate_{name}") == resources, f"replicate_{name} asks for less"
    for name in GPU_RULES:
        assert set_resources[name]["slurm_partition"] not in (cpu_partition, None)
        # the gpu count comes from the rule (1 unless torch.device is cpu), not from the profile
        assert "gpu" not in set_resources[name]
    assert {name for name, r in set_resources.items() if r.get("slurm_partition", cpu_partition) != cpu_partition
            } == set(GPU_RULES)
    smk = (ROOT / "workflow/rules/torch.smk").read_text()
    assert smk.count("gpu=TORCH_GPU") == 3, "each PyTorch rule of torch.smk asks for its GPU"
