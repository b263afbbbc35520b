"""The Batch lab's training controls: one form column that shows a TrainConfig and reads edits."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer import data
from explorer.errors import InputError
from explorer.inputs import format_numbers, parse_widths
from explorer.optimizers import optimizer_options
from explorer.training.config import (
    ACTIVATIONS,
    BN_POSITIONS,
    MAX_BATCH_SIZE,
    MAX_EPOCHS,
    MAX_SEED,
    OPTIMIZERS,
    TrainConfig,
)
from explorer.training.scene import DATASETS, TRAIN_FIELDS
from explorer.training.typed import parse_lr
from ui.batch.csv_dialog import CsvDialog
from ui.batch.labels import rate_text
from ui.common.option_form import OptionForm
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid

DATASET_NAMES = {
    "iris": "Iris (150 flowers, 4 features)",
    "digits": "Digits (1,797 images, 8×8)",
    "moons": "Two moons (2-D)",
    "spirals": "Spirals (2-D)",
}
BN_POSITION_NAMES = {"before": "before the activation (Linear → BN → activation)",
                     "after": "after the activation (Linear → activation → BN)"}
CONTROL_FIELDS = TRAIN_FIELDS
"""The training fields these controls edit (bn_position is not yet in the scene's list)."""
OPEN_CSV = "open csv"
"""The data of the data set choice "Open CSV file…" (not a data set: it asks for one)."""
CSV_FILTER = "CSV files (*.csv *.tsv *.txt);;All files (*)"
HINTS = {
    "hidden": "Widths of the hidden layers, e.g. 16, 16",
    "batch_size": "Samples per minibatch (the DataLoader's batch_size)",
    "shuffle": "Draw minibatches at random; off = the stored order (class-sorted, or a CSV "
               "file's own)",
    "lr": "Learning rate: a positive number, e.g. 0.1",
    "bn_position": "Where each hidden layer's BatchNorm1d goes: before its activation (as "
                   "Ioffe & Szegedy) or after it; used when batch norm is on",
}


class TrainControls(QWidget):
    """Controls for every TrainConfig field.

    Emits ``changed`` on every edit; the controller reads the values with :meth:`read`,
    checks them and marks every bad one red at once with :meth:`show_errors`, keeping
    its last good scene (and picture) until all are valid. The data set choice ends with
    "Open CSV file…", which asks for a file and opens :class:`CsvDialog` on it; OK there
    makes the file (and its label column) the data set, Cancel keeps the one before.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._form = QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._errors: dict[str, ErrorLabel] = {}
        self.dataset = self._combo(DATASETS, DATASET_NAMES)
        self.dataset.addItem("Open CSV file…", OPEN_CSV)
        self.csv_dialog: CsvDialog | None = None
        self._label: str | None = None  # the label column of the CSV data set on show
        self._shown_dataset = 0  # the index to go back to when no file is opened
        self._folder = ""
        self.hidden = QLineEdit()
        self.activation = self._combo(ACTIVATIONS)
        self.batch_norm = QCheckBox("BatchNorm1d in each hidden layer")
        self.bn_position = self._combo(BN_POSITIONS, BN_POSITION_NAMES)
        self.batch_size = _spin(0, MAX_BATCH_SIZE)  # 0 can be typed, and is marked
        self.shuffle = QCheckBox("shuffle every epoch")
        self.optimizer = self._combo(OPTIMIZERS)
        self.optimizer_options = OptionForm()  # the Descent lab's form, the same specs
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
            ("Batch norm", "batch_norm"), ("BN placement", "bn_position"),
            ("Batch size", "batch_size"), ("Order", "shuffle"),
            ("Optimizer", "optimizer"), ("Optimizer settings", "optimizer_options"),
            ("Learning rate", "lr"), ("Epochs", "epochs"),
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
        self.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        self.activation.currentIndexChanged.connect(self._on_control_changed)
        self.bn_position.currentIndexChanged.connect(self._on_control_changed)
        self.batch_norm.toggled.connect(self.bn_position.setEnabled)
        self.optimizer.currentIndexChanged.connect(self._on_optimizer_changed)
        self.optimizer_options.changed.connect(self._on_control_changed)
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
        if data.is_csv(config.dataset):
            self._show_csv(config.dataset, config.label)
        for combo, value in ((self.dataset, config.dataset), (self.activation, config.activation),
                             (self.optimizer, config.optimizer),
                             (self.bn_position, config.bn_position)):
            with signals_blocked(combo):
                combo.setCurrentIndex(combo.findData(value))
        for check, value in ((self.batch_norm, config.batch_norm), (self.shuffle, config.shuffle)):
            with signals_blocked(check):
                check.setChecked(value)
        self.bn_position.setEnabled(config.batch_norm is True)
        for spin, value in ((self.batch_size, config.batch_size), (self.epochs, config.epochs),
                            (self.seed, config.seed)):
            with signals_blocked(spin):
                spin.setValue(value)
        for edit, text in ((self.hidden, format_numbers(config.hidden)),
                           (self.lr, rate_text(config.lr))):
            with signals_blocked(edit):
                edit.setText(text)
        options = config.optimizer_options
        shown = dict(options) if isinstance(options, tuple) else {}
        shown.setdefault("momentum", config.momentum)
        self.optimizer_options.set_specs(optimizer_options(config.optimizer), shown)
        self._shown_dataset = self.dataset.currentIndex()
        self._show_errors({})

    def read(self) -> tuple[dict, dict[str, str]]:
        """The training fields as typed, and a message per field that cannot be read."""
        readers = {
            "dataset": self.dataset.currentData,
            "label": lambda: self._label if data.is_csv(self.dataset.currentData()) else None,
            "hidden": lambda: parse_widths(self.hidden.text()),
            "activation": self.activation.currentData,
            "batch_norm": self.batch_norm.isChecked,
            "bn_position": self.bn_position.currentData,
            "batch_size": self.batch_size.value,
            "shuffle": self.shuffle.isChecked,
            "optimizer": self.optimizer.currentData,
            "optimizer_options": self._changed_options,
            "momentum": self._momentum,
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

    def _on_optimizer_changed(self, _index: int) -> None:
        """Another optimizer has other settings: its form, at torch's defaults."""
        self.optimizer_options.set_specs(optimizer_options(self.optimizer.currentData()))
        self.changed.emit()

    def _changed_options(self) -> dict:
        """The optimizer's settings that differ from torch's defaults, but momentum: that is
        the config's own field (:meth:`_momentum`)."""
        specs = {spec.name: spec for spec in optimizer_options(self.optimizer.currentData())}
        values = self.optimizer_options.values()
        return {name: value for name, value in values.items()
                if name in specs and name != "momentum" and value != specs[name].default}

    def _momentum(self) -> float:
        return self.optimizer_options.values().get("momentum", 0.0)

    # ---- the user's CSV file ---------------------------------------------------------------
    def _on_dataset_changed(self, index: int) -> None:
        if self.dataset.itemData(index) != OPEN_CSV:
            self._shown_dataset = index
            self.changed.emit()
            return
        with signals_blocked(self.dataset):  # the choice on show stays until a file is taken
            self.dataset.setCurrentIndex(self._shown_dataset)
        self.open_csv()

    def open_csv(self, path: str | None = None) -> None:
        """Ask for a CSV file (unless ``path`` is given) and open :class:`CsvDialog` on it."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open a CSV file", self._folder,
                                                  CSV_FILTER)
        if not path:
            return
        self._folder = str(Path(path).parent)
        if self.csv_dialog is not None:
            self.csv_dialog.close()
        dialog = self.csv_dialog = CsvDialog(path, parent=self)
        dialog.accepted.connect(lambda: self._on_csv_accepted(dialog))
        dialog.finished.connect(lambda _result: self._on_csv_finished(dialog))
        dialog.open()

    def _on_csv_accepted(self, dialog: CsvDialog) -> None:
        self._show_csv(dialog.dataset(), dialog.label())
        with signals_blocked(self.dataset):
            self.dataset.setCurrentIndex(self.dataset.findData(dialog.dataset()))
        self._shown_dataset = self.dataset.currentIndex()
        self.changed.emit()

    def _on_csv_finished(self, dialog: CsvDialog) -> None:
        if self.csv_dialog is dialog:
            self.csv_dialog = None
        dialog.deleteLater()

    def _show_csv(self, dataset: str, label: str | None) -> None:
        """Make CSV data set ``dataset`` the one item for a file, just above "Open CSV file…"."""
        self._label = label
        with signals_blocked(self.dataset):
            shown = self.dataset.currentData()
            for index in reversed(range(self.dataset.count())):
                if data.is_csv(self.dataset.itemData(index)):
                    self.dataset.removeItem(index)
            at = self.dataset.findData(OPEN_CSV)
            self.dataset.insertItem(at, f"{data.display_name(dataset)} (label: {label})", dataset)
            self.dataset.setItemData(at, data.csv_path(dataset), Qt.ItemDataRole.ToolTipRole)
            if not data.is_csv(shown):
                self.dataset.setCurrentIndex(self.dataset.findData(shown))

    def show_errors(self, errors: dict[str, str]) -> None:
        """Mark each field in ``errors`` red with its message; clear the others (the label
        column's at the data set, which chose it)."""
        fields = {"label": "dataset", "momentum": "optimizer_options"}
        self._show_errors({fields.get(k, k) if fields.get(k, k) in self._errors else "hidden": v
                           for k, v in errors.items()})

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

