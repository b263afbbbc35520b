"""The LR range test tab: loss against a growing learning rate, with suggested rates.

The controller runs ``explorer.descent.lr_finder.iter_lr_range_test`` on a worker
and shows each partial curve here; the suggestions are drawn as vertical lines,
explained in words. The tab says what the test ran on: on the surface shown (with the
trajectories' optimizer) each suggestion has an "Add to the trajectories" button, since the
rate means the same thing on the map; on a model it has none, and says why. The settings
are emitted as typed (``options_changed``, ``run_requested``); the controller checks them.
"""

from __future__ import annotations

import math
from contextlib import ExitStack

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.descent import lr_finder
from explorer.descent.scene import LRTestOptions
from explorer.errors import InputError
from explorer.inputs import parse_lrs
from ui.common import theme
from ui.common.columns import SettingsPanel
from ui.common.plots import make_plot
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid

MODEL_NOTE = ("<i>These rates are for that model, not for the surface on the Trajectories "
              "tab, so nothing adds them there: choose the model 'surface' for that.</i>")


STEEPEST_TITLE = "The loss falls fastest just before it blows up"
MOMENTUM_TITLE = "Momentum: where each run ends, up to the edge of stability"
MARGIN_DECADES = 0.3  # room right of the last rate (or the bound) for the lines' labels


