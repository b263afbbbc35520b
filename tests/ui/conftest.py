"""UI tests fail when they leave a worker thread, a running timer or a window behind.

As napari's test suite does, every thread start (``QThreadPool.start``, superqt's
``WorkerBase.start``, ``QThread.start``), every timer start (``QTimer.start`` and
``QTimer.singleShot``) and every top-level widget the project's code creates is recorded
with its call site. After the test and its fixtures' own clean-up (a page's
``shutdown()``, qtbot closing and deleting the widgets it was given), one of these fails
the test, naming where it was started or created:

- a thread still running ``GRACE_MS`` after the test (wait for it, or shut the page down);
- a timer still active on an object that is still alive;
- a top-level widget still alive that is visible, or that the project created and never
  showed or closed (give it to ``qtbot.addWidget``).

A test that keeps one on purpose says why: ``@pytest.mark.leaks_ok("the reason")``.

Tests under ``LEAK_CHECKED_FOLDERS`` (all of tests/ui) fail on a leak. While a lab's
tests are being cleaned up, that set can be narrowed: the other tests' leaks are then
listed at the end of the run instead, and ``pytest --leaks-fail-everywhere`` fails them all.
"""

from __future__ import annotations

import functools
import gc
import inspect
import sys
import weakref
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: The folders (relative to the repository) whose tests fail on a leak; the switch to
#: narrow, e.g. to ("tests/ui/window", "tests/ui/common"), while a lab's tests leak.
LEAK_CHECKED_FOLDERS = ("tests/ui",)

GRACE_MS = 100  # a thread may still be returning from its last yield
DRAIN_MS = 10_000  # then wait this long for it, so that the next test starts clean

_OWN = tuple(str(ROOT / part) for part in ("ui", "tests", "main.py"))
# Where every thread start passes: naming it would not say which start leaked.
_PLUMBING = (str(ROOT / "ui" / "common" / "worker.py"), str(Path(__file__)))
_LEAKS = pytest.StashKey[list]()


def _stack(frame=None) -> tuple[tuple[str, int, str], ...]:
    """(file, line, function) of ``frame`` (default: the caller's caller) and those it was
    called from, innermost first; cheap, as no source line is read."""
    frame, frames = frame or sys._getframe(2), []
    while frame is not None:
        frames.append((frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name))
        frame = frame.f_back
    return tuple(frames)


def _mine(filename: str) -> bool:
    return filename.startswith(_OWN) and not filename.endswith("conftest.py")


def _where(frames) -> str:
    """The innermost project frame (past the thread plumbing) and the test line it came from."""
    own = [f for f in frames if _mine(f[0])]
    if not own:
        return ""
    inner = next((f for f in own if not f[0].startswith(_PLUMBING)), own[0])
    tests = [f for f in own if f[0].startswith(str(ROOT / "tests"))]
    text = _format(inner)
    if tests and tests[-1] != inner:
        text += f", from {_format(tests[-1])}"
    return text


def _format(frame) -> str:
    filename, line, name = frame
    return f"{Path(filename).relative_to(ROOT)}:{line} ({name})"


class _Recorder:
    """What one test started or created, each with the frames it came from."""

    def __init__(self):
        self.runnables: list[tuple[object, str]] = []  # (weakref or None, site)
        self.threads: list[tuple[weakref.ref, str]] = []
        self.timers: list[tuple[weakref.ref, str]] = []
        self.single_shots: list[dict] = []
        self.widgets: dict[int, tuple[weakref.ref, tuple]] = {}


def _patch_threads(monkeypatch, record: _Recorder) -> None:
    from PySide6.QtCore import QThread, QThreadPool
    from superqt.utils._qthreading import WorkerBase

    pool_start, worker_start, thread_start = QThreadPool.start, WorkerBase.start, QThread.start

    def start_runnable(pool, runnable, *args):
        site = _where(_stack())
        if site and not isinstance(runnable, WorkerBase):  # superqt's are recorded below
            record.runnables.append((None, site))
        return pool_start(pool, runnable, *args)

    def start_worker(worker):
        site = _where(_stack())
        if site:
            record.runnables.append((weakref.ref(worker), site))
        return worker_start(worker)

    def start_thread(thread, *args):
        site = _where(_stack())
        if site:
            record.threads.append((weakref.ref(thread), site))
        return thread_start(thread, *args)

    monkeypatch.setattr(QThreadPool, "start", start_runnable)
    monkeypatch.setattr(WorkerBase, "start", start_worker)
    monkeypatch.setattr(QThread, "start", start_thread)


