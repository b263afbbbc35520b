"""The Descent page's learning-rate chooser (option forms are ``ui.common.option_form``).

Every value is checked by ``explorer`` (``check_option``, ``parse_lrs``,
``log_range``); a bad one turns its control red with the reason and is not
passed on, so the last good run stays on screen.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.descent.rates import log_range
from explorer.errors import InputError
from explorer.inputs import format_numbers, parse_lrs
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid


class LearningRateChooser(QWidget):
    """Learning rates typed as a list, picked from presets, or spread over a log range."""

    lrs_changed = Signal(tuple)

    def __init__(self, lrs: tuple[float, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self._lrs = tuple(lrs)
        self.text = QLineEdit(format_numbers(lrs))
        self.text.setObjectName("lrs")
        self.text.setToolTip("Learning rates separated by commas, e.g. 0.001, 0.01, 0.1")
        self.preset = QComboBox()
        self.preset.setObjectName("lr_preset")
        self.low, self.high = QLineEdit("0.001"), QLineEdit("1")
        self.low.setObjectName("lr_min")
        self.high.setObjectName("lr_max")
        self.count = QSpinBox()
        self.count.setObjectName("lr_count")
        # Wider than MAX_LRS so a count above it is refused by log_range with its message.
        self.count.setRange(1, 1_000_000)
        self.count.setValue(8)
        self.use_range = QPushButton("Spread on a log scale")
        self.error = ErrorLabel()
        self._presets: dict[str, tuple[float, ...]] = {}
        self._build()
        self.text.editingFinished.connect(self._on_text_changed)
        self.preset.activated.connect(self._on_preset_changed)
        self.use_range.clicked.connect(self._on_range_changed)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.preset)
        grid = QGridLayout()
        grid.addWidget(QLabel("from"), 0, 0)
        grid.addWidget(self.low, 0, 1)
        grid.addWidget(QLabel("to"), 0, 2)
        grid.addWidget(self.high, 0, 3)
        grid.addWidget(QLabel("count"), 1, 0)
        grid.addWidget(self.count, 1, 1)
        grid.addWidget(self.use_range, 1, 2, 1, 2)
        layout.addLayout(grid)
        layout.addWidget(self.error)

    @property
    def lrs(self) -> tuple[float, ...]:
        return self._lrs

    def set_lrs(self, lrs: tuple[float, ...]) -> None:
        """Show ``lrs`` (from the scene) without emitting."""
        self._lrs = tuple(lrs)
        with signals_blocked(self.text):
            self.text.setText(format_numbers(lrs))
        self._clear_marks()

    def set_presets(self, presets: dict[str, float]) -> None:
        """Offer the reference rates (``ReferenceLRs.presets``): all of them, or one."""
        self._presets = {}
        if presets:
            self._presets["all: " + ", ".join(presets)] = tuple(presets.values())
        for name, lr in presets.items():
            self._presets[f"{name}: {lr:.3g}"] = (lr,)
        with signals_blocked(self.preset):
            self.preset.clear()
            self.preset.addItem("Preset rates for this surface…")
            self.preset.addItems(list(self._presets))

    def show_error(self, exc: InputError) -> None:
        """Mark the control that ``exc`` names (the list when it names none of ours)."""
        widget = {"lr_min": self.low, "lr_max": self.high, "lr_count": self.count}.get(
            exc.field or "", self.text)
        mark_invalid(widget, str(exc))
        self.error.show_error(str(exc))

    def _emit(self, lrs: tuple[float, ...]) -> None:
        self._clear_marks()
        self.set_lrs(lrs)
        self.lrs_changed.emit(self._lrs)

    def _clear_marks(self) -> None:
        for widget in (self.text, self.low, self.high, self.count):
            mark_valid(widget, widget.toolTip() if widget is self.text else "")
        self.error.clear_error()

    def _on_text_changed(self) -> None:
        try:
            lrs = parse_lrs(self.text.text())
        except InputError as exc:
            self.show_error(exc)  # the typed text stays as typed, so it can be fixed
            return
        if lrs != self._lrs or self.error.isVisible():
            self._emit(lrs)

    def _on_preset_changed(self, index: int) -> None:
        lrs = self._presets.get(self.preset.itemText(index))
        if lrs:
            self._emit(lrs)

    def _on_range_changed(self) -> None:
        try:
            lrs = log_range(self.low.text(), self.high.text(), self.count.value())
        except InputError as exc:
            self.show_error(exc)
            return
        self._emit(lrs)

