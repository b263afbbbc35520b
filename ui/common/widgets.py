"""Small widgets every page uses: an error line, invalid-control marking, a big number."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLabel, QLineEdit, QWidget

from ui.common import theme

_INVALID_CSS = "border: 2px solid {c}; border-radius: 3px;"


class ErrorLabel(QLabel):
    """A red message line under a control; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setObjectName("ErrorLabel")
        self.setStyleSheet(theme.error_css())
        self.hide()

    def show_error(self, message: str) -> None:
        self.setStyleSheet(theme.error_css())
        self.setText(message)
        self.show()

    def clear_error(self) -> None:
        self.clear()
        self.hide()


def _styled_part(widget: QWidget) -> QWidget:
    # A style sheet on a spin box or editable combo box replaces its native
    # frame and squashes the arrows; the red border goes on its text field.
    if isinstance(widget, QAbstractSpinBox | QComboBox):
        return widget.findChild(QLineEdit) or widget
    return widget


def mark_invalid(widget: QWidget, message: str) -> None:
    """Turn ``widget`` red where it is and say why in its tooltip."""
    widget.setProperty("invalid", True)
    _styled_part(widget).setStyleSheet(_INVALID_CSS.format(c=theme.current().error))
    widget.setToolTip(message)


def mark_valid(widget: QWidget, tooltip: str = "") -> None:
    if widget.property("invalid"):
        widget.setProperty("invalid", False)
        _styled_part(widget).setStyleSheet("")
    widget.setToolTip(tooltip)


def is_marked_invalid(widget: QWidget) -> bool:
    return bool(widget.property("invalid"))


class BigNumber(QLabel):
    """A number the back row of a classroom can read (follows presentation scale)."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setObjectName("BigNumber")
        self._restyle()
        theme.notifier().changed.connect(self._restyle)

    def _restyle(self) -> None:
        self.setStyleSheet(theme.big_value_css())
