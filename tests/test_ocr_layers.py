"""The OCR package's layers: arrows point one way, and reading imports nothing heavy."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import nnrec

SRC = Path(nnrec.__file__).parent


def imported(module_path):
    """Every nnrec module a source file imports, at module level or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(module_path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from .glyph_geometry import y
                base = "nnrec" + ("." + base if base else "")
            names |= {f"{base}.{alias.name}" for alias in node.names} | {base}
    return {name for name in names if name.startswith("nnrec")}


# module -> nnrec modules it must never import (directly or lazily)
FORBIDDEN = {
    "glyph_geometry.py": ("nnrec.ocr", "nnrec.synth", "nnrec.torch_models", "nnrec.classifiers"),
    "synth.py": ("nnrec.ocr", "nnrec.torch_models", "nnrec.classifiers"),
    "ocr/segment.py": ("nnrec.ocr.glyphs", "nnrec.ocr.fonts", "nnrec.ocr.reader", "nnrec.ocr.read", "nnrec.nn"),
    "ocr/glyphs.py": ("nnrec.ocr.segment", "nnrec.ocr.fonts", "nnrec.ocr.reader", "nnrec.ocr.read", "nnrec.nn",
                      "nnrec.synth"),
    **{f"ocr/{name}": ("nnrec.torch_models", "nnrec.classifiers")
       for name in ("__init__.py", "fonts.py", "reader.py", "read.py", "score.py")},
}


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_imports_point_one_way(module):
    found = imported(SRC / module)
    bad = sorted(name for name in found for prefix in FORBIDDEN[module]
                 if name == prefix or name.startswith(prefix + "."))
    assert not bad, f"{module} imports {bad}"


def test_importing_ocr_loads_no_pandas_scipy_stats_or_torch():
    code = ("import sys, nnrec.ocr; print(sorted({m.split('.')[0] for m in sys.modules "
            "if m.split('.')[0] in ('pandas', 'torch') or m.startswith('scipy.stats')}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
