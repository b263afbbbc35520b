"""Run an ``explorer`` generator off the GUI thread, with progress and cancel.

A page keeps one ``Background`` per kind of work. ``start()`` cancels what was
running (between two yields) and gives the new request a higher generation;
anything the old request still sends is dropped, so a slow result never
overwrites a newer one. ``cancel()`` asks and returns at once; ``shutdown()``
cancels and waits, a bounded time, for this job's own worker threads only (never
for the whole thread pool, so one page never waits on another page's work).

A worker's exception reaches the page as a readable exception: an ``InputError``
as it is (its ``field`` names the control to mark), anything else as a
:class:`JobFailed` that says which run failed and why.
"""

from __future__ import annotations

import atexit
import threading
import time
import traceback
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, Signal, Slot
from superqt.utils import GeneratorWorker

from explorer.errors import InputError

#: How long ``shutdown()`` waits, at most, for its cancelled workers to stop (a cancelled
#: job stops at its next yield, which explorer's generators reach in well under 0.2 s).
SHUTDOWN_MS = 3_000


class JobFailed(Exception):
    """A job's unexpected exception, in words: which run failed and what went wrong.

    It quacks like an ``InputError`` without a field (views mark their Run button or
    status line with it); the original exception is ``original``.
    """

    field = None

    def __init__(self, what: str, original: BaseException):
        self.original = original
        super().__init__(failure_text(what, original))


def failure_text(what: str, exc: BaseException) -> str:
    """``"<What> failed (<kind>): <the exception's own words>."``, never a bare "RuntimeError:".

    ``what`` names the run as the user started it ("the LR range test").
    """
    if isinstance(exc, InputError):
        return str(exc)
    what = what[:1].upper() + what[1:]
    kind = type(exc).__name__
    detail = str(exc).strip().rstrip(".")
    if not detail:
        return f"{what} failed: {kind}, with no message (the details went to the console)."
    return f"{what} failed ({kind}): {detail}."


def reported(what: str, exc: BaseException) -> str:
    """Print the traceback of an unexpected ``exc`` (for a bug report); its message for the
    user (see :func:`failure_text`)."""
    if not isinstance(exc, InputError):
        traceback.print_exception(exc)
    return failure_text(what, exc)


class _Failure:
    """An exception carried out of the worker as a return value.

    superqt treats a ``RuntimeError`` raised inside a generator as "the worker
    was deleted" and swallows it; torch raises ``RuntimeError`` for real
    problems, so every exception is caught here and reported as a failure.
    """

    def __init__(self, exc: Exception):
        self.exc = exc


def _guarded(generator: Callable[..., Iterator], args: tuple, kwargs: dict):
    try:
        result = yield from generator(*args, **kwargs)
    except Exception as exc:  # reported on the GUI thread, never lost
        return _Failure(exc)
    return result


