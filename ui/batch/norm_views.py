"""Batch normalization's tabs: BN on vs off at several learning rates, and activations over
training. "Inside a BN layer" lives in ``ui.batch.inside``."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from superqt.utils import signals_blocked

from explorer.inputs import format_numbers
from explorer.training import batchnorm
from explorer.training.scene import BatchScene
from explorer.training.typed import parse_learning_rates
from ui.batch.experiment_view import (
    ExperimentView,
    batch_plot,
    move_legend_down,
    whole_number_ticks,
)
from ui.common import theme
from ui.common.plots import set_title

DASH = Qt.PenStyle.DashLine
PERCENTILES = (15, 50, 85)
DEEP_SIGMOID = ("The deep sigmoid network: digits, 6 hidden layers of 32 sigmoid units, SGD, "
                "batches of 32, 3 epochs; untick to use the page's settings.")


PERCENTILES_DEMO = ("Ioffe & Szegedy's set-up, scaled down: digits, 3 hidden layers of 100 "
                    "sigmoid units, SGD, lr 0.5, 5 epochs; untick to use the page's settings.")


def _preset_or_page(scene: BatchScene, device: str, preset):
    """The demonstration config made by ``preset`` (same seed and device), or the page's."""
    if preset is not None:
        return preset().replace(device=device, seed=scene.config.seed)
    return scene.train_config(device)


class BatchNormCompareView(ExperimentView):
    key = "batch_norm"
    name = "BN on vs off"
    field_aliases = {"lrs": "bn_lrs"}
    hint = ("Look at the dashed lines (no BN) against the solid ones (BN) of the same colour: on "
            "the deep sigmoid network the runs without BN barely move from chance, while with BN "
            "they learn, and BN tolerates the larger learning rates.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.add_text_setting("Learning rates", "bn_lrs", parse_learning_rates,
                              "Learning rates to try with and without BN, e.g. 0.01, 0.1, 1")
        self.preset = self.add_preset("bn_preset", "deep sigmoid preset", DEEP_SIGMOID)
        self.loss_plot = batch_plot("BN keeps training moving", "epoch",
                                    "training loss (mean over minibatches)", name="bn-loss")
        self.accuracy_plot = batch_plot("Validation accuracy: solid BN on, dashed off", "epoch",
                                        "validation accuracy (%)", name="bn-accuracy",
                                        legend=False)
        self.accuracy_plot.setYRange(0, 100)
        move_legend_down(self.loss_plot, left=True)
        self._lines: list = []
        self.plot_area.addWidget(self.loss_plot)
        self.plot_area.addWidget(self.accuracy_plot)
        self.modes_label = QLabel()
        self.modes_label.setObjectName("bn_modes")
        self.modes_label.setWordWrap(True)
        self.modes_label.setTextFormat(Qt.TextFormat.PlainText)
        self.layout().addWidget(self.modes_label)

    def set_scene(self, scene: BatchScene) -> None:
        with signals_blocked(edit := self.control("bn_lrs")), signals_blocked(self.preset):
            edit.setText(format_numbers(scene.bn_lrs))
            self.preset.setChecked(scene.bn_preset)

    def job(self, scene: BatchScene, device: str):
        config = _preset_or_page(scene, device,
                                 batchnorm.deep_sigmoid_config if scene.bn_preset else None)
        return batchnorm.iter_compare_batch_norm, (config, scene.bn_lrs)

    def show_result(self, result) -> None:
        for plot, line in self._lines:
            plot.removeItem(line)
        self._lines = []
        lrs = sorted({lr for _bn, lr in result})
        for (bn, lr), records in sorted(result.items(), key=lambda kv: (kv[0][1], not kv[0][0])):
            index, style = lrs.index(lr), None if bn else DASH
            label = f"lr={lr:g} · BN {'on' if bn else 'off'}"
            epochs = [r.epoch for r in records]
            self._add(self.loss_plot, label, index, style, epochs, [r.train_loss for r in records])
            self._add(self.accuracy_plot, label, index, style, epochs,
                      [100 * r.val_accuracy for r in records])
            whole_number_ticks(self.plots(), max(epochs, default=1))
        self.modes_label.setText(modes_text(getattr(result, "modes", {})))

    def _add(self, plot, label, index, style, x, y) -> None:
        line = plot.plot(x, y, pen=theme.pen(index, style=style), name=label, symbol="o",
                         symbolSize=6, symbolBrush=theme.color(index), symbolPen=None)
        self._lines.append((plot, line))

    def plots(self):
        return [self.loss_plot, self.accuracy_plot]


