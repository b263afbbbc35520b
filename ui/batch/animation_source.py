"""The Batch lab's animations: a training run, epoch by epoch, in one of two views.

``training``: the loss and accuracy curves (and the decision regions on a 2-D data set),
as the page's own Train button draws them. ``bn_inside``: inside a BN layer over
training, the histograms of one unit's batch before BN, once normalised and after γ, β,
with the loss so far (the numbers from :func:`explorer.training.bn_animation.bn_over_training`).
The page's one public hook, ``BatchPanel.animation_source``, returns ``SOURCE``; the
default view follows the tab the scene shows.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QGridLayout, QWidget

from explorer.training.bn_animation import BNEpoch, bn_over_training
from explorer.training.live import LiveEpoch, train_live
from ui.batch.experiment_view import batch_plot
from ui.batch.labels import run_label
from ui.common import theme
from ui.common.animation import Animation, AnimationSource
from ui.common.plots import set_title

VIEWS = {
    "training": "Training: the loss and accuracy curves (and the decision regions)",
    "bn_inside": "Inside a BN layer: the batch before and after normalising, per epoch",
}
BINS = 12


def training(page) -> Animation:
    """A run of the scene's training set-up, as the page's own Train button draws it."""
    controller = page.controller
    config = controller.scene.train_config(controller.device)
    two_d = controller.scene.is_two_d()
    plots = page.training.plots()

    def drive():
        page.run_list.clear_button.click()
        page.regions.clear_regions(two_d)
        run = page.curves.begin(run_label(config, []), config.dataset)
        run.config = config
        for item in train_live(config):
            if isinstance(item, LiveEpoch):
                page.training.show_epoch(run, item, regions=two_d)
                yield item.record.epoch

    def on_show() -> list[pg.PlotWidget]:
        wanted = [p for p in plots if p.objectName() in ("training-loss", "training-accuracy")]
        if two_d:
            wanted.append(page.regions.plot)
        return wanted

    return Animation(drive(), config.epochs, on_show)


class BNFrames(QWidget):
    """The plots of one ``bn_inside`` frame: two histograms above, the loss below."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.before = batch_plot("Before BN", "value of the unit (x)", "samples",
                                 legend=False, name="bn-before")
        self.after = batch_plot("Normalised (filled), then γ, β (line)",
                                "normalised value, and y = γ · normalised + β", "samples",
                                legend=False, name="bn-normalised")
        self.loss = batch_plot("The loss falls while BN keeps the batch centred", "epoch",
                               "training loss", legend=False, name="bn-loss")
        self.bars = [plot.plot([0, 1], [0], stepMode="center", fillLevel=0)
                     for plot in (self.before, self.after)]
        self.output_bars = self.after.plot([0, 1], [0], stepMode="center")
        self.mean_line = pg.InfiniteLine(angle=90)
        self.before.addItem(self.mean_line)
        self.loss_curve = self.loss.plot([], [], symbol="o")
        grid = QGridLayout(self)
        grid.addWidget(self.before, 0, 0)
        grid.addWidget(self.after, 0, 1)
        grid.addWidget(self.loss, 1, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        self._epochs: list[int] = []
        self._losses: list[float] = []
        self.restyle()

    def restyle(self) -> None:
        for bars, index in zip(self.bars, (0, 2), strict=True):
            bars.setPen(theme.pen(index, 1.5))
            bars.setBrush(theme.qcolor(index, 110))
        self.output_bars.setPen(theme.pen(3, 3))
        self.mean_line.setPen(theme.pen(theme.current().foreground, 2))
        self.loss_curve.setPen(theme.pen(1))
        self.loss_curve.setSymbolBrush(theme.color(1))

    def set_epochs(self, epochs: int) -> None:
        """The loss axis spans the whole run from the first frame."""
        self.loss.setXRange(0.5, epochs + 0.5, padding=0)

    def show_epoch(self, frame: BNEpoch) -> None:
        inside, epoch = frame.inside, frame.record.epoch
        self.bars[0].setData(frame.before.edges, frame.before.counts)
        self.bars[1].setData(frame.normalised.edges, frame.normalised.counts)
        self.output_bars.setData(frame.output.edges, frame.output.counts)
        self.mean_line.setValue(inside.mu_B)
        set_title(self.before, f"Epoch {epoch}: before BN, μ_B = {inside.mu_B:.3f}, "
                               f"σ_B² = {inside.sigma2_B:.3f}")
        set_title(self.after, f"Normalised: mean 0, variance 1; then γ = {inside.gamma:.3f}, "
                              f"β = {inside.beta:.3f}")
        self._epochs.append(epoch)
        self._losses.append(frame.record.train_loss)
        self.loss_curve.setData(self._epochs, self._losses)

    def plots(self) -> list[pg.PlotWidget]:
        return [self.before, self.after, self.loss]


def bn_inside(page) -> Animation:
    """Inside the scene's BN layer and unit over the scene's training run. The frame's
    plots cover the page (its child, so they lie where the page is drawn)."""
    scene = page.controller.scene
    config = scene.train_config(page.controller.device)
    epochs = bn_over_training(config, scene.bn_unit, scene.bn_layer, BINS)
    view = BNFrames(page)
    view.set_epochs(config.epochs)
    view.setGeometry(page.rect())
    view.show()
    view.raise_()

    def drive():
        try:
            for frame in epochs:
                view.show_epoch(frame)
                view.layout().activate()
                yield frame.record.epoch
        finally:
            view.hide()
            view.deleteLater()

    return Animation(drive(), config.epochs, view.plots)


def _prepare(page, view: str) -> Animation:
    return bn_inside(page) if view == "bn_inside" else training(page)


def _default(page) -> str:
    return "bn_inside" if page.controller.scene.experiment == "bn_inside" else "training"


SOURCE = AnimationSource(VIEWS, _prepare, _default)
