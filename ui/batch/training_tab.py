"""The Batch lab's Training tab: live curves of every run and, on a 2-D set, decision regions."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QGraphicsItem, QGridLayout, QLabel, QVBoxLayout, QWidget

from explorer import data
from explorer.errors import InputError
from explorer.training.live import LiveEpoch
from explorer.training.scene import BatchScene
from explorer.training.stepper import first_batch_counts
from ui.batch.player import PlayerBar, StepView
from ui.batch.regions import DecisionRegions
from ui.batch.runs import Run, TrainingCurves

REDRAW_INTERVAL_S = 0.15
"""While training, the curves and regions are redrawn at most this often (and at the end)."""

HINT = ("Train, change one setting, train again: every run stays in the list and the plots, in "
        "its own colour. Click a run in the list to see its decision regions. Or play and step "
        "it minibatch by minibatch: the learning rate and batch size can change mid-run.")


class TrainingTab(QWidget):
    """Loss and accuracy per epoch for every run; the class regions of the run on show."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.curves = TrainingCurves()
        self.regions = DecisionRegions()
        self.player = PlayerBar()
        self.step_view = StepView()
        self._unshown: dict[int, tuple[Run, bool]] = {}  # epochs added, not drawn yet
        self._regions_due: Run | None = None  # the run whose regions are not drawn yet
        self._throttle = RedrawThrottle((self._draw_curves, self._draw_regions),
                                        lambda: REDRAW_INTERVAL_S, self)
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self._grid = QGridLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.player)
        layout.addLayout(self._grid, 1)
        for plot in self.plots() + [self.step_view.mix_plot]:
            cache_axes(plot)

    def plots(self) -> list:
        return self.curves.plots() + [self.regions.plot, self.step_view.loss_plot]

    def show_dataset(self, scene: BatchScene) -> None:
        """Lay the plots out for ``scene``'s data set; on a 2-D set draw its training points."""
        two_d = scene.is_two_d()
        self._arrange(two_d)
        self.regions.clear_regions(two_d)
        if two_d:
            split = data.load(scene.config.dataset, label=scene.config.label)
            self.regions.show_points(split.x_train.numpy(), split.y_train.numpy(),
                                     split.class_names)

    def show_first_batch(self, scene: BatchScene) -> None:
        """Before the first step, the class mix of the minibatch step 1 will train on, in the
        order ``scene`` gives (class-sorted unshuffled data shows one class at once)."""
        if self.step_view.steps:
            return  # a stepped run is on show: its last minibatch stays
        config = scene.train_config("cpu")  # the order does not depend on the device
        try:
            counts = first_batch_counts(config)
            names = data.load(config.dataset, config.data_seed, config.label).class_names
        except InputError:
            counts, names = (), ()  # the controls say what is wrong; no mix to show for it
        self.step_view.set_classes(names)
        self.step_view.show_mix(counts, first=True)

    def _arrange(self, two_d: bool) -> None:
        """Curves stacked beside the decision regions on a 2-D set, else side by side."""
        for plot in self.plots() + [self.step_view.mix_plot]:
            self._grid.removeWidget(plot)
        self._grid.addWidget(self.curves.loss_plot, 0, 0)
        self._grid.addWidget(self.curves.accuracy_plot, 1, 0)
        if two_d:  # the regions beside the curves, the steps' plots in a row below
            self._grid.addWidget(self.regions.plot, 0, 1, 2, 1)
            self._grid.addWidget(self.step_view.loss_plot, 2, 0)
            self._grid.addWidget(self.step_view.mix_plot, 2, 1)
        else:
            self._grid.addWidget(self.step_view.loss_plot, 0, 1)
            self._grid.addWidget(self.step_view.mix_plot, 1, 1)
        self.regions.plot.setVisible(two_d)
        self._grid.setColumnStretch(0, 1)
        self._grid.setColumnStretch(1, 1)

    def show_epoch(self, run: Run, item: LiveEpoch, regions: bool = True,
                   throttle: bool = False) -> None:
        """Add one epoch to ``run``'s curves; draw its regions unless ``regions`` is False
        (a run on another data set than the one on show would sit under the wrong points).

        With ``throttle`` the drawing waits until :data:`REDRAW_INTERVAL_S` has passed since
        the last one (see :class:`RedrawThrottle`; :meth:`flush` draws at once): repainting
        the plots costs more than a small network's epoch, and a page that repaints after
        every epoch stops answering.
        """
        self.curves.add_record(run.key, item.record, draw=False)
        run.regions = item.regions
        self._unshown[run.key] = (run, regions)
        if throttle:
            self._throttle.request()
        else:
            self.flush()

    def flush(self, force: bool = True) -> None:
        """Draw the epochs not drawn yet (unless ``force`` is False and the last drawing was
        less than :data:`REDRAW_INTERVAL_S` ago)."""
        if force or self._throttle.due():
            self._throttle.now()

    def _draw_curves(self) -> None:
        for key, (run, regions) in self._unshown.items():
            if key not in self.curves.runs:
                continue  # removed (cancelled) before it was drawn
            self.curves.redraw(key)
            if run.regions is not None and regions:
                self._regions_due = run
        self._unshown.clear()

    def _draw_regions(self) -> None:
        run, self._regions_due = self._regions_due, None
        if run is not None and run.key in self.curves.runs:
            self.regions.show_regions(*run.regions, run_label=run.label)

    def show_run_regions(self, run: Run, dataset: str) -> None:
        """Draw ``run``'s last decision regions if it trained on ``dataset``."""
        if run.regions is not None and run.dataset == dataset:
            self.regions.show_regions(*run.regions, run_label=run.label)

    def restyle(self) -> None:
        self.curves.restyle()
        self.regions.restyle()
        self.step_view.restyle()


