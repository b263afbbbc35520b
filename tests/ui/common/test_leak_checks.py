"""The leak check of tests/ui/conftest.py: each kind of leftover is caught and located."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from ui.common.worker import Background

HERE = "tests/ui/common/test_leak_checks.py"


def _line(marker: str) -> int:
    """The line of this file that holds ``marker`` (so the tests survive edits above them)."""
    with open(__file__) as source:
        lines = enumerate(source, 1)
        return next(n for n, text in lines if marker in text and "_line(" not in text)


def test_a_running_timer_is_named_where_it_started(leak_probe):
    timer = QTimer()
    timer.start(60_000)  # started-here
    problems = leak_probe.problems()
    assert problems == [f"a timer started at {HERE}:{_line('started-here')} "
                        "(test_a_running_timer_is_named_where_it_started) is still running"]
    assert not timer.isActive()  # the check stopped it


def test_a_pending_single_shot_is_named_and_one_whose_owner_is_gone_is_not(leak_probe):
    owner, gone = QObject(), QObject()
    QTimer.singleShot(60_000, owner.deleteLater)  # pending-here
    QTimer.singleShot(60_000, gone.deleteLater)
    QTimer.singleShot(0, lambda: None)  # fires while the check runs
    gone.deleteLater()
    problems = leak_probe.problems()
    assert len(problems) == 1
    assert f"{HERE}:{_line('pending-here')}" in problems[0] and "not fired" in problems[0]
    owner.deleteLater()  # and its timer with it


def test_a_forgotten_window_is_named_where_it_was_made(leak_probe):
    forgotten = QLabel("nobody closes me")  # made-here
    adopted, closed = QWidget(), QLabel("closed")
    QLabel("a child", adopted).deleteLater()
    closed.show()
    closed.close()
    problems = leak_probe.problems()
    assert len(problems) == 2  # the forgotten label, and `adopted`: a window of its own
    assert any(f"QLabel '' created at {HERE}:{_line('made-here')}" in p for p in problems)
    assert all("closed" not in p for p in problems)
    for widget in (forgotten, adopted, closed):
        widget.deleteLater()


def test_a_registered_window_is_no_leak(leak_probe, qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert leak_probe.problems() == []


def _slow():
    for _ in range(30):
        time.sleep(0.02)
        yield


def test_a_thread_still_running_is_named_at_the_page_s_start_not_the_worker_s(leak_probe):
    job = Background()
    job.start(_slow)  # thread-here
    problems = leak_probe.problems()
    assert len(problems) == 1 and "still running" in problems[0]
    assert f"{HERE}:{_line('thread-here')}" in problems[0]
    assert "ui/common/worker.py" not in problems[0]
    job.cancel()


def test_a_thread_that_was_waited_for_is_no_leak(leak_probe, qtbot):
    job = Background()
    with qtbot.waitSignal(job.busy_changed, timeout=5_000, check_params_cb=lambda b: not b):
        job.start(_slow)
    assert leak_probe.problems() == []


_KEPT = []  # outlives the test, as a deliberate leak does


@pytest.mark.leaks_ok("this test checks that the marker lets a leak through")
def test_a_deliberate_leak_passes_with_a_reason():
    timer = QTimer()
    timer.start(60_000)  # the check still stops it once the test is over
    _KEPT.append(timer)


# Windows in reference cycles (only the collector frees them), each with a popup that Qt made
# itself; then the list of windows is read while a collection is due at every allocation.
_CYCLES = """
import gc, importlib.util, sys
from PySide6.QtWidgets import QApplication, QComboBox, QMainWindow
spec = importlib.util.spec_from_file_location("ui_conftest", sys.argv[1])
conftest = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conftest)
read = conftest.top_level_widgets if sys.argv[2] == "guarded" else QApplication.topLevelWidgets
app = QApplication([])

class Window(QMainWindow):
    def __init__(self):
        super().__init__()
        self.me = self
        combo = QComboBox(self)
        combo.addItems(["a", "b"])
        combo.view()  # builds its popup: a top-level window without a Python wrapper
        self.setCentralWidget(combo)

for _ in range(20):
    gc.disable()  # so that the windows are still young garbage when the list is read
    windows = [Window() for _ in range(20)]
    del windows
    gc.set_threshold(1)
    gc.enable()
    found = read()  # (not inside a comprehension: making its function would collect first)
    names = [type(w).__name__ for w in found]
    del found
    gc.set_threshold(700, 10, 10)
    gc.collect()
"""


def test_reading_the_windows_survives_a_collection_that_frees_one():
    """Stop 22's CI crashed in ``QApplication.topLevelWidgets()`` in the probe's set-up."""
    conftest = Path(__file__).resolve().parents[1] / "conftest.py"

    def run(how):
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        return subprocess.run([sys.executable, "-c", _CYCLES, str(conftest), how], env=env,
                              capture_output=True, text=True, timeout=60)

    if run("raw").returncode == 0:
        pytest.skip("this PySide survives the unguarded read: the scene shows nothing")
    guarded = run("guarded")
    assert guarded.returncode == 0, guarded.stderr[-2000:]
