"""The "Optimizers side by side" tab: one run per optimizer, each at its own rate, from the
page's start on the page's surface (``explorer.descent.compare``).

Each run's optimizer, options and rate are chosen in the column (``ui.descent.compare_runs``);
runs are added and removed, each keeping its colour. Run computes on a background job
(progress and Cancel) and draws every trajectory on a contour map and every loss per step, one
colour and one legend row ("Adam, lr = 0.3") per run. A change of the page's surface or start
makes the picture stale: it says so and runs again when the tab is shown. The rates say which
surface they were tuned for, and "then edited" once a run's rate, optimizer or options is
changed by hand; "Tune the rates here" picks each optimizer's best rate of a small grid on the
surface shown (``compare.iter_tune``, on the worker) and runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.descent import compare, surfaces
from explorer.descent.scene import CompareOptions, DescentScene
from explorer.errors import InputError
from explorer.inputs import MAX_STEPS
from ui.common import theme
from ui.common.columns import SettingsPanel, SideColumn
from ui.common.export import name_for_export
from ui.common.plots import make_plot
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid
from ui.common.worker import SHUTDOWN_MS, Background
from ui.descent.colours import MAP_CONTOUR, MAP_HEAT
from ui.descent.compare_runs import RunsEditor
from ui.descent.plots import heat_values

HINT = ("Same start, same surface, each optimizer at its own rate: look at which path heads "
        "straight down the valley, which zig-zags across it, and which overshoots and swings "
        "back (momentum).")
GRID = 120
LEGEND_MARGIN = 20  # px: the legend's offset from the plot's edge, on both sides
LEGEND_OFFSET = (10, -10)  # from the plot's bottom left corner
PROGRESS_STEPS = 1000


def _page_surface(scene: DescentScene) -> tuple:
    return scene.surface, scene.surface_options, scene.start_point()


def _grid_then_runs(scene: DescentScene, device) -> Iterator:
    """The surface's grid for the map, then the comparison after each run (on the worker)."""
    arguments = scene.compare_arguments(device)
    runs = compare.iter_compare(**arguments)  # bad settings: InputError before any computing
    yield surfaces.grid(scene.surface, n=GRID, options=scene.surface_options)
    yield from runs


def _tune_then_run(scene: DescentScene, device) -> Iterator:
    """Each run's best rate on the page's surface (after each run), then the comparison of
    the tuned runs (on the worker)."""
    arguments = scene.compare_arguments(device)
    tunings = compare.iter_tune(**arguments)  # bad settings: InputError before any computing
    tuning = None
    for tuning in tunings:
        yield tuning
    tuned = replace(scene.compare, runs=tuple(tuning.runs), tuned_for=tuning.surface)
    yield from _grid_then_runs(replace(scene, compare=tuned), device)


class _SettingsColumn(SideColumn):
    """The settings panel in a vertical scroll area as wide as the panel's own (fixed) width,
    which grows with presentation mode's font."""

    def needed_width(self) -> int:
        bar = self.verticalScrollBar().sizeHint().width()
        return max(super().needed_width(), self.widget().minimumWidth() + bar
                   + 2 * self.frameWidth())


def _page_key(scene: DescentScene) -> str:
    return compare.surface_key(scene.surface, scene.surface_options)