class RedrawThrottle(QObject):
    """Draws what is pending at most once every ``interval()`` seconds while requests come,
    in ``parts`` (callables, each drawing what is pending for its plots), one per pass of the
    event loop.

    The first request draws at once; the ones after it are drawn together by a timer when
    the interval is up, never from the handler of the worker's report: Qt delivers all the
    worker's queued reports before any timer, so drawing from them could paint twice in a
    row on a busy machine and starve every other timer of the program meanwhile. Each part
    after the first waits for the next pass (a 0 ms timer), so the window paints a part's
    plots, answers its timers, then paints the next part's: no paint of every plot at once.
    """

    def __init__(self, parts, interval: Callable[[], float], parent: QObject | None = None):
        super().__init__(parent)
        self._parts, self._interval = tuple(parts), interval
        self._next = 0  # the part the timer draws next (0: a new round, when it is time)
        self._drawn_at = -math.inf
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)

    def due(self) -> bool:
        return time.perf_counter() - self._drawn_at >= self._interval()

    def request(self) -> None:
        """Draw now if nothing was ever drawn (or the interval is 0), else when it is time."""
        if self._timer.isActive():
            return  # a round is due or under way: it draws what comes meanwhile too
        if self._drawn_at == -math.inf or self._interval() <= 0:
            self.now()
        else:
            wait = self._interval() - (time.perf_counter() - self._drawn_at)
            self._timer.start(max(0, round(1000 * wait)))

    def now(self) -> None:
        """Draw every part's pending data at once (a run's end, an export)."""
        self._timer.stop()
        self._drawn_at, self._next = time.perf_counter(), 0
        for part in self._parts:
            part()

    def _on_timeout(self) -> None:
        if self._next == 0:
            self._drawn_at = time.perf_counter()
        self._parts[self._next]()
        self._next = (self._next + 1) % len(self._parts)
        if self._next:
            self._timer.start(0)


def cache_axes(plot) -> None:
    """Paint ``plot``'s axes from a pixmap that Qt redraws only when they change.

    An axis with a grid spans the whole view, so every new point, curve or region under it
    repainted its tick labels and grid lines too: most of each redraw while training.
    """
    for side in ("left", "bottom", "right", "top"):
        plot.getPlotItem().getAxis(side).setCacheMode(
            QGraphicsItem.CacheMode.DeviceCoordinateCache)
