"""UI tests fail when they leave a worker thread, a running timer or a window behind.

As napari's test suite does: every ``QThreadPool.start`` and ``QTimer.start`` made from
the project's code (``ui/``, ``tests/``) is recorded with its call site, and so is every
top-level widget a test leaves alive. After the test (and its fixtures' own clean-up,
such as a page's ``shutdown()`` and qtbot closing the widgets it was given), a thread
still running, a project timer still active on a living object or an unregistered
top-level widget fails the test, naming where it was started or what it is.

A test that keeps one on purpose says so: ``@pytest.mark.leaks_ok("why")``.
"""

from __future__ import annotations

import traceback
import weakref
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_OWN = (str(ROOT / "ui"), str(ROOT / "tests"))
GRACE_MS = 2000  # a cancelled worker finishes its current step, then stops


def _call_site() -> str:
    """The innermost frame in the project's own code (``ui/`` or ``tests/``), or ''."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if frame.filename.startswith(_OWN) and not frame.filename.endswith("conftest.py"):
            return f"{Path(frame.filename).relative_to(ROOT)}:{frame.lineno} ({frame.name})"
    return ""


class _Recorder:
    def __init__(self):
        self.threads: list[str] = []
        self.timers: list[tuple[weakref.ref, str]] = []


@pytest.fixture(autouse=True)
def _no_leftovers(qapp, request, monkeypatch):
    from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    record = _Recorder()
    pool_start, timer_start = QThreadPool.start, QTimer.start

    def start_thread(pool, runnable, *args):
        site = _call_site()
        if site:
            record.threads.append(site)
        return pool_start(pool, runnable, *args)

    def start_timer(timer, *args):
        site = _call_site()
        if site:
            record.timers.append((weakref.ref(timer), site))
        return timer_start(timer, *args)

    monkeypatch.setattr(QThreadPool, "start", start_thread)
    monkeypatch.setattr(QTimer, "start", start_timer)
    before = {id(w) for w in QApplication.topLevelWidgets()}
    yield
    monkeypatch.undo()
    allowed = request.node.get_closest_marker("leaks_ok")

    pool = QThreadPool.globalInstance()
    finished = pool.waitForDone(GRACE_MS)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    problems = []
    if not finished or pool.activeThreadCount():
        started = "; ".join(record.threads) or "outside the project's code"
        problems.append(f"a worker thread was still running {GRACE_MS} ms after the test "
                        f"(threads started at: {started})")
    for ref, site in record.timers:
        timer = ref()
        try:
            active = timer is not None and timer.isActive()
        except RuntimeError:  # its C++ object is gone with its owner
            active = False
        if active:
            problems.append(f"a timer started at {site} is still running")
            timer.stop()
    left = [w for w in QApplication.topLevelWidgets()
            if id(w) not in before and w.isVisible()]
    for widget in left:
        problems.append(f"a window was left open: {type(widget).__name__} "
                        f"'{widget.windowTitle() or widget.objectName()}' (give it to "
                        "qtbot.addWidget or close it)")
        widget.close()
    if problems and not allowed:
        pytest.fail("The test left things behind:\n  " + "\n  ".join(problems), pytrace=False)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "leaks_ok(reason): this test keeps a thread, timer or window on purpose")


@pytest.fixture
def settings(tmp_path):
    """A QSettings in a temporary file, so tests never touch the user's preferences."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
