"""The GPU and cluster profiles parse and plan the whole workflow (dry runs, no GPU or SLURM needed)."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
GPU_RULES = ("train_characters", "flowers_train", "train_extra")


def _dry_run(profile, *extra):
    return subprocess.run(
        [*SNAKEMAKE, "-n", "--profile", f"workflow/profiles/{profile}", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.workflow
@pytest.mark.parametrize("profile", ["local-gpu", "slurm-gpu"])
def test_profile_dry_run_plans_the_torch_jobs_on_a_gpu(profile):
    result = _dry_run(profile)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout + result.stderr
    assert "rule flowers_train:" in out or "flowers_train" in out, "the dry run planned no Flowers 17 training"
    blocks = [b for b in out.split("rule ") if b.startswith("train_characters:") or b.startswith("flowers_train:")]
    if blocks:  # jobs still to run: each asks for one GPU
        assert all("gpu=1" in b.split("\n\n")[0] for b in blocks), "a PyTorch training job does not request gpu=1"


def test_local_gpu_profile_runs_gpu_jobs_one_at_a_time():
    profile = yaml.safe_load((ROOT / "workflow/profiles/local-gpu/config.yaml").read_text())
    assert "gpu=1" in profile["resources"]


def test_slurm_profile_sends_every_torch_rule_to_the_gpu_partition():
    profile = yaml.safe_load((ROOT / "workflow/profiles/slurm-gpu/config.yaml").read_text())
    assert profile["executor"] == "slurm"
    cpu_partition = profile["default-resources"]["slurm_partition"]
    for rule in GPU_RULES:
        resources = profile["set-resources"][rule]
        assert resources["gpu"] == 1
        assert resources["slurm_partition"] != cpu_partition
    smk = (ROOT / "workflow/rules/torch.smk").read_text()
    for rule in GPU_RULES:
        assert f"rule {rule}:" in smk, f"profile names rule {rule}, which torch.smk does not define"
