"""The .test configuration through a real SLURM scheduler with the project's cluster profile.

A one-node cluster (tests/slurm_cluster.py: SLURM 22.05 of Debian, started as root) with two
partitions, ``cpu`` and ``gpu``, runs the workflow with ``--executor slurm`` and a copy of
workflow/profiles/slurm-gpu whose placeholders the test fills in. The node has no GPU, so the
run sets ``torch.device: cpu``: the PyTorch rules then ask for no GPU (their ``gpu`` resource
is 0 on the CPU) but still go to the partition the profile names for them. Skipped, saying
why, where the Debian packages are missing or the test does not run as root.
"""

import collections
import re
import subprocess
import time

import pytest
import yaml
from slurm_cluster import Cluster, unavailable
from workflow_runs import MIRROR, ROOT, SNAKEMAKE, copy_test_config, differences, needs_mirror

pytestmark = [pytest.mark.slurm, pytest.mark.workflow, needs_mirror,
              pytest.mark.skipif(unavailable() is not None, reason=f"SLURM: {unavailable()}")]

PROFILE = ROOT / "workflow" / "profiles" / "slurm-gpu" / "config.yaml"
PARTITIONS = {"<CPU_PARTITION>": "cpu", "<GPU_PARTITION>": "gpu"}
# the PyTorch rules (workflow/rules/torch.smk) and their replicates (replicates.smk)
TORCH_RULES = {"train_characters", "flowers_train", "train_extra",
               "replicate_train_characters", "replicate_flowers_train"}


def fill_profile(folder, node_memory_mb):
    """A copy of the slurm-gpu profile in ``folder`` as this one-node CI cluster needs it.

    What changes, and why: the partition placeholders become ``cpu`` and ``gpu``; the account
    line goes (the cluster has no accounting database, so no accounts; the run passes
    --slurm-no-account); a ``mem_mb`` above the node's memory is capped at it (the .test
    configuration needs far less than a full run); ``set-threads`` goes, so each step uses the
    threads of the local .test run it is compared with (PyTorch on the CPU gives the same
    numbers only for the same thread count). Everything else is the profile as committed.
    """
    profile = yaml.safe_load(PROFILE.read_text())
    del profile["default-resources"]["slurm_account"]
    profile.pop("set-threads", None)
    for resources in [profile["default-resources"], *profile.get("set-resources", {}).values()]:
        for name, value in resources.items():
            if isinstance(value, str):
                resources[name] = PARTITIONS.get(value, value)
            if name == "mem_mb":
                resources[name] = min(int(value), node_memory_mb)
    text = yaml.safe_dump(profile, sort_keys=False)
    assert not re.search(r"<[A-Z_]+>", text), f"a placeholder the test does not know is left:\n{text}"
    (folder / "config.yaml").write_text(text)
    return folder


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("slurm"), partitions=tuple(PARTITIONS.values()))
    if cluster.hardware["CPUs"] < 2:
        pytest.skip("SLURM: the node needs 2 CPUs, as many as the local .test run uses")
    cluster.start()
    yield cluster
    left = cluster.stop()
    assert not left, f"processes left running after the cluster was stopped: {left}"


@pytest.fixture(scope="module")
def slurm_run(cluster, tmp_path_factory):
    """Run the .test configuration on the cluster -> (workdir, snakemake's output, wall seconds)."""
    workdir = tmp_path_factory.mktemp("slurm_run")
    copy_test_config(workdir)
    profile = fill_profile(tmp_path_factory.mktemp("profile"), cluster.hardware["RealMemory"])
    command = [
        SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
        "--profile", str(profile),
        "--slurm-no-account",
        # finished jobs stay in squeue (MinJobAge=86400): no accounting database is needed
        "--slurm-status-command", "squeue",
        # first status check 2 s after a submission, not the default 40 s (short jobs here)
        "--slurm-init-seconds-before-status-checks", "2",
        # --config replaces the profile's config line (torch.device cuda): no GPU here
        "--config", f"data={{mirrors: [{MIRROR}]}}", "torch={device: cpu}",
    ]
    started = time.monotonic()
    run = subprocess.run(command, env=cluster.env, capture_output=True, text=True, timeout=1500)
    seconds = time.monotonic() - started
    output = run.stdout + run.stderr
    if run.returncode != 0:
        pytest.fail(f"the SLURM run failed:\n{output[-6000:]}\n{cluster.jobs()}")
    return workdir, output, seconds


def jobs_snakemake_ran(output):
    """{"cluster": Counter(rule), "local": Counter(rule)} of the jobs in snakemake's output."""
    ran = {"cluster": collections.Counter(), "local": collections.Counter()}
    for local, rule in re.findall(r"^(local)?rule (\w+):$", output, flags=re.MULTILINE):
        ran["local" if local else "cluster"][rule] += 1
    return ran


def rule_of(job):
    """The rule a SLURM job ran, from the comment the executor gives it (rule_<name>[_wildcards_...])."""
    return re.fullmatch(r"rule_(\w+?)(_wildcards_.*)?", job["comment"]).group(1)


def test_every_cluster_job_ran_as_a_completed_slurm_job(cluster, slurm_run):
    _, output, seconds = slurm_run
    ran = jobs_snakemake_ran(output)
    jobs = cluster.jobs()
    run_id = re.search(r"SLURM run ID: (\S+)", output).group(1)
    assert {job["name"] for job in jobs} == {run_id}, "a SLURM job not of this run"
    assert {job["state"] for job in jobs} == {"COMPLETED"}, jobs
    assert collections.Counter(rule_of(job) for job in jobs) == ran["cluster"]
    # the steps the workflow marks local stayed on the submitting node; the heavy ones did not
    assert {"train_mlp", "train_ocr_mlp", "ocr_page", "pca", "train_characters", "flowers_train"} <= set(
        ran["cluster"])
    assert {"provenance", "mlp_curves", "ocr_accuracy", "flowers_summary", "summary_table"} <= set(ran["local"])
    assert not set(ran["local"]) & set(ran["cluster"])
    # what the README's cluster section quotes (pytest -rP shows it)
    print(f"\nSLURM run of the .test configuration: {len(jobs)} jobs submitted, all COMPLETED; "
          f"{sum(ran['local'].values())} local jobs on the submitting node; {seconds:.0f} s wall")
    for partition in sorted({job["partition"] for job in jobs}):
        rules = collections.Counter(rule_of(job) for job in jobs if job["partition"] == partition)
        listed = ", ".join(f"{rule} x{n}" if n > 1 else rule for rule, n in sorted(rules.items()))
        print(f"  partition {partition}: {sum(rules.values())} jobs: {listed}")


def test_pytorch_rules_ran_on_the_gpu_partition(cluster, slurm_run):
    jobs = cluster.jobs()
    on_gpu = {rule_of(job) for job in jobs if job["partition"] == "gpu"}
    on_cpu = {rule_of(job) for job in jobs if job["partition"] == "cpu"}
    assert {"train_characters", "flowers_train"} <= on_gpu
    assert on_gpu <= TORCH_RULES and not on_cpu & TORCH_RULES


def test_slurm_run_gives_the_numbers_of_the_local_run(local_test_run, slurm_run):
    workdir, _, _ = slurm_run
    assert not differences(local_test_run, workdir / "results"), "SLURM run and local run differ"


def test_daemons_are_stopped_afterwards(cluster, slurm_run):
    assert cluster.stop() == {}, "a SLURM or munge process outlived the cluster"
    assert all(daemon.poll() is not None for daemon in cluster.daemons.values())
