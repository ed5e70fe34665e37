"""The workflow as a whole: lint, formatting, dry runs, and the tiny .test configuration run
for real (twice, to show that the same config gives the same numbers)."""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from nnrec import report_check
from workflow_runs import (BIN, MIRROR, ROOT, SNAKEMAKE, differences, needs_mirror, result_files,
                           run_test_config, start_test_config)

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


def _job_counts(stdout):
    """{rule: jobs} from the job table of ``snakemake -n --quiet rules``."""
    counts = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    return counts


def test_pages_dev_is_scored_and_composited_only_when_a_mirror_holds_it(tmp_path):
    import imageio.v3 as iio
    import numpy as np

    empty, full = tmp_path / "empty", tmp_path / "full" / "pages_dev"
    empty.mkdir()
    full.mkdir(parents=True)
    iio.imwrite(full / "card.png", np.full((20, 20), 255, np.uint8))
    (full / "truth.json").write_text(json.dumps([{"file": "card.png", "lines": ["HI"]}]))
    jobs = {}
    for name, mirror in (("empty", empty), ("full", full.parent)):
        result = snakemake("-n", "--forceall", "--quiet", "rules", "--config", f"data={{mirrors: [{mirror}]}}",
                           "--", "q4")
        jobs[name] = _job_counts(result.stdout)
    assert "ocr_dev_read" not in jobs["empty"] and "ocr_dev_accuracy" not in jobs["empty"]
    assert jobs["full"]["ocr_dev_accuracy"] == 1 and jobs["full"]["ocr_dev_read"] == 4  # mlp, mlp_q3, cnn, tesseract
    # the robustness set takes the pages_dev image as a fifth page, read as a second page set
    assert jobs["empty"]["robustness_composites"] == 4 and jobs["full"]["robustness_composites"] == 5
    assert jobs["empty"]["robustness_read"] == 2 and jobs["full"]["robustness_read"] == 4


def test_every_stage_has_its_aggregate_rule():
    rules = snakemake("--list-rules").stdout.split()
    for stage in ("all", "data", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "summary", "bench"):
        assert stage in rules, f"aggregate rule {stage} missing"


def _config_error(result):
    """The one error line of a run stopped by a config mistake (asserting there is just one)."""
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "nnrec:" in line or "Error" in line]
    assert len(lines) == 1, f"expected one error line, got:\n{result.stdout}\n{result.stderr}"
    return lines[0]


@pytest.mark.parametrize("text, expected", [
    ("mlp:\n  hiden: 32\n", "nnrec: config: mlp.hiden: unknown key; expected one of"),
    ("bogus: 1\n", "nnrec: config: bogus: unknown key; expected one of"),
    ("mlp:\n  epochs: many\n", "nnrec: config: mlp.epochs: 'many' is not allowed"),
    ("data:\n  download_timeout_s: .nan\n", "nnrec: config: data.download_timeout_s: NaN and infinite"),
    ("ocr:\n  extra_pages:\n    ../evil: page.jpg\n", "nnrec: config: ocr.extra_pages: '../evil' is not allowed"),
])
def test_config_mistakes_stop_the_run_with_one_line_naming_the_key(tmp_path, text, expected):
    config = tmp_path / "bad.yaml"
    config.write_text(text)
    assert _config_error(snakemake("-n", "--configfile", str(config), check=False)).startswith(expected)


@pytest.mark.parametrize("text, expected", [("", "the config file is empty"), ("seed: [\n", "YAML syntax error")])
def test_a_broken_workflow_config_file_is_named(tmp_path, text, expected):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(text)
    result = snakemake("--snakefile", str(ROOT / "Snakefile"), "--directory", str(tmp_path), "-n", check=False)
    assert _config_error(result).startswith(f"nnrec: config/config.yaml: {expected}")


# an absolute path: a slash that begins a word and is followed by a folder name (URLs removed first)
ABSOLUTE_PATH = re.compile(r"(?:^|[\s'\"(=,:;\[])(/[\w.-]+/[\w./-]+)")
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+")


