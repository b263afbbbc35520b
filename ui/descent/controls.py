"""Controls of the Descent page: option forms made from specs, and the learning-rate chooser.

Every value is checked by ``explorer`` (``check_option``, ``parse_lrs``,
``log_range``); a bad one turns its control red with the reason and is not
passed on, so the last good run stays on screen.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.descent.scene import log_range
from explorer.errors import InputError
from explorer.inputs import MAX_LRS, check_option, format_numbers, parse_lrs
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid


class OptionForm(QWidget):
    """One control per option spec (float: text, int: spin box, bool: check box, choice: combo)."""

    options_changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._error = ErrorLabel()
        self._specs: dict = {}
        self._controls: dict[str, QWidget] = {}
        self._values: dict = {}

    def set_specs(self, specs, values: dict | None = None) -> None:
        """Rebuild the form for ``specs``, showing ``values`` (defaults where missing)."""
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self._error = ErrorLabel()
        self._specs = {spec.name: spec for spec in specs}
        self._controls = {}
        values = values or {}
        self._values = {name: values.get(name, spec.default) for name, spec in self._specs.items()}
        for spec in specs:
            control = self._make_control(spec, self._values[spec.name])
            control.setObjectName(f"option_{spec.name}")
            control.setToolTip(spec.description)
            self._controls[spec.name] = control
            self._layout.addRow(spec.name.replace("_", " "), control)
        self._layout.addRow(self._error)

    def values(self) -> dict:
        """The last valid value of every option."""
        return dict(self._values)

    def control(self, name: str) -> QWidget:
        return self._controls[name]

    def show_error(self, exc: InputError) -> bool:
        """Mark the control named by ``exc.field``; False if this form has no such control."""
        control = self._controls.get(exc.field or "")
        if control is None:
            return False
        mark_invalid(control, str(exc))
        self._error.show_error(str(exc))
        return True

    def _make_control(self, spec, value) -> QWidget:
        if spec.kind == "bool":
            box = QCheckBox()
            box.setChecked(bool(value))
            box.toggled.connect(lambda on, n=spec.name: self._on_value_changed(n, on))
            return box
        if spec.kind == "choice":
            combo = QComboBox()
            combo.addItems(list(spec.choices))
            combo.setCurrentText(str(value))
            combo.currentTextChanged.connect(lambda t, n=spec.name: self._on_value_changed(n, t))
            return combo
        if spec.kind == "int":
            spin = QSpinBox()
            spin.setRange(int(spec.minimum if spec.minimum is not None else -10**9),
                          int(spec.maximum if spec.maximum is not None else 10**9))
            spin.setValue(int(value))
            spin.valueChanged.connect(lambda v, n=spec.name: self._on_value_changed(n, v))
            return spin
        edit = QLineEdit(f"{float(value):g}")
        edit.editingFinished.connect(
            lambda n=spec.name, e=edit: self._on_value_changed(n, e.text()))
        return edit

    def _on_value_changed(self, name: str, raw) -> None:
        control = self._controls[name]
        try:
            value = check_option(self._specs[name], raw)
        except InputError as exc:
            mark_invalid(control, str(exc))
            self._error.show_error(str(exc))
            return
        mark_valid(control, self._specs[name].description)
        self._error.clear_error()
        if value != self._values.get(name):
            self._values[name] = value
            self.options_changed.emit(self.values())


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
        self.count.setRange(1, MAX_LRS)
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

