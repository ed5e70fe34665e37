"""The workflow as a whole: lint, formatting, dry runs, and the tiny .test configuration run
for real (twice, to show that the same config gives the same numbers)."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SNAKEMAKE = str(BIN / "snakemake")
MIRROR = ROOT.parent / "shared" / "data"

pytestmark = pytest.mark.workflow


def snakemake(*args, cwd=ROOT, check=True):
    result = subprocess.run(
        [SNAKEMAKE, *args], cwd=cwd, capture_output=True, text=True, timeout=1500
    )
    if check and result.returncode != 0:
        pytest.fail(f"snakemake {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def test_lint_is_clean():
    result = snakemake("--lint")
    assert "Congratulations, your workflow is in a good condition" in result.stdout + result.stderr


def test_snakefmt_check_is_clean():
    result = subprocess.run(
        [str(BIN / "snakefmt"), "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_default_config_dry_run_builds_the_whole_dag():
    result = snakemake("-n", "--forceall", "--quiet", "rules")
    jobs = result.stdout
    for rule in ("fetch_pages", "fetch_characters", "train_mlp", "ocr_page", "train_autoencoder_homework",
                 "flowers_train", "summary_table", "provenance", "run_info"):
        assert rule in jobs, f"rule {rule} missing from the default DAG"


def test_every_stage_has_its_aggregate_rule():
    rules = snakemake("--list-rules").stdout.split()
    for stage in ("all", "data", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "summary", "bench"):
        assert stage in rules, f"aggregate rule {stage} missing"


def test_unknown_config_key_stops_the_run_naming_it(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("mlp:\n  hiden: 32\n")
    result = snakemake("-n", "--configfile", str(config), check=False)
    assert result.returncode != 0
    assert "hiden" in result.stdout + result.stderr


def test_wrong_config_type_stops_the_run_naming_it(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("mlp:\n  epochs: many\n")
    result = snakemake("-n", "--configfile", str(config), check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "epochs" in output and "many" in output


def _start_test_config(workdir, *extra):
    """Start the .test configuration in ``workdir`` (config copied there) -> Popen."""
    if not (workdir / "config").exists():
        shutil.copytree(ROOT / ".test" / "config", workdir / "config")
    command = [
        SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), "--cores", "2",
        "--config", f"data={{mirrors: [{MIRROR}]}}", *extra,
    ]
    # its own process group, so a test can kill the run with every job it started
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _run_test_config(workdir, *extra):
    """Run the .test configuration in ``workdir`` to the end; return its results folder."""
    run = _start_test_config(workdir, *extra)
    output, _ = run.communicate(timeout=1500)
    if run.returncode != 0:
        pytest.fail(f"the .test run in {workdir} failed:\n{output[-4000:]}")
    return workdir / "results"


WALL_CLOCK_COLUMNS = ("seconds", "time_s", "duration")


def _numbers(csv_path):
    """A metrics CSV without its wall-clock columns, which legitimately differ run to run."""
    frame = pd.read_csv(csv_path)
    return frame.drop(columns=[c for c in frame.columns if c.lower().endswith(WALL_CLOCK_COLUMNS)])


def _differences(first, second):
    """The metrics CSVs under results folder ``first`` whose numbers differ in ``second``."""
    tables = sorted(p.relative_to(first) for p in first.rglob("*.csv"))
    assert len(tables) > 10, f"the .test run wrote only {len(tables)} CSVs"
    return [str(p) for p in tables if not _numbers(first / p).equals(_numbers(second / p))]


needs_mirror = pytest.mark.skipif(
    not MIRROR.is_dir(), reason="needs the local data mirror ../shared/data beside the checkout"
)


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    return _run_test_config(tmp_path_factory.mktemp("run1"))


@needs_mirror
def test_test_config_runs_the_whole_dag(clean_run):
    summary = pd.read_csv(clean_run / "summary.csv")
    assert {"Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"} <= set(summary["question"])
    provenance = pd.read_csv(clean_run / "provenance.csv")
    assert set(provenance["source"]) >= {"mirror", "synthetic", "package"}


@needs_mirror
def test_report_collects_every_stage(clean_run):
    workdir = clean_run.parent
    report = workdir / "report.html"
    snakemake("--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
              "--config", f"data={{mirrors: [{MIRROR}]}}", "--report", str(report))
    html = report.read_text(errors="replace")
    for category in ("Data", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Summary", "Provenance"):
        assert category in html, f"report category {category} missing"


@needs_mirror
def test_same_config_gives_identical_numbers(clean_run, tmp_path):
    second = _run_test_config(tmp_path / "run2")
    assert not _differences(clean_run, second), "same config, different numbers"


@needs_mirror
def test_run_killed_during_training_resumes_to_the_same_numbers(clean_run, tmp_path):
    workdir = tmp_path / "run3"
    run = _start_test_config(workdir)
    training_log = workdir / "logs" / "q7" / "flowers_finetune.log"
    model = workdir / "results" / "q7" / "flowers" / "finetune" / "model.pt"
    deadline = time.monotonic() + 1200
    while not training_log.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before the training step started"
    os.killpg(run.pid, signal.SIGKILL)  # no chance to clean up, as with a crash or power cut
    run.wait()
    assert not model.exists(), "the training step had already finished when the run was killed"

    # what a user does after a crash: release the lock, then rerun what was incomplete
    subprocess.run([SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), "--unlock"],
                   check=True, capture_output=True)
    resumed = _run_test_config(workdir, "--rerun-incomplete")
    assert not _differences(clean_run, resumed), "the resumed run's numbers differ from a clean run's"
