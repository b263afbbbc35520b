"""The Batch lab: train a small network with a chosen batch size, compare runs, run experiments.

Controls on the left, plots in the middle (a tab per experiment), the run list
under the controls. The page lays the views out; :class:`~ui.batch.controller.BatchController`
owns the scene and the background job and keeps the views in step.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.training.scene import BatchScene
from ui.batch import animation_source
from ui.batch.controller import PROGRESS_STEPS, BatchController
from ui.batch.controls import TrainControls
from ui.batch.experiments import make_experiment_views
from ui.batch.labels import rate_text
from ui.batch.runs import Run, RunList
from ui.batch.training_tab import TrainingTab
from ui.common import theme
from ui.common.columns import SideColumn, page_splitter
from ui.common.lab import LabPage
from ui.common.tab_strip import wrapping_tabs

__all__ = ["PROGRESS_STEPS", "BatchPanel"]


class BatchPanel(LabPage):
    """Minibatches and batch normalization on a network that really trains."""

    key = "batch"
    scene_type = BatchScene  # checks a saved page before the window applies any
    title = "Batch"
    icon = "batch"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
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
        self.controller = BatchController(self)
        self._connect()
        self.controller.connect_views()
        self.show_scene(BatchScene())  # every control and experiment field shows the defaults
        theme.notifier().changed.connect(self.restyle)

    def restyle(self) -> None:
        """Re-pen the training plots in the theme's colours (after a theme or scale change)."""
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
        self.splitter = page_splitter(self._left_column(), wrapping_tabs(self.tabs),
                                      stretch=(0, 1))
        self.splitter.setSizes([380, 1020])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

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
        return SideColumn(column)

    def _connect(self) -> None:
        self.run_list.visibility_changed.connect(self.curves.set_visible)
        self.run_list.removed.connect(self.curves.remove)
        self.run_list.chosen.connect(self._on_run_chosen)
        for view in self.experiments:
            if hasattr(view, "use_rate"):  # the LR range test's "Use this rate"
                view.use_rate.connect(self.use_learning_rate)

    # ---- what the controller calls ---------------------------------------------------------
    def set_experiment(self, key: str) -> None:
        """Show the tab of experiment ``key`` (``"training"``: the Training tab)."""
        keys = ["training"] + [v.key for v in self.experiments]
        # Not with the tabs' signals blocked: the tab strip (and presentation mode, which
        # fits the tab shown) follow currentChanged; the controller's own handler then finds
        # the scene already showing this experiment and changes nothing.
        self.tabs.setCurrentIndex(keys.index(key) if key in keys else 0)

    def use_learning_rate(self, lr: float) -> None:
        """Put ``lr`` into the Training tab's learning rate control, as if typed there (the
        controller checks and takes it), and say so."""
        self.controls.lr.setText(rate_text(lr))
        taken = self.controller.scene.config.lr == lr
        self.say(f"Learning rate set to {lr:g} in the training settings (the LR range test's "
                 "suggestion): press Train to train with it." if taken else
                 f"The learning rate {lr:g} was not taken: fix the training settings marked "
                 "in red first.")

    def say(self, text: str) -> None:
        """Write ``text`` under the buttons and in the window's status bar."""
        self.status.setText(text)
        self.status_message.emit(text)

    # ---- LabPage ---------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """Whether a training run or an experiment is running in the background."""
        return self.controller.job.busy

    @property
    def live_run(self) -> Run | None:
        """The training run under way (drawn as it trains), if any."""
        return self.controller.live

    def animation_source(self):
        """What File → Export animation plays of this page (``ui/batch/animation_source.py``)."""
        return animation_source.SOURCE

    def plots(self) -> dict:
        plots = self.training.plots()
        for view in self.experiments:
            plots += view.plots()
        return {plot.objectName(): plot for plot in plots}

    def scene(self) -> dict:
        return self.controller.scene.to_dict()

    def batch_scene(self) -> BatchScene:
        """The page's scene as the dataclass."""
        return self.controller.scene

    def set_scene(self, data: dict | BatchScene) -> None:
        """Show a saved scene (a dict as saved, or a checked :class:`BatchScene`)."""
        self.show_scene(data if isinstance(data, BatchScene) else BatchScene.from_dict(data))

    def show_scene(self, scene: BatchScene) -> None:
        """Show ``scene`` in every control and tab (InputError, changing nothing, if bad)."""
        self.controller.show_scene(scene)

    def set_device(self, device: str) -> None:
        self.controller.set_device(device)

    def compute_now(self) -> None:
        """Draw the scene synchronously (headless export): its training run and the experiments.

        Earlier runs are removed, so the same scene always gives the same plots, except the
        timings (see ``measured_plots``), which depend on the machine and its load.
        """
        self.controller.job.cancel()
        self.run_list.clear_button.click()
        self.controller.train_now()
        for view in self.experiments:
            view.compute_now(self.controller.scene, self.controller.device)

    def measured_plots(self) -> set[str]:
        return {
            plot.objectName()
            for view in self.experiments
            if not view.reproducible
            for plot in view.plots()
        }

    def first_shown(self) -> None:
        """Open with something computing, not empty axes: the tab on show's run."""
        if self.busy:
            return
        views = {view.key: view for view in self.experiments}
        view = views.get(self.controller.scene.experiment)
        if view is not None:
            if not view.has_result:
                self.controller.run_experiment(view)
        elif not self.run_list.run_keys():
            self.controller.train()

    def control_splitter(self) -> QSplitter:
        return self.splitter

    def presentation_widgets(self) -> list[QWidget]:
        return [self.run_list.remove_button, self.run_list.clear_button]

    def shutdown(self, msecs: int | None = None) -> bool:
        """Cancel the training or experiment and wait for its thread (never another page's)."""
        return super().shutdown(msecs)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.shutdown()
        super().closeEvent(event)

    def _on_run_chosen(self, key: int) -> None:
        """Show the decision regions of the run clicked in the list (2-D sets)."""
        run = self.curves.runs.get(key)
        if run is not None:
            self.training.show_run_regions(run, self.controller.scene.config.dataset)