class _Worker(GeneratorWorker):
    """A superqt worker that says when its thread is done with it, for a bounded wait.

    Waiting on this event instead of on ``QThreadPool.waitForDone`` lets a job wait for
    its own threads only.

    A worker still running while the program exits finds its signals' Qt object deleted
    under it: its next emit raises ``RuntimeError("Signal source has been deleted")``,
    which superqt printed as ``RuntimeWarning: RuntimeError in aborted thread`` when one
    quit right after start-up. Every exception of the job itself is caught in
    :func:`_guarded`, so a ``RuntimeError`` that reaches :meth:`work` can only come from
    such an emit: the worker then stops quietly, as nobody is left to tell. At exit, the
    workers still running are cancelled and waited for (bounded) before Python tears
    their Qt objects down.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.done = threading.Event()
        self.gone = False  # whether its Qt side was deleted while it ran

    def work(self):
        result = super().work()
        if isinstance(result, RuntimeError):
            self.gone = True
            self.quit()  # so that run() emits no result either
            return None
        return result

    def run(self) -> None:
        _LIVE.add(self)
        try:
            super().run()
        except RuntimeError:  # the started/finished emits, after the Qt side went away
            self.gone = True
        finally:
            self.done.set()
            _LIVE.discard(self)


_LIVE: set[_Worker] = set()


def _stop_live_workers(msecs: int = SHUTDOWN_MS) -> None:
    """Cancel every worker still on a thread and wait for them, at most ``msecs`` in all."""
    deadline = time.monotonic() + msecs / 1000
    for worker in list(_LIVE):
        worker.quit()
    for worker in list(_LIVE):
        worker.done.wait(max(0.0, deadline - time.monotonic()))


atexit.register(_stop_live_workers)

class Background(QObject):
    """One background job at a time, for one purpose on one page.

    Signals carry the generation they belong to; callbacks only ever see the
    newest one, on the GUI thread.
    """

    busy_changed = Signal(bool)
    failed = Signal(str)  # a message for the status bar (not InputError: that goes to on_error)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._generation = 0
        self._worker: _Worker | None = None
        self._callbacks: dict[str, Callable | None] = {}
        self._what = "the background job"
        self._threads: set[_Worker] = set()  # this job's workers not yet done, cancelled too

    @property
    def busy(self) -> bool:
        return self._worker is not None

    @property
    def running(self) -> bool:
        """Whether a worker of this job (a cancelled one too) is still on its thread."""
        self._forget_done()
        return bool(self._threads)

    def start(
        self,
        generator: Callable[..., Iterator],
        *args,
        what: str = "the background job",
        on_yield: Callable[[object], None] | None = None,
        on_done: Callable[[object], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        **kwargs,
    ) -> int:
        """Run ``generator(*args, **kwargs)`` on a worker thread; returns its generation.

        ``what`` names the run in a failure message ("the LR range test"); ``on_error``
        gets an ``InputError`` or a :class:`JobFailed`, both with ``field`` and a message.
        """
        self.cancel()
        self._generation += 1
        generation = self._generation
        self._callbacks = {"yield": on_yield, "done": on_done, "error": on_error}
        self._what = what
        self._forget_done()
        worker = _Worker(_guarded, generator, args, kwargs)
        worker.yielded.connect(lambda value, g=generation: self._relay("yield", g, value))
        worker.returned.connect(lambda value, g=generation: self._relay("done", g, value))
        worker.errored.connect(lambda exc, g=generation: self._relay("error", g, exc))
        worker.finished.connect(lambda g=generation: self._on_finished(g))
        self._worker = worker
        self._threads.add(worker)
        self.busy_changed.emit(True)
        worker.start()
        return generation

    def cancel(self) -> None:
        """Ask the running job to stop at its next yield, and return at once; its results
        are dropped."""
        if self._worker is not None:
            self._worker.quit()
            self._worker = None
            self._generation += 1
            self.busy_changed.emit(False)

    def wait(self, msecs: int = SHUTDOWN_MS) -> bool:
        """Wait up to ``msecs`` for this job's own worker threads; whether all are done."""
        deadline = time.monotonic() + msecs / 1000
        for worker in list(self._threads):
            if not worker.done.wait(max(0.0, deadline - time.monotonic())):
                return False
            self._threads.discard(worker)
        return True

    def shutdown(self, msecs: int = SHUTDOWN_MS) -> bool:
        """Cancel and wait for this job's workers (closing a page or the program)."""
        self.cancel()
        return self.wait(msecs)

    @Slot()
    def _relay(self, kind: str, generation: int, value: object) -> None:
        if generation != self._generation:
            return
        if kind == "done" and isinstance(value, _Failure):
            kind, value = "error", value.exc
        callback = self._callbacks.get(kind)
        if kind == "error":
            self._report(value, callback)
        elif callback is not None:
            callback(value)

    def _report(self, exc: object, callback: Callable | None) -> None:
        if not isinstance(exc, InputError):
            traceback.print_exception(exc)  # the details, for a bug report
            exc = JobFailed(self._what, exc)
        if callback is not None:
            callback(exc)
        if callback is None or not isinstance(exc, InputError):
            self.failed.emit(str(exc))  # the status bar too: it was not the user's input

    def _forget_done(self) -> None:
        self._threads = {w for w in self._threads if not w.done.is_set()}

    def _on_finished(self, generation: int) -> None:
        if generation == self._generation and self._worker is not None:
            self._worker = None
            self.busy_changed.emit(False)


def wait_for(jobs: list[Background], msecs: int | None = None) -> bool:
    """Wait for every job in ``jobs`` (cancelled already), at most ``msecs`` in all."""
    deadline = time.monotonic() + (SHUTDOWN_MS if msecs is None else msecs) / 1000
    done = True
    for job in jobs:
        done = job.wait(max(0, round((deadline - time.monotonic()) * 1000))) and done
    return done

