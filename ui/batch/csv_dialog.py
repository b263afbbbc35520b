"""Open CSV file…: a preview of the user's file, its label column and class counts, then OK."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer import csv_data, data
from explorer.errors import InputError
from ui.common.widgets import ErrorLabel

PREVIEW_ROWS = 20


class CsvDialog(QDialog):
    """Show the CSV file at ``path``: its first rows, a label column (``label``, else the last
    column) and the class counts of that column. OK is offered only while the file and the
    chosen column load; a refused file shows the core's message here."""

    def __init__(self, path: str, label: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Open CSV file")
        self.path = str(path)
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.label_box = QComboBox()
        self.label_box.setObjectName("label")
        self.label_box.setToolTip("The column that holds the classes; every other column is a "
                                  "numeric feature")
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._build()
        self._read(label)
        self.label_box.currentIndexChanged.connect(self._on_label_changed)

    def _build(self) -> None:
        name = QLabel(f"<b>{Path(self.path).name}</b>")
        name.setToolTip(self.path)
        form = QFormLayout()
        form.addRow("Label column", self.label_box)
        form.addRow("Classes", self.counts)
        layout = QVBoxLayout(self)
        layout.addWidget(name)
        layout.addWidget(QLabel(f"The first rows (at most {PREVIEW_ROWS}), in the file's order:"))
        layout.addWidget(self.preview, 1)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(640, 480)

    # ---- what the controls read -------------------------------------------------------------
    def dataset(self) -> str:
        """The data set this dialog opens: ``"csv:" + path``."""
        return data.CSV + self.path

    def label(self) -> str | None:
        """The chosen label column (``None`` while the file itself is refused)."""
        return self.label_box.currentText() or None

    def error_text(self) -> str:
        return self.error.text() if self.error.isVisibleTo(self) else ""

    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    # ---- reading ----------------------------------------------------------------------------
    def _read(self, label: str | None) -> None:
        try:
            text = csv_data.read_csv(self.path)
        except InputError as error:
            self._refuse(str(error))
            return
        self._show_preview(text.header, text.rows[:PREVIEW_ROWS])
        self.label_box.addItems(text.header)
        chosen = label if label in text.header else text.header[-1]
        self.label_box.setCurrentIndex(text.header.index(chosen))
        self._on_label_changed()

    def _show_preview(self, header, rows) -> None:
        self.preview.setColumnCount(len(header))
        self.preview.setRowCount(len(rows))
        self.preview.setHorizontalHeaderLabels(list(header))
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                self.preview.setItem(r, c, QTableWidgetItem(cell))

    def _on_label_changed(self, *_args) -> None:
        label = self.label()
        try:
            table = data.load_csv(self.path, label)
            data.load(self.dataset(), 0, label)  # refuses a file too small to split
        except InputError as error:
            self._refuse(str(error))
            return
        counts = data.class_counts(table)
        shown = ", ".join(f"{name}: {count:,}" for name, count in list(counts.items())[:20])
        more = f" and {len(counts) - 20:,} more" if len(counts) > 20 else ""
        self.counts.setText(f"{shown}{more} — {len(counts)} classes, {len(table.labels):,} rows, "
                            f"{len(table.feature_names)} features")
        self.error.clear_error()
        self.ok_button().setEnabled(True)

    def _refuse(self, message: str) -> None:
        self.counts.setText("")
        self.error.show_error(message)
        self.ok_button().setEnabled(False)
