"""The Batch lab's research tabs: results from the papers behind the slides' rules of thumb.

Each tab runs one ``explorer`` generator through the page's controller (its progress bar
and Cancel), shows what to look for and the paper's own number beside ours.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QSpinBox
from superqt.utils import signals_blocked

from explorer import batches
from explorer.inputs import MAX_LAYERS, MAX_WIDTH, format_numbers
from explorer.training.config import MAX_BATCH_SIZE, MAX_EPOCHS
from explorer.training.linear_scaling import parse_factors
from explorer.training.noise_scale import parse_epochs, parse_fit_sizes
from explorer.training.scene import (
    NOISE_FIELDS,
    SCALING_FIELDS,
    SMOOTHNESS_FIELDS,
    BatchScene,
)
from explorer.training.smoothness import parse_step_sizes, smoothness_verdict
from explorer.training.typed import parse_lr
from ui.batch.experiment_view import ExperimentView, batch_plot, whole_number_ticks
from ui.common import theme
from ui.common.export import name_for_export
from ui.common.render import LEGEND_MARGIN

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
        self._legend_plots: list = []

    def text_setting(self, label: str, field: str, parse, hint: str, row: int, column: int,
                     width: int = 150) -> QLineEdit:
        """A typed list or number at grid cell (``row``, ``column``), read by ``parse`` (the
        rule the scene checks it with): a bad text turns red and keeps the last good value."""
        edit = QLineEdit()
        edit.setMinimumWidth(width)
        edit.setProperty("hint", hint)
        edit.setToolTip(hint)
        edit.textChanged.connect(lambda text: self._on_text_changed(field, text, parse))
        return self.add_setting(label, field, edit, row, column)

    def spin_setting(self, label: str, field: str, low: int, high: int, hint: str, row: int,
                     column: int) -> QSpinBox:
        """A whole number from ``low`` to ``high`` (the scene's rule may allow fewer: then the
        control turns red and says so)."""
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setKeyboardTracking(False)
        spin.setProperty("hint", hint)
        spin.setToolTip(hint)
        spin.valueChanged.connect(lambda value: self.settings_changed.emit({field: value}))
        return self.add_setting(label, field, spin, row, column)

    def show_texts(self, scene: BatchScene, fields) -> None:
        """Show the scene's value of each text field, signals blocked (a kept red mark says
        what is still to fix, so a control the user is editing keeps its text)."""
        for field in fields:
            if field in self.unreadable:
                continue
            value = getattr(scene, field)
            edit = self.control(field)
            with signals_blocked(edit):
                edit.setText("" if value is None else format_numbers(value)
                             if isinstance(value, tuple) else f"{value:g}")

    def keep_legend_clear(self, plot, columns: int = 1) -> None:
        """Keep ``plot``'s legend top right, off its data, after every result and resize."""
        legend = plot.getPlotItem().legend
        legend.setColumnCount(columns)
        legend.setOffset((-LEGEND_MARGIN, LEGEND_MARGIN))
        self._legend_plots.append(plot)
        plot.getPlotItem().vb.sigResized.connect(lambda *_: place_legend(plot))

    def receive(self, result) -> None:
        super().receive(result)
        for plot in self._legend_plots:
            place_legend(plot)


