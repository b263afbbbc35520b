"""The numbers column of the Loss page: the big value, pitfalls with fixes, gradients, code."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.losses.tensors import format_number
from ui.common import theme
from ui.common.widgets import BigNumber, ErrorLabel
from ui.loss.gradients import GradientTable


def discard(widget: QWidget) -> None:
    """Take ``widget`` off screen now and delete it later (deleteLater alone waits a frame)."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


def value_text(value) -> str:
    """The loss as shown: one number with four decimals, or the per-element numbers
    (scientific notation for the very large and the very small, so it fits)."""
    if value.dim() == 0:
        return format_number(value.item(), 4)
    numbers = value.detach().cpu().flatten().tolist()
    shown = ", ".join(format_number(v, 3) for v in numbers[:8])
    return f"[{shown}{', …' if len(numbers) > 8 else ''}]"


class PitfallBanner(QFrame):
    """The engine's warnings in plain words, each with a one-click fix where there is one."""

    fix_requested = Signal(str)  # pitfall code

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("PitfallBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._layout = QVBoxLayout(self)
        self.fix_buttons: dict[str, QPushButton] = {}
        self.messages: list[str] = []
        self.hide()

    def set_pitfalls(self, pitfalls) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget():
                discard(item.widget())
        self.fix_buttons = {}
        self.messages = [p.message for p in pitfalls]
        self.setStyleSheet(
            f"#PitfallBanner {{ background: {theme.current().warning_bg}; "
            f"border: 1px solid {theme.color(1)}; border-radius: 4px; }}"
        )
        for pitfall in pitfalls:
            self._layout.addWidget(self._row(pitfall))
        self.setVisible(bool(pitfalls))

    def _row(self, pitfall) -> QWidget:
        row = QWidget()
        line = QVBoxLayout(row)  # the message gets the full width; the fix goes under it
        line.setContentsMargins(0, 0, 0, 0)
        text = QLabel(f"⚠ {pitfall.message}")
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        line.addWidget(text)
        if pitfall.fix_label:
            button = QPushButton(pitfall.fix_label)
            button.setToolTip("Apply the usual fix (Ctrl+Z undoes it)")
            button.clicked.connect(lambda: self.fix_requested.emit(pitfall.code))
            line.addWidget(button, 0, Qt.AlignmentFlag.AlignRight)
            self.fix_buttons[pitfall.code] = button
        return row


class ResultView(QWidget):
    """Value (big), its caption, a message line, the pitfall banner and one gradient per input."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.value = BigNumber("—")
        self.value.setAccessibleName("loss value")
        self.value.setWordWrap(True)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.message = ErrorLabel()
        self.banner = PitfallBanner()
        self.gradients_box = QVBoxLayout()
        self.gradients: dict[str, GradientTable] = {}
        self._gradient_titles: list[QLabel] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.message)
        layout.addWidget(self.banner)
        layout.addLayout(self.gradients_box)

    def set_inputs(self, input_specs) -> None:
        """One gradient table per input that takes a gradient."""
        for widget in [*self.gradients.values(), *self._gradient_titles]:
            self.gradients_box.removeWidget(widget)
            discard(widget)
        self.gradients, self._gradient_titles = {}, []
        for spec in input_specs:
            if not spec.requires_grad:
                continue
            title = QLabel(f"<b>∂loss/∂{spec.name}</b> <small>— vermillion raises the loss, "
                           "blue lowers it; a step of gradient descent moves the other way</small>")
            title.setWordWrap(True)
            table = GradientTable()
            table.setAccessibleName(f"gradient of {spec.name}")
            self.gradients_box.addWidget(title)
            self.gradients_box.addWidget(table)
            self._gradient_titles.append(title)
            self.gradients[spec.name] = table

    def show_result(self, result, caption: str, rows_of) -> None:
        """Show ``result``; ``rows_of(tensor)`` lays a gradient out as the editor does."""
        self.value.setText(value_text(result.value))
        self.caption.setText(caption)
        self.message.clear_error()
        self.banner.set_pitfalls(result.pitfalls)
        for name, table in self.gradients.items():
            grad = result.grads.get(name)
            table.set_rows(rows_of(grad) if grad is not None else [])

    def show_stale(self, message: str) -> None:
        """Bad input: say why, keep the last good numbers on screen."""
        self.message.show_error(f"{message}  (showing the last valid result)")

