"""The slides' cross-entropy worked by hand on three Iris flowers, live.

The user edits a probability of the true class (column p) or a weight or bias
of the softmax classifier; the table, the bars of -log p and the total follow.
Every number comes from ``explorer.losses.worked.cross_entropy_example``. Each
edit is one step on the undo stack (the page's, once ``set_undo_stack`` shares it).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.errors import InputError
from explorer.losses import tensors, worked
from explorer.losses.specs import InputSpec
from ui.common import theme
from ui.common.export import name_for_export
from ui.common.plots import make_plot
from ui.common.widgets import BigNumber, ErrorLabel
from ui.loss.tensor_editor import TensorEditor

COLUMNS = ("petal\nwidth", "sepal\nwidth", "species", "p", "−log p")
P_COLUMN = 3
PROBABILITY = InputSpec("p", ("R",), "probability", "float", False, "probability of the true class")
WEIGHTS = InputSpec("weights", ("K", "F"), "real", "float", False,
                    "one row per species (petal, sepal)")
BIAS = InputSpec("bias", ("K",), "real", "float", False, "one bias per species")


def fixed(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` decimals, never as a negative zero ("-0.00")."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


class WorkedState:
    """What the user set: typed probabilities (or None) and the classifier's cells as typed."""

    def __init__(self, probabilities, weights, bias):
        self.probabilities = None if probabilities is None else list(probabilities)
        self.weights, self.bias = weights, bias  # (texts, precise) of each editor


class WorkedEdit(QUndoCommand):
    """One edit of the worked example; undo puts the previous state back."""

    def __init__(self, view: WorkedView, old: WorkedState, new: WorkedState, label: str):
        super().__init__(label)
        self._view, self._old, self._new = view, old, new

    def redo(self) -> None:
        self._view.apply(self._new)

    def undo(self) -> None:
        self._view.apply(self._old)


