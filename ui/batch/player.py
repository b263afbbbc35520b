"""Training you can watch: play, pause, one minibatch, one epoch, reset; the loss of every
step and the class mix of the minibatch just trained."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ui.batch.experiment_view import batch_plot, retitle
from ui.batch.regions import CLASS_COLORS
from ui.common import theme

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
        self.curve = self.loss_plot.plot([], [], pen=theme.pen(self.color, width=1.5))
        # Empty axes would say nothing: until the first step they say what will come.
        self.empty_text = pg.TextItem(EMPTY_LOSS, anchor=(0.5, 0.5))
        self.loss_plot.addItem(self.empty_text, ignoreBounds=True)
        self.mix_plot = batch_plot(MIX_FIRST, "class", "samples", legend=False,
                                   name="minibatch-classes")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.mix_plot.addItem(self.bars)
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.class_names: tuple[str, ...] = ()
        self.restyle()
        self._show_empty()

    def restyle(self) -> None:
        """The curve in its run's colour; the empty plot's text in the theme's, readable."""
        self.curve.setPen(theme.pen(self.color, width=1.5))
        font = self.empty_text.textItem.font()
        font.setPointSizeF(theme.font_pt(13))
        self.empty_text.setFont(font)
        self.empty_text.setColor(theme.current().foreground)

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
            self.loss_plot.enableAutoRange()
        self.steps += [r.step for r in records]
        self.losses += [r.loss for r in records]
        self.curve.setData(np.asarray(self.steps), np.asarray(self.losses))
        self.show_mix(records[-1].class_counts, first=False)

    def show_mix(self, counts, first: bool) -> None:
        """Bars of ``counts`` per class: of the first minibatch, or of the last one trained."""
        title = MIX_FIRST if first else MIX_LAST
        if self.mix_plot.property("plot_title") != title:
            retitle(self.mix_plot, title)
        self.bars.setOpts(x=np.arange(len(counts)), height=np.asarray(counts, dtype=float),
                          width=0.8, brushes=[CLASS_COLORS[k % len(CLASS_COLORS)]
                                              for k in range(len(counts))])

    def mix(self) -> tuple[float, ...]:
        """The class counts on show."""
        heights = self.bars.opts.get("height")
        return tuple(float(h) for h in heights) if heights is not None else ()

    def _show_empty(self) -> None:
        """The text in the middle of axes that span 0 to 1 until there is data."""
        self.loss_plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self.empty_text.setPos(0.5, 0.5)
        self.empty_text.setVisible(True)
