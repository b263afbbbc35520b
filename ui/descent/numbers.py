"""The numbers under the Descent page's plots: each run's loss now, and the optimizer's state.

They change on every playback frame, so they are plain-text labels of fixed
size: rich text costs milliseconds to lay out, and a label that may change
size makes Qt re-lay out the whole page.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.common import theme
from ui.descent.texts import evaluations_text, internals_lines, step_text

ROWS, COLUMNS = 4, 2


class RunNumbers(QWidget):
    """Up to eight runs' "lr = …: loss …" in their colours, and the internals text."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.cells: list[QLabel] = []
        grid = QGridLayout()
        grid.setSpacing(0)
        for i in range(ROWS * COLUMNS):
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.PlainText)
            grid.addWidget(label, i % ROWS, i // ROWS)
            self.cells.append(label)
        self.internals = QLabel()  # the followed run's gradient, momentum, adaptive scale
        self.internals.setWordWrap(True)
        self.internals.setTextFormat(Qt.TextFormat.RichText)
        self.internals.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.internals.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        # LBFGS's function evaluations in the step from the current one, one line under the
        # cells (hidden for the optimizers that evaluate once per step)
        self.evaluations = QLabel()
        self.evaluations.setObjectName("evaluations")
        self.evaluations.setTextFormat(Qt.TextFormat.PlainText)
        self.evaluations.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.evaluations.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(grid)
        row.addWidget(self.internals, stretch=1)
        column = QVBoxLayout(self)  # the evaluations line spans the width, under the cells
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.evaluations)
        self._colors: list[str] = []
        self._lrs: list[float] = []
        self._diverging: list = []
        self._counts: np.ndarray | None = None  # (K, steps) evaluations per step, or None
        self._line_search = False
        self._fit()
        theme.notifier().changed.connect(self._fit)  # presentation mode scales the font

    def _fit(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(theme.font_pt(13))
        metrics = QFontMetrics(font)
        width = metrics.horizontalAdvance(
            "■ lr = 0.00123: loss 1.234e+05, diverging at step 999") + 16
        height = metrics.height() + 4
        for cell in self.cells:
            cell.setFont(font)
            cell.setFixedSize(width, height)
        self.internals.setFixedHeight(height * ROWS)
        self.evaluations.setFont(font)
        self.evaluations.setFixedHeight(height)

    def colors(self) -> list[str]:
        """Each cell's text colour (a run's, made readable on the theme's background)."""
        return [cell.palette().color(QPalette.ColorRole.WindowText).name() for cell in self.cells]

    def text(self) -> str:
        """Everything the run cells say, one line each (for tests and copying)."""
        return "\n".join(c.text() for c in self.cells if c.text())

    def set_runs(self, lrs, colors: list[str], diverging: list | None = None,
                 evaluations=None, line_search: bool = False) -> None:
        """A new run: colour each cell; cells beyond the runs stay empty. ``diverging``: the
        step each run is diverging from (None where it is not), said once playback is there.
        ``evaluations``: ``Sweep.evaluations`` (K, steps) where the optimizer evaluates the
        surface several times per step (LBFGS; ``line_search``: with its line search), shown
        for the step on show; None hides that line."""
        self._lrs = [float(lr) for lr in lrs]
        self._counts = None if evaluations is None else np.asarray(evaluations)
        self._line_search = line_search
        self.evaluations.setVisible(self._counts is not None)
        self._diverging = list(diverging) if diverging is not None else [None] * len(self._lrs)
        for k, cell in enumerate(self.cells):  # no empty column beside four runs or fewer
            cell.setVisible(k < max(1, len(self._lrs)))
        key = [theme.current().name, *colors]  # readable on this theme's background
        if key != self._colors:
            self._colors = key
            for k, cell in enumerate(self.cells):
                color = theme.text_color(colors[k]) if k < len(colors) else (
                    theme.current().foreground)
                # the palette, not a style sheet: a styled label's every repaint goes
                # through the style sheet's machinery, a cost on each playback frame
                palette = cell.palette()
                palette.setColor(QPalette.ColorRole.WindowText, QColor(color))
                cell.setPalette(palette)

    def show_step(self, loss_now: np.ndarray, step: int = 0) -> None:
        """Each run's loss at the current ``step`` (``loss_now``: one value per run)."""
        shown = min(len(self.cells), len(self._lrs))
        more = len(self._lrs) - len(self.cells)
        for k, cell in enumerate(self.cells):
            if k >= shown:
                text = ""
            elif more > 0 and k == len(self.cells) - 1:
                text = f"… and {more + 1} more"
            else:
                text = step_text(self._lrs[k], float(loss_now[k]), self._diverging[k], step)
            if cell.text() != text:
                cell.setText(text)
        if self._counts is not None:
            step = min(step, self._counts.shape[1] - 1)
            text = evaluations_text(self._lrs[:shown], self._counts[:shown, step], step,
                                    self._line_search)
            if self.evaluations.text() != text:
                self.evaluations.setText(text)

    def show_internals(self, title: str, details) -> None:
        """The followed run's optimizer state (``explorer.descent.readings.StepInternals``)."""
        if details is None:
            self.internals.setText(f"{title}: not recorded (too many steps × rates).")
            return
        lines = "<br>".join(internals_lines(details))
        self.internals.setText(f"<b>{title}</b>: arrows from its point show "
                               f"{', '.join(details.arrows)}.<br>{lines}")

    def clear_internals(self) -> None:
        if self.internals.text():
            self.internals.setText("")
