"""The Batch lab: train a small network with a chosen batch size, compare runs, run experiments.

Controls on the left, plots in the middle (a tab per experiment), the run
list under the controls. Every run goes through one ``Background`` job with
the progress bar and Cancel; one job runs at a time so the bar always means
one thing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.errors import InputError
from explorer.training.scene import (
    TRAIN_FIELDS,
    BatchScene,
    LiveEpoch,
    fit_inspected_unit,
    train_live,
)
from ui.batch.controls import TrainControls
from ui.batch.experiments import ExperimentView, make_experiment_views
from ui.batch.runs import Run, RunList
from ui.batch.training_tab import TrainingTab
from ui.common import theme
from ui.common.lab import LabPage
from ui.common.worker import Background

PROGRESS_STEPS = 1000


class BatchPanel(LabPage):
    """Minibatches and batch normalization on a network that really trains."""

    key = "batch"
    title = "Batch"
    icon = "batch"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._scene = BatchScene()
        self._device = "cpu"
        self._live: Run | None = None
        self._job_owner: ExperimentView | None = None
        self._job = Background(self)
        self.controls = TrainControls()
        self.train_button = QPushButton("Train")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.status = QLabel()
        self.run_list = RunList()
        self.training = TrainingTab()
        self.curves, self.regions = self.training.curves, self.training.regions
        self.experiments = make_experiment_views()
        self.tabs = QTabWidget()
        self._build()
        self._connect()
        self._on_busy_changed(False)
        self.show_scene(self._scene)  # every control and experiment field shows the defaults
        theme.notifier().changed.connect(self._on_theme_changed)

    def _on_theme_changed(self) -> None:
        self.training.restyle()

    # ---- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.train_button.setObjectName("train")
        self.cancel_button.setObjectName("cancel")
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setTextVisible(False)
        self.status.setWordWrap(True)
        self.tabs.addTab(self.training, "Training")
        for view in self.experiments:
            self.tabs.addTab(view, view.name)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._left_column())
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 1020])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    def _left_column(self) -> QWidget:
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.addWidget(self.controls)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button, 2)
        buttons.addWidget(self.cancel_button, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("<b>Runs</b> (tick to show, same colour in every plot)"))
        layout.addWidget(self.run_list, 1)
        scroll = QScrollArea()
        scroll.setWidget(column)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(column.sizeHint().width() + 20)
        return scroll

    def _connect(self) -> None:
        self.controls.changed.connect(self._on_controls_changed)
        self.train_button.clicked.connect(self._on_train_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self._job.busy_changed.connect(self._on_busy_changed)
        self._job.failed.connect(self._on_job_failed)
        self.run_list.visibility_changed.connect(self.curves.set_visible)
        self.run_list.removed.connect(self.curves.remove)
        self.run_list.chosen.connect(self._on_run_chosen)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        for view in self.experiments:
            view.run_requested.connect(self._on_experiment_requested)
            view.settings_changed.connect(self._on_experiment_settings_changed)

    # ---- LabPage ---------------------------------------------------------------------------
    def plots(self) -> dict:
        plots = self.training.plots()
        for view in self.experiments:
            plots += view.plots()
        return {plot.objectName(): plot for plot in plots}

    def scene(self) -> dict:
        return self._scene.to_dict()

    def batch_scene(self) -> BatchScene:
        """The page's scene as the dataclass."""
        return self._scene

    def set_scene(self, data: dict) -> None:
        self.show_scene(BatchScene.from_dict(data))

    def show_scene(self, scene: BatchScene) -> None:
        """Show ``scene`` in every control and tab (it must be valid)."""
        scene.validate()
        self._scene = scene
        self.controls.set_scene(scene)
        for view in self.experiments:
            view.set_scene(scene)
        keys = ["training"] + [v.key for v in self.experiments]
        index = keys.index(scene.experiment) if scene.experiment in keys else 0
        with signals_blocked(self.tabs):
            self.tabs.setCurrentIndex(index)
        self.training.show_dataset(self._scene)

    def set_device(self, device: str) -> None:
        self._device = str(device)

    def compute_now(self) -> None:
        """Draw the scene synchronously (headless export): its training run and the experiments.

        Earlier runs are removed, so the same scene always gives the same plots, except the
        timings (see ``measured_plots``), which depend on the machine and its load.
        """
        self._job.cancel()
        self.run_list.clear_button.click()
        config = self._scene.train_config(self._device)
        run = self.curves.begin(config.label(), config.dataset)
        for item in train_live(config):
            if isinstance(item, LiveEpoch):
                self.training.show_epoch(run, item)
        self._finish_run(run)
        for view in self.experiments:
            view.compute_now(self._scene, self._device)

    def measured_plots(self) -> set[str]:
        return {
            plot.objectName()
            for view in self.experiments
            if not view.reproducible
            for plot in view.plots()
        }

    def first_shown(self) -> None:
        """Open with something computing, not empty axes: the tab on show's run."""
        if self._job.busy:
            return
        views = {view.key: view for view in self.experiments}
        view = views.get(self._scene.experiment)
        if view is not None:
            if not view.has_result:
                self._on_experiment_requested(view)
        elif not self.run_list.run_keys():
            self._on_train_clicked()

    def presentation_widgets(self) -> list[QWidget]:
        return [self.run_list.remove_button, self.run_list.clear_button]

    def shutdown(self) -> None:
        self._job.shutdown()

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status_message.emit(text)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.shutdown()
        super().closeEvent(event)

    # ---- training --------------------------------------------------------------------------
    def _on_controls_changed(self) -> None:
        values, errors = self.controls.read()
        for name, value in values.items():  # each field checked on its own: all bad ones show
            field, message = self._check(
                fit_inspected_unit(self._scene.with_changes(**{name: value})))
            if message and field not in errors:
                errors[field] = message
        candidate = fit_inspected_unit(self._scene.with_changes(**values))
        if not errors:
            field, message = self._check(candidate)
            if message:
                errors[field] = message
        self.controls.show_errors({f: m for f, m in errors.items() if f in TRAIN_FIELDS})
        for field, message in errors.items():
            if field not in TRAIN_FIELDS:  # e.g. the device: no control on this page
                self._say(message)
        if errors:
            return
        dataset_changed = candidate.dataset != self._scene.dataset
        self._scene = candidate
        for view in self.experiments:
            view.set_scene(candidate)
        if dataset_changed:
            self.training.show_dataset(self._scene)

    def _check(self, scene: BatchScene) -> tuple[str, str]:
        """``(field, message)`` of the first problem of ``scene``'s set-up, or ``("", "")``."""
        try:
            scene.train_config(self._device).validate()  # knows the training set's size
            scene.validate()
        except InputError as exc:
            return exc.field or "", str(exc)
        return "", ""

    def _on_train_clicked(self) -> None:
        if self._job.busy:
            return
        if self.controls.has_errors():
            self._say("Fix the settings marked in red first; nothing was trained.")
            return
        config = self._scene.train_config(self._device)
        self._job_owner = None
        self._live = self.curves.begin(config.label(), config.dataset)
        self.regions.clear_regions(self._scene.is_two_d())
        self.progress.setValue(0)
        self._say(f"Training {config.label()} …")
        self.tabs.setCurrentIndex(0)
        run = self._live
        self._job.start(train_live, config,
                        on_yield=lambda item: self._on_train_item(run, item, config.dataset),
                        on_done=lambda _result: self._on_train_done(run),
                        on_error=lambda exc: self._on_train_error(run, exc))

    def _on_train_item(self, run: Run, item, dataset: str) -> None:
        if isinstance(item, LiveEpoch):
            self.training.show_epoch(run, item, regions=dataset == self._scene.dataset)
            if item.record.note:
                self._say(item.record.note)
        else:
            self.progress.setValue(round(item.fraction * PROGRESS_STEPS))

    def _on_train_done(self, run: Run) -> None:
        self._finish_run(run)
        last = run.val_accuracy[-1] if run.val_accuracy else float("nan")
        note = f" {run.note}" if run.note else ""
        self._say(f"Finished {run.label}: validation accuracy {last:.1f} %.{note}")
        self.progress.setValue(PROGRESS_STEPS)

    def _finish_run(self, run: Run) -> None:
        run.finished = True
        self._live = None
        self.run_list.add(run)

    def _on_train_error(self, run: Run, exc: Exception) -> None:
        self._drop_live(run)
        if isinstance(exc, InputError):
            if exc.field in TRAIN_FIELDS:
                self.controls.show_error(exc.field, str(exc))
            self._say(str(exc))

    def _drop_live(self, run: Run | None) -> None:
        if run is not None and run.key in self.curves.runs and not run.finished:
            self.curves.remove(run.key)
        self._live = None

    def _on_run_chosen(self, key: int) -> None:
        """Show the decision regions of the run clicked in the list (2-D sets)."""
        run = self.curves.runs.get(key)
        if run is not None:
            self.training.show_run_regions(run, self._scene.dataset)

    def _on_cancel_clicked(self) -> None:
        self._job.cancel()
        self._drop_live(self._live)
        self.progress.setValue(0)
        self._say("Cancelled.")

    def _on_job_failed(self, message: str) -> None:
        self._say(message)

    def _on_busy_changed(self, busy: bool) -> None:
        self.train_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        for view in self.experiments:
            view.set_busy(busy)

    # ---- experiments -----------------------------------------------------------------------
    def _on_tab_changed(self, index: int) -> None:
        key = "training" if index == 0 else self.experiments[index - 1].key
        self._scene = self._scene.with_changes(experiment=key)

    def _on_experiment_settings_changed(self, changes: dict) -> None:
        # Checked as the scene file and the training are: what is accepted here saves and opens.
        view = self.sender()
        candidate = self._scene.with_changes(**changes)
        try:
            candidate.validate()
        except InputError as exc:
            if isinstance(view, ExperimentView):
                view.show_error(exc)
            self._say(str(exc))
            return
        if isinstance(view, ExperimentView):
            view.clear_error()
        self._scene = candidate

    def _on_experiment_requested(self, view: ExperimentView) -> None:
        # A view may restart its own job (e.g. gamma edited mid-run), never another's.
        if self._job.busy and self._job_owner is not view:
            self._say("Busy: wait for the current run to finish, or Cancel it.")
            return
        self._job_owner = view
        self.progress.setValue(0)
        self._say(f"Running: {view.name} …")
        job, args = view.job(self._scene, self._device)
        self._job.start(job, *args,
                        on_yield=lambda item: self._on_experiment_item(view, item),
                        on_done=lambda result: self._on_experiment_done(view, result),
                        on_error=lambda exc: self._on_experiment_error(view, exc))

    def _on_experiment_item(self, view: ExperimentView, item) -> None:
        fraction = getattr(item, "fraction", None)
        if fraction is not None:
            self.progress.setValue(round(fraction * PROGRESS_STEPS))
        else:
            view.receive(item)

    def _on_experiment_done(self, view: ExperimentView, result) -> None:
        if result is not None:
            view.receive(result)
        self.progress.setValue(PROGRESS_STEPS)
        self._say(f"Finished: {view.name}.")

    def _on_experiment_error(self, view: ExperimentView, exc: Exception) -> None:
        if isinstance(exc, InputError):
            view.show_error(exc)
            self._say(str(exc))

