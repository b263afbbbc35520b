"""The chosen loss introduced: its name, formula typeset, when to use it, what it does."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.common import theme
from ui.common.formula import FormulaLabel


class LossHeader(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._spec = None
        self._formula: str | None = None
        self.name = QLabel()
        self.name.setObjectName("LossName")
        self.name.setWordWrap(True)
        self.note = QLabel()  # what the slide shows and why, for a slide's scene
        self.note.setObjectName("SlideNote")
        self.note.setAccessibleName("slide note")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.hide()
        self.formula = FormulaLabel(size=24)
        self.pipeline = QLabel()  # "input → LogSoftmax(dim=1) → NLLLoss", when there is a step
        self.pipeline.setAccessibleName("pipeline")
        self.pipeline.setTextFormat(Qt.TextFormat.PlainText)
        self.pipeline.setToolTip("The input goes through this step before the loss; the "
                                 "gradient shown is the raw input's, as backward() gives it")
        self.pipeline.hide()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.name)
        layout.addWidget(self.note)
        layout.addWidget(self.formula)
        layout.addWidget(self.pipeline)
        layout.addWidget(self.summary)
        layout.addWidget(self.description)
        theme.notifier().changed.connect(self._on_theme_changed)

    def _on_theme_changed(self) -> None:
        # The formula label redraws itself in the new colour and size (ui.common.formula).
        if self._spec is not None:
            self.set_spec(self._spec, self._formula)
        self.set_note(self.note.text() or None)  # its size follows presentation mode

    def set_formula(self, latex: str) -> None:
        """Show ``latex`` as the loss's formula (the own loss's, as typed)."""
        if self._spec is not None and latex != self._formula:
            self._formula = latex
            self.formula.set_formula(latex)

    def set_note(self, text: str | None) -> None:
        """Show the slide's note under the name (small, italic); None hides it."""
        self.note.setText(text or "")
        size = theme.font_pt(9)
        self.note.setStyleSheet(f"font-size: {size:.0f}pt; font-style: italic;")
        self.note.setVisible(bool(text))

    def set_pipeline(self, text: str | None) -> None:
        """Show the pipeline ``text`` under the formula; None hides it (no transform)."""
        self.pipeline.setText(text or "")
        self.pipeline.setVisible(bool(text))

    def set_spec(self, spec, formula: str | None = None) -> None:
        """Introduce ``spec``; ``formula`` (LaTeX) replaces its own, e.g. a typed loss's."""
        self._spec = spec
        self._formula = formula
        name = html.escape(spec.display_name, quote=False)
        size = theme.font_pt(14)
        self.name.setText(f"<span style='font-size:{size:.0f}pt; font-weight:600'>{name}"
                          f"</span> &nbsp;<code>{spec.name}</code>")
        self.formula.set_formula(formula or spec.formula)
        self.summary.setText(f"<b>When to use it:</b> {html.escape(spec.summary, quote=False)}")
        self.description.setText(spec.description)
