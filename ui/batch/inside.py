"""Inside a BN layer: one unit's values through one minibatch, with mu_B, sigma_B^2, gamma, beta.

A strip plot shows the batch three times: the unit's inputs, the normalised
values and the output after ``gamma`` and ``beta``; beside it the statistics as
big numbers and the formula filled in with them. Editing gamma, beta, the unit
or the mode recomputes at once (in the background).
"""

from __future__ import annotations

from contextlib import ExitStack

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.inputs import MAX_LAYERS, MAX_WIDTH
from explorer.training import batchnorm
from explorer.training.scene import BatchScene
from ui.batch.experiment_view import ExperimentView, batch_plot, call_once
from ui.batch.regions import CLASS_COLORS
from ui.common import theme
from ui.common.export import name_for_export
from ui.common.widgets import BigNumber

ROWS = ((2, "before BN: x"), (1, "normalised"), (0, "after γ, β: y"))
MODES = (("train", "train: batch μ_B, σ_B²"), ("eval", "eval: running statistics"))
RERUN_DELAY_MS = 150


class BNInsideView(ExperimentView):
    key = "bn_inside"
    name = "Inside a BN layer"
    field_aliases = {"unit": "bn_unit", "layer": "bn_layer", "mode": "bn_mode"}
    hint = ("Look at the middle row: whatever the inputs, BN centres the batch on 0 with spread 1 "
            "(using μ_B and σ_B² of this very batch); γ then stretches it and β shifts it. In "
            "evaluation mode the running statistics are used instead, so the middle row is only "
            "roughly centred.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.layer = self.add_setting("BN layer", "bn_layer", _spin(0, MAX_LAYERS - 1), 0, 0)
        self.unit = self.add_setting("Unit", "bn_unit", _spin(0, MAX_WIDTH - 1), 0, 1)
        self.mode = self.add_setting("Mode", "bn_mode", QComboBox(), 0, 2)
        for value, text in MODES:
            self.mode.addItem(text, value)
        self.gamma = self.add_setting("γ (scale)", "gamma", _number_box(), 1, 0)
        self.beta = self.add_setting("β (shift)", "beta", _number_box(), 1, 1)
        for box in (self.gamma, self.beta):  # "—" until a run says the layer's own value
            box.setSpecialValueText("—")
            box.setValue(box.minimum())
        self.reset = QPushButton("Layer's own γ, β")
        self.reset.setToolTip("Forget the edits: use the γ and β the layer learned")
        self.add_widget(self.reset, "", 1, 2)
        self.settings.setColumnStretch(5, 1)
        self.plot = batch_plot("BN centres and scales the batch, then γ, β move it",
                               "value of the unit", "", legend=False, name="bn-inside")
        rows_axis = self.plot.getPlotItem().getAxis("left")
        rows_axis.setTicks([[(y, t) for y, t in ROWS]])
        rows_axis.setWidth(round(110 * theme.scale()))  # room for the row names, even headless
        self.plot.setYRange(-0.6, 2.6)
        self.points = pg.ScatterPlotItem(size=9)
        self.plot.addItem(self.points)
        self.means = self.plot.plot([], [], pen=None, symbol="|", symbolSize=34)
        name_for_export(self.points, "each sample's value")
        name_for_export(self.means, "the row's mean")
        self.plot_area.addWidget(self.plot, 3)
        self.plot_area.addWidget(self._numbers(), 2)
        self._timer = QTimer(self, singleShot=True, interval=RERUN_DELAY_MS)
        self._timer.timeout.connect(lambda: self.run_requested.emit(self))
        self._connect_settings()
        self.restyle_items()

    def restyle_items(self) -> None:
        if not hasattr(self, "means"):
            return
        foreground = theme.current().foreground
        self.points.setPen(pg.mkPen(foreground))
        self.means.setSymbolPen(theme.pen(foreground, 3))
        self.means.setSymbolBrush(foreground)

    def _numbers(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout()
        self.mu_label = QLabel("μ_B (batch mean)")
        self.sigma_label = QLabel("σ_B² (batch variance)")
        self.mu_value, self.sigma_value = BigNumber("–"), BigNumber("–")
        grid.addWidget(self.mu_label, 0, 0)
        grid.addWidget(self.sigma_label, 0, 1)
        grid.addWidget(self.mu_value, 1, 0)
        grid.addWidget(self.sigma_value, 1, 1)
        self.running = QLabel()
        self.formula = QLabel()
        self.example = QLabel()
        self.check = QLabel()
        font = QFont("DejaVu Sans Mono")
        font.setPointSizeF(theme.font_pt(12))
        for label in (self.formula, self.example):
            label.setFont(font)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.running, self.check):
            label.setWordWrap(True)
        layout = QVBoxLayout(box)
        layout.addLayout(grid)
        for label in (self.running, self.formula, self.example, self.check):
            layout.addWidget(label)
        layout.addStretch(1)
        return box

    def _connect_settings(self) -> None:
        self.layer.valueChanged.connect(lambda v: self._changed(bn_layer=v))
        self.unit.valueChanged.connect(lambda v: self._changed(bn_unit=v))
        self.mode.currentIndexChanged.connect(
            lambda _i: self._changed(bn_mode=self.mode.currentData()))
        self.gamma.valueChanged.connect(lambda v: self._changed(gamma=_own_or(self.gamma, v)))
        self.beta.valueChanged.connect(lambda v: self._changed(beta=_own_or(self.beta, v)))
        self.reset.clicked.connect(lambda: self._changed(gamma=None, beta=None))

    def _changed(self, **changes) -> None:
        self.clear_error()
        self.settings_changed.emit(changes)
        if self.has_result:
            self._timer.start()

    def set_scene(self, scene: BatchScene) -> None:
        hidden = scene.config.hidden
        with ExitStack() as quiet:
            for box in (self.layer, self.unit, self.mode, self.gamma, self.beta):
                quiet.enter_context(signals_blocked(box))
            self.layer.setMaximum(len(hidden) - 1)
            self.unit.setMaximum(hidden[min(scene.bn_layer, len(hidden) - 1)] - 1)
            self.layer.setValue(scene.bn_layer)
            self.unit.setValue(scene.bn_unit)
            self.mode.setCurrentIndex(self.mode.findData(scene.bn_mode))
            if scene.gamma is not None:
                self.gamma.setValue(scene.gamma)
            if scene.beta is not None:
                self.beta.setValue(scene.beta)

    def job(self, scene: BatchScene, device: str):
        return call_once, (batchnorm.bn_inside, scene.train_config(device), scene.bn_unit,
                           scene.gamma, scene.beta, scene.bn_mode, scene.bn_layer)

    def show_result(self, result) -> None:
        stages = (result.pre, result.normalised, result.output)
        x = np.concatenate(stages)
        jitter = (np.arange(len(result.pre)) * 0.618034) % 1.0 * 0.5 - 0.25
        y = np.concatenate([row + jitter for row, _text in ROWS])
        brushes = [pg.mkBrush(CLASS_COLORS[int(c) % len(CLASS_COLORS)]) for c in result.labels]
        self.points.setData(x=x, y=y, brush=brushes * 3)
        # Bars: mu_B on the inputs, the normalised batch mean, and beta (where 0 is sent).
        self.means.setData([result.mu_B, float(result.unit_means[result.unit]), result.beta],
                           [2, 1, 0])
        self._show_numbers(result)

    def _show_numbers(self, r) -> None:
        """The statistics the mode uses as big numbers; the others in a line below."""
        train = r.mode == "train"
        self.mu_label.setText("μ_B (batch mean)" if train else "running mean (used in eval)")
        self.sigma_label.setText("σ_B² (batch variance)" if train else "running variance")
        self.mu_value.setText(_fixed(r.mean))
        self.sigma_value.setText(_fixed(r.var))
        if train:
            other = (f"running mean = {_fixed(r.running_mean)}, running variance = "
                     f"{_fixed(r.running_var)} (used in evaluation mode)")
        else:
            other = (f"this batch: μ_B = {_fixed(r.mu_B)}, σ_B² = {_fixed(r.sigma2_B)} "
                     "(not used in evaluation mode)")
        self.running.setText(f"{other}; ε = {r.eps:g}")
        self.formula.setText(r.formula)
        self.example.setText(r.example)
        mean, var = _fixed(r.unit_means[r.unit]), _fixed(r.unit_vars[r.unit])
        self.check.setText(f"Unit {r.unit} after normalising, over the batch: mean {mean}, "
                           f"variance {var}. Bars mark μ_B, the normalised mean and β.")
        for box, value in ((self.gamma, r.gamma), (self.beta, r.beta)):
            if not box.hasFocus():
                with signals_blocked(box):
                    box.setValue(round(value, 3))

    def plots(self):
        return [self.plot]


def _fixed(value: float) -> str:
    """Three decimals, without the "-0.000" that rounding a tiny negative number gives."""
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text


def _spin(low: int, high: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    return spin


def _own_or(box: QDoubleSpinBox, value: float) -> float | None:
    """``value``, or None (the layer's own) while the box shows its "—" below -10."""
    return None if value == box.minimum() else value


def _number_box() -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(-10.001, 10.0)  # the minimum is "—": not yet known, the layer's own
    box.setDecimals(3)
    box.setSingleStep(0.1)
    return box
