"""Running the tiny .test configuration for real and comparing the numbers of two runs
(tests/test_workflow.py, tests/test_slurm.py; the first run is the session fixture
``local_test_run`` of conftest.py)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from nnrec.io import RUN_SPECIFIC_FIELDS

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SNAKEMAKE = str(BIN / "snakemake")
MIRROR = ROOT.parent / "shared" / "data"

needs_mirror = pytest.mark.skipif(
    not MIRROR.is_dir(), reason="needs the local data mirror ../shared/data beside the checkout"
)


def command_for_test_config(workdir, *extra):
    """The snakemake command line that runs the .test configuration in ``workdir``."""
    return [
        SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), "--cores", "2",
        "--config", f"data={{mirrors: [{MIRROR}]}}", *extra,
    ]


def copy_test_config(workdir):
    """Put the .test configuration into ``workdir``/config (once)."""
    if not (workdir / "config").exists():
        shutil.copytree(ROOT / ".test" / "config", workdir / "config")


def start_test_config(workdir, *extra):
    """Start the .test configuration in ``workdir`` (config copied there) -> Popen."""
    copy_test_config(workdir)
    # its own process group, so a test can kill the run with every job it started
    return subprocess.Popen(command_for_test_config(workdir, *extra), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def run_test_config(workdir, *extra):
    """Run the .test configuration in ``workdir`` to the end; return its results folder."""
    run = start_test_config(workdir, *extra)
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


def result_files(results):
    """Every CSV and JSON file under ``results`` but the machine records, relative to it."""
    files = sorted(p.relative_to(results) for p in results.rglob("*") if p.suffix in (".csv", ".json"))
    return [p for p in files if p.name not in MACHINE_RECORDS]


def _same(a, b):
    return a.equals(b) if isinstance(a, pd.DataFrame) else a == b


def differences(first, second):
    """The CSV and JSON files under results folder ``first`` whose content differs in ``second``."""
    files = result_files(first)
    assert len(files) > 30, f"the .test run wrote only {len(files)} CSV and JSON files"
    assert files == result_files(second), "the two runs wrote different files"
    return [str(p) for p in files if not _same(_content(first / p), _content(second / p))]


_RULES_SCRIPT = """
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import OutputSettings, ResourceSettings
with SnakemakeApi(OutputSettings(quiet=True)) as api:
    workflow = api.workflow(snakefile=Path(sys.argv[1]), workdir=Path(sys.argv[2]),
                            resource_settings=ResourceSettings(cores=1))._workflow
    # Workflow.is_local under a cluster executor (without one, every rule is local)
    local = lambda rule: rule.group is None and (rule.name in workflow._localrules or rule.norun)
    print(json.dumps({rule.name: {"local": local(rule), "benchmark": rule.benchmark is not None,
                                  "input": [str(f) for f in rule.input], "output": [str(f) for f in rule.output]}
                      for rule in workflow.rules}))
"""


def workflow_rules(workdir=ROOT):
    """{rule: {local, benchmark, input, output}} of the workflow as Snakemake parses it; local:
    whether a cluster executor keeps the rule's jobs on the submitting node."""
    result = subprocess.run([sys.executable, "-c", _RULES_SCRIPT, str(ROOT / "Snakefile"), str(workdir)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
