"""Quitting while a job runs: no 'RuntimeError in aborted thread' warning (issue 13)."""

import threading
import warnings

import shiboken6

from ui.common import worker
from ui.common.worker import Background


def test_a_worker_whose_qt_side_is_deleted_stops_quietly(qtbot, monkeypatch):
    said = []
    monkeypatch.setattr(warnings, "showwarning", lambda message, *a, **k: said.append(message))
    inside, release = threading.Event(), threading.Event()

    def slow():
        inside.set()
        release.wait(5)
        yield 1
        yield 2

    job = Background()
    job.start(slow)
    running = job._worker
    assert inside.wait(5)  # the worker has started: its next emit is a yield
    shiboken6.delete(running.signals)  # what interpreter exit does under a running worker
    release.set()
    assert running.done.wait(5)
    assert not [str(m) for m in said if "aborted thread" in str(m)]
    assert running.gone
    assert running not in worker._LIVE


def test_exit_cancels_and_waits_for_running_workers(qtbot):
    started, release = threading.Event(), threading.Event()

    def endless():
        started.set()
        while True:
            release.wait(0.01)
            yield None

    job = Background()
    job.start(endless)
    assert started.wait(5)
    running = job._worker
    worker._stop_live_workers(3000)
    assert running.done.is_set() and not worker._LIVE
    job.shutdown()
