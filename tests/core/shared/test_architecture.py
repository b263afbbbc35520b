"""The compute core never imports Qt, pyqtgraph or the UI (DESIGN.md's first rule).

The import-linter contracts in pyproject.toml also keep the three core lab
packages independent and the UI layered: window above the labs above common.
"""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = ("PySide6", "pyqtgraph", "superqt", "shiboken6", "ui")


def _imported_modules(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def test_explorer_sources_import_no_qt():
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / "explorer").rglob("*.py"))
        for line, name in _imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert not offending, "\n".join(offending)


def test_importing_explorer_loads_no_qt():
    code = (
        "import importlib, pkgutil, sys, explorer\n"
        "for m in pkgutil.walk_packages(explorer.__path__, 'explorer.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(
    shutil.which("lint-imports") is None
    and not (Path(sys.executable).parent / "lint-imports").exists(),
    reason="import-linter is not installed",
)
def test_import_linter_contract_holds():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
