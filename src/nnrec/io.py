"""Logging and atomic file writes shared by the rule scripts and the CLI."""

import contextlib
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

log = logging.getLogger("nnrec")
# The only fields of the CSV and JSON files under results/ that may differ between two runs of
# the same configuration (besides results/run_info.csv): wall-clock times and the device a
# training ran on. Everything else must be the same on every machine (tests/test_workflow.py).
RUN_SPECIFIC_FIELDS = frozenset({"seconds", "train_seconds", "train_cpu_seconds", "seconds_per_epoch", "device"})
UMASK = os.umask(0o022)  # read the process umask (os.umask can only set it) ...
os.umask(UMASK)  # ... and put it back


@contextlib.contextmanager
def log_to(path):
    """Send nnrec's log records, warnings and uncaught errors of the block to ``path``.

    Snakemake gives each rule one log file; progress bars (tqdm writes to stderr) and
    tracebacks land there too, so a failed step can be diagnosed from its log alone.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", buffering=1) as stream:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        logging.captureWarnings(True)
        old_stdout, old_stderr = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = stream
        try:
            yield
        except BaseException:
            log.exception("step failed")
            raise
        finally:
            sys.stdout, sys.stderr = old_stdout, old_stderr
            root.removeHandler(handler)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it into place only if the block succeeds.

    Readers never see a half-written file, and an interrupted write leaves nothing behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~UMASK)  # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json(obj, path):
    """Write ``obj`` as indented JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=_to_builtin) + "\n")


def read_json(path):
    return json.loads(Path(path).read_text())


def write_csv(frame, path):
    """Write a pandas DataFrame as CSV without its index, atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


def _to_builtin(value):
    # numpy scalars and arrays are not JSON-serialisable by default
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def write_bench(benchmark, rows, path):
    """Write a benchmark's figures as CSV rows ``benchmark, measure, value, unit``.

    rows: iterable of (measure, value, unit). The `bench` target collects these files into
    results/bench.csv.
    """
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=["measure", "value", "unit"])
    frame.insert(0, "benchmark", benchmark)
    write_csv(frame, path)