def _patch_timers(monkeypatch, record: _Recorder) -> None:
    from PySide6.QtCore import QObject, QTimer

    timer_start, single_shot = QTimer.start, QTimer.singleShot

    def start_timer(timer, *args):
        site = _where(_stack())
        if site:
            record.timers.append((weakref.ref(timer), site))
        return timer_start(timer, *args)

    def start_single_shot(msec, *args):
        site = _where(_stack())
        if not site or len(args) != 1 or not callable(args[0]):
            return single_shot(msec, *args)  # a receiver and a slot name: left as it is
        functor = args[0]
        owner = getattr(functor, "__self__", None)
        entry = {"site": site, "fired": False,
                 "owner": weakref.ref(owner) if isinstance(owner, QObject) else None}
        record.single_shots.append(entry)

        def fire():
            entry["fired"] = True
            functor()

        if entry["owner"] is None:
            return single_shot(msec, fire)
        return single_shot(msec, owner, fire)  # as Qt does: dropped if its owner is deleted

    monkeypatch.setattr(QTimer, "start", start_timer)
    monkeypatch.setattr(QTimer, "singleShot", staticmethod(start_single_shot))


@functools.cache
def _widget_classes() -> tuple[type, ...]:
    """Every widget class of QtWidgets (``dir``: PySide6 loads its classes lazily)."""
    from PySide6 import QtWidgets

    found = (getattr(QtWidgets, name) for name in dir(QtWidgets))
    return tuple(cls for cls in found if inspect.isclass(cls)
                 and issubclass(cls, QtWidgets.QWidget) and "__init__" in cls.__dict__)


def _patch_widgets(monkeypatch, record: _Recorder) -> None:
    """Record the creator of every widget made without a parent (a window, until adopted)."""
    for cls in _widget_classes():
        monkeypatch.setattr(cls, "__init__", _recording_init(cls.__init__, record))


def _recording_init(original, record: _Recorder):
    def __init__(widget, *args, **kwargs):  # noqa: N807 (it replaces a constructor)
        original(widget, *args, **kwargs)
        if widget.parent() is None:
            frame = sys._getframe(1)
            while frame is not None and _builds(frame, widget):
                frame = frame.f_back  # the constructors of its own classes, other recorders
            if frame is not None and _mine(frame.f_code.co_filename):
                record.widgets[id(widget)] = (weakref.ref(widget), _stack(frame))
    return __init__


def _builds(frame, widget) -> bool:
    """Whether ``frame`` is a constructor of ``widget`` (or a recorder's wrapper of one)."""
    local_vars = frame.f_locals
    return local_vars.get("self") is widget or local_vars.get("widget") is widget


class LeakProbe:
    """Records, from now on, what :func:`problems` checks; ``monkeypatch`` undoes it."""

    def __init__(self, monkeypatch):
        self._record = _Recorder()
        _patch_threads(monkeypatch, self._record)
        _patch_timers(monkeypatch, self._record)
        _patch_widgets(monkeypatch, self._record)
        # The wrappers themselves, not their ids: a wrapper made just for this list would be
        # freed at once, and a new widget's wrapper could take its id.
        self._before = top_level_widgets()
        self._before_ids = {id(w) for w in self._before}

    def problems(self) -> list[str]:
        """What is left now, each naming its call site; it is stopped, drained or closed."""
        record = self._record
        left = _threads_left(record) + _timers_left(record)
        return left + _windows_left(record, self._before_ids)


@pytest.fixture
def leak_probe(qapp):
    """A probe of its own, for the tests of the leak check itself."""
    with pytest.MonkeyPatch.context() as patches:
        yield LeakProbe(patches)


@pytest.fixture(autouse=True)
def _no_leftovers(qapp, request, monkeypatch):
    marker = request.node.get_closest_marker("leaks_ok")
    if marker is not None and not (marker.args and str(marker.args[0]).strip()):
        pytest.fail("@pytest.mark.leaks_ok needs a reason: leaks_ok('why')", pytrace=False)
    probe = LeakProbe(monkeypatch)
    yield
    monkeypatch.undo()
    problems = probe.problems()
    if not problems or marker is not None:
        return
    text = "The test left things behind:\n  " + "\n  ".join(problems)
    if _checked(request):
        pytest.fail(text, pytrace=False)
    request.config.stash.setdefault(_LEAKS, []).append((request.node.nodeid, problems))


def _checked(request) -> bool:
    if request.config.getoption("leaks_fail_everywhere"):
        return True
    path = Path(str(request.node.path)).resolve()
    return any(path.is_relative_to(ROOT / folder) for folder in LEAK_CHECKED_FOLDERS)