class LRTestView(QWidget):
    """Settings, the curve, the suggestions and their "Use this rate" buttons."""

    use_rate = Signal(float)
    options_changed = Signal(object)  # LRTestOptions, as typed (not yet checked)
    run_requested = Signal(object)  # the same, with a click on Run

    def __init__(self, options: LRTestOptions, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = QComboBox()
        self.model.addItems(list(lr_finder.MODELS))
        self.optimizer = QComboBox()
        self.optimizer.addItems(list(lr_finder.FINDER_OPTIMIZERS))
        self.start_lr, self.end_lr = QLineEdit(), QLineEdit()
        self.steps = QSpinBox()
        self.steps.setRange(lr_finder.MIN_STEPS, lr_finder.MAX_STEPS)
        self.mode = QComboBox()
        self.mode.addItems(list(lr_finder.MODES))
        self.run_button = QPushButton("Run the range test")
        self.error = ErrorLabel()
        self.plot = make_plot(STEEPEST_TITLE, "learning rate",
                              "loss", log_x=True, name="lr_range_test")
        self.plot.getPlotItem().getAxis("bottom").enableAutoSIPrefix(False)  # no "(x0.001)"
        self.raw = self.plot.plot(pen=pg.mkPen(theme.qcolor(0, 90), width=1.5), name="loss")
        self.smoothed = self.plot.plot(pen=theme.pen(0, width=3), name="smoothed loss")
        self.lines: list[pg.InfiniteLine] = []
        # The optimizer's stability bound on the surface shown (dashed, in the error colour).
        self.bound = pg.InfiniteLine(angle=90, movable=False, label="",
                                     labelOpts={"position": 0.12, "anchors": [(0, 1), (0, 1)]})
        self.bound.setVisible(False)
        self.plot.addItem(self.bound, ignoreBounds=True)
        self.reasons = QLabel("Run the test to see which learning rates it suggests.")
        self.reasons.setWordWrap(True)
        self.ran_on = QLabel("")
        self.ran_on.setWordWrap(True)
        self.ran_on.setObjectName("lr_test_ran_on")
        self.shown_ran_on = ""  # what the curve drawn ran on ("" when none is drawn)
        self._lrs = np.empty(0)  # the rates of the curve drawn
        self.buttons = QHBoxLayout()
        self._build()
        self.set_options(options)
        self._connect()

    def _build(self) -> None:
        form = QFormLayout()
        for label, widget in (("model", self.model), ("optimizer", self.optimizer),
                              ("start lr", self.start_lr), ("end lr", self.end_lr),
                              ("steps", self.steps), ("growth", self.mode)):
            form.addRow(label, widget)
        form.addRow(self.run_button)
        form.addRow(self.error)
        settings = SettingsPanel(43)  # 260 px at the desk's 9 pt
        settings.setLayout(form)
        right = QVBoxLayout()
        right.addWidget(self.ran_on)
        right.addWidget(self.plot, stretch=1)
        right.addWidget(self.reasons)
        right.addLayout(self.buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(settings)
        layout.addLayout(right, stretch=1)

    def _connect(self) -> None:
        self.run_button.clicked.connect(self._on_run_clicked)
        for combo in (self.model, self.optimizer, self.mode):
            combo.currentTextChanged.connect(self._on_edited)
        for box in (self.start_lr, self.end_lr):
            box.editingFinished.connect(self._on_edited)
        self.steps.valueChanged.connect(self._on_edited)

    def set_options(self, options: LRTestOptions) -> None:
        """Show ``options`` (from the scene) without emitting."""
        widgets = (self.model, self.optimizer, self.start_lr, self.end_lr, self.steps, self.mode)
        with ExitStack() as stack:
            for widget in widgets:
                stack.enter_context(signals_blocked(widget))
            self.model.setCurrentText(options.model)
            self.optimizer.setCurrentText(options.optimizer)
            self.start_lr.setText(f"{options.start_lr:g}")
            self.end_lr.setText(f"{options.end_lr:g}")
            self.steps.setValue(options.steps)
            self.mode.setCurrentText(options.mode)
        self._follow_model()

    def _follow_model(self) -> None:
        # On the surface the test runs the trajectories' optimizer: this box is for the models.
        on_surface = self.model.currentText() == lr_finder.SURFACE
        self.optimizer.setEnabled(not on_surface)
        self.optimizer.setToolTip(
            "On the surface the test runs the trajectories' own optimizer and options, so its "
            "rates mean the same thing on the map." if on_surface else
            "The optimizer that trains the model during the test.")

    def _read(self) -> LRTestOptions:
        """The settings as typed; InputError if a rate box does not hold one rate."""
        return LRTestOptions(
            model=self.model.currentText(),
            start_lr=parse_lrs(self.start_lr.text(), 1, "lr_test_start")[0],
            end_lr=parse_lrs(self.end_lr.text(), 1, "lr_test_end")[0],
            steps=self.steps.value(), mode=self.mode.currentText(),
            optimizer=self.optimizer.currentText())

    def _emit_read(self, signal) -> None:
        self.clear_errors()
        try:
            options = self._read()
        except InputError as exc:
            self.show_error(exc)
            return
        signal.emit(options)

    def _on_edited(self, *_) -> None:
        self._follow_model()
        self._emit_read(self.options_changed)

    def _on_run_clicked(self) -> None:
        self._emit_read(self.run_requested)

    def clear_errors(self) -> None:
        for widget in (self.start_lr, self.end_lr, self.steps, self.run_button):
            mark_valid(widget)
        self.error.clear_error()

    def show_error(self, exc: Exception) -> None:
        """Put ``exc`` at the setting it names (at the Run button when it names none)."""
        widget = {"lr_test_start": self.start_lr, "lr_test_end": self.end_lr,
                  "lr_test_steps": self.steps, "start_lr": self.start_lr,
                  "end_lr": self.end_lr}.get(getattr(exc, "field", None) or "", self.run_button)
        mark_invalid(widget, str(exc))
        self.error.show_error(str(exc))

    def show_result(self, result: lr_finder.LRFinderResult) -> None:
        """Draw the curve so far; once finished, the suggestions and their buttons."""
        self.plot.getPlotItem().setLabel(
            "left", f"loss after {result.run_steps} steps" if result.on_surface
            and result.run_steps else "loss")
        self.plot.getPlotItem().setTitle(MOMENTUM_TITLE if result.rule else STEEPEST_TITLE)
        self.shown_ran_on = result.ran_on
        self._lrs = np.asarray(result.lrs, dtype=float)
        self.ran_on.setText(f"<b>Ran on</b> {result.ran_on}." if result.ran_on else "")
        self.raw.setData(result.lrs, result.losses)
        self.smoothed.setData(result.lrs, result.smoothed)
        self._fit_view(np.asarray(result.smoothed))
        self._fit_x()
        if result.done:
            self._show_suggestions(result)

    def clear_result(self, why: str) -> None:
        """Take away a result that no longer holds (the surface it ran on changed) and say why."""
        self.raw.setData([], [])
        self.smoothed.setData([], [])
        self._lrs = np.empty(0)
        self.shown_ran_on = ""
        self.ran_on.setText("")
        self._show_suggestions(lr_finder.LRFinderResult(np.empty(0), np.empty(0), np.empty(0),
                                                        False, why))

    def _fit_view(self, smoothed: np.ndarray) -> None:
        # Frame the smoothed curve: the raw loss's final blow-up would flatten the dip.
        finite = smoothed[np.isfinite(smoothed)]
        if finite.size < 2:
            return
        low, first = float(finite.min()), float(finite[0])
        high = max(first, low) + 0.6 * max(first - low, 0.05 * abs(first) + 1e-12)
        self.plot.getPlotItem().vb.setYRange(low - 0.1 * (high - low), high, padding=0)

    def _x_span(self) -> tuple[float, float] | None:
        """The log10 learning rates to show: the curve's and the bound, with room on the right
        for the labels of lines near the end (None with no curve)."""
        lrs = self._lrs[np.isfinite(self._lrs) & (self._lrs > 0)]
        if lrs.size < 2:
            return None
        low, high = float(np.log10(lrs.min())), float(np.log10(lrs.max()))
        if self.bound.isVisible():
            high = max(high, self.bound.value())
        return low, high + MARGIN_DECADES

    def _fit_x(self) -> None:
        span = self._x_span()
        if span is not None:
            self.plot.getPlotItem().vb.setXRange(*span, padding=0)

    def _label_side(self, lr: float) -> list:
        """Anchor a line's label on the side with more room: left of a line in the right half."""
        span = self._x_span()
        right_half = span is not None and math.log10(lr) > (span[0] + span[1]) / 2
        return [(1, 0.5), (1, 0.5)] if right_half else [(0, 0.5), (0, 0.5)]

    def _show_suggestions(self, result: lr_finder.LRFinderResult) -> None:
        for line in self.lines:
            self.plot.removeItem(line)
        self.lines = []
        while self.buttons.count():
            button = self.buttons.takeAt(0).widget()
            button.hide()  # at once: its deletion waits for the event loop
            button.deleteLater()
        # A momentum run's rule is not the steepest fall: the page says which rule it used.
        words = [f"<i>{result.rule}</i>"] if result.rule else []
        words += [result.stop_reason] if result.stop_reason else []
        for i, suggestion in enumerate(result.suggestions):
            line = pg.InfiniteLine(math.log10(suggestion.lr), angle=90,
                                   pen=theme.pen(i + 1, width=2),
                                   label=f"{suggestion.name}: {suggestion.lr:.2g}",
                                   labelOpts={"position": 0.7 - 0.08 * i,  # below the legend
                                              "color": theme.color(i + 1),
                                              "anchors": self._label_side(suggestion.lr)})
            self.plot.addItem(line, ignoreBounds=True)
            self.lines.append(line)
            words.append(f"<b>{suggestion.name}</b> ({suggestion.lr:.3g}): {suggestion.reason}")
            if result.on_surface:  # the rate means the same thing on the map
                button = QPushButton(f"Add to the trajectories: {suggestion.lr:.3g}")
                button.clicked.connect(lambda _=False, lr=suggestion.lr: self.use_rate.emit(lr))
                self.buttons.addWidget(button)
        if result.suggestions and not result.on_surface:
            words.append(MODEL_NOTE)
        self.reasons.setText("<br>".join(words) or "No suggestion: the curve never fell.")

    def set_bound(self, lr: float | None, label: str = "") -> None:
        """Mark the stability bound of the trajectories' optimizer (None hides it). It holds
        for the surface shown, so it is drawn only while the test runs on that surface."""
        shown = lr is not None and self.model.currentText() == lr_finder.SURFACE
        self.bound.setVisible(shown)
        if shown:
            color = theme.current().error
            self.bound.setPen(theme.pen(color, width=2, style=Qt.PenStyle.DashLine))
            self.bound.setValue(math.log10(lr))
            self.bound.label.setFormat(label or f"bound {lr:.3g}")
            self.bound.label.setColor(color)
            self.bound.label.anchors = self._label_side(lr)  # pyqtgraph has no setter
            self.bound.label.updatePosition()
            self._fit_x()

    def buttons_text(self) -> list[str]:
        """The suggestion buttons' texts (for tests)."""
        return [self.buttons.itemAt(i).widget().text() for i in range(self.buttons.count())]

    def bound_lr(self) -> float | None:
        """The bound drawn, if any (for tests)."""
        return 10 ** self.bound.value() if self.bound.isVisible() else None

    def suggestion_lrs(self) -> np.ndarray:
        """The suggested rates shown (for tests and the page's numbers)."""
        return np.array([10 ** line.value() for line in self.lines])
