"""The package's layers (the import-linter contracts in pyproject.toml), and a light OCR import."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_imports_keep_the_layers_of_pyproject_toml():
    # lint-imports reads every import of every module, those inside functions too
    result = subprocess.run([str(BIN / "lint-imports"), "--config", str(ROOT / "pyproject.toml")],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_importing_ocr_loads_no_pandas_scipy_stats_or_torch():
    code = ("import sys, nnrec.ocr; print(sorted({m.split('.')[0] for m in sys.modules "
            "if m.split('.')[0] in ('pandas', 'torch') or m.startswith('scipy.stats')}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