def machine_specific_text(text, workdir):
    """The pieces of ``text`` that tie it to one machine: absolute paths, the run folder, host name."""
    found = ABSOLUTE_PATH.findall(URL.sub("", text))
    host = socket.gethostname()
    for marker in {str(workdir), str(Path.home()), tempfile.gettempdir(), *([host] if len(host) > 3 else [])}:
        if marker in text:
            found.append(marker)
    return found


def test_machine_specific_text_is_found():
    workdir = Path(tempfile.gettempdir()) / "run1"
    assert machine_specific_text("note,/home/ann/data/x.csv", workdir) == ["/home/ann/data/x.csv"]
    assert machine_specific_text(f"a file in {workdir}/results", workdir)
    assert not machine_specific_text("resources/images/01_list.jpg,mirror:images/01_list.jpg,"
                                     "http://www.cs.cmu.edu/~x/data.zip,train/valid 1/2", workdir)


@pytest.fixture
def clean_run(local_test_run):
    return local_test_run


@needs_mirror
def test_test_config_runs_the_whole_dag(clean_run):
    summary = pd.read_csv(clean_run / "summary.csv")
    assert {"Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"} <= set(summary["question"])
    provenance = pd.read_csv(clean_run / "provenance.csv")
    assert set(provenance["source"]) >= {"mirror", "synthetic", "package"}


REPORT_CATEGORIES = ("Data", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Summary", "Provenance")


@pytest.fixture(scope="module")
def report_html(local_test_run):
    workdir = local_test_run.parent
    report = workdir / "report.html"
    snakemake("--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
              "--config", f"data={{mirrors: [{MIRROR}]}}", "--report", str(report))
    return report


@needs_mirror
def test_report_collects_every_stage(report_html):
    html = report_html.read_text(errors="replace")
    # the report's navigation: var categories = {category: {subcategory: [results]}}
    categories, _ = json.JSONDecoder().raw_decode(html, html.index("var categories = ") + len("var categories = "))
    assert set(REPORT_CATEGORIES) <= set(categories), f"categories missing: {set(REPORT_CATEGORIES) - set(categories)}"
    others = {c for c, subs in categories.items() if "Other" in subs} | ({"(top)"} if "Other" in categories else set())
    assert not others, f"a report() without category or subcategory lands in 'Other' ({others})"


@needs_mirror
@pytest.mark.skipif(report_check.find_browser() is None, reason="needs Chromium (apt-get install chromium)")
def test_report_reads_in_a_real_browser(report_html, clean_run):
    """Headless Chromium walks every category and opens every table; a screenshot is kept."""
    screenshot = clean_run / "report_screenshot.png"
    findings = report_check.browse(report_html, screenshot)
    assert not report_check.problems(findings, REPORT_CATEGORIES)
    assert screenshot.stat().st_size > 10_000  # a rendered page, not a blank one
    written = {f"results/tables/{p.name}" for p in (clean_run / "tables").glob("*.html")}
    assert written and written == set(findings["tables"]), "every table page is in the report"
    for path, table in findings["tables"].items():
        name = Path(path).stem
        question = re.match(r"q(\d)_", name)
        category = f"Q{question.group(1)}" if question else (
            "Summary" if name in ("summary", "replicates") else "Provenance")
        assert table["category"] == category, f"{path} is shown under {table['category']}"


@needs_mirror
def test_results_carry_no_machine_specific_text(clean_run):
    offending = {}
    for relpath in result_files(clean_run):
        found = machine_specific_text((clean_run / relpath).read_text(errors="replace"), clean_run.parent)
        if found:
            offending[str(relpath)] = found[:3]
    assert not offending, f"results tied to this machine: {offending}"


@needs_mirror
def test_same_config_gives_identical_numbers(clean_run, tmp_path):
    second = run_test_config(tmp_path / "run2")
    assert not differences(clean_run, second), "same config, different numbers"


@needs_mirror
def test_run_killed_during_training_resumes_to_the_same_numbers(clean_run, tmp_path):
    workdir = tmp_path / "run3"
    run = start_test_config(workdir)
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
    resumed = run_test_config(workdir, "--rerun-incomplete")
    assert not differences(clean_run, resumed), "the resumed run's numbers differ from a clean run's"
