"""The code twin of the Batch lab's run: the PyTorch script that trains it, ready to copy."""

from __future__ import annotations

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.common import theme

NOTE = ("Run it from the program's folder (it loads the page's data split with "
        "explorer.data.load); it prints each epoch's training loss, the numbers of a run "
        "trained with these settings on the CPU.")


class CodeDialog(QDialog):
    """A non-modal window with the run's code, read-only, and a Copy button."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("PyTorch code of this run")
        self.setObjectName("batch_code")
        self.note = QLabel(NOTE)
        self.note.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setObjectName("batch_code_text")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # code keeps its lines
        font = QFont("DejaVu Sans Mono")
        font.setPointSizeF(theme.font_pt(11))
        self.text.setFont(font)
        self.copy_button = QPushButton("Copy")
        self.copy_button.clicked.connect(self.copy)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.resize(760, 640)

    def show_code(self, code: str) -> None:
        self.text.setPlainText(code)

    def code(self) -> str:
        return self.text.toPlainText()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code())