def _threads_left(record: _Recorder) -> list[str]:
    from PySide6.QtCore import QThreadPool

    pool = QThreadPool.globalInstance()
    if pool.waitForDone(GRACE_MS) and not _running_qthreads(record):
        return []
    running = [site for ref, site in record.runnables if ref is None or _is_running(ref())]
    running += [site for _, site in _running_qthreads(record)]
    pool.waitForDone(DRAIN_MS)
    for thread, _ in _running_qthreads(record):
        thread.quit()
        thread.wait(DRAIN_MS)
    if not running:
        running = ["outside the project's code"]
    return [f"a worker thread was still running {GRACE_MS} ms after the test, started at "
            f"{site}" for site in dict.fromkeys(running)]


def _is_running(worker) -> bool:
    from superqt.utils._qthreading import WorkerBase

    try:  # started and not yet finished (queued in the pool, or running)
        return worker is not None and (worker.is_running or worker in WorkerBase._worker_set)
    except RuntimeError:  # its C++ object is gone: it has finished
        return False


def _running_qthreads(record: _Recorder) -> list:
    alive = []
    for ref, site in record.threads:
        thread = ref()
        try:
            if thread is not None and thread.isRunning():
                alive.append((thread, site))
        except RuntimeError:
            pass
    return alive


def _timers_left(record: _Recorder) -> list[str]:
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # qtbot's deleteLater
    QApplication.processEvents()  # zero-delay timers fire now, as they would have
    problems = []
    for ref, site in record.timers:
        timer = ref()
        try:
            active = timer is not None and timer.isActive()
        except RuntimeError:  # its C++ object is gone with its owner
            active = False
        if active:
            problems.append(f"a timer started at {site} is still running")
            timer.stop()
    for entry in record.single_shots:
        owner = entry["owner"]
        if entry["fired"] or (owner is not None and _deleted(owner())):
            continue
        problems.append(f"a single-shot timer started at {entry['site']} has not fired yet")
    return problems


def _deleted(obj) -> bool:
    from shiboken6 import isValid

    return obj is None or not isValid(obj)


def top_level_widgets() -> list:
    """``QApplication.topLevelWidgets()``, with the cyclic garbage collector held off.

    Qt hands over a list of pointers and PySide wraps them one by one. A new wrapper (for a
    window Qt made itself, such as a combo box's popup) can start a collection; if that frees
    a window in a reference cycle, its popups die too and a pointer further down the list
    dangles: the CI run of stop 22 crashed here with a segmentation fault.
    """
    from PySide6.QtWidgets import QApplication

    enabled = gc.isenabled()
    gc.disable()
    try:
        return QApplication.topLevelWidgets()
    finally:
        if enabled:
            gc.enable()


def _windows_left(record: _Recorder, before: set[int]) -> list[str]:
    from PySide6.QtCore import QCoreApplication, QEvent

    def leftovers():
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return [w for w in top_level_widgets()
                if id(w) not in before and _is_leak(w, record)]

    left = leftovers()
    if left:  # a widget in a reference cycle is not a leak: it goes with the garbage
        gc.collect()
        left = leftovers()
    problems = []
    for widget in left:
        created = record.widgets.get(id(widget))
        site = _where(created[1]) if created and created[0]() is widget else ""
        title = widget.windowTitle() or widget.objectName()
        problems.append(
            f"a window was left {'open' if widget.isVisible() else 'alive'}: "
            f"{type(widget).__name__} '{title}' created at {site or 'outside the project'} "
            "(give it to qtbot.addWidget, or close it)")
        widget.close()
    return problems


def _is_leak(widget, record: _Recorder) -> bool:
    from PySide6.QtCore import Qt

    if widget.isVisible():
        return True
    created = record.widgets.get(id(widget))
    if created is None or created[0]() is not widget:
        return False  # made by a library, hidden: its owner's business
    closed = widget.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
    return not closed  # made here, never shown nor closed: nobody will close it


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "leaks_ok(reason): this test keeps a thread, timer or window on purpose")


def pytest_terminal_summary(terminalreporter, config):
    leaks = config.stash.get(_LEAKS, [])
    if not leaks:
        return
    terminalreporter.section("leaks in tests outside LEAK_CHECKED_FOLDERS (not failed)")
    for nodeid, problems in leaks:
        terminalreporter.write_line(nodeid)
        for problem in problems:
            terminalreporter.write_line(f"    {problem}")


@pytest.fixture
def settings(tmp_path):
    """A QSettings in a temporary file, so tests never touch the user's preferences."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
