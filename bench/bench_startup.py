"""Start-up: launch to first painted window, against importing torch + Qt + pyqtgraph.

Both are timed as fresh subprocesses, alternating, in the same run; prints
``startup_vs_imports: RATIO`` (target < 1.3) from the medians.

    python bench/bench_startup.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORTS = "import torch, PySide6.QtWidgets, pyqtgraph"


def _time_imports(env: dict) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", IMPORTS], env=env, check=True)
    return time.perf_counter() - start


def _time_first_paint(env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "main.py", "--quit-after-first-paint"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    for line in proc.stdout:
        if line.strip() == "first-paint":
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError("the window never painted")
    proc.wait(timeout=60)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as home:
        env = dict(
            os.environ,
            QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            HOME=home,
            XDG_CONFIG_HOME=home,
        )
        _time_imports(env), _time_first_paint(env)  # warm the file cache
        imports, paints = [], []
        for _ in range(rounds):
            imports.append(_time_imports(env))
            paints.append(_time_first_paint(env))
    base, app = statistics.median(imports), statistics.median(paints)
    print(f"imports_seconds: {base:.3f}")
    print(f"first_paint_seconds: {app:.3f}")
    print(f"startup_vs_imports: {app / base:.2f}")


if __name__ == "__main__":
    main()