class NoiseScaleView(ResearchView):
    key = "noise_scale"
    name = "Noise scale"
    field_aliases = NOISE_FIELDS
    hint = ("Look at B_simple, the batch size past which a bigger batch stops paying: it grows as "
            "the loss falls. Right, the steps needed to reach the target loss fall with the batch "
            "size until about B_noise, then flatten: more samples per step buy no fewer steps.")
    paper = ("McCandlish et al., 2018 (An Empirical Model of Large-Batch Training): the noise "
             "scale grows as training proceeds, and B_simple predicts the fitted critical batch "
             "B_noise of S(B) = S_min (1 + B_noise / B) to within a small factor.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text_setting("Epochs measured", "noise_epochs", parse_epochs,
                          "After how many epochs of training to measure B_simple (0: the "
                          "initial weights), e.g. 0, 1, 2, 5", 0, 0)
        fit = self.text_setting("Fit batch sizes", "noise_fit_sizes", parse_fit_sizes,
                                "The batch sizes B whose steps to the target loss are fitted by "
                                "S(B), e.g. 1, 4, 16, 64; blank: powers of 4 and the whole "
                                "training set", 0, 1, width=220)
        fit.setPlaceholderText("automatic")
        self.noise_plot = batch_plot("The noise scale grows as the network learns", "epoch",
                                     "B_simple = tr(Σ) / |G|²", name="noise-scale")
        self.noise_curve = self.noise_plot.plot([], [], pen=theme.pen(0), symbol="o",
                                                symbolSize=10, symbolBrush=theme.color(0),
                                                name="B_simple (ours)")
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
        # The lines' labels sit below the legend's band at the top of the plot.
        self.b_noise_line = pg.InfiniteLine(angle=90, pen=theme.pen(1, 1.5, DASH),
                                            label="B_noise",
                                            labelOpts={"position": 0.7, "color": theme.color(1)})
        self.b_simple_line = pg.InfiniteLine(angle=90, pen=theme.pen(0, 1.5, DASH),
                                             label="B_simple at start",
                                             labelOpts={"position": 0.6, "color": theme.color(0)})
        for line in (self.b_noise_line, self.b_simple_line):
            line.hide()
            self.steps_plot.addItem(line, ignoreBounds=True)
        for plot in self.plots():
            self.keep_legend_clear(plot)

    def set_scene(self, scene: BatchScene) -> None:
        self.show_texts(scene, ("noise_epochs", "noise_fit_sizes"))

    def job(self, scene: BatchScene, device: str):
        study = partial(batches.iter_noise_study, batch_sizes=scene.noise_fit_sizes)
        return study, (scene.train_config(device), scene.noise_epochs)

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
    field_aliases = SCALING_FIELDS
    hint = ("Look at the curves for k times the batch and k times the rate: they lie on top of "
            "each other while the batch stays well below the noise scale, then spread; far "
            "above it the run blows up, and a linear warm-up (dashed) rescues it.")
    paper = ("Goyal et al., 2017 (ImageNet in 1 hour), ResNet-50: top-1 error 23.60 % at batch "
             "256 and 23.74 % at 8k (k = 32) with gradual warm-up, against 24.84 % at 8k "
             "without warm-up.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text_setting("k values", "scaling_factors", parse_factors,
                          "Each k multiplies the base batch and the base rate, e.g. 1, 2, 4, 8, "
                          "16, 32 (k = 1, the base run, is always run)", 0, 0, width=200)
        self.spin_setting("Base batch", "scaling_batch", 1, MAX_BATCH_SIZE,
                          "The batch size of the base run (k = 1) on the digits", 0, 1)
        self.text_setting("Base rate", "scaling_lr", parse_lr,
                          "The learning rate of the base run (k = 1), e.g. 0.1", 0, 2, width=90)
        self.text_setting("With warm-up", "scaling_warmup_factors",
                          partial(parse_factors, warmup=True),
                          "The k run again with a linear warm-up (LinearLR from 1/k of the "
                          "rate), e.g. 32; blank: none", 1, 0, width=200)
        self.spin_setting("Warm-up epochs", "scaling_warmup_epochs", 1, MAX_EPOCHS,
                          "Epochs over which the warm-up grows the rate to k times the base "
                          "rate (at most the run's epochs)", 1, 1)
        self.loss_plot = batch_plot("k× batch, k× rate: the same curve, until k is too large",
                                    "epoch", "training loss (log scale)", log_y=True,
                                    name="linear-scaling")
        self._curves: list = []
        self.plot_area.addWidget(self.loss_plot)
        self.keep_legend_clear(self.loss_plot, columns=2)

    def set_scene(self, scene: BatchScene) -> None:
        self.show_texts(scene, ("scaling_factors", "scaling_lr", "scaling_warmup_factors"))
        for field in ("scaling_batch", "scaling_warmup_epochs"):
            with signals_blocked(spin := self.control(field)):
                spin.setValue(getattr(scene, field))

    def job(self, scene: BatchScene, device: str):
        return batches.iter_linear_scaling, (scene.scaling_train_config(device),
                                             scene.scaling_factors,
                                             scene.scaling_warmup_factors,
                                             scene.scaling_warmup_epochs)

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
    field_aliases = SMOOTHNESS_FIELDS
    hint = ("Look at the width of each band: at every step it spans the loss (left) and the "
            "change of the gradient (middle) that a step of each size η below along the "
            "gradient would give, on the same minibatch. A narrow band is a smooth landscape "
            "where the gradient can be trusted; right, the steepest change of the gradient per "
            "unit moved (effective β-smoothness).")
    paper = ("Santurkar et al., NeurIPS 2018 (How Does Batch Normalization Help Optimization?, "
             "fig. 4, VGG on CIFAR-10, steps up to 0.4 along the gradient): with BN the bands "
             "of loss and gradient change are much narrower than without, and the effective "
             "β-smoothness lower: BN helps by smoothing the landscape. Here: a deep ReLU network "
             "on the digits, with and without BN at the same rate.")
    INIT_NAMES = {"he": "He (kaiming_normal_)", "torch": "torch's default"}
    INIT_NOTES = {
        "he": "He initialization (nn.init.kaiming_normal_: weights of variance 2 / fan_in, "
              "zero biases, as VGG's) keeps the signal's size through every ReLU layer: both "
              "networks train, so their landscapes can be compared.",
        "torch": "torch's default (nn.Linear: weights uniform in ±1/√fan_in, a sixth of He's "
                 "variance) shrinks the signal √6 ≈ 2.4 times at every ReLU layer: without BN "
                 "a deep network then does not train (6 layers: the loss stays at ln 10 = "
                 "2.30), so its landscape is trivially flat. BN rescales each layer and trains.",
    }

    def __init__(self, parent=None):
        super().__init__(parent)
        init = self.add_setting("Init", "smoothness_init", QComboBox(), 0, 0)
        for value, text in self.INIT_NAMES.items():
            init.addItem(text, value)
        init.setProperty("hint", "How the linear layers' weights start")
        init.setToolTip(init.property("hint"))
        init.currentIndexChanged.connect(self._on_init_changed)
        self.text_setting("Step sizes η", "smoothness_etas", parse_step_sizes,
                          "The steps along the gradient each band spans, e.g. 0.05, 0.1, 0.2, "
                          "0.4 (the paper goes up to 0.4)", 0, 1, width=170)
        self.spin_setting("Depth", "smoothness_depth", 1, MAX_LAYERS,
                          "Hidden layers of the network", 0, 2)
        self.spin_setting("Width", "smoothness_width", 1, MAX_WIDTH,
                          "Units in each hidden layer", 0, 3)
        self.init_note = QLabel(self.INIT_NOTES["he"])
        self.init_note.setObjectName("smoothness_init_note")
        self.init_note.setWordWrap(True)
        self.settings.addWidget(self.init_note, 1, 0, 1, 10)
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
            self.keep_legend_clear(plot)

    def _on_init_changed(self, _index: int) -> None:
        value = self.control("smoothness_init").currentData()
        self.init_note.setText(self.INIT_NOTES[value])
        self.settings_changed.emit({"smoothness_init": value})

    def set_scene(self, scene: BatchScene) -> None:
        self.show_texts(scene, ("smoothness_etas",))
        init = self.control("smoothness_init")
        with signals_blocked(init):
            init.setCurrentIndex(init.findData(scene.smoothness_init))
        self.init_note.setText(self.INIT_NOTES[scene.smoothness_init])
        for field in ("smoothness_depth", "smoothness_width"):
            with signals_blocked(spin := self.control(field)):
                spin.setValue(getattr(scene, field))

    def job(self, scene: BatchScene, device: str):
        run = partial(batches.iter_bn_smoothness, init=scene.smoothness_init,
                      step_sizes=scene.smoothness_etas)
        return run, (scene.smoothness_train_config(device),)

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
        name_for_export(low_curve, f"{label}, lowest over η")
        name_for_export(high_curve, f"{label}, highest over η")  # (its legend row: label)
        fill = pg.FillBetweenItem(low_curve, high_curve, brush=theme.qcolor(index, 90))
        plot.addItem(fill)
        self._items += [(plot, low_curve), (plot, high_curve), (plot, fill)]

    def plots(self):
        return [self.loss_plot, self.grad_plot, self.beta_plot]


def place_legend(plot) -> None:
    """Make room for ``plot``'s legend (top right) above the data, so that no spike runs under
    it: the top of the y range is raised by the legend's height."""
    item = plot.getPlotItem()
    legend, box = item.legend, item.vb
    if legend is None or not legend.items or box.height() <= 0:
        return
    item.enableAutoRange(y=True)
    box.updateAutoRange()
    y_bounds = box.childrenBounds()[1]
    room = box.height() - 3 * LEGEND_MARGIN - legend.boundingRect().height()
    if y_bounds is None or room <= box.height() / 3:
        return  # no room for both: an export puts the legend beside the plot
    low, high = y_bounds
    span = (high - low) or 1.0  # a flat line still gets a range
    low -= 0.02 * span
    per_pixel = (high - low) / room
    item.setYRange(low, high + per_pixel * (box.height() - room), padding=0)


def research_views() -> list[ExperimentView]:
    """The research tabs, in the order they follow the other experiments."""
    return [NoiseScaleView(), LinearScalingView(), SmoothnessView()]
