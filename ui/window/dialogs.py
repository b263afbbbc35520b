"""Help dialogs: keyboard shortcuts and About (with the versions a bug report needs)."""

from __future__ import annotations

import platform

import pyqtgraph as pg
import PySide6
import torch
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

import explorer
from explorer import devices

SHORTCUTS = (
    ("Ctrl+1 / Ctrl+2 / Ctrl+3", "Go to a lab"),
    ("Ctrl+O / Ctrl+S", "Open / save a scene"),
    ("Ctrl+E", "Export the plot under the mouse (or with focus)"),
    ("Ctrl+Shift+E", "Export the whole page as one PNG"),
    ("Ctrl+Shift+C", "Copy the plot under the mouse as an image"),
    ("F5 / Esc", "Enter / leave presentation mode"),
    ("Ctrl+Shift+F or double-click / Esc", "Show the plot under the mouse on the whole window "
     "(the Loss lab's result panel too) / back"),
    ("Ctrl+Z / Ctrl+Y or Ctrl+Shift+Z", "Undo / redo an edit (Loss lab)"),
    ("Ctrl+R / Ctrl+Shift+R", "Randomize / reset to the slide's example (Loss lab)"),
    ("Space, Left, Right", "Play or pause, step back, step forward (Descent lab)"),
    ("F1", "This list"),
    ("Ctrl+Q", "Quit"),
)


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in SHORTCUTS)
    return f"<table cellpadding='3'>{rows}</table>"


def about_html(device: str) -> str:
    versions = (
        ("Training Explorer", explorer.__version__),
        ("PyTorch", torch.__version__),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("pyqtgraph", pg.__version__),
        ("Python", platform.python_version()),
        ("Device in use", devices.describe(device)),
    )
    rows = "".join(f"<tr><td>{k}&nbsp;&nbsp;</td><td><b>{v}</b></td></tr>" for k, v in versions)
    return (
        "<h3>Training Explorer</h3><p>See what loss functions, their gradients, learning rates, "
        "minibatches and batch normalization really do — every number computed by PyTorch.</p>"
        f"<table>{rows}</table>"
    )


def show_shortcuts(parent: QWidget) -> None:
    QMessageBox.information(parent, "Keyboard shortcuts", shortcuts_html())


def show_about(parent: QWidget, device: str) -> None:
    QMessageBox.about(parent, "About Training Explorer", about_html(device))
