"""The Descent lab's controller: it owns the scene and the background jobs.

The views (sidebar, plots, numbers, LR-test tab, playback bar) emit what the user
asked for; every request becomes a new scene that goes through one path,
:meth:`DescentController._apply`: validated by ``explorer.descent``, then only
what differs from the old scene is redrawn or re-run. Bad input is shown at its
control and the last good scene and run stay.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from explorer import descent
from explorer.descent import batched_optim, lr_finder, surfaces
from explorer.descent.divergence import check_start_loss, sweep_diverging_at
from explorer.descent.rates import fan, replace_rate
from explorer.descent.readings import internals_at, slice_line
from explorer.descent.reference import cached_measured_reference, measured_reference
from explorer.descent.scene import DescentScene, preset_rates
from explorer.errors import InputError
from ui.common import theme
from ui.common.playback import PlaybackBar, PlaybackController
from ui.common.worker import Background, JobFailed, wait_for
from ui.descent.bounds import BoundsShown
from ui.descent.colours import RunColours
from ui.descent.items import grown_buffer
from ui.descent.lrtest import LRTestView
from ui.descent.numbers import RunNumbers
from ui.descent.plots import LossPlot, SliceView, TrajectoryMap
from ui.descent.sidebar import DescentSidebar
from ui.descent.texts import label_at, run_labels

MOST_CHUNK = 2_000  # steps per streamed partial result, at most
CHUNK_SECONDS = 0.04  # the worker yields about this often, so a Cancel stops it that soon
PARTIAL_MS = 100  # a streaming run's redraws leave the window this long between them
#                  (its complete result is drawn at once)
EXPORT_STEP = 10  # the step a headless figure shows when the scene is at step 0
INLINE_MS = 8.0  # a slider's run expected to take less than this runs on the GUI thread
PROBE_WORK = 6_000  # rates × steps: a slider's first run of a kind runs here to time it
DRAG_MS = 30  # map drags settle this long before a re-run


class RunView:
    """The latest sweep as plain arrays for drawing.

    They are views of the sweep's storage, not copies: a streaming worker writes only the
    steps after the ones a result it yielded holds, so what a view shows never changes.
    """

    def __init__(self, sweep: descent.Sweep, colors: list[str] | None = None):
        self.sweep = sweep
        self.path = sweep.path.numpy()
        self.loss = sweep.loss.numpy()
        self.diverged = sweep_diverging_at(sweep)  # the step each run is diverging from
        self.labels = run_labels(sweep, self.diverged)
        self.colors = list(colors) if colors is not None else theme.colors(len(self.labels))
        self.steps_done = sweep.steps_done


@dataclass
class DescentViews:
    """The widgets and plots the controller draws into."""

    sidebar: DescentSidebar
    map: TrajectoryMap
    loss_plot: LossPlot
    slice: SliceView
    numbers: RunNumbers
    lr_test: LRTestView
    bar: PlaybackBar
    playback: PlaybackController


class DescentController(QObject):
    """Scene, sweep job and LR-test job of one Descent page."""

    result_changed = Signal(object)  # the RunView just drawn (partial runs too: their map
    #                                  is drawn, their other plots follow within a few turns)
    busy_changed = Signal(bool)  # whether a sweep or a range test is running
    progress_changed = Signal(float)  # of the job that reported last, 0 to 1
    rate_used = Signal()  # a rate came from the LR range test: show the trajectories
    status_message = Signal(str)

    def __init__(self, views: DescentViews, scene: DescentScene, device: str | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.views = views
        self._scene = scene.validated()
        self._device = device
        self._result: RunView | None = None
        self._lr_result: lr_finder.LRFinderResult | None = None
        self._follow = 0
        self._keep_step: int | None = None
        self._pending_start: tuple[float, float] | None = None
        self._job = Background(self)  # the trajectories
        self._lr_job = Background(self)  # the LR range test
        self._bounds = BoundsShown(views.sidebar, views.lr_test, self)  # slider and range test
        self._reference_job = Background(self)  # the measured preset rates
        self._reference_key: tuple | None = None  # what the presets shown were measured for
        # A surface switch whose presets were not measured yet takes the local curvature's
        # at once; these (surface, rates) are replaced by the measured ones when they come.
        self._provisional: tuple[str, tuple[float, ...]] | None = None
        self._drag = QTimer(self, singleShot=True, interval=DRAG_MS)  # coalesces map drags
        self._pending_live: tuple[str, object] | None = None  # the newest slider move
        self._colours = RunColours()
        self._seconds_per_step: dict[tuple, float] = {}  # measured inline, per kind of run
        # A streaming run's partial results: the newest waits here until PARTIAL_MS after
        # the last one drawn; each run (``_stream``) is told apart so a partial of the run
        # drawn last only adds its new steps to the plots.
        self._partial_timer = QTimer(self, singleShot=True, interval=PARTIAL_MS)
        self._pending_partial: tuple[int, descent.Sweep] | None = None
        # A partial result is drawn a plot per event-loop turn (the map first), so the window
        # answers between them; what is left of one waits here and is finished before
        # anything else is drawn.
        self._stages: list = []
        self._stage_timer = QTimer(self, singleShot=True, interval=0)
        self._stream = 0  # the run streaming now
        self._drawn_stream: int | None = None  # the run the plots show, if it streamed
        self._slice_points = np.zeros((0, 0, 2))
        self._connect()

    def _connect(self) -> None:
        v = self.views
        v.sidebar.changed.connect(self._on_control_changed)
        v.sidebar.live.connect(self._on_live)
        self._job.busy_changed.connect(self._on_sweep_busy)
        v.sidebar.reset_start.connect(lambda: self._apply(replace(self._scene, start=None)))
        v.sidebar.show_whole_changed.connect(self._on_show_whole_changed)
        v.map.image.picked.connect(self._on_map_picked)
        self._drag.timeout.connect(self._on_drag_settled)
        self._partial_timer.timeout.connect(self._on_partial_due)
        self._stage_timer.timeout.connect(self._next_stage)
        v.playback.step_changed.connect(self._on_step_changed)
        v.playback.speed_changed.connect(lambda speed: self._apply(self._scene.with_view(
            speed=speed)))
        v.lr_test.options_changed.connect(self._on_lr_test_edited)
        v.lr_test.run_requested.connect(self._on_lr_test_run)
        v.lr_test.use_rate.connect(self._on_rate_used)
        for job in (self._job, self._lr_job):
            job.busy_changed.connect(lambda _: self.busy_changed.emit(self.busy))
            job.failed.connect(self.status_message)
        self._bounds.failed.connect(self.status_message)
        theme.notifier().changed.connect(self._on_theme_changed)

    # -- state -------------------------------------------------------------
    @property
    def scene(self) -> DescentScene:
        """The scene shown, with the playback position."""
        return self._scene

    @property
    def result(self) -> RunView | None:
        """The run drawn (the newest partial one while a run streams)."""
        return self._result

    @property
    def busy(self) -> bool:
        return self._job.busy or self._lr_job.busy

    @property
    def presets_busy(self) -> bool:
        """Whether the preset rates are being measured."""
        return self._reference_job.busy

    @property
    def sweep_busy(self) -> bool:
        return self._job.busy

    @property
    def sweep_thread_running(self) -> bool:
        """Whether a trajectories worker (a cancelled one too) is still on its thread."""
        return self._job.running

    @property
    def lr_test_busy(self) -> bool:
        return self._lr_job.busy

    @property
    def has_lr_result(self) -> bool:
        """Whether a range test has run (or is running) since the page opened."""
        return self._lr_job.busy or self._lr_result is not None

    # -- requests ----------------------------------------------------------
    def start(self) -> None:
        """Draw the scene and run it (once, when the page is built)."""
        self._apply(self._scene, force=True)

    def set_scene(self, scene: DescentScene) -> None:
        """Show ``scene`` and run it at its saved step; InputError (and no change) if invalid."""
        scene = scene.validated()
        self._apply(scene, force=True, keep_step=scene.current_step)

    def set_device(self, device: str | None) -> None:
        self._device = device
        self._run()

    def compute_now(self) -> None:
        """Run the sweep and the range test on this thread (headless export and tests).

        A still picture at step 0 shows no step at all, so it then shows step 10.
        """
        self._job.cancel()
        self._drop_partial()
        if self._reference_job.busy:  # the presets too, here
            self._reference_job.cancel()
            s = self._scene
            self._on_presets_measured(self._reference_key, measured_reference(
                s.surface, s.start_point(), s.surface_options, s.steps))
        self._on_sweep(descent.sweep(**self._scene.sweep_arguments(self._device)))
        if self.views.playback.step == 0:
            self.views.playback.seek(min(EXPORT_STEP, self._scene.steps))
        self._lr_job.cancel()
        self._on_lr_result(lr_finder.lr_range_test(**self._scene.lr_test_arguments(self._device)))

    def run_lr_test(self) -> None:
        """Start the range test with the scene's settings on the worker."""
        self._lr_job.start(lr_finder.iter_lr_range_test,
                           **self._scene.lr_test_arguments(self._device),
                           what="the LR range test", on_yield=self._on_lr_result,
                           on_error=self.views.lr_test.show_error)

    @property
    def bound_busy(self) -> bool:
        """Whether the measured stability boundary is being searched (or waits to be)."""
        return self._bounds.busy

    def cancel(self) -> None:
        self._pending_live = None
        self._drop_partial()
        self._finish_stages()  # the plots all show the partial result begun before
        self._job.cancel()
        self._lr_job.cancel()
        self._bounds.cancel()
        if self._reference_job.busy:
            self._reference_job.cancel()
            self.views.sidebar.set_reference(None, "The preset rates were not measured (the "
                                             "run was cancelled): change a setting to measure "
                                             "them.")
        self._reference_key = None

    def shutdown(self, msecs: int | None = None) -> bool:
        """Stop the playback and both jobs, then wait (at most ``msecs`` in all) for their
        threads; whether they stopped."""
        self.views.playback.pause()
        self.cancel()
        return wait_for([self._job, self._lr_job, self._bounds.job, self._reference_job], msecs)

    # -- the one sync path -------------------------------------------------
    def _apply(self, new: DescentScene, force: bool = False,
               keep_step: int | None = None, live: bool = False) -> bool:
        """Make ``new`` the scene if it is valid and redraw what differs; False if refused."""
        try:
            new = new.validated()
        except InputError as exc:
            self._show_error(exc)
            return False
        old, self._scene = self._scene, new
        self._show_controls(old, new, force)
        if force or (new.surface, new.surface_options) != (old.surface, old.surface_options):
            self._show_surface()
        elif _drawn_view(new) != _drawn_view(old):
            self._show_view()
        if force or new.view.speed != old.view.speed:
            self.views.playback.set_speed(new.view.speed)
        if force or new.run_differs(old):
            self._run(keep_step, live)
        elif new.lr_test != old.lr_test:
            self._show_reference()  # the range test's plot marks its own optimizer's bound
        if (not force and new.lr_test.model == lr_finder.SURFACE
                and _tested_surface(new) != _tested_surface(old)):
            self._lr_job.cancel()
            self.views.lr_test.clear_result("What the test ran on (the surface, start, "
                                            "optimizer or model) changed: run it again.")
        return True

    def _show_controls(self, old: DescentScene, new: DescentScene, force: bool) -> None:
        sidebar = self.views.sidebar
        for part, options, set_all, set_options in (
                ("surface", "surface_options", sidebar.set_surface, sidebar.set_surface_options),
                ("optimizer", "optimizer_options", sidebar.set_optimizer,
                 sidebar.set_optimizer_options),
                ("schedule", "schedule_options", sidebar.set_schedule,
                 sidebar.set_schedule_options)):
            if force or getattr(new, part) != getattr(old, part):
                set_all(getattr(new, part), getattr(new, options))
            elif getattr(new, options) != getattr(old, options):
                set_options(getattr(new, options))
        if force or new.lrs != old.lrs:
            sidebar.set_lrs(new.lrs)
        if force or (new.steps, new.dtype) != (old.steps, old.dtype):
            sidebar.set_run(new.steps, new.dtype)
        if force or new.view != old.view:
            sidebar.set_view(new.view)
        if force or new.lr_test != old.lr_test:
            self.views.lr_test.set_options(new.lr_test)

    def _show_error(self, exc: InputError) -> None:
        if (exc.field or "").startswith("lr_test"):
            self.views.lr_test.show_error(exc)
        else:
            self.views.sidebar.show_error(exc)

    # -- what the views asked for ------------------------------------------
    def _on_control_changed(self, field: str, value) -> None:
        if field == "follow":
            self._follow = max(0, value)
            self._title_slice()
            self._redraw_step()
            return
        if field == "surface" and value != self._scene.surface and not _presets_known(
                value, self._scene.steps):
            # Measuring this surface's presets can take a second (a model landscape): take
            # the local ones now and the measured ones from the worker (``_show_reference``).
            if self._apply(self._scene.with_surface(value, measure=False)):
                self._provisional = (value, self._scene.lrs)
            return
        self._apply(self._scene.edited(field, value))

    def _on_live(self, kind: str, value) -> None:
        """A slider moved: run it now, or, while a run is in flight, once that one is done
        (only the newest move is kept, so the picture follows the slider, never a backlog)."""
        self._pending_live = (kind, value)
        if not self._job.busy:
            self._flush_live()

    def _on_sweep_busy(self, busy: bool) -> None:
        # A run ended (or was replaced): the newest slider move that waited runs next, from
        # the event loop, so a run is never started from inside another one's start().
        if not busy and self._pending_live is not None:
            QTimer.singleShot(0, self._flush_live)

    def _flush_live(self) -> None:
        if self._pending_live is None or self._job.busy:
            return
        (kind, value), self._pending_live = self._pending_live, None
        s = self._scene
        try:
            if kind == "run_rate":
                new = replace(s, lrs=replace_rate(s.lrs, *value))
            elif kind == "fan":
                new = replace(s, lrs=fan(value))
            else:
                name, number = value
                new = s.edited("optimizer_options", {**s.optimizer_options, name: number})
        except InputError as exc:
            self._show_error(exc)
            return
        self._apply(new, live=True)

    def _on_map_picked(self, x: float, y: float) -> None:
        # The marker follows the mouse at once; the run waits until the drag settles.
        self._pending_start = (x, y)
        self.views.map.set_start(x, y)
        self.views.sidebar.set_start(x, y)
        self._drag.start()

    def _on_drag_settled(self) -> None:
        self._apply(replace(self._scene, start=self._pending_start))

    def _on_lr_test_edited(self, options) -> None:
        self._apply(replace(self._scene, lr_test=options))

    def _on_lr_test_run(self, options) -> None:
        if self._apply(replace(self._scene, lr_test=options)):
            self.run_lr_test()

    def _on_rate_used(self, lr: float) -> None:
        self.rate_used.emit()
        self._apply(self._scene.with_rate(lr))

    def _on_step_changed(self, step: int) -> None:
        self._scene = replace(self._scene, current_step=step)  # the position, nothing to check
        self._redraw_step()

    def _on_theme_changed(self) -> None:
        # Colours, pens and legends follow the theme: redraw the current run with them.
        self.views.slice.restyle()
        self.views.loss_plot.restyle()
        self.views.map.restyle()
        self._show_surface()
        if self._result is not None:
            self._on_sweep(self._result.sweep)

    # -- running -----------------------------------------------------------
    def _run(self, keep_step: int | None = None, live: bool = False) -> None:
        """Re-run at once; the playback keeps its step (or goes to ``keep_step``).

        A slider move (``live``) whose run the last timing says takes under ``INLINE_MS``
        runs here, on this thread: the hop to a worker and back would cost more than the run.
        """
        self._keep_step = self.views.playback.step if keep_step is None else keep_step
        self._show_start()
        self._show_reference()  # the reference rates depend on the start point
        s = self._scene
        work = len(s.lrs) * s.steps
        cost = self._seconds_per_step.get(self._cost_key())
        looped = batched_optim.is_looped(s.optimizer)  # LBFGS: torch's own, one rate at a time
        if live and not looped and (work * cost * 1000 <= INLINE_MS if cost is not None
                                    else work <= PROBE_WORK):
            self._run_inline(work)
            return
        self._drop_partial()
        self._stream += 1
        stream = self._stream
        self._job.start(descent.iter_sweep, **s.sweep_arguments(self._device),
                        chunk=MOST_CHUNK, chunk_seconds=CHUNK_SECONDS, what=self._what(),
                        on_yield=lambda sweep: self._on_streamed(stream, sweep),
                        on_error=self._on_run_error)

    def _cost_key(self) -> tuple:
        s = self._scene
        return s.surface, str(s.surface_options), s.optimizer, s.dtype, s.schedule, self._device

    def _what(self) -> str:
        return f"the {self._scene.optimizer} run on {self._scene.surface}"

    def _run_inline(self, work: int) -> None:
        self._job.cancel()
        self._drop_partial()
        began = time.perf_counter()
        try:
            sweep = descent.sweep(**self._scene.sweep_arguments(self._device))
        except InputError as exc:
            self._on_run_error(exc)
            return
        except Exception as exc:  # reported in words, as a worker's failure would be
            self._on_run_error(JobFailed(self._what(), exc))
            return
        self._seconds_per_step[self._cost_key()] = (time.perf_counter() - began) / work
        self._on_sweep(sweep)

    # -- a streaming run's results ----------------------------------------
    def _on_streamed(self, stream: int, sweep: descent.Sweep) -> None:
        """A worker's result: the complete one is drawn at once; a partial one at most every
        PARTIAL_MS (the newest of those that came meanwhile), so drawing never starves the
        window of its event loop."""
        if sweep.complete:
            self._drop_partial()
            self._on_sweep(sweep, stream)
            return
        self._pending_partial = (stream, sweep)
        if not self._partial_timer.isActive() and not self._stages:
            self._on_partial_due()

    def _on_partial_due(self) -> None:
        if self._pending_partial is None:
            return
        (stream, sweep), self._pending_partial = self._pending_partial, None
        self._on_sweep(sweep, stream, staged=True)

    def _drop_partial(self) -> None:
        """Forget a partial result not drawn yet (its run was cancelled or replaced)."""
        self._pending_partial = None
        self._partial_timer.stop()

    def _next_stage(self) -> None:
        if self._stages:
            self._stages.pop(0)()
        if self._stages:
            self._stage_timer.start()
        else:
            # Started after drawing: the event loop has PARTIAL_MS to itself before the next.
            self._partial_timer.start()

    def _finish_stages(self) -> None:
        """Draw at once what is left of a partial result (before anything else is drawn:
        a later result of the same run adds only its new steps to what the plots hold)."""
        self._stage_timer.stop()
        while self._stages:
            self._stages.pop(0)()

    def _on_sweep(self, sweep: descent.Sweep, stream: int | None = None,
                  staged: bool = False) -> None:
        """Draw ``sweep``; ``stream``: the streaming run it belongs to (None: a run computed
        in one piece). A later result of the run drawn last adds only its new steps.

        ``staged`` (a partial result): the map now, the loss plot and the rest each on a
        later turn of the event loop."""
        self._finish_stages()
        v = self.views
        v.sidebar.clear_errors()
        grown = (self._result.steps_done + 1 if stream is not None and self._result is not None
                 and stream == self._drawn_stream else 0)
        self._drawn_stream = stream
        streaming = not sweep.complete
        # the run drawn last, grown: its rates and so its colours are the same
        colors = self._result.colors if grown else self._colours.update(sweep.lrs.tolist())
        view = RunView(sweep, colors)
        self._result = view
        self._follow = min(self._follow, len(view.labels) - 1)
        v.map.set_sweep(view.path, view.labels, view.diverged, view.colors, grown, streaming)
        rest = [lambda: self._draw_loss(view, grown, streaming),
                lambda: self._draw_rest(view, grown)]
        if staged:
            self._stages = rest
            self._stage_timer.start()
            self.result_changed.emit(view)  # the result is the page's; its plots follow
            return
        for stage in rest:
            stage()
        self.result_changed.emit(view)

    def _draw_loss(self, view: RunView, grown: int, streaming: bool) -> None:
        sweep, v = view.sweep, self.views
        v.loss_plot.set_sweep(view.loss, view.colors, view.labels, view.diverged, grown,
                              streaming, room=sweep.steps + 1)
        if not grown:
            v.loss_plot.set_steps(sweep.steps)

    def _draw_rest(self, view: RunView, grown: int) -> None:
        """The 1-D view, the run labels and numbers, the playback range, the step drawn."""
        sweep, v = view.sweep, self.views
        self._set_slice_points(grown)
        v.sidebar.set_run_labels(view.labels, self._follow, view.diverged,
                                 min(v.playback.step, view.steps_done))
        v.numbers.set_runs(view.sweep.lrs.tolist(), view.colors, view.diverged,
                           None if sweep.evaluations is None else sweep.evaluations.numpy(),
                           self._scene.optimizer_options.get("line_search_fn") == "strong_wolfe")
        self._title_slice()
        v.bar.set_range(sweep.steps, view.steps_done)
        if self._keep_step is not None and view.steps_done >= self._keep_step:
            v.playback.seek(self._keep_step)
            self._keep_step = None
        self.progress_changed.emit(sweep.progress)
        self._redraw_step()
        try:  # a start whose loss overflows says so, at the start, not "diverging at step 0"
            check_start_loss(view.loss[0, 0], self._scene.start_point())
        except InputError as exc:
            v.sidebar.show_error(exc)

    def _on_show_whole_changed(self, show: bool) -> None:
        self.views.map.set_show_whole(show)
        self.views.loss_plot.set_show_whole(show)

    def _on_run_error(self, exc: Exception) -> None:
        # The last good run stays on screen.
        if isinstance(exc, InputError):
            self.views.sidebar.show_error(exc)
        else:  # not a control's fault: under the run settings, where a run is started
            self.views.sidebar.start_error.show_error(str(exc))

    def _on_lr_result(self, result: lr_finder.LRFinderResult) -> None:
        self._lr_result = result
        self.views.lr_test.show_result(result)
        self.progress_changed.emit(result.progress)

    # -- drawing -----------------------------------------------------------
    def _show_surface(self) -> None:
        s = self._scene
        try:
            grid = surfaces.grid(s.surface, options=s.surface_options, n=200)
        except InputError as exc:
            self.views.sidebar.show_error(exc)
            return
        info = surfaces.info(s.surface, s.surface_options)
        self.views.map.set_surface(grid, info, surfaces.contour_levels(grid, 18))
        self._show_view()

    def _show_start(self) -> None:
        x, y = self._scene.start_point()
        self.views.map.set_start(x, y)
        self.views.sidebar.set_start(x, y)

    def _show_reference(self) -> None:
        """The reference rates: the measured presets if known, else measured on the worker
        (the local curvature's bound is shown at once; it is a formula)."""
        s = self._scene
        key = (s.surface, str(s.surface_options), s.start_point(), s.steps)
        try:
            reference = descent.reference_lrs(s.surface, s.start_point(), s.surface_options)
            measured = cached_measured_reference(s.surface, s.start_point(), s.surface_options,
                                                 s.steps)
        except InputError:
            self._reference_key = None
            self.views.sidebar.set_reference(None, "")
            return
        self._bounds.show(s, reference.critical, self._device)
        if key == self._reference_key:
            return
        self._reference_key = key
        if measured is not None:
            self._on_presets_measured(key, measured)
            return
        self.views.sidebar.set_reference({}, f"{reference.explanation} Measuring the preset "
                                             f"rates over {s.steps} steps…")
        self._reference_job.start(_measured, s.surface, s.start_point(), s.surface_options,
                                  s.steps, what="the measuring of the preset rates",
                                  on_yield=lambda result: self._on_presets_measured(key, result),
                                  on_error=self._on_presets_failed)

    def _on_presets_measured(self, key: tuple, reference) -> None:
        if key != self._reference_key:
            return  # measured for a scene no longer shown
        self.views.sidebar.set_reference(reference.presets, reference.explanation,
                                         reference.summary)
        s, provisional, self._provisional = self._scene, self._provisional, None
        rates = preset_rates(reference.presets)
        if provisional == (s.surface, s.lrs) and s.start is None and not s.surface_options \
                and rates:
            self._apply(replace(s, lrs=rates))

    def _on_presets_failed(self, exc: Exception) -> None:
        self._reference_key = None
        self.views.sidebar.set_reference(None, str(exc))

    def _show_view(self) -> None:
        view = self._scene.view
        self.views.loss_plot.set_log(view.log_loss)
        info = surfaces.info(self._scene.surface, self._scene.surface_options)
        self.views.slice.set_axis_label(info.x_label if view.slice_axis == "x" else info.y_label)
        self._set_slice_points()
        self._redraw_step()

    def _set_slice_points(self, grown_from: int = 0) -> None:
        """The cut's points (parameter, loss) per run and step; with ``grown_from``, only the
        steps from there on are filled in, into a buffer that is reused while a run grows."""
        view = self._result
        if view is None:
            return
        axis = 0 if self._scene.view.slice_axis == "x" else 1
        points = grown_buffer(self._slice_points, view.loss.shape, grown_from,
                              view.sweep.steps + 1)
        points[:, grown_from:, 0] = view.path[:, grown_from:, axis]
        points[:, grown_from:, 1] = view.loss[:, grown_from:]
        self._slice_points = points
        self.views.slice.set_sweep(points, view.colors, grown_from)

    def _title_slice(self) -> None:
        if self._result is not None:
            self.views.slice.set_followed(float(self._result.sweep.lrs[self._follow]))

    def _redraw_step(self) -> None:
        """One playback frame: markers, arrows, the cut, the numbers; no whole paths."""
        view, v = self._result, self.views
        if view is None:
            return
        step = min(v.playback.step, view.steps_done)
        v.map.set_step(step)
        v.loss_plot.set_step(step)
        v.slice.set_step(step)
        v.sidebar.set_step(step)
        self._update_slice_curve(view, step)
        if self._scene.view.show_internals:
            details = internals_at(view.sweep, self._follow, step)
            v.map.set_internals(details)
            label = label_at(view.labels[self._follow], view.diverged[self._follow], step)
            v.numbers.show_internals(f"{label}, step {step}", details)
        else:
            v.map.set_internals(None)
            v.numbers.clear_internals()
        v.numbers.show_step(view.loss[:, step], step)

    def _update_slice_curve(self, view: RunView, step: int) -> None:
        point = view.path[self._follow, step]
        if not np.isfinite(point).all():
            return
        s = self._scene
        ts, loss = slice_line(s.surface, tuple(point), s.view.slice_axis,
                              options=s.surface_options)
        self.views.slice.set_curve(ts, loss)


def _presets_known(surface: str, steps: int) -> bool:
    """Whether ``surface``'s presets at its default start are known without a sweep."""
    try:
        start = surfaces.info(surface).default_start
        return cached_measured_reference(surface, start, None, steps) is not None
    except InputError:
        return True  # the scene's own check says what is wrong


def _measured(surface, start, surface_options, steps):
    """The measured presets, as the one result of a worker's generator."""
    yield measured_reference(surface, start, surface_options, steps)


def _tested_surface(scene: DescentScene) -> str:
    """What the range test depends on: the surface, start, optimizer and options, or model."""
    return scene.lr_test_target()


def _drawn_view(scene: DescentScene) -> tuple:
    """The view options that change the picture (the speed changes only the playback)."""
    view = scene.view
    return view.log_loss, view.show_internals, view.slice_axis
