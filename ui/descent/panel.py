"""The Descent lab: several learning rates on one surface, step by step, and the LR range test.

The panel owns a ``DescentScene``; a control edits it, ``_run()`` asks
``explorer.descent.iter_sweep`` for the trajectories on a worker (streamed, so
a long run shows up as it grows), and playback moves only the per-step
markers. Bad input is shown at its control; the last good run stays.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer import descent
from explorer.descent import surfaces
from explorer.descent.scene import DescentScene, internals_at, slice_line
from explorer.errors import InputError
from ui.common import theme
from ui.common.lab import LabPage
from ui.common.playback import PlaybackBar, PlaybackController
from ui.common.plots import set_title
from ui.common.worker import Background
from ui.descent.lrtest import LRTestView
from ui.descent.numbers import RunNumbers
from ui.descent.plots import LossPlot, SliceView, TrajectoryMap
from ui.descent.sidebar import DescentSidebar

CHUNK = 250  # steps per streamed partial result, at least
EXPORT_STEP = 10  # the step a headless figure shows when the scene is at step 0
MAX_PARTIALS = 20  # each partial redraws every path, so a long run sends at most this many
_VIEW_FIELDS = ("log_loss", "show_internals", "slice_axis")


class RunView:
    """The latest sweep as plain arrays for drawing (copied off the worker's storage)."""

    def __init__(self, sweep: descent.Sweep):
        self.sweep = sweep
        self.path = sweep.path.numpy().copy()
        self.loss = sweep.loss.numpy().copy()
        self.labels = [sweep.label(k) for k in range(len(sweep.lrs))]
        self.diverged = list(sweep.diverged_at)
        self.colors = theme.colors(len(self.labels))
        self.steps_done = sweep.steps_done


class DescentPanel(LabPage):
    """Trajectories on a contour map, loss per step, a 1-D view, playback, LR range test."""

    key = "descent"
    title = "Descent"
    icon = "descent"

    def __init__(self, parent: QWidget | None = None, device: str | None = None):
        super().__init__(parent)
        self._scene = DescentScene().validated()
        self._device = device
        self._run_view: RunView | None = None
        self._follow = 0
        self._job = Background(self)  # the trajectories
        self._lr_job = Background(self)  # the LR range test
        self.map, self.loss_plot, self.slice = TrajectoryMap(), LossPlot(), SliceView()
        self.playback = PlaybackController(self._scene.steps, self._scene.view.speed, self)
        self.sidebar = DescentSidebar(self._scene)
        self.lr_test = LRTestView(self._scene.lr_test, self._lr_job)
        self.progress = QProgressBar()
        self.cancel = QPushButton("Cancel")
        self.numbers = RunNumbers()
        self._drag = QTimer(self, singleShot=True, interval=30)  # coalesces map drags
        self._pending_start: tuple[float, float] | None = None
        self._build()
        self._connect()
        self._show_surface()
        self._run()

    # -- layout ------------------------------------------------------------
    def _build(self) -> None:
        self.bar = PlaybackBar(self.playback, shortcut_scope=self)
        self.scroll = scroll = QScrollArea()
        scroll.setWidget(self.sidebar)
        scroll.setWidgetResizable(True)
        scroll.setFixedWidth(330)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        plots = QGridLayout()
        plots.addWidget(self.map.plot, 0, 0, 2, 1)
        plots.addWidget(self.loss_plot.plot, 0, 1)
        plots.addWidget(self.slice.plot, 1, 1)
        plots.setColumnStretch(0, 5)
        plots.setColumnStretch(1, 4)
        trajectories = QWidget()
        column = QVBoxLayout(trajectories)
        column.addLayout(plots, stretch=1)
        column.addWidget(self.bar)
        column.addWidget(self.numbers)
        self.tabs = QTabWidget()
        self.tabs.addTab(trajectories, "Trajectories")
        self.tabs.addTab(self.lr_test, "LR range test")
        status = QHBoxLayout()
        status.addWidget(self.progress, stretch=1)
        status.addWidget(self.cancel)
        middle = QVBoxLayout()
        middle.addWidget(self.tabs, stretch=1)
        middle.addLayout(status)
        layout = QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(middle, stretch=1)
        self.progress.setRange(0, 1000)
        self.cancel.setEnabled(False)

    def _connect(self) -> None:
        self.sidebar.changed.connect(self._on_control_changed)
        self.sidebar.reset_start.connect(self._on_start_reset)
        self.map.image.picked.connect(self._on_map_picked)
        self._drag.timeout.connect(self._on_drag_settled)
        self.playback.step_changed.connect(self._on_step_changed)
        self.playback.speed_changed.connect(self._on_speed_changed)
        self._job.busy_changed.connect(self._on_busy_changed)
        self.cancel.clicked.connect(self._on_cancel_clicked)
        self._job.failed.connect(self.status_message)
        self._lr_job.failed.connect(self.status_message)
        self.lr_test.use_rate.connect(self._on_rate_sent)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        theme.notifier().changed.connect(self._on_theme_changed)
        self.lr_test.busy_changed.connect(self._on_busy_changed)
        self.lr_test.progress_changed.connect(lambda f: self.progress.setValue(round(1000 * f)))

    # -- LabPage -----------------------------------------------------------
    def plots(self) -> dict:
        return {"trajectories": self.map.plot, "loss-per-step": self.loss_plot.plot,
                "one-parameter": self.slice.plot, "lr-range-test": self.lr_test.plot}

    def descent_scene(self) -> DescentScene:
        """The scene as a dataclass, with the playback position and LR-test settings."""
        return replace(self._scene, current_step=self.playback.step,
                       lr_test=self.lr_test.options())

    def scene(self) -> dict:
        return self.descent_scene().to_dict()

    def set_scene(self, data: dict | DescentScene) -> None:
        """Show a saved scene: controls, surface, a new run, the saved step.

        Raises InputError (and changes nothing) if ``data`` is not a valid scene.
        """
        is_scene = isinstance(data, DescentScene)
        scene = data.validated() if is_scene else DescentScene.from_dict(data)
        self._scene = scene
        self.sidebar.set_scene(scene)
        self.lr_test.set_options(scene.lr_test)
        self.playback.set_speed(scene.view.speed)
        self._show_surface()
        self._run(keep_step=scene.current_step)

    def compute_now(self) -> None:
        """Run the sweep and the LR range test on this thread (headless export and tests).

        A still picture at step 0 shows no step at all, so it then shows step 10.
        """
        self._job.cancel()
        self._on_sweep(descent.sweep(**self._sweep_args()))
        if self.playback.step == 0:
            self.playback.seek(min(EXPORT_STEP, self._scene.steps))
        self.lr_test.compute_now()

    def presentation_widgets(self) -> list[QWidget]:
        return [self.scroll]

    def set_device(self, device: str | None) -> None:
        self._device = device
        self.lr_test.set_device(device)
        self._run()

    def shutdown(self) -> None:
        self.playback.pause()
        self._job.shutdown()
        self._lr_job.shutdown()

    # -- scene edits -------------------------------------------------------
    def _on_control_changed(self, field: str, value) -> None:
        if field == "follow":
            self._follow = max(0, value)
            self._title_slice()
            self._redraw_step()
            return
        if field in _VIEW_FIELDS:
            self._scene = replace(self._scene, view=replace(self._scene.view, **{field: value}))
            self._apply_view()
            return
        edit = {field: value}
        if field == "surface":  # options and start belong to the old surface
            edit.update(surface_options={}, start=None)
        elif field == "optimizer":
            edit["optimizer_options"] = {}
        elif field == "schedule":
            edit["schedule_options"] = {}
        self._scene = replace(self._scene, **edit)
        if field in ("surface", "optimizer", "schedule"):
            self.sidebar.set_scene(self._scene)
        if field in ("surface", "surface_options"):
            self._show_surface()
        self._run()

    def _on_map_picked(self, x: float, y: float) -> None:
        self._pending_start = (x, y)
        self.map.set_start(x, y)
        self.sidebar.show_start(x, y)
        self._drag.start()

    def _on_drag_settled(self) -> None:
        self._scene = replace(self._scene, start=self._pending_start)
        self._run()

    def _on_start_reset(self) -> None:
        self._scene = replace(self._scene, start=None)
        self._show_start()
        self._run()

    def _on_rate_sent(self, lr: float) -> None:
        lrs = self._scene.lrs if lr in self._scene.lrs else (*self._scene.lrs, lr)
        self._scene = replace(self._scene, lrs=tuple(sorted(lrs))[-256:])
        self.sidebar.lrs.set_lrs(self._scene.lrs)
        self.tabs.setCurrentIndex(0)
        self._run()

    def _on_theme_changed(self) -> None:
        # Colours, pens and legends follow the theme: redraw the current run with them.
        self.slice.restyle()
        self.loss_plot.restyle()
        if self._run_view is not None:
            self._on_sweep(self._run_view.sweep)

    def _on_tab_changed(self, index: int) -> None:
        # The range test runs by itself the first time its tab is opened.
        if self.tabs.widget(index) is self.lr_test and not self.lr_test.has_result():
            self.lr_test.run()

    def _on_speed_changed(self, speed: float) -> None:
        self._scene = replace(self._scene, view=replace(self._scene.view, speed=speed))

    # -- running -----------------------------------------------------------
    def _start_point(self) -> tuple[float, float]:
        return self._scene.start or surfaces.info(self._scene.surface).default_start

    def _sweep_args(self) -> dict:
        s = self._scene
        return dict(surface=s.surface, optimizer=s.optimizer, lrs=list(s.lrs), steps=s.steps,
                    start=self._start_point(), optimizer_options=s.optimizer_options,
                    surface_options=s.surface_options, device=self._device,
                    dtype=getattr(torch, s.dtype), schedule=s.schedule,
                    schedule_options=s.schedule_options)

    def _run(self, keep_step: int | None = None) -> None:
        """Re-run at once; the playback keeps its step (or goes to ``keep_step``)."""
        self._keep_step = self.playback.step if keep_step is None else keep_step
        self._show_start()
        self._show_explanation()  # the reference rates depend on the start point
        chunk = max(CHUNK, -(-self._scene.steps // MAX_PARTIALS))
        self._job.start(descent.iter_sweep, **self._sweep_args(), chunk=chunk,
                        on_yield=self._on_sweep, on_error=self._on_run_error)

    def _on_sweep(self, sweep: descent.Sweep) -> None:
        self.sidebar.clear_errors()
        self.sidebar.lrs.error.clear_error()
        view = RunView(sweep)
        self._run_view = view
        self._follow = min(self._follow, len(view.labels) - 1)
        self.map.set_sweep(view.path, view.labels, view.diverged, view.colors)
        self.loss_plot.set_sweep(view.loss, view.colors, view.labels)
        self.loss_plot.set_steps(sweep.steps)
        self._set_slice_points()
        self.sidebar.set_run_labels(view.labels, self._follow)
        self.numbers.set_runs(view.sweep.lrs.tolist(), view.colors)
        self._title_slice()
        self.bar.set_range(sweep.steps, view.steps_done)
        if self._keep_step is not None and view.steps_done >= self._keep_step:
            self.playback.seek(self._keep_step)
            self._keep_step = None
        self.progress.setValue(round(1000 * sweep.progress))
        self._redraw_step()

    def _on_run_error(self, exc: Exception) -> None:
        if isinstance(exc, InputError):
            self.sidebar.show_error(exc)  # the last good run stays on screen

    def _on_busy_changed(self, _busy: bool) -> None:
        # The bar keeps showing how far a cancelled run got; the partial run stays drawn.
        self.cancel.setEnabled(self._job.busy or self._lr_job.busy)

    def _on_cancel_clicked(self) -> None:
        self._job.cancel()
        self._lr_job.cancel()

    # -- drawing -----------------------------------------------------------
    def _show_surface(self) -> None:
        s = self._scene
        try:
            grid = surfaces.grid(s.surface, options=s.surface_options, n=200)
        except InputError as exc:
            self.sidebar.show_error(exc)
            return
        info = surfaces.info(s.surface)
        self.map.set_surface(grid, info, surfaces.contour_levels(grid, 18))
        self._apply_view()

    def _show_start(self) -> None:
        x, y = self._start_point()
        self.map.set_start(x, y)
        self.sidebar.show_start(x, y)

    def _show_explanation(self) -> None:
        s = self._scene
        try:
            reference = descent.reference_lrs(s.surface, self._start_point(), s.surface_options)
        except InputError:
            self.sidebar.explanation.setText("")
            return
        self.sidebar.lrs.set_presets(reference.presets)
        self.sidebar.explanation.setText(reference.explanation)

    def _apply_view(self) -> None:
        view = self._scene.view
        self.loss_plot.set_log(view.log_loss)
        info = surfaces.info(self._scene.surface)
        self.slice.set_axis_label(info.x_label if view.slice_axis == "x" else info.y_label)
        self._set_slice_points()
        self._redraw_step()

    def _set_slice_points(self) -> None:
        view = self._run_view
        if view is None:
            return
        axis = 0 if self._scene.view.slice_axis == "x" else 1
        self.slice.set_sweep(np.stack([view.path[..., axis], view.loss], axis=-1), view.colors)

    def _title_slice(self) -> None:
        view = self._run_view
        if view is not None:
            lr = f"{float(view.sweep.lrs[self._follow]):g}"
            set_title(self.slice.plot, f"Arrows are steps; cut at lr = {lr}")

    def _on_step_changed(self, _step: int) -> None:
        self._redraw_step()

    def _redraw_step(self) -> None:
        """One playback frame: markers, arrows, the cut, the numbers; no whole paths."""
        view = self._run_view
        if view is None:
            return
        step = min(self.playback.step, view.steps_done)
        self.map.set_step(step)
        self.loss_plot.set_step(step)
        self.slice.set_step(step)
        self._update_slice_curve(view, step)
        if self._scene.view.show_internals:
            details = internals_at(view.sweep, self._follow, step)
            self.map.set_internals(details)
            self.numbers.show_internals(f"{view.labels[self._follow]}, step {step}", details)
        else:
            self.map.set_internals(None)
            self.numbers.clear_internals()
        self.numbers.show_step(view.loss[:, step])

    def _update_slice_curve(self, view: RunView, step: int) -> None:
        point = view.path[self._follow, step]
        if not np.isfinite(point).all():
            return
        s = self._scene
        bounds = surfaces.info(s.surface).bounds
        span = bounds[0:2] if s.view.slice_axis == "x" else bounds[2:4]
        ts, loss = slice_line(s.surface, tuple(point), s.view.slice_axis, span,
                              s.surface_options)
        self.slice.set_curve(ts, loss)


