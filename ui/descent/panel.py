"""The Descent lab: several learning rates on one surface, step by step, and the LR range test.

The page lays out the views; its :class:`~ui.descent.controller.DescentController`
owns the ``DescentScene`` and the background jobs, turns what the views emit into
new scenes and draws them. A long run streams in as it grows; playback moves only
the per-step markers. Bad input is shown at its control; the last good run stays.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.descent.scene import DescentScene
from ui.common.columns import SideColumn, SidewaysRow, page_splitter
from ui.common.lab import LabPage
from ui.common.playback import PlaybackBar, PlaybackController
from ui.common.tab_strip import wrapping_tabs
from ui.descent import animation_source
from ui.descent.compare_view import CompareView
from ui.descent.controller import DescentController, DescentViews, RunView
from ui.descent.lrtest import LRTestView
from ui.descent.momentum_view import MomentumView
from ui.descent.numbers import RunNumbers
from ui.descent.plots import LossPlot, SliceView, TrajectoryMap
from ui.descent.sidebar import DescentSidebar
from ui.descent.stability_view import StabilityView


class DescentPanel(LabPage):
    """Trajectories on a contour map, loss per step, a 1-D view, playback, LR range test."""

    key = "descent"
    scene_type = DescentScene  # checks a saved page before the window applies any
    title = "Descent"
    icon = "descent"

    def __init__(self, parent: QWidget | None = None, device: str | None = None):
        super().__init__(parent)
        scene = DescentScene().validated()
        self.map, self.loss_plot, self.slice = TrajectoryMap(), LossPlot(), SliceView()
        self.playback = PlaybackController(scene.steps, scene.view.speed, self)
        self.sidebar = DescentSidebar(scene)
        self.lr_test = LRTestView(scene.lr_test)
        self.stability = StabilityView(device, options=scene.stability)
        self.compare = CompareView(device, options=scene.compare)
        self.momentum = MomentumView(options=scene.momentum)
        self.progress = QProgressBar()
        self.cancel = QPushButton("Cancel")
        self.numbers = RunNumbers()
        self._build()
        self.controller = DescentController(
            DescentViews(self.sidebar, self.map, self.loss_plot, self.slice, self.numbers,
                         self.lr_test, self.bar, self.playback), scene, device, self)
        self._paged_for: DescentScene | None = None  # the scene the side tabs were last given
        self._connect()
        self.controller.start()

    # -- layout ------------------------------------------------------------
    def _build(self) -> None:
        self.bar = PlaybackBar(self.playback, shortcut_scope=self)
        self.scroll = SideColumn(self.sidebar)
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
        column.addWidget(SidewaysRow(self.numbers))
        self.tabs = QTabWidget()
        self.tabs.addTab(trajectories, "Trajectories")
        self.tabs.addTab(self.lr_test, "LR range test")
        self.tabs.addTab(self.stability, "Edge of stability")
        self.tabs.addTab(self.compare, "Optimizers side by side")
        self.tabs.addTab(self.momentum, "Momentum's stability region")
        status = QHBoxLayout()
        status.addWidget(self.progress, stretch=1)
        status.addWidget(self.cancel)
        page = QWidget()
        middle = QVBoxLayout(page)
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(wrapping_tabs(self.tabs), stretch=1)
        middle.addLayout(status)
        self.splitter = page_splitter(self.scroll, page, stretch=(0, 1))
        self.splitter.setSizes([330, 1100])
        layout = QHBoxLayout(self)
        layout.addWidget(self.splitter)
        self.progress.setRange(0, 1000)
        self.cancel.setEnabled(False)

    def _connect(self) -> None:
        c = self.controller
        c.busy_changed.connect(self.cancel.setEnabled)
        c.progress_changed.connect(lambda f: self.progress.setValue(round(1000 * f)))
        c.rate_used.connect(lambda: self.tabs.setCurrentIndex(0))
        c.status_message.connect(self.status_message)
        c.result_changed.connect(self._on_page_run)
        self.lr_test.options_changed.connect(self._check_lr_test)  # after the controller's
        self.compare.job.failed.connect(self.status_message)
        self.cancel.clicked.connect(c.cancel)
        self.tabs.currentChanged.connect(self._on_tab_changed)

    def _on_tab_changed(self, index: int) -> None:
        # The range test runs by itself the first time its tab is opened; the comparison
        # whenever its tab is opened on a surface or start it has not run on.
        tab = self.tabs.widget(index)
        if tab is self.lr_test and not self.controller.has_lr_result:
            self.controller.run_lr_test()
        if tab is self.compare and self.compare.stale and not self.compare.job.busy:
            self.compare.run()

    def _on_page_run(self, view=None) -> None:
        # The side tabs follow the page's surface, start, rates and momentum: a streaming
        # run's partial results, all of one scene, tell them nothing new (each redraw of the
        # momentum map's marks would lengthen the window's stall between chunks).
        scene = self.controller.scene
        if view is not None and not view.sweep.complete and scene is self._paged_for:
            return
        self._paged_for = scene
        self.compare.set_page(scene)
        self.momentum.set_page(scene)
        self._check_lr_test()

    def _check_lr_test(self, _options=None) -> None:
        # A range-test curve of another optimizer, model or surface than the page's now is
        # taken away, so its rates are never added where they mean something else.
        shown = self.lr_test.shown_ran_on
        if shown and shown != self.controller.scene.lr_test_target():
            self.lr_test.clear_result("What the test ran on changed since (the optimizer, "
                                      "its options, the model or the surface): run it again.")

    # -- state -------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """Whether a sweep or a range test is running."""
        return self.controller.busy

    @property
    def result(self) -> RunView | None:
        """The run drawn (the newest partial one while a run streams)."""
        return self.controller.result

    # -- LabPage -----------------------------------------------------------
    def animation_source(self):
        """What File → Export animation plays of this page (``ui/descent/animation_source.py``)."""
        return animation_source.SOURCE

    def plots(self) -> dict:
        return {"trajectories": self.map.plot, "loss-per-step": self.loss_plot.plot,
                "one-parameter": self.slice.plot, "lr-range-test": self.lr_test.plot,
                **self.stability.plots(), **self.compare.plots(), **self.momentum.plots()}

    def descent_scene(self) -> DescentScene:
        """The scene as a dataclass, with the playback position, LR-test,
        Edge-of-stability, side-by-side and momentum-map settings (each tab's last usable
        ones)."""
        return replace(self.controller.scene, stability=self.stability.options(),
                       compare=self.compare.options(), momentum=self.momentum.options())

    def scene(self) -> dict:
        return self.descent_scene().to_dict()

    def set_scene(self, data: dict | DescentScene) -> None:
        """Show a saved scene: controls, surface, a new run, the saved step.

        Raises InputError (and changes nothing) if ``data`` is not a valid scene.
        """
        scene = data if isinstance(data, DescentScene) else DescentScene.from_dict(data)
        self.controller.set_scene(scene)
        self.stability.set_options(scene.stability)
        self.compare.set_options(scene.compare)
        self.momentum.set_options(scene.momentum)
        self._on_page_run()

    def compute_now(self) -> None:
        """Run the sweep, the LR range test, the edge-of-stability run (at most
        ``stability_view.EXPORT_STEPS`` steps per rate, said in its title) and the optimizer
        comparison on this thread (headless export and tests)."""
        self.controller.compute_now()
        self.stability.compute_now()
        self._on_page_run()
        self.compare.compute_now()

    def control_splitter(self) -> QSplitter:
        return self.splitter

    def set_device(self, device: str | None) -> None:
        self.controller.set_device(device)
        self.stability.set_device(device)
        self.compare.set_device(device)

    def shutdown(self, msecs: int | None = None) -> bool:
        stopped = self.controller.shutdown(msecs)
        stopped = self.compare.shutdown(msecs) and stopped
        return self.stability.shutdown(msecs) and stopped
