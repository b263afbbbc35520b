"""The Batch lab's research tabs: results from the papers behind the slides' rules of thumb.

Each tab runs one ``explorer`` generator through the page's controller (its progress bar
and Cancel), shows what to look for and the paper's own number beside ours.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from explorer import batches
from explorer.training.scene import BatchScene
from ui.batch.experiment_view import ExperimentView, batch_plot, move_legend_down
from ui.common import theme

DASH = Qt.PenStyle.DashLine


class ResearchView(ExperimentView):
    """An experiment tab with the paper's number under the hint and ours beside it."""

    paper = ""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.paper_label = QLabel(self.paper)
        self.paper_label.setWordWrap(True)
        self.paper_label.setObjectName(f"paper_{self.key}")
        self.ours_label = QLabel("Press Run to measure ours.")
        self.ours_label.setWordWrap(True)
        self.ours_label.setObjectName(f"ours_{self.key}")
        self.layout().insertWidget(1, self.paper_label)
        self.layout().insertWidget(2, self.ours_label)


class NoiseScaleView(ResearchView):
    key = "noise_scale"
    name = "Noise scale"
    hint = ("Look at B_simple, the batch size past which a bigger batch stops paying: it grows as "
            "the loss falls. Right, the steps needed to reach the target loss fall with the batch "
            "size until about B_noise, then flatten: more samples per step buy no fewer steps.")
    paper = ("McCandlish et al., 2018 (An Empirical Model of Large-Batch Training): the noise "
             "scale grows as training proceeds, and B_simple predicts the fitted critical batch "
             "B_noise of S(B) = S_min (1 + B_noise / B) to within a small factor.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.noise_plot = batch_plot("The noise scale grows as the network learns", "epoch",
                                     "B_simple = tr(Σ) / |G|²", name="noise-scale")
        self.noise_curve = self.noise_plot.plot([], [], pen=theme.pen(0), symbol="o",
                                                symbolSize=10, symbolBrush=theme.color(0),
                                                name="B_simple (ours)")
        move_legend_down(self.noise_plot, left=False)
        self.steps_plot = batch_plot("Beyond B_noise, bigger batches save no steps",
                                     "batch size B (log scale)", "steps to the target loss",
                                     log_x=True, name="steps-vs-batch-size")
        self.steps_curve = self.steps_plot.plot([], [], pen=None, symbol="o", symbolSize=10,
                                                symbolBrush=theme.color(1),
                                                name="measured (best rate)")
        self.fit_curve = self.steps_plot.plot([], [], pen=theme.pen(1, 2, DASH),
                                              name="S_min (1 + B_noise / B)")
        self.plot_area.addWidget(self.noise_plot)
        self.plot_area.addWidget(self.steps_plot)

    def job(self, scene: BatchScene, device: str):
        return batches.iter_noise_study, (scene.train_config(device),)

    def show_result(self, result) -> None:
        epochs = sorted(result.readings)
        self.noise_curve.setData(np.array(epochs, dtype=float),
                                 [result.readings[e].b_simple for e in epochs])
        fit = result.fit
        reached = [(b, s) for b, s in zip(fit.batch_sizes, fit.steps, strict=True)
                   if s is not None]
        self.steps_curve.setData(np.array([b for b, _ in reached], dtype=float),
                                 np.array([s for _, s in reached], dtype=float))
        if math.isfinite(fit.b_noise):
            grid = np.geomspace(min(fit.batch_sizes), max(fit.batch_sizes), 60)
            self.fit_curve.setData(grid, [fit.predicted(b) for b in grid])
        else:
            self.fit_curve.setData([], [])
        first, last_epoch = result.readings[epochs[0]], result.readings[epochs[-1]]
        words = [f"Ours: B_simple {first.b_simple:.1f} after {first.epoch} epochs → "
                 f"<b>{last_epoch.b_simple:.1f}</b> after {last_epoch.epoch} (loss "
                 f"{first.train_loss:.2f} → {last_epoch.train_loss:.2f})."]
        if math.isfinite(fit.b_noise):
            words.append(f"Fitted B_noise = <b>{fit.b_noise:.1f}</b>, S_min = {fit.s_min:.0f} "
                         f"steps (target loss {fit.target:g}).")
        if fit.unreached:
            words.append(f"B = {', '.join(map(str, fit.unreached))}: no rate reached the target "
                         "loss in time (not drawn).")
        self.ours_label.setText(" ".join(words))

    def plots(self):
        return [self.noise_plot, self.steps_plot]


def research_views() -> list[ExperimentView]:
    """The research tabs, in the order they follow the other experiments."""
    return [NoiseScaleView()]
