"""Live sliders: a learning rate on a log scale, and momentum / beta1 / beta2 where they exist.

The slider drives one chosen run, or all rates as a fan around it (×1/4 … ×4, from
``explorer.descent.rates.fan``). Every move emits at once; the controller coalesces the
moves so at most one recompute is in flight and the latest value wins. The optimizer's
stability bound is marked on the rate slider.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.descent.rates import FAN
from explorer.inputs import MAX_LR
from ui.common import theme

TICKS = 1000  # slider positions across its range
LIVE_OPTIONS = ("momentum", "beta1", "beta2")
ONE_RUN, FAN_MODE = "one run", "fan ×¼ … ×4"
MIN_LR = 1e-12


class MarkedSlider(QSlider):
    """A horizontal slider that can draw one mark (the stability bound) under its groove."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._mark: int | None = None

    @property
    def mark(self) -> int | None:
        return self._mark

    def set_mark(self, position: int | None) -> None:
        self._mark = position
        self.update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._mark is None or not self.minimum() <= self._mark <= self.maximum():
            return
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                             QStyle.SubControl.SC_SliderGroove, self)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                             QStyle.SubControl.SC_SliderHandle, self)
        span = groove.width() - handle.width()
        x = groove.x() + handle.width() / 2 + span * (self._mark - self.minimum()) / max(
            1, self.maximum() - self.minimum())
        painter = QPainter(self)
        painter.setPen(QPen(theme.qcolor(theme.current().error), 3))
        painter.drawLine(round(x), 0, round(x), self.height())
        painter.end()


class LogRateSlider(QWidget):
    """A learning rate on a log scale from ``low`` to ``high``, its value written beside it."""

    moved = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.slider = MarkedSlider()
        self.slider.setObjectName("lr_slider")
        self.slider.setToolTip("The learning rate on a log scale; the red mark is where the "
                               "optimizer stops converging (its stability bound).")
        self.slider.setRange(0, TICKS)
        self.value_label = QLabel()
        self.value_label.setMinimumWidth(70)
        self._low, self._high = 1e-4, 1.0
        self._exact: tuple[int, float] | None = None  # (position, rate) last set exactly
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slider, stretch=1)
        row.addWidget(self.value_label)
        self.slider.valueChanged.connect(self._on_moved)

    def set_range(self, low: float, high: float) -> None:
        self._low, self._high = max(MIN_LR, low), min(MAX_LR, high)

    def range(self) -> tuple[float, float]:
        return self._low, self._high

    def position(self, lr: float) -> int:
        """The slider position of ``lr`` (clamped to the ends: a position, not a value)."""
        span = math.log(self._high / self._low)
        t = math.log(max(lr, MIN_LR) / self._low) / span
        return round(min(1.0, max(0.0, t)) * TICKS)

    def value(self) -> float:
        """The rate at the slider's position (3 significant digits), or the exact rate last
        set while the slider has not moved from it."""
        if self._exact is not None and self._exact[0] == self.slider.value():
            return self._exact[1]
        t = self.slider.value() / TICKS
        return float(f"{self._low * (self._high / self._low) ** t:.3g}")

    def set_value(self, lr: float) -> None:
        """Show ``lr`` without emitting (the label says it exactly, even beyond the ends)."""
        if not self.slider.isSliderDown():  # while dragged, the hand holds the position
            with signals_blocked(self.slider):
                self.slider.setValue(self.position(lr))
            self._exact = (self.slider.value(), float(lr))
        self.value_label.setText(f"{lr:.4g}")

    def set_mark(self, lr: float | None) -> None:
        self.slider.set_mark(None if lr is None else self.position(lr))

    def _on_moved(self, _position: int) -> None:
        value = self.value()
        self.value_label.setText(f"{value:.4g}")
        self.moved.emit(value)


class OptionSlider(QWidget):
    """One optimizer option in [low, high) on a linear scale (momentum, beta1, beta2)."""

    moved = Signal(str, float)

    def __init__(self, name: str, low: float, high: float, below_high: bool,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName(f"{name}_slider")
        top = TICKS - 1 if below_high else TICKS
        self.slider.setRange(0, top)
        self._low, self._high = low, high
        self.value_label = QLabel()
        self.value_label.setMinimumWidth(50)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slider, stretch=1)
        row.addWidget(self.value_label)
        self.slider.valueChanged.connect(self._on_moved)

    def value(self) -> float:
        return round(self._low + (self._high - self._low) * self.slider.value() / TICKS, 6)

    def set_value(self, value: float) -> None:
        position = round((value - self._low) / (self._high - self._low) * TICKS)
        with signals_blocked(self.slider):
            self.slider.setValue(position)
        self.value_label.setText(f"{value:g}")

    def _on_moved(self, _position: int) -> None:
        value = self.value()
        self.value_label.setText(f"{value:g}")
        self.moved.emit(self.name, value)


