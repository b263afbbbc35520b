"""Controls for a loss's options, generated from its ``OptionSpec``s."""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.errors import InputError
from explorer.losses import tensors
from ui.common.widgets import mark_invalid, mark_valid

_WIDE = 1e6  # a float option with no bound still needs a spin-box range


def _bound(value, fallback: float) -> float:
    return fallback if value is None or not math.isfinite(value) else float(value)


def _decimals(default) -> int:
    # eps = 1e-8 must not show as 0.000
    if isinstance(default, (int, float)) and 0 < abs(default) < 1e-3:
        return min(12, int(-math.floor(math.log10(abs(default)))) + 1)
    return 3


class OptionsForm(QWidget):
    """One control per option; ``changed`` carries ``{name: value}`` of every valid control."""

    changed = Signal(dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._controls: dict[str, QWidget] = {}
        self._specs = {}

    def set_specs(self, option_specs, values: dict) -> None:
        """Rebuild the controls for a newly chosen loss."""
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self._controls = {}
        self._specs = {o.name: o for o in option_specs}
        for spec in option_specs:
            control = self._make_control(spec)
            control.setToolTip(spec.description)
            control.setAccessibleName(spec.name)
            self._controls[spec.name] = control
            self._layout.addRow(spec.name.replace("_", " "), control)
        self.set_values(values)

    def _make_control(self, spec) -> QWidget:
        if spec.kind == "bool":
            control = QCheckBox()
            control.toggled.connect(self._emit)
        elif spec.kind == "int":
            control = QSpinBox()
            control.setRange(int(_bound(spec.minimum, -_WIDE)), int(_bound(spec.maximum, _WIDE)))
            control.valueChanged.connect(self._emit)
        elif spec.kind == "float":
            control = QDoubleSpinBox(decimals=_decimals(spec.default), singleStep=0.1)
            control.setRange(_bound(spec.minimum, -_WIDE), _bound(spec.maximum, _WIDE))
            control.valueChanged.connect(self._emit)
        else:  # vector: per-class weights typed as "1, 2, 0.5"; empty means none
            control = QLineEdit(placeholderText="none (e.g. 1, 2, 0.5)")
            control.editingFinished.connect(self._emit)
        return control

    def set_values(self, values: dict) -> None:
        """Show ``values`` (missing names get the spec default) without emitting ``changed``."""
        for name, control in self._controls.items():
            value = values.get(name, self._specs[name].default)
            with signals_blocked(control):
                if isinstance(control, QCheckBox):
                    control.setChecked(bool(value))
                elif isinstance(control, (QSpinBox, QDoubleSpinBox)):
                    control.setValue(value if value is not None else 0)
                else:
                    control.setText("" if value is None else ", ".join(f"{v:g}" for v in value))
            mark_valid(control, self._specs[name].description)

    def values(self) -> dict:
        """Every option's value; raises InputError (field = option name) for a bad vector."""
        result = {}
        for name, control in self._controls.items():
            if isinstance(control, QCheckBox):
                result[name] = control.isChecked()
            elif isinstance(control, (QSpinBox, QDoubleSpinBox)):
                result[name] = control.value()
            else:
                result[name] = tensors.parse_option(control.text(), self._specs[name])
        return result

    def mark_error(self, name: str | None, message: str) -> bool:
        """Mark the control of option ``name`` red with ``message``; False if there is none."""
        control = self._controls.get(name or "")
        if control is None:
            return False
        mark_invalid(control, message)
        return True

    def controls(self) -> list[QWidget]:
        return list(self._controls.values())

    def control(self, name: str) -> QWidget:
        return self._controls[name]

    def _emit(self) -> None:
        try:
            values = self.values()
        except InputError as error:
            self.mark_error(error.field, str(error))
            return
        for name, control in self._controls.items():
            mark_valid(control, self._specs[name].description)
        self.changed.emit(values)
