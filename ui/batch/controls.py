"""The Batch lab's training controls: one form column that shows a TrainConfig and reads edits."""

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
from explorer.inputs import format_numbers, parse_widths
from explorer.training.config import (
    ACTIVATIONS,
    MAX_BATCH_SIZE,
    MAX_EPOCHS,
    MAX_SEED,
    OPTIMIZERS,
    TrainConfig,
)
from explorer.training.scene import DATASETS
from explorer.training.typed import parse_lr
from ui.batch.labels import rate_text
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid

DATASET_NAMES = {
    "iris": "Iris (150 flowers, 4 features)",
    "digits": "Digits (1,797 images, 8×8)",
    "moons": "Two moons (2-D)",
    "spirals": "Spirals (2-D)",
}
HINTS = {
    "hidden": "Widths of the hidden layers, e.g. 16, 16",
    "batch_size": "Samples per minibatch (the DataLoader's batch_size)",
    "shuffle": "Draw minibatches at random; off = the stored, class-sorted order",
    "lr": "Learning rate: a positive number, e.g. 0.1",
}


class TrainControls(QWidget):
    """Controls for every TrainConfig field.

    Emits ``changed`` on every edit; the controller reads the values with :meth:`read`,
    checks them and marks every bad one red at once with :meth:`show_errors`, keeping
    its last good scene (and picture) until all are valid.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._form = QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._errors: dict[str, ErrorLabel] = {}
        self.dataset = self._combo(DATASETS, DATASET_NAMES)
        self.hidden = QLineEdit()
        self.activation = self._combo(ACTIVATIONS)
        self.batch_norm = QCheckBox("BatchNorm1d after each Linear")
        self.batch_size = _spin(0, MAX_BATCH_SIZE)  # 0 can be typed, and is marked
        self.shuffle = QCheckBox("shuffle every epoch")
        self.optimizer = self._combo(OPTIMIZERS)
        self.lr = QLineEdit()
        self.epochs = _spin(0, MAX_EPOCHS)  # 0 can be typed, and is marked
        self.seed = _spin(0, MAX_SEED)
        self._add_rows()
        self._connect()
        self.set_config(TrainConfig())

    def _combo(self, items, names=None) -> QComboBox:
        box = QComboBox()
        for item in items:
            box.addItem((names or {}).get(item, item), item)
        return box

    def _add_rows(self) -> None:
        rows = [
            ("Data set", "dataset"), ("Hidden widths", "hidden"), ("Activation", "activation"),
            ("Batch norm", "batch_norm"), ("Batch size", "batch_size"), ("Order", "shuffle"),
            ("Optimizer", "optimizer"), ("Learning rate", "lr"), ("Epochs", "epochs"),
            ("Seed", "seed"),
        ]
        for text, name in rows:
            widget = self.control(name)
            widget.setObjectName(name)
            widget.setToolTip(HINTS.get(name, ""))
            self._form.addRow(text, widget)
            self._errors[name] = ErrorLabel()
            self._form.addRow(self._errors[name])

    def _connect(self) -> None:
        for box in (self.dataset, self.activation, self.optimizer):
            box.currentIndexChanged.connect(self._on_control_changed)
        for check in (self.batch_norm, self.shuffle):
            check.toggled.connect(self._on_control_changed)
        for spin in (self.batch_size, self.epochs, self.seed):
            spin.valueChanged.connect(self._on_control_changed)
        for edit in (self.hidden, self.lr):
            edit.textChanged.connect(self._on_control_changed)

    def control(self, name: str) -> QWidget:
        """The widget that edits training field ``name``."""
        return getattr(self, name)

    def error_text(self, name: str) -> str:
        """The message shown under control ``name`` ('' when it is valid)."""
        label = self._errors[name]
        return label.text() if label.isVisibleTo(self) else ""

    def set_config(self, config: TrainConfig) -> None:
        """Show ``config``'s fields, without emitting ``changed``; clear the marks."""
        for combo, value in ((self.dataset, config.dataset), (self.activation, config.activation),
                             (self.optimizer, config.optimizer)):
            with signals_blocked(combo):
                combo.setCurrentIndex(combo.findData(value))
        for check, value in ((self.batch_norm, config.batch_norm), (self.shuffle, config.shuffle)):
            with signals_blocked(check):
                check.setChecked(value)
        for spin, value in ((self.batch_size, config.batch_size), (self.epochs, config.epochs),
                            (self.seed, config.seed)):
            with signals_blocked(spin):
                spin.setValue(value)
        for edit, text in ((self.hidden, format_numbers(config.hidden)),
                           (self.lr, rate_text(config.lr))):
            with signals_blocked(edit):
                edit.setText(text)
        self._show_errors({})

    def read(self) -> tuple[dict, dict[str, str]]:
        """The training fields as typed, and a message per field that cannot be read."""
        readers = {
            "dataset": self.dataset.currentData,
            "hidden": lambda: parse_widths(self.hidden.text()),
            "activation": self.activation.currentData,
            "batch_norm": self.batch_norm.isChecked,
            "batch_size": self.batch_size.value,
            "shuffle": self.shuffle.isChecked,
            "optimizer": self.optimizer.currentData,
            "lr": lambda: parse_lr(self.lr.text()),
            "epochs": self.epochs.value,
            "seed": self.seed.value,
        }
        values, errors = {}, {}
        for name, reader in readers.items():
            try:
                values[name] = reader()
            except InputError as exc:
                errors[name] = str(exc)
        return values, errors

    def _on_control_changed(self, *_args) -> None:
        self.changed.emit()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Mark each field in ``errors`` red with its message; clear the others."""
        self._show_errors({k if k in self._errors else "hidden": v for k, v in errors.items()})

    def show_error(self, field: str, message: str) -> None:
        """Mark training field ``field`` red with ``message`` (others are cleared)."""
        self.show_errors({field: message})

    def has_errors(self) -> bool:
        """Whether some control shows an error now."""
        return any(label.isVisibleTo(self) for label in self._errors.values())

    def clear_errors(self) -> None:
        self._show_errors({})

    def _show_errors(self, errors: dict[str, str]) -> None:
        for name, label in self._errors.items():
            if name in errors:
                mark_invalid(self.control(name), errors[name])
                label.show_error(errors[name])
            else:
                mark_valid(self.control(name), HINTS.get(name, ""))
                label.clear_error()


def _spin(low: int, high: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setKeyboardTracking(False)
    return spin

