"""The PyTorch code that reproduces the page: read-only, highlighted, with Copy and its output."""

from __future__ import annotations

import keyword

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QSyntaxHighlighter,
    QTextCharFormat,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.common import theme

# Okabe–Ito colours (the palette's blue, reddish purple, bluish green and vermillion), each
# shaded by ``theme.text_color`` until it reads at 4.5:1 on the code panel, in either theme
# (on white the green, vermillion and purple read at only 3.1 to 4.0:1).
_STYLES = {
    "keyword": (theme.OKABE_ITO[0], True),
    "builtin": (theme.OKABE_ITO[4], False),
    "string": (theme.OKABE_ITO[2], False),
    "number": (theme.OKABE_ITO[3], False),
    "comment": ("#6b6b6b", False),
}


def _shade(color: str) -> str:
    # The code panel's base is the theme's background (appearance._palette sets it so).
    return theme.text_color(color, theme.current().background)


def _format(color: str, bold: bool) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(_shade(color)))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, builtins, numbers, strings and comments; enough for the short loss snippets."""

    def __init__(self, document):
        super().__init__(document)
        words = "|".join(keyword.kwlist)
        builtins = "print|len|range|float|int|list|dict|tuple|sum"
        patterns = [
            (rf"\b({words})\b", "keyword"),
            (rf"\b({builtins})\b", "builtin"),
            (r"\b[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?\b", "number"),
            (r"'[^'\n]*'|\"[^\"\n]*\"", "string"),
            (r"#[^\n]*", "comment"),
        ]
        self._patterns = patterns
        self.restyle()

    def restyle(self) -> None:
        """Colours for the current theme (darker shades on white, lighter on dark)."""
        self._rules = [(QRegularExpression(p), _format(*_STYLES[s])) for p, s in self._patterns]
        self.rehighlight()

    def colors(self) -> dict[str, str]:
        """Kind of token -> the colour it is drawn in now."""
        return {kind: QColor(_shade(c)).name() for kind, (c, _bold) in _STYLES.items()}

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        # Later rules win, so a '#' inside a comment line colours the whole rest of the line.
        for expression, fmt in self._rules:
            matches = expression.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(), match.capturedLength(), fmt)


def _monospace(point_size: int = 11) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(point_size)
    return font


class CodeView(QWidget):
    """Read-only code with a Copy button and, under it, what that code prints."""

    copied = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.code_edit = QPlainTextEdit(readOnly=True)
        self.code_edit.setFont(_monospace())
        self.code_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.code_edit.setAccessibleName("PyTorch code")
        self._highlighter = PythonHighlighter(self.code_edit.document())
        self.output_edit = QPlainTextEdit(readOnly=True)
        self.output_edit.setFont(_monospace())
        self.output_edit.setAccessibleName("printed output")
        self.output_edit.setMaximumHeight(70)
        self.output_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.copy_button = QPushButton("&Copy code")
        self.copy_button.setToolTip("Put this code on the clipboard")
        self.copy_button.clicked.connect(self.copy)
        self._build_layout()
        theme.notifier().changed.connect(self._on_theme_changed)

    def _on_theme_changed(self) -> None:
        # The code has its own (monospace) font, so presentation scaling must reach it here.
        for edit in (self.code_edit, self.output_edit):
            edit.setFont(_monospace(round(theme.font_pt(11))))
        self._highlighter.restyle()

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        about = QLabel("<b>PyTorch code</b> — runs as is and prints the value above")
        about.setWordWrap(True)
        header.addWidget(about, 1)
        header.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.code_edit, 1)
        layout.addWidget(QLabel("<b>Output</b>"))
        layout.addWidget(self.output_edit)

    def code(self) -> str:
        return self.code_edit.toPlainText()

    def set_code(self, code: str, output: str) -> None:
        if code != self.code_edit.toPlainText():
            self.code_edit.setPlainText(code)
        self.output_edit.setPlainText(output.rstrip("\n"))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code())
        self.copied.emit(self.code())

