"""The stability bounds the Descent page draws: on the rate slider and on the range test.

A formula gives the bound at once where one holds (plain gradient descent, heavy-ball and
Nesterov momentum: ``explorer.descent.reference.stability_bound``, the one rule); otherwise
it is measured by bisection on batched sweeps (``iter_measured_bound``) on a worker, once
the settings it depends on have stopped changing. The range test's plot gets the bound of
the range test's own optimizer, with default options, as that is what the test runs.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from explorer.descent import batched_optim, lr_finder
from explorer.descent.reference import iter_measured_bound, stability_bound
from explorer.descent.scene import DescentScene
from explorer.errors import InputError
from ui.common.worker import Background

BOUND_MS = 250  # a measured boundary waits this long after the last change it depends on
SLIDER_SPAN = (1e-3, 10.0)  # the rate slider spans these multiples of the critical rate
ADAPTIVE_SPAN = (1e-3, 1e3)  # ... where no closed bound holds (adaptive rates scale otherwise)


def _run_key(s: DescentScene) -> tuple:
    return (s.surface, str(s.surface_options), s.optimizer, str(s.optimizer_options),
            s.start_point(), s.steps, s.schedule, str(s.schedule_options))


class BoundsShown(QObject):
    """Keeps the bound marks of one Descent page up to date with its scene."""

    failed = Signal(str)

    def __init__(self, sidebar, lr_test, parent: QObject | None = None):
        super().__init__(parent)
        self.sidebar, self.lr_test = sidebar, lr_test
        self.job = Background(self)
        self.job.failed.connect(self.failed)
        self._timer = QTimer(self, singleShot=True, interval=BOUND_MS)
        self._timer.timeout.connect(self._measure)
        self._scene: DescentScene | None = None
        self._device: str | None = None
        self._key: tuple | None = None
        self._test_key: tuple | None = None
        self._text = ""
        self._measured: float | None = None

    @property
    def measured(self) -> float | None:
        """The measured boundary of the trajectories' optimizer, once found."""
        return self._measured

    @property
    def busy(self) -> bool:
        """Whether a measured boundary is being searched for (or waits to be)."""
        return self.job.busy or self._timer.isActive()

    def cancel(self) -> None:
        self._timer.stop()
        self.job.cancel()

    def show(self, scene: DescentScene, critical: float, device: str | None = None) -> None:
        """The bounds for ``scene`` (``critical``: plain GD's rate, which scales the slider)."""
        self._scene, self._device = scene, device
        key = _run_key(scene)
        if key != self._key:
            self._key = key
            self._show_run_bound(scene, critical)
        self._show_test_bound(scene)

    def _show_run_bound(self, s: DescentScene, critical: float) -> None:
        self.cancel()
        self._measured = None
        try:
            bound = stability_bound(s.surface, s.optimizer, s.start_point(), s.optimizer_options,
                                    s.surface_options)
        except InputError:
            return
        low, high = SLIDER_SPAN if bound.closed_form else ADAPTIVE_SPAN
        self.sidebar.set_slider_range(critical * low, critical * high)
        self._text = bound.text
        if bound.closed_form:
            self.sidebar.set_bound(bound.lr, bound.text, bound.best)
        elif batched_optim.is_looped(s.optimizer):  # a search would take a minute of CPU
            self.sidebar.set_bound(None, bound.text + " It is not measured here: "
                                   f"{s.optimizer} runs one rate at a time, so the search "
                                   "would take about a minute.")
        else:
            self.sidebar.set_bound(None, bound.text + " Measuring…")
            self._timer.start()

    def _measure(self) -> None:
        s = self._scene
        self.job.start(iter_measured_bound, s.surface, s.optimizer, s.start_point(), s.steps,
                       s.optimizer_options, s.surface_options, s.schedule, s.schedule_options,
                       device=self._device, what="the search for the stability boundary",
                       on_yield=self._on_measured,
                       on_error=lambda exc: self.sidebar.set_bound(None, str(exc)))

    def _on_measured(self, bound) -> None:
        self._measured = bound.lr
        self.sidebar.set_bound(bound.lr, f"{self._text} {bound.text}")
        self._test_key = None
        self._show_test_bound(self._scene)

    def _show_test_bound(self, s: DescentScene) -> None:
        """The range test's plot: the bound of the optimizer the test itself runs."""
        key = (s.surface, str(s.surface_options), s.start_point(), s.lr_test.optimizer,
               s.lr_test.model)
        if key == self._test_key:
            return
        self._test_key = key
        if s.lr_test.model != lr_finder.SURFACE:
            self.lr_test.set_bound(None)
            return
        try:
            bound = stability_bound(s.surface, s.lr_test.optimizer, s.start_point(), None,
                                    s.surface_options)
        except InputError:
            self.lr_test.set_bound(None)
            return
        lr = bound.lr
        if lr is None and s.optimizer == s.lr_test.optimizer and not s.optimizer_options:
            lr = self._measured  # the trajectories measured this very optimizer
        label = "" if lr is None else (f"{s.lr_test.optimizer} bound {lr:.3g}" +
                                       ("" if bound.closed_form else " (measured)"))
        self.lr_test.set_bound(lr, label)
