"""The program's NumPy does not ask for transparent huge pages (see ``explorer``): the
kernel's compaction for them held the window 0.5-1 s when a long run's buffers were made."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ASK = "import numpy; print(numpy._core.multiarray._get_madvise_hugepage())"


def _asks_for_huge_pages(first: str) -> str:
    env = {k: v for k, v in __import__("os").environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    done = subprocess.run([sys.executable, "-c", f"{first}; {ASK}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.strip()


def test_the_program_and_its_core_load_numpy_without_huge_pages():
    assert _asks_for_huge_pages("import main") == "False"
    assert _asks_for_huge_pages("import explorer.descent") == "False"
    assert _asks_for_huge_pages("import os") == "True"  # what NumPy does on its own here


def test_the_tests_load_numpy_as_the_program_does():
    import numpy

    assert numpy._core.multiarray._get_madvise_hugepage() is False  # (tests/conftest.py)
