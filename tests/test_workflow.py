"""The workflow as a whole: lint, formatting, dry runs, and the tiny .test configuration run
for real (twice, to show that the same config gives the same numbers)."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from nnrec import report_check
from nnrec.io import RUN_SPECIFIC_FIELDS

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


# run_info.csv records the machine and the code version of a run, so it differs by design
MACHINE_RECORDS = {"run_info.csv"}


def _drop_run_specific(value):
    """A parsed JSON value without the keys that legitimately differ run to run, at any depth."""
    if isinstance(value, dict):
        return {k: _drop_run_specific(v) for k, v in value.items() if k not in RUN_SPECIFIC_FIELDS}
    if isinstance(value, list):
        return [_drop_run_specific(v) for v in value]
    return value


def _content(path):
    """A results CSV or JSON file without its run-specific fields (RUN_SPECIFIC_FIELDS)."""
    if path.suffix == ".json":
        return _drop_run_specific(json.loads(path.read_text()))
    frame = pd.read_csv(path)
    return frame.drop(columns=[c for c in frame.columns if c in RUN_SPECIFIC_FIELDS])


def _result_files(results):
    """Every CSV and JSON file under ``results`` but the machine records, relative to it."""
    files = sorted(p.relative_to(results) for p in results.rglob("*") if p.suffix in (".csv", ".json"))
    return [p for p in files if p.name not in MACHINE_RECORDS]


def _same(a, b):
    return a.equals(b) if isinstance(a, pd.DataFrame) else a == b


def _differences(first, second):
    """The CSV and JSON files under results folder ``first`` whose content differs in ``second``."""
    files = _result_files(first)
    assert len(files) > 30, f"the .test run wrote only {len(files)} CSV and JSON files"
    assert files == _result_files(second), "the two runs wrote different files"
    return [str(p) for p in files if not _same(_content(first / p), _content(second / p))]


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


REPORT_CATEGORIES = ("Data", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Summary", "Provenance")


@pytest.fixture(scope="module")
def report_html(clean_run):
    workdir = clean_run.parent
    report = workdir / "report.html"
    snakemake("--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
              "--config", f"data={{mirrors: [{MIRROR}]}}", "--report", str(report))
    return report


@needs_mirror
def test_report_collects_every_stage(report_html):
    html = report_html.read_text(errors="replace")
    for category in REPORT_CATEGORIES:
        assert f'"{category}"' in html, f"report category {category} missing"
    assert '"Other"' not in html, "a report() without category or subcategory lands in 'Other'"


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
    for relpath in _result_files(clean_run):
        found = machine_specific_text((clean_run / relpath).read_text(errors="replace"), clean_run.parent)
        if found:
            offending[str(relpath)] = found[:3]
    assert not offending, f"results tied to this machine: {offending}"


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