class CompareView(QWidget):
    """Rates per optimizer on the left; the paths on the surface and the loss per step."""

    def __init__(self, device: str | None = None, parent: QWidget | None = None,
                 options: CompareOptions | None = None):
        super().__init__(parent)
        self.device = device
        self.job = Background(self)
        self._options = (options or CompareOptions()).validated()
        self._page = DescentScene().validated()
        self._drawn_for: tuple | None = None  # the page's surface and start of the picture
        self.result: compare.Comparison | None = None
        self.runs = RunsEditor()
        self.steps = QSpinBox()
        self.steps.setRange(1, MAX_STEPS)
        self.steps.setObjectName("compare_steps")
        self.run_button, self.cancel_button = QPushButton("Run"), QPushButton("Cancel")
        self.run_button.setObjectName("run_compare")
        self.reset_button = QPushButton("Default optimizers")
        self.tune_button = QPushButton("Tune the rates here")
        self.tune_button.setObjectName("tune_compare")
        self.tune_button.setToolTip(
            "For each run, the rate of " + ", ".join(f"{lr:g}" for lr in compare.TUNE_GRID)
            + " whose run ends lowest after the steps below on the surface shown; then run.")
        self.tuned = QLabel()
        self.tuned.setObjectName("compare_tuned_for")
        self.tuned.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.error = ErrorLabel()
        self.status = QLabel("Press Run.")
        self.status.setWordWrap(True)
        self.map = make_plot("Who takes the straightest way down", "x", "y",
                             name="compare-map")
        self.map.getPlotItem().legend.setOffset(LEGEND_OFFSET)  # bottom left, off the start
        self.map.showGrid(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(MAP_HEAT[theme.current().name])
        self.image.setZValue(-10)
        self.map.addItem(self.image)
        self.contours: list[pg.IsocurveItem] = []
        theme.notifier().changed.connect(self._on_theme_changed)
        self.start = pg.ScatterPlotItem(symbol="o", size=16, brush=pg.mkBrush(None))
        self.map.addItem(self.start)
        name_for_export(self.start, "start")
        self.loss_plot = make_plot("Who gets low first", "step",
                                   "loss (log scale)", log_y=True, name="compare-loss")
        # Bottom left: the curves start high on the left and fall to the right.
        self.loss_plot.getPlotItem().legend.setOffset(LEGEND_OFFSET)
        self.paths: list[pg.PlotDataItem] = []
        self.losses: list[pg.PlotDataItem] = []
        for plot in (self.map, self.loss_plot):
            plot.getPlotItem().vb.sigResized.connect(self._fit_legends)
        self._build()
        self.set_options(self._options)
        self._connect()

    def _build(self) -> None:
        form = QFormLayout()
        form.addRow("steps", self.steps)
        buttons = QHBoxLayout()
        for button in (self.run_button, self.cancel_button):
            buttons.addWidget(button)
        form.addRow(buttons)
        form.addRow(self.tune_button)
        form.addRow(self.reset_button)
        form.addRow(self.progress)
        settings = SettingsPanel(42)  # 252 px at the desk's 9 pt
        column = QVBoxLayout(settings)  # word-wrapped labels get their height in a column
        column.addWidget(self.runs)
        column.addWidget(self.tuned)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addWidget(self.status)
        column.addStretch(1)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        plots = QHBoxLayout()
        plots.addWidget(self.map, stretch=5)
        plots.addWidget(self.loss_plot, stretch=4)
        right = QVBoxLayout()
        right.addWidget(hint)
        right.addLayout(plots, stretch=1)
        layout = QHBoxLayout(self)
        layout.addWidget(_SettingsColumn(settings))  # many runs' options scroll on a short screen
        layout.addLayout(right, stretch=1)

    def _connect(self) -> None:
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.reset_button.clicked.connect(self._on_reset)
        self.tune_button.clicked.connect(self.tune)
        self.runs.changed.connect(self._on_edited)
        self.steps.valueChanged.connect(self._on_edited)
        self.job.busy_changed.connect(self._on_busy_changed)
        self._on_busy_changed(False)

    # -- settings ------------------------------------------------------------
    def set_options(self, options: CompareOptions) -> None:
        """Show saved settings (InputError, changing nothing, if unusable); cancels a run of
        the old ones."""
        options = options.validated()
        if self.job.busy:
            self.cancel()
        self._show(options)

    def _show(self, options: CompareOptions) -> None:
        self._options = options
        self.runs.set_runs(options.runs)
        with signals_blocked(self.steps):
            self.steps.setValue(options.steps)
        self._clear_marks()
        self._show_tuned_for()

    @property
    def rate_boxes(self) -> list:
        """The rate box of each run, in order."""
        return self.runs.rate_boxes

    def read(self) -> CompareOptions:
        """The settings as typed (InputError naming ``compare_lr_<i>`` or ``compare_steps``)."""
        return CompareOptions(self.runs.read(), self.steps.value(),
                              self._options.tuned_for).validated()

    def options(self) -> CompareOptions:
        """The settings to save: as typed if usable, else the last usable ones."""
        with contextlib.suppress(InputError):
            self._options = self.read()
        return self._options

    def _on_edited(self, *_) -> None:
        self._clear_marks()
        try:
            options = self.read()
        except InputError as exc:
            self.show_error(exc)
            return
        if _changed_by_hand(self._options.runs, options.runs):
            options = replace(options, tuned_for=compare.edited(options.tuned_for))
        self._options = options
        self._show_tuned_for()

    def _on_reset(self) -> None:
        self.set_options(CompareOptions())
        self.run()

    def _clear_marks(self) -> None:
        self.runs.clear_marks()
        mark_valid(self.steps)
        self.error.clear_error()

    def show_error(self, exc: Exception) -> None:
        if self.runs.show_error(exc):
            return
        if (getattr(exc, "field", None) or "") == "compare_steps":
            mark_invalid(self.steps, str(exc))
        self.error.show_error(str(exc))

    def _show_tuned_for(self) -> None:
        """Which surface the rates were tuned for, and whether a rate was typed since; in bold
        when they were tuned for another surface than the page's."""
        tuned_for, by_hand = compare.tuned_surface(self._options.tuned_for)
        here = _page_key(self._page)
        retune = "'Tune the rates here' finds each one's best."
        if not tuned_for:
            self.tuned.setText(f"Rates typed by you, not tuned for a surface. {retune}")
        elif tuned_for == here:
            self.tuned.setText(f"Rates tuned for this surface: {here}." + (
                f" Then edited: a rate typed by you is not a tuned one. {retune}"
                if by_hand else ""))
        else:
            then = ", then edited" if by_hand else ""
            self.tuned.setText(f"<b>These rates were tuned for {tuned_for}{then}, not for the "
                               f"surface shown ({here})</b>: they may crawl or diverge here. "
                               + retune)

    # -- the page ------------------------------------------------------------
    def set_page(self, scene: DescentScene) -> None:
        """The page's surface and start (the runs start there); a picture of another surface
        or start is said to be stale."""
        self._page = scene
        self._show_tuned_for()
        if self._drawn_for is not None and _page_surface(scene) != self._drawn_for:
            self.status.setText("The page's surface or start changed since this ran: the "
                                "picture is of the old one. Run again (it runs when shown).")

    @property
    def stale(self) -> bool:
        """Whether the picture is missing or of another surface or start than the page's."""
        return self._drawn_for != _page_surface(self._page)

    # -- running -------------------------------------------------------------
    def _scene(self) -> DescentScene:
        return replace(self._page, compare=self.read())

    def run(self) -> None:
        """Run the comparison in the background (a bad setting is shown, nothing runs)."""
        self._start(compare.iter_compare, _grid_then_runs, "Running…",
                    "the optimizer comparison")

    def tune(self) -> None:
        """Tune each run's rate for the page's surface in the background, then run."""
        self._start(compare.iter_tune, _tune_then_run, "Tuning the rates…", "tuning the rates")

    def _start(self, iterate, work, status: str, what: str) -> None:
        """Check the settings with ``iterate`` (it computes nothing until iterated), then run
        ``work`` on the worker; a bad setting is shown and nothing runs."""
        self._clear_marks()
        try:
            scene = self._scene()
            iterate(**scene.compare_arguments())
        except InputError as exc:
            self.show_error(exc)
            return
        self.progress.setValue(0)
        self.status.setText(status)
        self._target = _page_surface(scene)
        self.job.start(work, scene, self.device, what=what,
                       on_yield=self._on_item, on_done=self._on_item, on_error=self.show_error)

    def cancel(self) -> None:
        if self.job.busy:
            self.job.cancel()
            self.status.setText("Cancelled: the runs done so far are drawn.")

    def compute_now(self) -> None:
        """Run on this thread and draw (headless export and tests)."""
        scene = self._scene()
        self._target = _page_surface(scene)
        for item in _grid_then_runs(scene, self.device):
            self._on_item(item)

    def _on_busy_changed(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.tune_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def _on_item(self, item) -> None:
        if isinstance(item, compare.Tuning):
            self.progress.setValue(round(item.progress * PROGRESS_STEPS))
            self.status.setText(f"Tuning the rates… ({len(item.runs)} of {item.total})")
            if item.done:
                self._take_tuning(item)
        elif isinstance(item, surfaces.Grid):
            self._draw_surface(item)
        elif isinstance(item, compare.Comparison):
            self.result = item
            self.progress.setValue(round(item.progress * PROGRESS_STEPS))
            self._draw_runs(item)
            if item.done:
                self._drawn_for = self._target
                self.status.setText(_summary(item))

    def _take_tuning(self, tuning: compare.Tuning) -> None:
        """Show the tuned rates: each run (by its colour) that still has the optimizer and
        options it was tuned with takes its rate."""
        tuned = {(run.color, run.optimizer, str(run.options)): run.lr for run in tuning.runs}
        keys = [(run.color, run.optimizer, str(run.options)) for run in self._options.runs]
        runs = tuple(replace(run, lr=tuned.get(key, run.lr))
                     for run, key in zip(self._options.runs, keys, strict=True))
        # A run changed while the tuning ran keeps its rate: that one is not a tuned rate.
        tuned_for = (tuning.surface if all(key in tuned for key in keys)
                     else compare.edited(tuning.surface))
        self._show(replace(self._options, runs=runs, tuned_for=tuned_for))  # job goes on
        if tuning.untuned:
            self.error.show_error("Every rate tried diverged for " + ", ".join(tuning.untuned)
                                  + ": its rate is kept.")

    # -- drawing -------------------------------------------------------------
    def _draw_surface(self, grid: surfaces.Grid) -> None:
        xmin, xmax, ymin, ymax = grid.bounds
        self.image.setImage(heat_values(grid.z, grid.log_levels), autoLevels=True)
        dx, dy = (xmax - xmin) / (len(grid.xs) - 1), (ymax - ymin) / (len(grid.ys) - 1)
        rect = QRectF(xmin - dx / 2, ymin - dy / 2, xmax - xmin + dx, ymax - ymin + dy)
        self.image.setRect(rect)
        for curve in self.contours:
            self.map.removeItem(curve)
        pen = pg.mkPen(MAP_CONTOUR[theme.current().name], width=1)
        self.contours = []
        for level in surfaces.contour_levels(grid, 14):
            # IsocurveItem traces in index units, x first: its own transform puts it on the map.
            curve = pg.IsocurveItem(data=np.asarray(grid.z).T, level=float(level), pen=pen)
            curve.setTransform(pg.QtGui.QTransform(dx, 0, 0, dy, xmin, ymin))
            curve.setZValue(-5)
            self.map.addItem(curve)
            self.contours.append(curve)
        self.start.setPen(pg.mkPen(theme.current().foreground, width=2.5))
        self.map.getPlotItem().vb.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0)

    def _on_theme_changed(self) -> None:
        """The map follows the theme: heat map, contour lines and start marker (recoloured,
        not traced again: the scale changes this often while presenting)."""
        name = theme.current().name
        self.image.setColorMap(MAP_HEAT[name])
        pen = pg.mkPen(MAP_CONTOUR[name], width=1)
        for curve in self.contours:
            curve.setPen(pen)
        self.start.setPen(pg.mkPen(theme.current().foreground, width=2.5))

    def _draw_runs(self, comparison: compare.Comparison) -> None:
        for item in self.paths:
            self.map.removeItem(item)
        for item in self.losses:
            self.loss_plot.removeItem(item)
        self.paths, self.losses = [], []
        steps = np.arange(comparison.steps + 1)
        for run in comparison.runs:
            pen = theme.pen(run.run.color, width=2.5)  # the run's own colour, for its life
            self.paths.append(self.map.plot(run.path[:, 0], run.path[:, 1], pen=pen,
                                            name=run.label))
            loss = np.asarray(run.loss, dtype=float)
            keep = np.isfinite(loss) & (loss > 0)
            self.losses.append(self.loss_plot.plot(steps[keep], loss[keep], pen=pen,
                                                   name=run.label))
        self.start.setData(pos=[comparison.start])
        self._fit_legends()

    def _fit_legends(self, *_) -> None:
        """Each legend inside its plot, never hidden (an exported plot keeps its legend): on
        one line per run where it fits, else each run's name, rate and divergence on lines of
        their own, else those lines scaled down to the room there is (a narrow plot in
        presentation mode)."""
        for plot in (self.map, self.loss_plot):
            _fit_legend(plot.getPlotItem())

    def plots(self) -> dict:
        return {"compare-map": self.map, "compare-loss": self.loss_plot}

    def set_device(self, device: str | None) -> None:
        self.device = device

    def shutdown(self, msecs: int | None = None) -> bool:
        return self.job.shutdown(SHUTDOWN_MS if msecs is None else msecs)


def _fit_legend(item: pg.PlotItem) -> None:
    legend, room = item.legend, item.vb.boundingRect()
    width, height = room.width() - LEGEND_MARGIN, room.height() - LEGEND_MARGIN
    if not legend.items or width <= 0 or height <= 0:  # nothing drawn, or not laid out yet
        return
    if legend.parentItem() is not item.vb:  # an export placed it beside the plot for now
        return
    for wrap in (False, True):
        size = _legend_size(legend, wrap)
        if size.width() <= width and size.height() <= height:
            break
    scale = min(1.0, width / size.width(), height / size.height())
    legend.setScale(scale)
    # Anchored by its bottom left corner, which its new size (or scale) has moved.
    legend.anchor(itemPos=(0, 1), parentPos=(0, 1), offset=LEGEND_OFFSET)
    legend.setVisible(True)


def _legend_size(legend: pg.LegendItem, wrap: bool):
    """The legend's own (unscaled) size with each run's label on one line or wrapped."""
    for sample, label in legend.items:
        text = sample.item.name() or ""
        if wrap:
            text = text.replace(", lr = ", "<br>lr = ").replace(" — ", "<br>")
        if label.text != text:
            label.setText(text)
    legend.layout.invalidate()  # the cells keep their old widths until laid out from zero
    legend.setGeometry(0, 0, 1, 1)
    legend.layout.activate()
    legend.updateSize()
    return legend.boundingRect().size()


def _changed_by_hand(before, after) -> bool:
    """Whether a run kept from ``before`` (by its colour) has another rate, optimizer or
    options in ``after``; a run added (a copy of a run) or removed changes no tuned rate."""
    old = {run.color: run for run in before}
    return any(run.color in old and (run.lr, run.optimizer, dict(run.options))
               != (old[run.color].lr, old[run.color].optimizer, dict(old[run.color].options))
               for run in after)


def _summary(comparison: compare.Comparison) -> str:
    """Each optimizer's loss after the last step, lowest first."""
    def last(run: compare.ComparedRun) -> float:
        return np.inf if run.diverged_at is not None else float(run.loss[-1])

    rows = []
    for run in sorted(comparison.runs, key=last):
        end = (f"diverged at step {run.diverged_at}" if run.diverged_at is not None
               else f"loss {run.loss[-1]:.3g}")
        rows.append(f"{run.run.label}: {end}")
    return f"After {comparison.steps} steps, lowest first:\n" + "\n".join(rows)
