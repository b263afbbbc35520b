"""main.py starts in a subprocess, survives thousands of updates and quits by itself."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _env(tmp_path):
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    return env


def test_window_survives_thousands_of_updates_and_quits(tmp_path):
    # PySide6 6.12.0 aborts CPython 3.11 after ~5,000 void Qt calls (none_dealloc);
    # 6,000 rounds of redraws and status updates would catch it.
    result = subprocess.run(
        [sys.executable, "main.py", "--self-test-updates", "6000", "--quit-after", "2000"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "6000 updates done" in result.stdout
    assert "Traceback" not in result.stderr