def modes_text(modes: dict) -> str:
    """The BN runs' last-epoch validation accuracy in model.eval() and model.train(), per rate,
    with the difference and the sentence that explains it."""
    if not modes:
        return ""
    rows = [f"lr={lr:g}: model.eval() {100 * m.eval_accuracy:.1f} %, model.train() "
            f"{100 * m.train_accuracy:.1f} %, difference {100 * m.difference:+.1f} points"
            for lr, m in sorted(modes.items())]
    return ("Validation accuracy of the BN runs after the last epoch — " + "; ".join(rows)
            + ". " + batchnorm.MODES_WHY)


class PercentilesView(ExperimentView):
    key = "percentiles"
    name = "Activations over training"
    hint = ("Look at the median (solid) and the 15th and 85th percentiles (dotted) of one unit's "
            "input to its sigmoid in the last hidden layer, over training (Ioffe & Szegedy's "
            "figure 1); both plots share one y axis. Without BN they drift as the layers before "
            "it learn. With BN that input is BN's output after γ and β: BN re-centres every "
            "batch, so the median stays near β, and the band's width follows the learned γ "
            "(before γ, β the normalised values have mean 0 and spread 1 by construction). With BN "
            "placed after the activation, the activation's input is a Linear layer's output and "
            "is not normalised: the right plot's title says so.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.preset = self.add_preset("percentile_preset", "demonstration preset",
                                      PERCENTILES_DEMO)
        self.off_plot = batch_plot("Without BN the distribution drifts", "optimizer step",
                                   "input to the activation", name="percentiles-without-bn",
                                   legend=False)
        self.on_plot = batch_plot("With BN: re-centred each batch, spread set by γ",
                                  "optimizer step", "input to the activation (after γ, β)",
                                  name="percentiles-with-bn", legend=False)
        self.on_plot.setYLink(self.off_plot)  # compare like with like: one y range for both
        self._on_titles = {"before": (self.on_plot.property("plot_title"),
                                      "input to the activation (after γ, β)"),
                           "after": ("BN after the activation: input not normalised",
                                     "input to the activation (a Linear's output)")}
        self._curves = {bn: self._percentile_curves(plot, bn)
                        for bn, plot in ((False, self.off_plot), (True, self.on_plot))}
        self.plot_area.addWidget(self.off_plot)
        self.plot_area.addWidget(self.on_plot)

    def _percentile_curves(self, plot, bn: bool) -> list:
        dotted, solid = Qt.PenStyle.DotLine, Qt.PenStyle.SolidLine
        state = "with" if bn else "without"
        return [plot.plot([], [], pen=theme.pen(2 if bn else 0, style=style),
                          name=f"{p}th percentile {state} BN")
                for p, style in zip(PERCENTILES, (dotted, solid, dotted), strict=True)]

    def set_scene(self, scene: BatchScene) -> None:
        with signals_blocked(self.preset):
            self.preset.setChecked(scene.percentile_preset)

    def job(self, scene: BatchScene, device: str):
        config = _preset_or_page(
            scene, device, batchnorm.percentiles_demo_config if scene.percentile_preset else None)
        return batchnorm.iter_activation_percentiles, (config, -1, PERCENTILES)

    def show_result(self, result) -> None:
        for bn, curves in self._curves.items():
            for column, curve in enumerate(curves):
                curve.setData(result.steps, result[bn][:, column])
        self._share_y_range(result)
        title, label = self._on_titles[getattr(result, "bn_position", "before")]
        set_title(self.on_plot, title)
        self.on_plot.setLabel("left", label)

    def _share_y_range(self, result) -> None:
        """Both plots span both runs' values: a linked axis alone follows whichever plot
        auto-ranged last, which can cut off the other's curves."""
        values = np.concatenate([np.ravel(result[bn]) for bn in self._curves])
        values = values[np.isfinite(values)]
        if not values.size:
            return
        for plot in self.plots():
            plot.enableAutoRange(y=False)
        self.off_plot.setYRange(float(values.min()), float(values.max()), padding=0.05)

    def plots(self):
        return [self.off_plot, self.on_plot]


def batch_norm_views() -> list[ExperimentView]:
    from ui.batch.inside import BNInsideView

    return [BatchNormCompareView(), BNInsideView(), PercentilesView()]
