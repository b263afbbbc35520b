"""The Batch lab's research tabs: results from the papers behind the slides' rules of thumb.

Each tab runs one ``explorer`` generator through the page's controller (its progress bar
and Cancel), shows what to look for and the paper's own number beside ours.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from explorer import batches
from explorer.training.scene import BatchScene
from explorer.training.smoothness import smoothness_config, smoothness_verdict
from ui.batch.experiment_view import (
    ExperimentView,
    batch_plot,
    move_legend_down,
    whole_number_ticks,
)
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
        self.b_noise_line = pg.InfiniteLine(angle=90, pen=theme.pen(1, 1.5, DASH),
                                            label="B_noise",
                                            labelOpts={"position": 0.9, "color": theme.color(1)})
        self.b_simple_line = pg.InfiniteLine(angle=90, pen=theme.pen(0, 1.5, DASH),
                                             label="B_simple at start",
                                             labelOpts={"position": 0.8, "color": theme.color(0)})
        for line in (self.b_noise_line, self.b_simple_line):
            line.hide()
            self.steps_plot.addItem(line, ignoreBounds=True)

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
        start = result.readings[min(result.readings)].b_simple
        for line, value in ((self.b_noise_line, fit.b_noise), (self.b_simple_line, start)):
            line.setVisible(math.isfinite(value) and value > 0)
            if line.isVisible():
                line.setValue(math.log10(value))  # the batch axis is logarithmic
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


class LinearScalingView(ResearchView):
    key = "linear_scaling"
    name = "Linear scaling"
    hint = ("Look at the curves for k times the batch and k times the rate: they lie on top of "
            "each other while the batch stays well below the noise scale, then spread; far "
            "above it the run blows up, and a linear warm-up (dashed) rescues it.")
    paper = ("Goyal et al., 2017 (ImageNet in 1 hour), ResNet-50: top-1 error 23.60 % at batch "
             "256 and 23.74 % at 8k (k = 32) with gradual warm-up, against 24.84 % at 8k "
             "without warm-up.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss_plot = batch_plot("k× batch, k× rate: the same curve, until k is too large",
                                    "epoch", "training loss (log scale)", log_y=True,
                                    name="linear-scaling")
        self._curves: list = []
        self.plot_area.addWidget(self.loss_plot)

    def job(self, scene: BatchScene, device: str):
        config = batches.scaling_demo_config().replace(device=device, seed=scene.config.seed)
        return batches.iter_linear_scaling, (config,)

    def show_result(self, result) -> None:
        for curve in self._curves:
            self.loss_plot.removeItem(curve)
        self._curves = []
        colours = {k: i for i, k in enumerate(sorted({k for k, _ in result.runs}))}
        for (k, warmup), run in result.runs.items():
            losses = np.asarray(run.losses, dtype=float)
            epochs = np.arange(len(losses), dtype=float)
            keep = np.isfinite(losses) & (losses > 0) & (losses < 1e6)
            name = f"{run.label}: B={run.batch_size}, lr={run.lr:g}"
            curve = self.loss_plot.plot(epochs[keep], losses[keep], name=name,
                                        pen=theme.pen(colours[k], style=DASH if warmup else None))
            self._curves.append(curve)
        whole_number_ticks([self.loss_plot], max(len(r.losses) for r in result.runs.values()))
        rows = []
        for (k, warmup), run in result.runs.items():
            if k == 1:
                continue
            gap, final = result.deviation(k, warmup), run.losses[-1]
            gap_text = f"{100 * gap:.1f} %"
            if gap >= 10:
                gap_text = f"diverged (final loss {final:.3g})"
            if warmup:
                gap_text = f"final loss {final:.3g}"
            rows.append(f"{run.label}: {gap_text}")
        last = {key: run.losses[-1] for key, run in result.runs.items()}
        base = last[(1, False)]
        self.ours_label.setText(
            f"Ours, largest gap from the base run (B={result.base_batch}, "
            f"lr={result.base_lr:g}, final loss {base:.3f}): " + "; ".join(rows) + ".")

    def plots(self):
        return [self.loss_plot]


class SmoothnessView(ResearchView):
    key = "bn_smoothness"
    name = "BN smoothness"
    hint = ("Look at the width of each band: at every step it spans the loss (left) and the "
            "change of the gradient (middle) that a step of 0.5 to 4 times the rate along the "
            "gradient would give, on the same minibatch. A narrow band is a smooth landscape "
            "where the gradient can be trusted; right, the steepest change of the gradient per "
            "unit moved (effective β-smoothness).")
    paper = ("Santurkar et al., NeurIPS 2018 (How Does Batch Normalization Help Optimization?, "
             "fig. 4, VGG on CIFAR-10, steps up to 0.4 along the gradient): with BN the bands "
             "of loss and gradient change are much narrower than without, and the effective "
             "β-smoothness lower: BN helps by smoothing the landscape. Here: the BN tab's deep "
             "network (6 × 32) with ReLU and He initialization, both at the same rate, so that "
             "both networks train.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss_plot = batch_plot("Loss along the gradient", "step",
                                    "loss at w − ηg (band over η)", name="bn-smoothness-loss")
        self.grad_plot = batch_plot("Gradient change along it", "step",
                                    "‖∇L(w − ηg) − ∇L(w)‖ (band)",
                                    name="bn-smoothness-gradient")
        self.beta_plot = batch_plot("Effective β-smoothness", "step",
                                    "max over η of ‖Δ∇L‖ / ‖ηg‖",
                                    name="bn-smoothness-beta")
        self._items: list = []
        for plot in self.plots():
            self.plot_area.addWidget(plot)

    def job(self, scene: BatchScene, device: str):
        config = smoothness_config().replace(device=device, seed=scene.config.seed)
        return batches.iter_bn_smoothness, (config,)

    def show_result(self, result) -> None:
        for plot, item in self._items:
            plot.removeItem(item)
        self._items = []
        for index, (batch_norm, run) in enumerate(sorted(result.items())):
            label = "with BN" if batch_norm else "without BN"
            steps = np.asarray(run.steps, dtype=float)
            for plot, low, high in ((self.loss_plot, run.loss_low, run.loss_high),
                                    (self.grad_plot, run.grad_low, run.grad_high)):
                self._band(plot, steps, np.asarray(low), np.asarray(high), index, label)
            curve = self.beta_plot.plot(steps, np.asarray(run.beta), pen=theme.pen(index),
                                        name=label)
            self._items.append((self.beta_plot, curve))
        off, on = result[False], result[True]
        self.ours_label.setText(
            f"Ours (mean over the run, without → with BN): loss range "
            f"{off.mean_loss_range():.3f} → <b>{on.mean_loss_range():.3f}</b>, gradient change "
            f"{off.mean_grad_change():.2f} → <b>{on.mean_grad_change():.2f}</b>, effective β "
            f"{off.mean_beta():.1f} → <b>{on.mean_beta():.1f}</b>; final training loss "
            f"{off.final_loss:.2f} / {on.final_loss:.2f}: {smoothness_verdict(result)}.")

    def _band(self, plot, steps, low, high, index, label) -> None:
        low_curve = plot.plot(steps, low, pen=theme.pen(index, 1))
        high_curve = plot.plot(steps, high, pen=theme.pen(index, 1), name=label)
        fill = pg.FillBetweenItem(low_curve, high_curve, brush=theme.qcolor(index, 90))
        plot.addItem(fill)
        self._items += [(plot, low_curve), (plot, high_curve), (plot, fill)]

    def plots(self):
        return [self.loss_plot, self.grad_plot, self.beta_plot]


def research_views() -> list[ExperimentView]:
    """The research tabs, in the order they follow the other experiments."""
    return [NoiseScaleView(), LinearScalingView(), SmoothnessView()]
