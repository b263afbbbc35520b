"""The Batch lab's controller: owns the scene and the one background job, and keeps the views
in step with the scene through one sync path, :meth:`BatchController._apply`.

Views emit what the user asked for; the controller checks the new scene through
``explorer`` (:meth:`BatchScene.problems`: the same check as at save and at open),
marks every bad control at once, and otherwise calls the views' ``set_*`` methods
for what changed. One job runs at a time, so the progress bar always means one thing.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from explorer.errors import InputError
from explorer.training.code import training_code
from explorer.training.edits import edit_training
from explorer.training.live import LiveEpoch, LiveSteps, live_steps, train_live
from explorer.training.scene import BatchScene
from explorer.training.stepper import Stepper
from ui.batch.code_view import CodeDialog
from ui.batch.controls import CONTROL_FIELDS
from ui.batch.experiment_view import ExperimentView
from ui.batch.labels import run_label
from ui.batch.runs import Run
from ui.batch.training_tab import RedrawThrottle
from ui.common.widgets import is_marked_invalid, mark_invalid, mark_valid
from ui.common.worker import Background

PROGRESS_STEPS = 1000
STEP_REDRAW_INTERVAL_S = 0.15
"""While playing, the steps are drawn at most this often (and all of them when it stops)."""


class BatchController(QObject):
    """Controller of one :class:`~ui.batch.panel.BatchPanel`."""

    def __init__(self, page):
        super().__init__(page)
        self.page = page
        self.scene = BatchScene()
        self.device = "cpu"
        self.live: Run | None = None  # the training run under way, if any
        self.job = Background(self)
        self._job_owner: ExperimentView | None = None
        # Per tab, the edits its controls show that the scene refused: a later edit is
        # checked together with them, so an error clears only when what is shown is valid.
        self._refused: dict[str, dict] = {}
        self.stepper: Stepper | None = None  # the run played step by step, if any
        self.step_run: Run | None = None
        self.playing = False
        self._unshown_steps: list = []  # steps trained, not drawn yet
        self._unshown_regions: tuple | None = None  # the regions after them, not drawn yet
        self._steps_throttle = RedrawThrottle((self._draw_steps, self._draw_step_regions),
                                              lambda: STEP_REDRAW_INTERVAL_S, self)
        self.code_dialog: CodeDialog | None = None

    def connect_views(self) -> None:
        page = self.page
        page.controls.changed.connect(self._on_controls_changed)
        page.train_button.clicked.connect(self.train)
        page.cancel_button.clicked.connect(self.cancel)
        page.training.player.asked.connect(self._on_player_asked)
        page.run_list.removed.connect(self._on_run_removed)
        self.job.busy_changed.connect(self._on_busy_changed)
        self.job.failed.connect(self._say)
        page.tabs.currentChanged.connect(self._on_tab_changed)
        for view in page.experiments:
            view.run_requested.connect(self.run_experiment)
            view.settings_changed.connect(
                lambda changes, view=view: self._on_experiment_settings_changed(view, changes))
        self._on_busy_changed(False)

    # ---- the one sync path -----------------------------------------------------------------
    def show_scene(self, scene: BatchScene) -> None:
        """Show ``scene`` in every control and tab; raise InputError (changing nothing) if bad."""
        scene.validate()
        self._refused.clear()
        self._apply(scene, everything=True)
        for view in self.page.experiments:
            view.clear_error()
        note = scene.data_note()  # e.g. the scene's CSV file changed since it was saved
        if note:
            self._say(note)

    def _apply(self, new: BatchScene, origin=None, everything: bool = False) -> dict[str, str]:
        """Make ``new`` the scene if it has no problems and redraw what differs from the old
        one (all of it with ``everything``), except in ``origin``, the view the change came
        from, which shows it already. Returns the problems (empty when ``new`` was taken)."""
        problems = new.problems()
        if problems:
            return problems
        old, self.scene = self.scene, new
        page = self.page
        if origin is not page.controls and (everything or new.config != old.config):
            page.controls.set_config(new.config)
        for view in page.experiments:
            if view is not origin and (everything or new != old):
                view.set_scene(new)
        if origin is not page.tabs and (everything or new.experiment != old.experiment):
            page.set_experiment(new.experiment)
        if everything or _data_of(new) != _data_of(old):
            page.training.show_dataset(new)
        if everything or new.config != old.config:
            page.training.show_first_batch(new)  # before any step: what step 1 trains on
        return {}

    def _on_controls_changed(self) -> None:
        controls = self.page.controls
        values, errors = controls.read()
        candidate = edit_training(self.scene, **values)
        # The last good scene stays until every control reads and the whole scene is valid.
        problems = candidate.problems() if errors else self._apply(candidate, origin=controls)
        if not errors and not problems:
            self._follow_in_stepper()
        for field, message in problems.items():
            errors.setdefault(field, message)
        controls.show_errors({f: m for f, m in errors.items() if f in CONTROL_FIELDS})
        for field, message in errors.items():
            if field not in CONTROL_FIELDS:  # a setting of an experiment: no control here
                self._say(message)

    def _on_tab_changed(self, index: int) -> None:
        key = "training" if index == 0 else self.page.experiments[index - 1].key
        self._apply(self.scene.with_changes(experiment=key), origin=self.page.tabs)

    def _on_experiment_settings_changed(self, view: ExperimentView, changes: dict) -> None:
        shown = {**self._refused.get(view.key, {}), **changes}
        problems = self._apply(self.scene.with_changes(**shown), origin=view)
        if problems:
            self._refused[view.key] = shown
            field, message = next(iter(problems.items()))
            view.show_error(InputError(message, field=field))
            self._say(message)
        else:
            self._refused.pop(view.key, None)
            view.clear_error()

    def set_device(self, device: str) -> None:
        self.device = str(device)

    # ---- training --------------------------------------------------------------------------
    def train(self) -> None:
        """Train the scene's network in the background, drawing each epoch as it comes."""
        if self.job.busy:
            return
        page = self.page
        if page.controls.has_errors():
            self._say("Fix the settings marked in red first; nothing was trained.")
            return
        config = self.scene.train_config(self.device)
        self._job_owner = None
        label = self._label_for(config)
        run = self.live = page.curves.begin(label, config.dataset)
        run.config, run.planned_epochs = config, config.epochs
        page.regions.clear_regions(self.scene.is_two_d())
        page.progress.setValue(0)
        self._say(f"Training {label} …")
        self._apply(self.scene.with_changes(experiment="training"))
        self.job.start(train_live, config, what=f"training {label}",
                       on_yield=lambda item: self._on_train_item(run, item, config.dataset),
                       on_done=lambda _result: self._on_train_done(run),
                       on_error=lambda exc: self._on_train_error(run, exc))

    def train_now(self) -> None:
        """Train the scene's network here and now (headless export)."""
        config = self.scene.train_config(self.device)
        run = self.page.curves.begin(self._label_for(config), config.dataset)
        run.config, run.planned_epochs = config, config.epochs
        for item in train_live(config):
            if isinstance(item, LiveEpoch):
                self.page.training.show_epoch(run, item)
        self._finish_run(run)
        # The first epoch minibatch by minibatch, for the per-step plot of an export.
        stepper = Stepper(config)
        self.page.training.step_view.clear(stepper.session.data.class_names)
        self.page.training.step_view.add(next(stepper.epoch_steps()))

    def _label_for(self, config) -> str:
        """The run's name beside the runs on the axes now: what differs, and a rerun's number."""
        earlier = [r.config for r in self.page.curves.runs.values() if r.config is not None]
        return run_label(config, earlier)

    def _on_train_item(self, run: Run, item, dataset: str) -> None:
        if isinstance(item, LiveEpoch):
            self.page.training.show_epoch(run, item, regions=dataset == self.scene.config.dataset,
                                          throttle=True)
            if item.record.note:
                self._say(item.record.note)
        else:
            self.page.progress.setValue(round(item.fraction * PROGRESS_STEPS))

    def _on_train_done(self, run: Run) -> None:
        self._finish_run(run)
        last = run.val_accuracy[-1] if run.val_accuracy else float("nan")
        note = f" {run.note}" if run.note else ""
        self._say(f"Finished {run.label}: validation accuracy {last:.1f} %.{note}")
        self.page.progress.setValue(PROGRESS_STEPS)

    def _finish_run(self, run: Run) -> None:
        self.page.training.flush()  # every epoch on show
        run.finished = True
        self.live = None
        self.page.run_list.add(run)

    def _on_train_error(self, run: Run, exc: Exception) -> None:
        """At the control it names (an InputError), and always under the Train button."""
        self._drop_live(run)
        if isinstance(exc, InputError) and exc.field in CONTROL_FIELDS:
            self.page.controls.show_error(exc.field, str(exc))
        self._say(str(exc))

    def _drop_live(self, run: Run | None) -> None:
        curves = self.page.curves
        if run is not None and run.key in curves.runs and not run.finished:
            curves.remove(run.key)
        self.live = None

    def cancel(self) -> None:
        if self.stepper is not None:
            self.stepper.stop()  # a played run stops stepping, not only being shown
        self.job.cancel()
        self._drop_live(self.live)
        self.page.progress.setValue(0)
        self._say("Cancelled.")

    def _on_busy_changed(self, busy: bool) -> None:
        if not busy:
            self.playing = False
        self.page.training.player.set_playing(self.playing, busy and not self.playing)
        self.page.train_button.setEnabled(not busy)
        self.page.cancel_button.setEnabled(busy)
        for view in self.page.experiments:
            view.set_busy(busy)

    # ---- playing and stepping --------------------------------------------------------------
    def _on_player_asked(self, what: str) -> None:
        if what == "pause":
            if self.stepper is not None:
                self.stepper.stop()  # the job ends after the step under way, all of it shown
            return
        if what == "code":
            self.show_code()
            return
        if self.job.busy:
            self._say("Busy: wait for the current run to finish, or Cancel it.")
            return
        if self.page.controls.has_errors():
            self._say("Fix the settings marked in red first; nothing was trained.")
            return
        if what == "reset":
            self._new_stepper()
            self._say("Reset: the same initial weights, step 0.")
            return
        stepper = self._current_stepper()
        jobs = {"play": (stepper.play, ()), "step": (stepper.steps, (1,)),
                "epoch": (stepper.epoch_steps, ())}
        function, args = jobs[what]
        self.playing = what == "play"
        self._apply(self.scene.with_changes(experiment="training"))
        self.job.start(live_steps, stepper, function(*args),
                       what=f"training {self.step_run.label}",
                       on_yield=self._on_steps, on_done=lambda _r: self._on_steps_done(),
                       on_error=self._on_step_error)
        self._on_busy_changed(True)

    def _on_step_error(self, exc: Exception) -> None:
        self._steps_throttle.now()  # the steps before the failure were trained
        self._on_train_error(None, exc)

    def show_code(self) -> None:
        """Open (or refresh) the window with the scene's run as plain PyTorch code."""
        if self.page.controls.has_errors():
            self._say("Fix the settings marked in red first; the code would not run.")
            return
        if self.code_dialog is None:
            self.code_dialog = CodeDialog(self.page)
        self.code_dialog.show_code(training_code(self.scene.train_config("cpu")))
        self.code_dialog.show()

    def _current_stepper(self) -> Stepper:
        """The stepper of the scene's run: kept while only lr or batch size differ."""
        config = self.scene.train_config(self.device)
        stepper = self.stepper
        if stepper is None or stepper.initial != config.replace(
                lr=stepper.initial.lr, batch_size=stepper.initial.batch_size):
            return self._new_stepper()
        self._follow_in_stepper()
        return stepper

    def _new_stepper(self) -> Stepper:
        """A stepper at step 0 with a run of its own; the run before stays (list and curves)
        if it trained a step, so runs stepped one after another can be compared."""
        config = self.scene.train_config(self.device)
        old, trained = self.step_run, self.stepper is not None and self.stepper.step_count > 0
        if old is not None and not trained and old.key in self.page.curves.runs:
            self.page.curves.remove(old.key)  # nothing to keep: it never stepped
        self.stepper = Stepper(config)
        self.step_run = self.page.curves.begin(f"{self._label_for(config)} · stepped",
                                               config.dataset)
        self.step_run.config = config
        self.page.training.step_view.clear(self.stepper.session.data.class_names,
                                           self.step_run.color)
        self.page.training.show_first_batch(self.scene)
        self.page.training.player.where.setText("step 0")
        self.page.regions.clear_regions(self.scene.is_two_d())  # step 0: nothing trained yet
        return self.stepper

    def _on_run_removed(self, key: int) -> None:
        """The stepped run's entry removed: its stepper goes too (a later step starts anew)."""
        if self.step_run is None or self.step_run.key != key:
            return
        if self.stepper is not None:
            self.stepper.stop()
        self.stepper = self.step_run = None
        self._unshown_steps, self._unshown_regions = [], None
        self.page.training.step_view.clear()
        self.page.training.show_first_batch(self.scene)
        self.page.training.player.where.setText("step 0")

    def _follow_in_stepper(self) -> None:
        """A new learning rate or batch size goes on from the current weights."""
        stepper, config = self.stepper, self.scene.config
        if stepper is None or stepper.initial.replace(lr=config.lr, batch_size=config.batch_size,
                                                      device=stepper.initial.device) != \
                config.replace(device=stepper.initial.device):
            return
        if config.lr != stepper.config.lr:
            stepper.set_lr(config.lr)
        if config.batch_size != stepper.config.batch_size:
            stepper.set_batch_size(config.batch_size)

    def _on_steps(self, item: LiveSteps) -> None:
        """Steps trained: drawn at most every :data:`STEP_REDRAW_INTERVAL_S` (a page
        repainting at every chunk starves its timers), all of them when the job ends."""
        self._unshown_steps += item.records
        if item.regions is not None:
            self._unshown_regions = item.regions
        self._steps_throttle.request()

    def _draw_steps(self) -> None:
        records, self._unshown_steps = self._unshown_steps, []
        run, stepper = self.step_run, self.stepper
        if not records or run is None or stepper is None:  # its run was removed meanwhile
            return
        self.page.training.step_view.add(records)
        ended = [r.epoch_end for r in records if r.epoch_end is not None]
        for record in ended:
            self.page.curves.add_record(run.key, record, draw=False)
        if ended:
            self.page.curves.redraw(run.key)
        last, now = records[-1], stepper.config
        mix = ", ".join(map(str, last.class_counts))
        self.page.training.player.where.setText(
            f"step {last.step} · epoch {last.epoch} · lr {now.lr:g} · "
            f"B={now.batch_size} · loss {last.loss:.3f} · classes {mix}")
        self._show_step_run(run, last, now)

    def _draw_step_regions(self) -> None:
        """The stepped run's latest regions: kept with the run (a click in the list shows
        them again), drawn while the page shows its data set's points."""
        regions, self._unshown_regions = self._unshown_regions, None
        run = self.step_run
        if regions is None or run is None:
            return
        run.regions = regions
        if run.dataset == self.scene.config.dataset:
            self.page.regions.show_regions(*regions, run_label=run.label)

    def _show_step_run(self, run: Run, last, now) -> None:
        """The stepped run's entry in the run list, added at its first step, then kept up to
        date: how far it has trained and the rate and batch size it trains with now."""
        changed = (now.lr, now.batch_size) != (run.config.lr, run.config.batch_size)
        run.progress = f"step {last.step} · epoch {last.epoch}" + (
            f" · now lr={now.lr:g}, B={now.batch_size}" if changed else "")
        run_list = self.page.run_list
        if run_list.has(run.key):
            run_list.update(run)
        else:
            run.finished = True  # a listed run is the user's to remove, never dropped
            run_list.add(run)

    def _on_steps_done(self) -> None:
        self._steps_throttle.now()  # every step trained is on show
        if self.step_run is not None and self.stepper.done() and self.playing:
            self._say(f"Played {self.step_run.label} to its last epoch.")

    # ---- experiments -----------------------------------------------------------------------
    def run_experiment(self, view: ExperimentView) -> None:
        """Run ``view``'s experiment on the scene in the background."""
        if view.key in self._refused or view.unreadable:  # never silently: say what to fix
            why = next(iter(view.unreadable.values()), view.error.text())
            self._say(f"Fix the setting marked in red first: {why}")
            return
        # A view may restart its own job (e.g. gamma edited mid-run), never another's.
        if self.job.busy and self._job_owner is not view:
            self._say("Busy: wait for the current run to finish, or Cancel it.")
            return
        self._job_owner = view
        self.page.progress.setValue(0)
        self._say(f"Running: {view.name} …")
        _mark_run_button(view, None)
        job, args = view.job(self.scene, self.device)
        self.job.start(job, *args, what=f"the {view.name} experiment",
                       on_yield=lambda item: self._on_experiment_item(view, item),
                       on_done=lambda result: self._on_experiment_done(view, result),
                       on_error=lambda exc: self._on_experiment_error(view, exc))

    def _on_experiment_item(self, view: ExperimentView, item) -> None:
        fraction = getattr(item, "fraction", None)
        if fraction is not None:
            self.page.progress.setValue(round(fraction * PROGRESS_STEPS))
        else:
            view.receive(item)

    def _on_experiment_done(self, view: ExperimentView, result) -> None:
        if result is not None:
            view.receive(result)
        self.page.progress.setValue(PROGRESS_STEPS)
        self._say(f"Finished: {view.name}.")

    def _on_experiment_error(self, view: ExperimentView, exc: Exception) -> None:
        """An InputError at the setting of the tab it names; any other failure (the device,
        a bug) at the Run button: the tab's error line keeps Run refused until a setting
        is edited, which would not help then."""
        if isinstance(exc, InputError) and _names_a_setting(view, exc):
            view.show_error(exc)
        else:
            _mark_run_button(view, str(exc))
        self._say(str(exc))

    def _say(self, text: str) -> None:
        self.page.say(text)


def _data_of(scene: BatchScene) -> tuple:
    """What the training points depend on: the data set and (for a CSV file) its label."""
    return scene.config.dataset, scene.config.label


def _names_a_setting(view: ExperimentView, exc: InputError) -> bool:
    try:
        view.control(view.field_aliases.get(exc.field or "", exc.field or ""))
    except KeyError:
        return False
    return True


def _mark_run_button(view: ExperimentView, message: str | None) -> None:
    """Turn ``view``'s Run button red with ``message``, or back to normal with None."""
    button = view.run_button
    if not is_marked_invalid(button):
        button.setProperty("hint", button.toolTip())
    if message is None:
        mark_valid(button, button.property("hint") or "")
    else:
        mark_invalid(button, message)
