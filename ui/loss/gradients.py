"""Read-only table of a gradient, each cell tinted by sign (blue -, vermillion +) and size."""

from __future__ import annotations

import math

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from explorer.losses.tensors import format_number
from ui.common import theme

_ROOT = QModelIndex()


def _tint(value: float, largest: float) -> QColor:
    """Diverging, colour-blind safe: the stronger the push, the deeper the colour."""
    if largest <= 0 or not math.isfinite(value):
        return QColor(theme.current().background)
    base = QColor(theme.POSITIVE if value > 0 else theme.NEGATIVE)
    base.setAlpha(int(25 + 200 * min(abs(value) / largest, 1.0)))
    return base


def _label(value: float) -> str:
    return format_number(value, 4, sign=True) if value != 0 else "0"


class GradientModel(QAbstractTableModel):
    """Rows of floats (already computed by explorer) shown with four decimals and a tint."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[list[float]] = []
        self._largest = 0.0
        self._row_names: list[str] = []

    def set_rows(self, rows: list[list[float]], row_names: list[str] | None = None) -> None:
        self.beginResetModel()
        self._rows = [list(r) for r in rows]
        finite = [abs(v) for r in self._rows for v in r if math.isfinite(v)]
        self._largest = max(finite, default=0.0)
        self._row_names = row_names or [str(i) for i in range(len(self._rows))]
        self.endResetModel()

    def rows(self) -> list[list[float]]:
        return [list(r) for r in self._rows]

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() or not self._rows else len(self._rows[0])

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _label(value)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(_tint(value, self._largest))
        if role == Qt.ItemDataRole.ForegroundRole and self._largest:
            strong = math.isfinite(value) and abs(value) > 0.6 * self._largest
            return QBrush(QColor("#FFFFFF" if strong else theme.current().foreground))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"dL/d(cell) = {value!r}" + ("  (raises the loss)" if value > 0 else "")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and self._largest and abs(value) == self._largest:
            bold = QFont()
            bold.setBold(True)
            return bold
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical and section < len(self._row_names):
            return self._row_names[section]
        return str(section)


class GradientTable(QTableView):
    """The gradient of one input, beside the loss value."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.gradient_model = GradientModel(self)
        self.setModel(self.gradient_model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to do there with the keyboard
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._fit_cells()

    def set_rows(self, rows: list[list[float]], row_names: list[str] | None = None) -> None:
        self.gradient_model.set_rows(rows, row_names)
        self._fit_cells()
        self._fit_height()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode scales every font
            self._fit_cells()
            self._fit_height()

    def _fit_cells(self) -> None:
        # Sizes from the font: sizing to contents visits every cell (slow for 64×64).
        # The widest label decides: "+1.2346e+37" where a number needs scientific notation.
        bold = QFont(self.font())
        bold.setBold(True)  # the largest push is shown in bold
        metrics = QFontMetrics(bold)
        widest = max(("+0.00000", *(_label(v) for r in self.gradient_model.rows() for v in r)),
                     key=len)
        self.horizontalHeader().setDefaultSectionSize(metrics.horizontalAdvance(widest) + 8)
        self.verticalHeader().setDefaultSectionSize(metrics.height() + 6)

    def whole_width(self, columns: int = 5) -> int:
        """The width that shows the row names and up to ``columns`` columns whole (a slide's
        tensor has at most 5), with its frame and, beyond 6 rows, its vertical scroll bar."""
        shown = min(self.gradient_model.columnCount(), columns)
        width = (self.verticalHeader().sizeHint().width()
                 + shown * self.horizontalHeader().defaultSectionSize() + 2 * self.frameWidth())
        if self.gradient_model.rowCount() > 6:
            width += self.verticalScrollBar().sizeHint().width()
        return width

    def _fit_height(self) -> None:
        # Show every row of slide-sized tensors without a scroll bar; scroll beyond 6 rows.
        shown = min(self.gradient_model.rowCount(), 6)
        header = self.horizontalHeader().sizeHint().height()
        rows = shown * self.verticalHeader().defaultSectionSize()
        scroll = self.horizontalScrollBar().sizeHint().height()  # room for one if columns overflow
        self.setFixedHeight(header + rows + scroll + 2 * self.frameWidth() + 2)
