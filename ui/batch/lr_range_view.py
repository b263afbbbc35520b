"""The Batch lab's LR range test tab: loss against a growing rate on the page's own network,
and its suggested rate one click into the training settings."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox
from superqt.utils import signals_blocked

from explorer import batches
from explorer.training.lr_range import MAX_STEPS, STOP_FACTOR
from explorer.training.scene import BatchScene
from explorer.training.typed import parse_lr
from ui.batch.experiment_view import ExperimentView, batch_plot, retitle
from ui.batch.labels import rate_text
from ui.common import theme

DASH = Qt.PenStyle.DashLine


class LRRangeView(ExperimentView):
    key = "lr_range"
    name = "LR range test"
    hint = ("Look at where the smoothed loss falls fastest: the rate grows tenfold every few "
            "steps while the page's own network trains one minibatch per step. Too small a rate "
            "barely moves the loss, too large a one makes it shoot up. The suggested rate is "
            "the steepest fall of the smoothed loss (the marked line); \"Use this rate\" puts "
            "it into the Training tab's learning rate.")
    use_rate = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.add_text_setting("Start rate", "range_start_lr", parse_lr,
                              "The first step's learning rate, e.g. 0.0001")
        self.add_text_setting("End rate", "range_end_lr", parse_lr,
                              "The last step's learning rate (larger than the start), e.g. 10")
        steps = self.add_setting("Steps", "range_steps", _spin())
        steps.setProperty("hint", "Minibatch steps from the start rate to the end rate")
        steps.valueChanged.connect(lambda v: self.settings_changed.emit({"range_steps": v}))
        for field in ("range_start_lr", "range_end_lr"):
            self.control(field).setMinimumWidth(120)
        self.use_button = QPushButton("Use this rate")
        self.use_button.setObjectName("use_rate")
        self.use_button.setToolTip("Set the Training tab's learning rate to the suggested rate")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.plot = batch_plot("A good rate sits where the loss falls fastest",
                               "learning rate (log scale)",
                               "training loss (log scale)", log_x=True, log_y=True,
                               name="lr-range")
        self.raw = self.plot.plot([], [], name="minibatch loss")
        self.smooth = self.plot.plot([], [], pen=theme.pen(0, 3), name="smoothed loss")
        self.marker = self.plot.plot([], [], pen=None, symbol="o", symbolSize=14,
                                     symbolBrush=theme.color(1), name="suggested rate")
        self.line = pg.InfiniteLine(angle=90, label="", labelOpts={"position": 0.9})
        self.line.hide()
        self.plot.addItem(self.line, ignoreBounds=True)
        self.plot_area.addWidget(self.plot)
        self.verdict = QLabel("Press Run to sweep the rate on the page's network.")
        self.verdict.setObjectName("lr_range_verdict")
        self.verdict.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.verdict, 1)
        row.addWidget(self.use_button)
        self.layout().insertLayout(3, row)
        self.suggested: float | None = None
        self._ran_on = None  # the training set-up (but its rate) the last run tested
        self.restyle_items()

    def restyle_items(self) -> None:
        if hasattr(self, "verdict"):  # the suggested rate is read from the back of the room
            self.verdict.setStyleSheet(f"font-size: {theme.font_pt(12):.0f}pt;")
        if hasattr(self, "line"):
            self.raw.setPen(theme.pen(theme.current().muted, 1))
            self.line.setPen(theme.pen(1, 2, DASH))
            self.line.label.setColor(theme.color(1))

    def set_scene(self, scene: BatchScene) -> None:
        for field in ("range_start_lr", "range_end_lr"):
            if field not in self.unreadable:  # a text being fixed stays as typed
                with signals_blocked(edit := self.control(field)):
                    edit.setText(rate_text(getattr(scene, field)))
        with signals_blocked(spin := self.control("range_steps")):
            spin.setValue(scene.range_steps)
        # A suggestion is for the set-up it was measured on: another one needs a new run.
        self.use_button.setEnabled(self.suggested is not None
                                   and scene.config.replace(lr=0.1) == self._ran_on)

    def job(self, scene: BatchScene, device: str):
        self._ran_on = scene.config.replace(lr=0.1)
        return batches.iter_lr_range, (scene.train_config(device), scene.range_start_lr,
                                       scene.range_end_lr, scene.range_steps)

    def show_result(self, result) -> None:
        finite = np.isfinite(result.losses) & np.isfinite(result.smoothed)
        self.raw.setData(result.lrs[finite], result.losses[finite])
        self.smooth.setData(result.lrs[finite], result.smoothed[finite])
        self.suggested = result.suggested if result.done else None
        self.use_button.setEnabled(self.suggested is not None)
        if self.suggested is None:
            self.marker.setData([], [])
            self.line.hide()
            self.verdict.setText(_progress_text(result) if not result.done else
                                 f"Too few steps for a suggestion. {result.stop_reason}")
            return
        at = int(np.argmin(np.abs(np.log(result.lrs[finite] / self.suggested))))
        self.marker.setData([self.suggested], [result.smoothed[finite][at]])
        self.line.setValue(math.log10(self.suggested))  # the rate axis is logarithmic
        self.line.label.setFormat(f"suggested {self.suggested:g}")
        self.line.show()
        retitle(self.plot, f"Steepest fall of the loss at lr = {self.suggested:g}")
        self.verdict.setText(_verdict(result))

    def _on_use_clicked(self) -> None:
        if self.suggested is not None:
            self.use_rate.emit(self.suggested)

    def plots(self):
        return [self.plot]


def _progress_text(result) -> str:
    return f"Step {len(result.lrs)} of {result.steps}: lr = {result.lrs[-1]:.3g} …"


def _verdict(result) -> str:
    return (f"Suggested rate <b>{result.suggested:g}</b>: where the smoothed loss falls "
            f"fastest against log(rate) (the \"steepest\" rule; fastai's other rule, a tenth "
            f"of the lowest point's rate, gives {result.lowest / 10:.3g}). "
            f"It ran {len(result.lrs)} of {result.steps} steps (it stops once the smoothed "
            f"loss passes {STOP_FACTOR:g} × its best or stops being finite): "
            f"{result.stop_reason}")


def _spin() -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(1, MAX_STEPS)  # below the test's minimum can be typed, and is marked
    spin.setKeyboardTracking(False)
    return spin