class WorkedView(QWidget):
    """Table + total + bar chart of the per-flower loss, with the classifier's weights beside."""

    changed = Signal()  # the user edited something (scene follows)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._applying = False
        self.example = worked.cross_entropy_example()
        self.probabilities: list[float] | None = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(40)
        species = COLUMNS.index("species")
        self.table.horizontalHeader().setSectionResizeMode(
            species, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(triggers.AnyKeyPressed | triggers.DoubleClicked)
        self.table.setAccessibleName("worked cross-entropy table")
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.total = BigNumber()
        self.total_note = QLabel()
        self.total_note.setWordWrap(True)
        self.message = ErrorLabel()
        # Their own steps stay private (and no Ctrl+Z of their own): each edit becomes one
        # WorkedEdit on the view's stack, which also holds the typed probabilities.
        self.weights = TensorEditor(WEIGHTS, QUndoStack(self))
        self.bias = TensorEditor(BIAS, QUndoStack(self))
        self.reset_button = QPushButton("Back to the slide's numbers")
        self.bars_plot = make_plot(
            "Least likely costs most", "flower", "−log p", legend=False,
            name="worked cross-entropy",
        )
        self.bars = pg.BarGraphItem(x=[0, 1, 2], height=[0, 0, 0], width=0.6,
                                    brush=theme.qcolor(0))
        self.bars_plot.addItem(self.bars)
        name_for_export(self.bars, "−log p of each flower")
        self.bars_plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        self.bars_plot.setMinimumWidth(300)  # its title and axes need that much
        self.bars_plot.setFixedHeight(260)
        self._grid = QGridLayout(self)
        self._bars_beside: bool | None = None
        self._build_layout()
        self.table.itemChanged.connect(self._on_item_changed)
        self.weights.edited.connect(self._on_weights_edited)
        self.bias.edited.connect(self._on_weights_edited)
        self.reset_button.clicked.connect(self.reset)
        self._show_weights()
        self._state = self._current_state()
        self._refresh()

    def set_undo_stack(self, undo_stack: QUndoStack) -> None:
        """Put every later edit on ``undo_stack`` (the page's), so Ctrl+Z undoes it there."""
        self.undo_stack = undo_stack

    def _build_layout(self) -> None:
        """The table with its total, and the classifier beside it: every row of both is in view
        in a short tab (the Loss page at 1366×768); the bars go beside them where the tab is
        wide enough, else under them."""
        numbers = QVBoxLayout()
        intro = QLabel("Type a probability p, or a weight of the classifier: everything else "
                       "follows.")
        intro.setWordWrap(True)
        numbers.addWidget(intro)
        numbers.addWidget(self.table)
        totals = QHBoxLayout()
        totals.addWidget(QLabel("<b>total</b> Σ −log p ="))
        totals.addWidget(self.total)
        totals.addStretch(1)
        numbers.addLayout(totals)
        numbers.addWidget(self.total_note)
        numbers.addWidget(self.message)
        numbers.addStretch(1)
        model = self._model = QGroupBox("Classifier behind p")
        model.setToolTip("p = softmax(weights · (petal, sepal) + bias) of the true species")
        model_layout = QVBoxLayout(model)
        model_layout.setContentsMargins(6, 4, 6, 4)
        model_layout.addWidget(self.weights)
        model_layout.addWidget(self.bias)
        model_layout.addWidget(self.reset_button, 0, Qt.AlignmentFlag.AlignLeft)
        model_layout.addStretch(1)
        self._grid.setContentsMargins(4, 4, 4, 4)
        self._grid.addLayout(numbers, 0, 0)
        self._grid.addWidget(model, 0, 1)
        self._place_bars()

    def _place_bars(self) -> None:
        columns = (self.table.minimumWidth() + self._model.minimumSizeHint().width()
                   + max(self.bars_plot.minimumWidth(), self.bars_plot.minimumSizeHint().width()))
        beside = self._room() >= columns + 4 * self._grid.horizontalSpacing()
        if beside == self._bars_beside:
            return
        self._bars_beside = beside
        self._grid.removeWidget(self.bars_plot)
        if beside:
            self._grid.addWidget(self.bars_plot, 0, 2, Qt.AlignmentFlag.AlignTop)
        else:
            self._grid.addWidget(self.bars_plot, 1, 0, 1, 2)

    def _scroll_area(self) -> QAbstractScrollArea | None:
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QAbstractScrollArea):
            parent = parent.parentWidget()
        return parent

    def _room(self) -> int:
        """The width the tab gives: in a scroll area, its view's (this widget is never
        narrower than its minimum, so its own width would keep the bars beside for good,
        behind a horizontal scroll bar)."""
        area = self._scroll_area()
        return area.viewport().width() if area is not None else self.width()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        area = self._scroll_area()
        if area is not None and not area.viewport().property("worked_watched"):
            area.viewport().setProperty("worked_watched", True)
            area.viewport().installEventFilter(self)
        self._place_bars()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self._place_bars()
        return False

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self._place_bars()  # a plot asked for more room (presenting: larger fonts)
        return handled

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_table()  # its columns and rows are measured in the font
            self._place_bars()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_bars()

    # --- user edits -------------------------------------------------------------------------
    def set_probabilities(self, probabilities: list[float] | None) -> None:
        """Use these probabilities of the true class (None: computed from the weights)."""
        self.example = worked.cross_entropy_example(probabilities=probabilities)
        self.probabilities = None if probabilities is None else list(probabilities)
        self._state = self._current_state()
        self.message.clear_error()
        self._refresh()

    def reset(self) -> None:
        default = worked.cross_entropy_example()
        texts = [self.weights.model.shown_and_precise(default.weights),
                 self.bias.model.shown_and_precise(default.bias)]
        self._push(WorkedState(None, *texts), "back to the slide's numbers")

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != P_COLUMN:
            return
        try:
            values = [self._parse_p(row) for row in range(self.table.rowCount())]
            worked.cross_entropy_example(probabilities=values)
        except InputError as error:
            self._mark(item, str(error))
            return
        state = self._current_state()
        state.probabilities = values
        self._push(state, f"p of flower {item.row()}")

    def _parse_p(self, row: int) -> float:
        text = self.table.item(row, P_COLUMN).text()
        return tensors.parse_cell(text, PROBABILITY, (row,))

    def _on_weights_edited(self) -> None:
        if self._applying:
            return
        try:
            worked.cross_entropy_example(weights=self.weights.tensor(), bias=self.bias.tensor())
        except InputError as error:
            self.message.show_error(str(error))
            return
        state = self._current_state()
        state.probabilities = None
        self._push(state, "classifier of the worked example")

    def _push(self, state: WorkedState, label: str) -> None:
        self.undo_stack.push(WorkedEdit(self, self._state, state, label))

    def apply(self, state: WorkedState) -> None:
        """Show ``state`` (the undo steps call this); the scene follows through ``changed``."""
        self._applying = True
        try:
            for editor, (texts, precise) in ((self.weights, state.weights),
                                             (self.bias, state.bias)):
                editor.model.set_texts(texts, editor.model.shape(), precise)
        finally:
            self._applying = False
        if state.probabilities is None:
            example = worked.cross_entropy_example(weights=self.weights.tensor(),
                                                   bias=self.bias.tensor())
        else:
            example = worked.cross_entropy_example(probabilities=state.probabilities)
        self.example, self.probabilities, self._state = example, state.probabilities, state
        self.message.clear_error()
        self._refresh()
        self.changed.emit()

    def _current_state(self) -> WorkedState:
        return WorkedState(self.probabilities, self._texts_now(self.weights),
                           self._texts_now(self.bias))

    @staticmethod
    def _texts_now(editor: TensorEditor):
        return editor.model.texts(), editor.model.precise()


    def _mark(self, item: QTableWidgetItem, message: str) -> None:
        with signals_blocked(self.table):
            item.setBackground(QBrush(theme.qcolor(theme.current().error, 70)))
            item.setToolTip(message)
        self.message.show_error(message)

    # --- view ------------------------------------------------------------------------------
    def _show_weights(self) -> None:
        self._applying = True
        try:
            self.weights.set_tensor(self.example.weights)
            self.bias.set_tensor(self.example.bias)
        finally:
            self._applying = False

    def _refresh(self) -> None:
        rows = self.example.rows
        with signals_blocked(self.table):
            self.table.setRowCount(len(rows))
            for r, row in enumerate(rows):
                cells = (fixed(row.petal_width), fixed(row.sepal_width), row.species,
                         fixed(row.p), fixed(row.neg_log_p))
                for c, text in enumerate(cells):
                    # Update a cell's item in place: this runs inside the table's own
                    # itemChanged (an edit pushes an undo step, which redraws), and
                    # replacing the item being edited there deletes it under Qt's feet.
                    item = self.table.item(r, c)
                    if item is None:
                        item = QTableWidgetItem(text)
                        if c != P_COLUMN:
                            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                        self.table.setItem(r, c, item)
                    else:
                        item.setText(text)
                        item.setBackground(QBrush())
                        item.setToolTip("")
        self.total.setText(fixed(self.example.total))
        slide = " (the slide's figure)" if self.example.matches_slide() else ""
        self.total_note.setText(
            f"sum of the rounded terms: {fixed(self.example.total_of_rounded)}{slide}")
        if self.example.problem is not None:
            self.message.show_error(self.example.problem)
        self.bars.setOpts(x=list(range(len(rows))), height=[r.neg_log_p for r in rows])
        axis = self.bars_plot.getPlotItem().getAxis("bottom")
        axis.setTicks([[(i, r.species) for i, r in enumerate(rows)]])
        self._fit_table()

    def _fit_table(self) -> None:
        # As wide as its columns need, so that no row hides under a horizontal scroll bar.
        header = self.table.horizontalHeader()
        columns = sum(max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c))
                      for c in range(self.table.columnCount()))
        self.table.setMinimumWidth(columns + 2 * self.table.frameWidth())
        header = self.table.horizontalHeader().sizeHint().height()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(header + rows + 2 * self.table.frameWidth())

    def shown_texts(self) -> list[list[str]]:
        return [
            [self.table.item(r, c).text() for c in range(self.table.columnCount())]
            for r in range(self.table.rowCount())
        ]
