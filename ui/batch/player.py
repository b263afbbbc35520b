"""Training you can watch: play, pause, one minibatch, one epoch, reset; the loss of every
step and the class mix of the minibatch just trained."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ui.batch.experiment_view import batch_plot, retitle
from ui.batch.regions import CLASS_COLORS
from ui.batch.runs import highest, nice_ceiling
from ui.common import theme
from ui.common.export import name_for_export
from ui.common.plots import add_note

BUTTONS = (
    ("play", "▶ Play", "Train step after step until paused or the epochs are done"),
    ("pause", "Pause", "Stop after the minibatch under way"),
    ("step", "Step 1 batch", "Train on the next minibatch only"),
    ("epoch", "Step 1 epoch", "Train to the end of the epoch under way"),
    ("reset", "Reset", "Back to the same initial weights (same seed): step 0"),
    ("code", "PyTorch code", "The plain PyTorch script of this run, ready to copy"),
)


class PlayerBar(QWidget):
    """The buttons; emits ``asked`` with ``"play"``, ``"pause"``, ``"step"``, ``"epoch"`` or
    ``"reset"``."""

    asked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, tip in BUTTONS:
            button = QPushButton(text)
            button.setObjectName(f"player_{key}")
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, key=key: self.asked.emit(key))
            layout.addWidget(button)
            self.buttons[key] = button
        self.where = QLabel("step 0")
        self.where.setObjectName("player_where")
        # Its text grows as the run goes on: were that the row's minimum width, every new
        # step would widen the tab and relay out (repaint) every plot on the page.
        self.where.setMinimumWidth(1)
        layout.addWidget(self.where, 1)
        self.set_playing(False)

    def set_playing(self, playing: bool, busy: bool = False) -> None:
        """While playing only Pause works; while another job runs none does."""
        self.buttons["pause"].setEnabled(playing)
        for key in ("play", "step", "epoch", "reset"):
            self.buttons[key].setEnabled(not playing and not busy)


EMPTY_LOSS = "Step or play to see\neach minibatch's loss"
MIX_FIRST = "Classes in the first minibatch"
MIX_LAST = "Classes in the last minibatch"


class StepView:
    """The loss of every optimizer step (the noise inside an epoch) and the class mix of the
    minibatch just trained (before the first step: of the minibatch step 1 will train on)."""

    def __init__(self):
        self.loss_plot = batch_plot("Each minibatch's loss is noisy",
                                    "optimizer step", "minibatch loss", legend=False,
                                    name="minibatch-loss")
        self.color = theme.color(0)
        # Thousands of steps on a few hundred pixels: drawn as each pixel column's lowest and
        # highest loss (the noise band stays, the path to stroke is a few hundred points).
        self.curve = self.loss_plot.plot([], [], pen=theme.pen(self.color, width=1.5),
                                         autoDownsample=True, downsampleMethod="peak",
                                         autoDownsampleFactor=1.0, clipToView=True)
        name_for_export(self.curve, "minibatch loss")
        # Empty axes would say nothing: until the first step they say what will come.
        self.empty_text = add_note(self.loss_plot, EMPTY_LOSS, pt=13, muted=False)
        self.mix_plot = batch_plot(MIX_FIRST, "class", "samples", legend=False,
                                   name="minibatch-classes")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.mix_plot.addItem(self.bars)
        name_for_export(self.bars, "samples of each class")
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.class_names: tuple[str, ...] = ()
        # The axes' spans, kept while they hold the data: new steps and bars then redraw the
        # data only, not the axes (their ticks, labels and grid) as auto-range would.
        self._step_span = 0
        self._loss_top = 0.0
        self._mix_span = 0
        self.restyle()
        self._show_empty()

    def restyle(self) -> None:
        """The curve in its run's colour (the empty plot's text follows the theme itself)."""
        self.curve.setPen(theme.pen(self.color, width=1.5))

    def clear(self, class_names=(), color: str | None = None) -> None:
        """No steps yet; the curve in ``color`` (the stepped run's) from now on."""
        self.steps, self.losses = [], []
        self.curve.setData([], [])
        if color is not None:
            self.color = color
            self.restyle()
        self._show_empty()
        self.set_classes(class_names)
        self.show_mix((), first=True)

    def set_classes(self, class_names) -> None:
        self.class_names = tuple(class_names)
        axis = self.mix_plot.getPlotItem().getAxis("bottom")
        axis.setTicks([list(enumerate(map(str, self.class_names)))])

    def add(self, records) -> None:
        """Append steps (:class:`~explorer.training.stepper.StepRecord`) and draw the last mix."""
        if not records:
            return
        if not self.steps:
            self.empty_text.setVisible(False)
        self.steps += [r.step for r in records]
        self.losses += [r.loss for r in records]
        self.curve.setData(np.asarray(self.steps), np.asarray(self.losses))
        span, top = nice_ceiling(self.steps[-1]), max(self._loss_top, highest(
            r.loss for r in records))
        if (span, top) != (self._step_span, self._loss_top):
            self._step_span, self._loss_top = span, top
            self.loss_plot.setRange(xRange=(1, max(span, 2)), yRange=(0, top or 1),
                                    padding=0.02)
        self.show_mix(records[-1].class_counts, first=False)

    def show_mix(self, counts, first: bool) -> None:
        """Bars of ``counts`` per class: of the first minibatch, or of the last one trained."""
        title = MIX_FIRST if first else MIX_LAST
        if self.mix_plot.property("plot_title") != title:
            retitle(self.mix_plot, title)
        self.bars.setOpts(x=np.arange(len(counts)), height=np.asarray(counts, dtype=float),
                          width=0.8, brushes=[CLASS_COLORS[k % len(CLASS_COLORS)]
                                              for k in range(len(counts))])
        span = sum(counts)  # the minibatch's size: one class alone fills the plot
        if counts and span != self._mix_span:
            self._mix_span = span
            self.mix_plot.setRange(xRange=(-0.5, len(counts) - 0.5), yRange=(0, max(span, 1)))

    def mix(self) -> tuple[float, ...]:
        """The class counts on show."""
        heights = self.bars.opts.get("height")
        return tuple(float(h) for h in heights) if heights is not None else ()

    def _show_empty(self) -> None:
        """The text in the middle of axes that span 0 to 1 until there is data."""
        self._step_span, self._loss_top = 0, 0.0
        self.loss_plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self.empty_text.setPos(0.5, 0.5)
        self.empty_text.setVisible(True)
