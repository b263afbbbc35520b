"""One form for every set of options: a loss's, a surface's, an optimizer's, a schedule's.

A control per :class:`explorer.inputs.OptionSpec` (bool: check box, choice: combo
box, int: spin box, float, vector and expression: a line edit that keeps what was typed).
Every value is checked by :func:`explorer.inputs.check_option`; a bad one turns
its control red with the reason and is not passed on, so the last good picture
stays. ``changed`` carries the last valid value of every option.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.errors import InputError
from explorer.inputs import check_option
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid

_WIDE = 10**9  # an int option with no bound still needs a spin-box range


def option_text(spec, value) -> str:
    """What a line edit shows for ``value``: ``"0.9"``, ``"1e-08"``, ``"1, 2, 0.5"``, or empty."""
    if spec.kind == "vector":
        return "" if value is None else ", ".join(f"{float(v):g}" for v in value)
    if spec.kind == "expression":
        return str(value)
    return f"{float(value):g}"


class OptionForm(QWidget):
    """One control per option spec; ``changed`` carries ``{name: value}`` of every option."""

    changed = Signal(dict)

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
        for spec in specs:
            control = self._make_control(spec)
            control.setObjectName(f"option_{spec.name}")
            control.setAccessibleName(spec.name)
            self._controls[spec.name] = control
            self._layout.addRow(spec.name.replace("_", " "), control)
        self._layout.addRow(self._error)
        self.set_values(values or {})

    def set_values(self, values: dict) -> None:
        """Show ``values`` (the spec default where missing) without emitting ``changed``."""
        self._values = {name: values.get(name, spec.default) for name, spec in self._specs.items()}
        for name, control in self._controls.items():
            spec, value = self._specs[name], self._values[name]
            with signals_blocked(control):
                if isinstance(control, QCheckBox):
                    control.setChecked(bool(value))
                elif isinstance(control, QComboBox):
                    control.setCurrentText(str(value))
                elif isinstance(control, QSpinBox):
                    control.setValue(int(value))
                else:
                    control.setText(option_text(spec, value))
                    control.setCursorPosition(0)  # a long formula shows its start
            mark_valid(control, spec.description)
        self._error.clear_error()

    def values(self) -> dict:
        """The last valid value of every option."""
        return dict(self._values)

    def control(self, name: str) -> QWidget:
        return self._controls[name]

    def controls(self) -> list[QWidget]:
        return list(self._controls.values())

    def mark_error(self, name: str | None, message: str) -> bool:
        """Mark the control of option ``name`` red with ``message``; False if there is none."""
        control = self._controls.get(name or "")
        if control is None:
            return False
        mark_invalid(control, message)
        self._error.show_error(message)
        return True

    def show_error(self, exc: InputError) -> bool:
        """Mark the control named by ``exc.field``; False if this form has no such control."""
        return self.mark_error(exc.field, str(exc))

    def _make_control(self, spec) -> QWidget:
        name = spec.name
        if spec.kind == "bool":
            box = QCheckBox()
            box.toggled.connect(lambda on, n=name: self._on_value(n, on))
            control: QWidget = box
        elif spec.kind == "choice":
            combo = QComboBox()
            combo.addItems(list(spec.choices))
            combo.currentTextChanged.connect(lambda text, n=name: self._on_value(n, text))
            control = combo
        elif spec.kind == "int":
            spin = QSpinBox()
            spin.setRange(int(spec.minimum if spec.minimum is not None else -_WIDE),
                          int(spec.maximum if spec.maximum is not None else _WIDE))
            spin.valueChanged.connect(lambda value, n=name: self._on_value(n, value))
            control = spin
        else:  # float, vector or expression: kept as typed, checked on Enter or leaving the field
            edit = QLineEdit()
            if spec.kind == "vector":
                edit.setPlaceholderText("none (e.g. 1, 2, 0.5)")
            elif spec.kind == "expression":
                edit.setPlaceholderText(f"a formula of {', '.join(spec.variables)}")
                edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("x" * 24))
            edit.editingFinished.connect(lambda n=name, e=edit: self._on_value(n, e.text()))
            control = edit
        control.setToolTip(spec.description)
        return control

    def _on_value(self, name: str, raw) -> None:
        spec, control = self._specs[name], self._controls[name]
        try:
            value = check_option(spec, raw)
        except InputError as exc:
            self.mark_error(name, str(exc))
            return
        mark_valid(control, spec.description)
        self._error.clear_error()
        if value != self._values.get(name):
            self._values[name] = value
            self.changed.emit(self.values())
