"""Export… for one plot: where, which format (PNG at a width, SVG, CSV)."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import InputError
from ui.common import export
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid


class ExportDialog(QDialog):
    """Ask where and how to save ``plot``; a failure is shown here and the dialog stays."""

    def __init__(self, plot: pg.PlotWidget, folder: str | Path = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export plot")
        self.plot = plot
        self.saved_path: Path | None = None
        stem = (plot.objectName() or "plot").replace(" ", "_").replace("/", "-")
        self.path_edit = QLineEdit(str(Path(folder) / f"{stem}.png") if folder else f"{stem}.png")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse)
        self.format_box = QComboBox()
        for suffix, description in export.FORMATS.items():
            self.format_box.addItem(f"{description} ({suffix})", suffix)
        self.format_box.currentIndexChanged.connect(self._on_format_changed)
        self.width_box = QSpinBox()
        self.width_box.setRange(200, export.MAX_WIDTH)
        self.width_box.setSingleStep(160)
        self.width_box.setValue(export.DEFAULT_WIDTH)
        self.width_box.setSuffix(" px")
        self.error = ErrorLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("File", row)
        form.addRow("Format", self.format_box)
        form.addRow("Image width", self.width_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _on_browse(self) -> None:
        filters = ";;".join(f"{d} (*{s})" for s, d in export.FORMATS.items())
        path, _ = QFileDialog.getSaveFileName(self, "Export plot", self.path_edit.text(), filters)
        if path:
            self.path_edit.setText(path)
            suffix = Path(path).suffix.lower()
            index = self.format_box.findData(suffix)
            if index >= 0:
                self.format_box.setCurrentIndex(index)

    def _on_format_changed(self, _index: int) -> None:
        suffix = self.format_box.currentData()
        self.width_box.setEnabled(suffix == ".png")
        text = self.path_edit.text().strip()
        if text:
            self.path_edit.setText(str(Path(text).with_suffix(suffix)))

    def save(self) -> bool:
        """Write the file; on failure show why, keep what was typed, and stay open."""
        text = self.path_edit.text().strip()
        try:
            if not text:
                raise InputError("Type a file name to save to.", field="path")
            self.saved_path = export.export_plot(self.plot, text, width=self.width_box.value())
        except InputError as exc:
            mark_invalid(self.width_box if exc.field == "width" else self.path_edit, str(exc))
            self.error.show_error(str(exc))
            return False
        mark_valid(self.path_edit)
        mark_valid(self.width_box)
        self.error.clear_error()
        self.accept()
        return True
