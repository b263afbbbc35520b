"""Run an ``explorer`` generator off the GUI thread, with progress and cancel.

A page keeps one ``Background`` per kind of work. ``start()`` cancels what was
running (between two yields) and gives the new request a higher generation;
anything the old request still sends is dropped, so a slow result never
overwrites a newer one. ``shutdown()`` cancels and waits, for closing pages.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from superqt.utils import GeneratorWorker

from explorer.errors import InputError


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
        self._worker: GeneratorWorker | None = None
        self._callbacks: dict[str, Callable | None] = {}

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(
        self,
        generator: Callable[..., Iterator],
        *args,
        on_yield: Callable[[object], None] | None = None,
        on_done: Callable[[object], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        **kwargs,
    ) -> int:
        """Run ``generator(*args, **kwargs)`` on a worker thread; returns its generation."""
        self.cancel()
        self._generation += 1
        generation = self._generation
        self._callbacks = {"yield": on_yield, "done": on_done, "error": on_error}
        worker = GeneratorWorker(_guarded, generator, args, kwargs)
        worker.yielded.connect(lambda value, g=generation: self._relay("yield", g, value))
        worker.returned.connect(lambda value, g=generation: self._relay("done", g, value))
        worker.errored.connect(lambda exc, g=generation: self._relay("error", g, exc))
        worker.finished.connect(lambda g=generation: self._on_finished(g))
        self._worker = worker
        self.busy_changed.emit(True)
        worker.start()
        return generation

    def cancel(self) -> None:
        """Ask the running job to stop at its next yield; its results are dropped."""
        if self._worker is not None:
            self._worker.quit()
            self._worker = None
            self._generation += 1
            self.busy_changed.emit(False)

    def shutdown(self, msecs: int = 10_000) -> None:
        """Cancel and wait for the worker threads to finish (closing a page or the program)."""
        self.cancel()
        QThreadPool.globalInstance().waitForDone(msecs)

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
        if isinstance(exc, InputError) and callback is not None:
            callback(exc)
            return
        if not isinstance(exc, InputError):
            traceback.print_exception(exc)
        message = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        if callback is not None:
            callback(exc)
        self.failed.emit(message)

    def _on_finished(self, generation: int) -> None:
        if generation == self._generation and self._worker is not None:
            self._worker = None
            self.busy_changed.emit(False)
