"""The Batch lab's minibatch experiments: gradient noise, time, shuffling, small vs large batch.

Each tab asks one ``explorer.training.batches`` generator for its data and draws it;
batch normalization's tabs live in ``ui.batch.norm_views``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox
from superqt.utils import signals_blocked

from explorer.inputs import format_numbers
from explorer.training import batches
from explorer.training.scene import BatchScene
from explorer.training.typed import parse_batch_sizes
from ui.batch.experiment_view import (
    ExperimentView,
    batch_plot,
    move_legend_down,
    retitle,
    whole_number_ticks,
)
from ui.common import theme

DASH = Qt.PenStyle.DashLine


class GradientNoiseView(ExperimentView):
    key = "gradient_noise"
    name = "Gradient noise"
    field_aliases = {"batch_sizes": "noise_batch_sizes"}
    hint = ("Look at how the points follow the dashed 1/B line: a batch 16 times bigger (16 times "
            "the work) cuts the squared error 16 times, so the gradient's error only 4 times: "
            "less than linear returns. The dotted line corrects 1/B for a finite training set.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.add_text_setting("Batch sizes", "noise_batch_sizes", parse_batch_sizes,
                              "Batch sizes to compare, e.g. 1, 2, 4, 8, 16, 32, 64")
        self.plot = batch_plot("Gradient noise falls like 1/B as the batch grows",
                              "batch size B (log scale)", "mean squared gradient error (log scale)",
                              log_x=True, log_y=True, name="gradient-noise")
        self.reference = self.plot.plot([], [], name="1/B through the first point")
        self.corrected = self.plot.plot([], [], name="1/B × (N − B)/(N − 1): finite training set")
        self.curve = self.plot.plot([], [], pen=theme.pen(0), symbol="o", symbolSize=10,
                                    symbolBrush=theme.color(0), name="measured (random batches)")
        self.plot_area.addWidget(self.plot)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.layout().insertWidget(3, self.note)
        self.restyle_items()

    def restyle_items(self) -> None:
        if hasattr(self, "corrected"):
            self.reference.setPen(theme.pen(theme.current().muted, 2, DASH))
            self.corrected.setPen(theme.pen(1, 2, Qt.PenStyle.DotLine))

    def set_scene(self, scene: BatchScene) -> None:
        with signals_blocked(edit := self.control("noise_batch_sizes")):
            edit.setText(format_numbers(scene.noise_batch_sizes))

    def job(self, scene: BatchScene, device: str):
        return batches.iter_gradient_noise, (scene.train_config(device), scene.noise_batch_sizes)

    def show_result(self, result) -> None:
        # B = N is the full-batch gradient itself: no noise (~0), which a log axis cannot show.
        sizes = [b for b in sorted(result) if b < result.n_train]
        self.curve.setData(np.array(sizes, dtype=float), [result[b] for b in sizes])
        self.reference.setData(np.array(sizes, dtype=float), [result.reference[b] for b in sizes])
        self.corrected.setData(np.array(sizes, dtype=float), [result.corrected[b] for b in sizes])
        dropped = sorted(set(result) - set(sizes))
        self.error.clear_error()
        text = (f"Minibatches are drawn without replacement from the N = {result.n_train} "
                "training samples, so a batch that is a large share of them is closer to the "
                "full gradient than 1/B says: sampling theory multiplies 1/B by (N − B)/(N − 1), "
                "the dotted line, which falls to 0 at B = N.")
        if dropped:
            text += (f" B = {', '.join(map(str, dropped))}: the whole training set, so no noise "
                     "at all (not drawn on the log axes).")
        self.note.setText(text)

    def plots(self):
        return [self.plot]


class TimingView(ExperimentView):
    key = "batch_timing"
    name = "Time"
    reproducible = False
    field_aliases = {"batch_sizes": "timing_batch_sizes"}
    hint = ("Look at the time per sample: bigger batches do fewer, larger steps, so each sample "
            "gets cheaper until the hardware is full. Some sizes (often powers of two) can be "
            "faster than their neighbours. Each point is the median of repeated runs of at "
            "least 100 steps; bars span their 25th to 75th percentiles.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.add_text_setting("Batch sizes", "timing_batch_sizes", parse_batch_sizes,
                              "Batch sizes to time, powers of two and others")
        self.preset = self.add_preset(
            "timing_preset", "demonstration preset",
            "Digits (1,437 training images), one hidden layer of 256: steps large enough to "
            "time; untick to use the page's settings.")
        self.epoch_plot = batch_plot("Seconds per epoch (press Run to measure)",
                                    "batch size B", "seconds per epoch", legend=False,
                                    name="time-per-epoch")
        self.sample_plot = batch_plot("Time per sample (press Run to measure)",
                                     "batch size B", "microseconds per sample", legend=False,
                                     name="time-per-sample")
        self._series = [self._add_series(p) for p in (self.epoch_plot, self.sample_plot)]
        self.plot_area.addWidget(self.epoch_plot)
        self.plot_area.addWidget(self.sample_plot)

    def _add_series(self, plot):
        bars = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), height=np.zeros(0), beam=2.0,
                               pen=_bar_pen())
        plot.addItem(bars)
        curve = plot.plot([], [], pen=theme.pen(0), symbol="o", symbolSize=9,
                          symbolBrush=theme.color(0), name="median")
        return curve, bars

    def restyle_items(self) -> None:
        for _curve, bars in getattr(self, "_series", []):
            bars.setData(pen=_bar_pen())

    def set_scene(self, scene: BatchScene) -> None:
        with signals_blocked(edit := self.control("timing_batch_sizes")), \
                signals_blocked(self.preset):
            edit.setText(format_numbers(scene.timing_batch_sizes))
            self.preset.setChecked(scene.timing_preset)

    def job(self, scene: BatchScene, device: str):
        config = (batches.timing_demo_config().replace(device=device, seed=scene.config.seed)
                  if scene.timing_preset else scene.train_config(device))
        return batches.iter_batch_timing, (config, scene.timing_batch_sizes)

    def show_result(self, result) -> None:
        retitle(self.epoch_plot, f"Seconds per epoch on {result.device}: fewer, bigger steps")
        retitle(self.sample_plot, "Time per sample falls, then levels off")
        sizes = np.asarray(result.batch_sizes, dtype=float)
        beam = 0.4 * float(np.min(np.diff(sizes))) if len(sizes) > 1 else 1.0
        for (curve, bars), (median, low, high), scale in (
            (self._series[0], (result.epoch_median, result.epoch_low, result.epoch_high), 1.0),
            (self._series[1], (result.sample_median, result.sample_low, result.sample_high),
             1e6),
        ):
            median, low, high = (np.asarray(v) * scale for v in (median, low, high))
            curve.setData(sizes, median)
            # Quantiles, not ± a standard deviation: a bar never reaches below zero.
            bars.setData(x=sizes, y=median, height=None, top=high - median, bottom=median - low,
                         beam=beam)

    def plots(self):
        return [self.epoch_plot, self.sample_plot]


class _RecordsView(ExperimentView):
    """A comparison of training runs: loss per epoch and one more plot per run."""

    def _curves(self, plot, label: str, index: int, style=None):
        return plot.plot([], [], pen=theme.pen(index, style=style), name=label)


class ShuffleView(_RecordsView):
    key = "shuffle"
    name = "Shuffled vs not"
    hint = ("Look at the end of the orange curve: without shuffling every epoch ends on the last "
            "classes of the class-sorted file, so the network forgets the first ones and ends "
            "clearly worse. Minibatches must be drawn at random.")
    LABELS = ("shuffled", "unshuffled")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.preset = self.add_preset(
            "shuffle_preset", "demonstration preset",
            "Digits, one hidden layer of 32, SGD with momentum 0.9, batches of 32, 5 epochs; "
            "untick to use the page's settings.")
        self.loss_plot = batch_plot("Unshuffled training forgets classes", "epoch",
                                    "validation loss (log scale)", log_y=True,
                                    name="shuffle-loss")
        self.loss_plot.getPlotItem().legend.setOffset((10, 10))  # top left stays clear
        self.accuracy_plot = batch_plot("Shuffled ends more accurate", "epoch",
                                        "validation accuracy (%)", name="shuffle-accuracy")
        self.accuracy_plot.setYRange(0, 100)
        move_legend_down(self.accuracy_plot)
        self.loss_curves = {k: self._curves(self.loss_plot, k, i)
                            for i, k in enumerate(self.LABELS)}
        self.accuracy_curves = {k: self._curves(self.accuracy_plot, k, i)
                                for i, k in enumerate(self.LABELS)}
        self.plot_area.addWidget(self.loss_plot)
        self.plot_area.addWidget(self.accuracy_plot)

    def set_scene(self, scene: BatchScene) -> None:
        with signals_blocked(self.preset):
            self.preset.setChecked(scene.shuffle_preset)

    def job(self, scene: BatchScene, device: str):
        config = (batches.shuffle_demo_config().replace(device=device, seed=scene.config.seed)
                  if scene.shuffle_preset else scene.train_config(device))
        return batches.iter_compare_shuffle, (config,)

    def show_result(self, result) -> None:
        for key, records in result.items():
            epochs = [r.epoch for r in records]
            self.loss_curves[key].setData(epochs, [r.val_loss for r in records])
            self.accuracy_curves[key].setData(epochs, [100 * r.val_accuracy for r in records])
            whole_number_ticks(self.plots(), max(epochs, default=1))

    def plots(self):
        return [self.loss_plot, self.accuracy_plot]


class BatchSizeView(_RecordsView):
    key = "batch_sizes"
    name = "Small vs large batch"
    field_aliases = {"large": "large_batch", "budget": "batch_budget"}
    hint = ("Look at the gap between validation (dashed) and training (solid) loss. Small batches "
            "take noisy steps, and that noise can act as a regularizer. Compare with equal "
            "steps: with equal epochs the large batch takes far fewer steps and may simply be "
            "unconverged. On small data sets such as these the effect is small or absent: the "
            "line below the plots says what this run shows.")
    BUDGET_NAMES = {"steps": "equal steps", "epochs": "equal epochs"}

    def __init__(self, parent=None):
        super().__init__(parent)
        self.small = self.add_setting("Small batch", "small_batch", _spin(1, 100_000), 0, 0)
        self.large = self.add_setting("Large batch", "large_batch", _spin(0, 100_000), 0, 1)
        self.large.setSpecialValueText("whole set")
        self.large.setToolTip("0 = the whole training set in one batch")
        self.budget = self.add_setting("Compare at", "batch_budget", QComboBox(), 0, 2)
        for value in batches.BUDGETS:
            self.budget.addItem(self.BUDGET_NAMES[value], value)
        self.budget.setProperty("hint", "Equal steps: the large batch gets more epochs, as many "
                                "optimizer steps as the small one. Equal epochs: fewer steps.")
        self.budget.setToolTip(self.budget.property("hint"))
        self.preset = self.add_preset(
            "batch_preset", "demonstration preset",
            "Iris, two hidden layers of 64, SGD lr 0.1, 100 epochs at the small batch; "
            "untick to use the page's settings.")
        self.small.valueChanged.connect(lambda v: self.settings_changed.emit({"small_batch": v}))
        self.large.valueChanged.connect(
            lambda v: self.settings_changed.emit({"large_batch": v or None}))
        self.budget.currentIndexChanged.connect(
            lambda _i: self.settings_changed.emit({"batch_budget": self.budget.currentData()}))
        self.loss_plot = batch_plot("Training (solid) vs validation (dashed)", "optimizer step",
                                   "loss (cross-entropy)", name="batch-size-loss")
        self.gap_plot = batch_plot("Gap = validation − training loss", "optimizer step",
                                  "gap (loss)", name="batch-size-gap")
        self.verdict = QLabel()
        self.verdict.setObjectName("batch_verdict")
        self.verdict.setWordWrap(True)
        self.layout().insertWidget(3, self.verdict)
        self._lines: list = []
        self.plot_area.addWidget(self.loss_plot)
        self.plot_area.addWidget(self.gap_plot)

    def set_scene(self, scene: BatchScene) -> None:
        for spin, value in ((self.small, scene.small_batch), (self.large, scene.large_batch or 0)):
            with signals_blocked(spin):
                spin.setValue(value)
        with signals_blocked(self.budget), signals_blocked(self.preset):
            self.budget.setCurrentIndex(self.budget.findData(scene.batch_budget))
            self.preset.setChecked(scene.batch_preset)

    def job(self, scene: BatchScene, device: str):
        config = (batches.batch_sizes_demo_config().replace(device=device, seed=scene.config.seed)
                  if scene.batch_preset else scene.train_config(device))
        return batches.iter_compare_batch_sizes, (config, scene.small_batch, scene.large_batch,
                                                  scene.batch_budget)

    def show_result(self, result) -> None:
        for plot, line in self._lines:
            plot.removeItem(line)
        self._lines = []
        for i, (size, records) in enumerate(sorted(result.items())):
            steps = [r.steps for r in records]
            self._add(self.loss_plot, f"B={size} training", i, steps,
                      [r.train_eval_loss for r in records])
            self._add(self.loss_plot, f"B={size} validation", i, steps,
                      [r.val_loss for r in records], DASH)
            self._add(self.gap_plot, f"B={size}", i, steps, [r.gap for r in records])
        self.verdict.setText(result.verdict())

    def _add(self, plot, label, index, x, y, style=None) -> None:
        line = self._curves(plot, label, index, style)
        line.setData(x, y)
        self._lines.append((plot, line))

    def plots(self):
        return [self.loss_plot, self.gap_plot]


def _bar_pen():
    return theme.pen(theme.current().foreground, 1.5)


def _spin(low: int, high: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setKeyboardTracking(False)
    return spin


def make_experiment_views() -> list[ExperimentView]:
    """One view per experiment, in the order of the tabs."""
    from ui.batch.lr_range_view import LRRangeView
    from ui.batch.norm_views import batch_norm_views
    from ui.batch.research import research_views

    return [GradientNoiseView(), TimingView(), ShuffleView(), BatchSizeView(),
            *batch_norm_views(), *research_views(), LRRangeView()]