class RateSliders(QWidget):
    """The learning-rate slider (one run, or a fan), the bound mark, snap, option sliders.

    ``run_rate_moved(index, lr)``: drive run ``index``; ``fan_moved(lr)``: the fan's centre;
    ``option_moved(name, value)``: an optimizer option.
    """

    run_rate_moved = Signal(int, float)
    fan_moved = Signal(float)
    option_moved = Signal(str, float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rate = LogRateSlider()
        self.mode = QComboBox()
        self.mode.setObjectName("slider_mode")
        self.mode.addItems([ONE_RUN, FAN_MODE])
        self.run = QComboBox()
        self.run.setObjectName("slider_run")
        self.snap = QPushButton("Snap to best rate")
        self.snap.setEnabled(False)
        self.bound_label = QLabel()
        self.bound_label.setWordWrap(True)
        self.bound_label.setObjectName("bound")
        self.options: dict[str, OptionSlider] = {}
        self._options_grid = QGridLayout()
        self._lrs: tuple[float, ...] = ()
        self._best: float | None = None
        self._build()
        self.rate.moved.connect(self._on_rate_moved)
        self.snap.clicked.connect(self._on_snap)
        self.mode.currentIndexChanged.connect(self._on_mode_changed)
        self.run.currentIndexChanged.connect(lambda _: self._show_rate())

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel("slider drives"))
        top.addWidget(self.mode, stretch=1)
        top.addWidget(self.run, stretch=1)
        layout.addLayout(top)
        layout.addWidget(self.rate)
        layout.addWidget(self.snap)
        layout.addWidget(self.bound_label)
        layout.addLayout(self._options_grid)

    @property
    def fan_mode(self) -> bool:
        return self.mode.currentText() == FAN_MODE

    def set_lrs(self, lrs: tuple[float, ...]) -> None:
        """The scene's rates: the run chooser lists them; the slider shows the driven one."""
        self._lrs = tuple(lrs)
        with signals_blocked(self.run):
            index = max(0, min(self.run.currentIndex(), len(lrs) - 1))
            self.run.clear()
            self.run.addItems([f"run {k + 1}" for k in range(len(lrs))])
            self.run.setCurrentIndex(index)
        self._show_rate()

    def set_range(self, low: float, high: float) -> None:
        self.rate.set_range(low, high)
        self._show_rate()

    def set_bound(self, lr: float | None, text: str, best: float | None) -> None:
        """The optimizer's stability bound (a mark on the slider) and the best rate if known."""
        self.rate.set_mark(lr)
        self.bound_label.setText(text)
        self._best = best
        self.snap.setEnabled(best is not None)
        self.snap.setToolTip("" if best is None else f"lr = {best:.4g}")

    def set_optimizer_options(self, specs, values: dict) -> None:
        """Sliders for the live options the optimizer has, at ``values``."""
        names = [spec.name for spec in specs if spec.name in LIVE_OPTIONS]
        if names != list(self.options):
            while self._options_grid.count():  # the old optimizer's sliders and labels
                widget = self._options_grid.takeAt(0).widget()
                if widget is not None:
                    widget.hide()  # gone from the page now, not at the next deferred delete
                    widget.setParent(None)
                    widget.deleteLater()
            self.options = {}
            for row, spec in enumerate(s for s in specs if s.name in LIVE_OPTIONS):
                slider = OptionSlider(spec.name, spec.minimum, spec.maximum, spec.below_maximum)
                slider.moved.connect(self.option_moved)
                self._options_grid.addWidget(QLabel(spec.name), row, 0)
                self._options_grid.addWidget(slider, row, 1)
                self.options[spec.name] = slider
        for name, slider in self.options.items():
            slider.set_value(float(values[name]))

    def _centre(self) -> float | None:
        if not self._lrs:
            return None
        if self.fan_mode:
            # the fan's ×1 run when the list is a fan; else the slider stays where it is
            middle = self._lrs[FAN.index(1.0)] if len(self._lrs) == len(FAN) else None
            if middle is None or any(not math.isclose(lr, middle * f, rel_tol=1e-4)
                                     for lr, f in zip(self._lrs, FAN, strict=True)):
                return None
            return middle
        return self._lrs[max(0, self.run.currentIndex())]

    def _show_rate(self) -> None:
        self.run.setEnabled(not self.fan_mode)
        centre = self._centre()
        if centre is not None:
            self.rate.set_value(centre)

    def _on_mode_changed(self, _index: int) -> None:
        if self.fan_mode and self._lrs:  # the fan appears at once around the driven rate
            self.fan_moved.emit(self.rate.value())
        self._show_rate()

    def _on_rate_moved(self, lr: float) -> None:
        if self.fan_mode:
            self.fan_moved.emit(lr)
        elif self._lrs:
            self.run_rate_moved.emit(max(0, self.run.currentIndex()), lr)

    def _on_snap(self) -> None:
        if self._best is None:
            return
        self.rate.set_value(self._best)
        self._on_rate_moved(self._best)
