"""The Batch lab's Training tab: live curves of every run and, on a 2-D set, decision regions."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

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
        self._drawn_at = 0.0
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self._grid = QGridLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.player)
        layout.addLayout(self._grid, 1)

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
        the last one (see :meth:`flush`): repainting the plots costs more than a small
        network's epoch, and a page that repaints after every epoch stops answering.
        """
        self.curves.add_record(run.key, item.record, draw=False)
        run.regions = item.regions
        self._unshown[run.key] = (run, regions)
        self.flush(force=not throttle)

    def flush(self, force: bool = True) -> None:
        """Draw the epochs not drawn yet (unless ``force`` is False and the last drawing was
        less than :data:`REDRAW_INTERVAL_S` ago)."""
        now = time.perf_counter()
        if not self._unshown or (not force and now - self._drawn_at < REDRAW_INTERVAL_S):
            return
        for key, (run, regions) in self._unshown.items():
            if key not in self.curves.runs:
                continue  # removed (cancelled) before it was drawn
            self.curves.redraw(key)
            if run.regions is not None and regions:
                self.regions.show_regions(*run.regions, run_label=run.label)
        self._unshown.clear()
        self._drawn_at = now

    def show_run_regions(self, run: Run, dataset: str) -> None:
        """Draw ``run``'s last decision regions if it trained on ``dataset``."""
        if run.regions is not None and run.dataset == dataset:
            self.regions.show_regions(*run.regions, run_label=run.label)

    def restyle(self) -> None:
        self.curves.restyle()
        self.regions.restyle()
        self.step_view.restyle()
