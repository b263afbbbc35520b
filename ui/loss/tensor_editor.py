"""Edit one input tensor of a loss cell by cell: typed cells, paste, undo, fitting editors."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QUndoStack, QValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSpinBox,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import InputError
from explorer.losses import tensors
from ui.common.widgets import ErrorLabel
from ui.loss.tensor_model import TOGGLES, TensorModel, grid_shape

REDO_KEYS = [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]  # both, on every platform


class ClassSpinBox(QSpinBox):
    """A class-index box that says why it refuses a number past C - 1 instead of ignoring it."""

    refused = Signal(str)

    def validate(self, text: str, pos: int):
        result = super().validate(text, pos)
        typed = text.strip()
        if result[0] == QValidator.State.Invalid and typed.lstrip("-").isdigit():
            self.refused.emit(f"{typed} is not a class: {self.toolTip()}.")
        return result


def class_range(num_classes: int | None) -> str:
    """The class indices a box takes, said to the user."""
    if not num_classes:
        return "class indices go from 0 to C - 1"
    return f"class indices go from 0 to {num_classes - 1} (C = {num_classes})"


class CellDelegate(QStyledItemDelegate):
    """Integer spin box for class indices; double-click flips a ±1 or 0/1 cell."""

    refused = Signal(str)  # a class index out of range was typed

    def __init__(self, model: TensorModel, parent=None):
        super().__init__(parent)
        self._model = model

    def createEditor(self, parent, option, index):  # noqa: N802
        if self._model.spec.kind == "class_index":
            spin = ClassSpinBox(parent)
            top = (self._model.num_classes or 1000) - 1
            spin.setRange(0, max(top, 0))
            spin.setAccessibleName("class index")
            spin.setToolTip(class_range(self._model.num_classes))
            spin.refused.connect(self.refused)
            return spin
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor, index):  # noqa: N802
        if isinstance(editor, QSpinBox):
            text = index.data(Qt.ItemDataRole.EditRole)
            editor.setValue(int(text) if text.strip().lstrip("-").isdigit() else 0)
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):  # noqa: N802
        if isinstance(editor, QSpinBox):
            editor.interpretText()
            model.setData(index, str(editor.value()))
            return
        super().setModelData(editor, model, index)

    def editorEvent(self, event, model, option, index) -> bool:  # noqa: N802
        # A ±1 cell flips on double-click; any other value opens the editor to be typed over.
        if (event.type() == QEvent.Type.MouseButtonDblClick
                and self._model.is_toggle(index.row(), index.column())):
            self._model.toggle(index.row(), index.column())
            return True
        return super().editorEvent(event, model, option, index)


class TensorTable(QTableView):
    """The grid: Ctrl+V pastes a block at the current cell, Ctrl+C copies the selected block,
    Delete sets the selection to 0, Space flips ±1 cells."""

    pasted = Signal(int)  # number of cells filled
    refused = Signal(str)  # why a paste was refused (too long a text); nothing changed
    clipped = Signal(str)  # what of a paste did not fit the table

    def keyPressEvent(self, event) -> None:  # noqa: N802
        model: TensorModel = self.model()
        current = self.currentIndex()
        if event.matches(QKeySequence.StandardKey.Paste) and current.isValid():
            self.paste_text(QGuiApplication.clipboard().text())
        elif event.matches(QKeySequence.StandardKey.Copy):
            QGuiApplication.clipboard().setText(model.block_text(self.selected_cells()))
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not self._editing():
            model.clear_cells(self.selected_cells())
        elif event.key() == Qt.Key.Key_Space and model.spec.kind in TOGGLES and current.isValid():
            model.toggle(current.row(), current.column())
        elif event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            # Tab moves cell to cell (and on past the last); Ctrl+Tab leaves the table at once.
            # QWidget's own focusNextPrevChild: the item view's would move the cell instead.
            QWidget.focusNextPrevChild(self, event.key() == Qt.Key.Key_Tab)
        else:
            super().keyPressEvent(event)

    def _editing(self) -> bool:
        return self.state() == QAbstractItemView.State.EditingState

    def selected_cells(self) -> list[tuple[int, int]]:
        """The selected grid cells, or the current one when nothing is selected."""
        cells = sorted((i.row(), i.column()) for i in self.selectedIndexes())
        current = self.currentIndex()
        if not cells and current.isValid():
            cells = [(current.row(), current.column())]
        return cells

    def paste_text(self, text: str) -> int:
        current = self.currentIndex()
        top, left = (current.row(), current.column()) if current.isValid() else (0, 0)
        try:
            report = self.model().paste(top, left, text)
        except InputError as exc:  # the text is over the size budget: the cells stay as they are
            self.refused.emit(str(exc))
            return 0
        self.pasted.emit(report.cells)
        message = report.clipped_message()
        if message is not None:
            self.clipped.emit(message)
        return report.cells


class TensorEditor(QWidget):
    """One input of a loss (``spec`` is its ``InputSpec``) as an editable table.

    Emits ``edited`` after every change; ``tensor()`` returns the tensor or
    raises the first invalid cell's ``InputError``. Pass the page's shared
    ``undo_stack`` so Ctrl+Z undoes the latest edit on the page; without one
    the editor keeps its own and binds Ctrl+Z / Ctrl+Shift+Z and Ctrl+Y itself.
    """

    edited = Signal()
    cell_selected = Signal(str, tuple)  # input name, tensor index

    def __init__(self, spec, undo_stack: QUndoStack | None = None, parent=None):
        super().__init__(parent)
        self.spec = spec
        own_stack = undo_stack is None
        self.undo_stack = QUndoStack(self) if own_stack else undo_stack
        self.model = TensorModel(spec, self.undo_stack, self)
        self.table = TensorTable()
        self.table.setModel(self.model)
        self.delegate = CellDelegate(self.model, self.table)
        self.table.setItemDelegate(self.delegate)
        self.table.setAccessibleName(f"{spec.name} tensor")
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(56)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.message = ErrorLabel()
        self._build_layout()
        self.model.edited.connect(self._on_model_edited)
        self.table.refused.connect(self.message.show_error)
        self.table.clipped.connect(self._on_paste_clipped)
        self.delegate.refused.connect(self.message.show_error)
        self.table.selectionModel().currentChanged.connect(self._on_current_changed)
        if own_stack:
            self._add_undo_actions()

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addWidget(self.message)

    def _add_undo_actions(self) -> None:
        for action, keys in (
            (self.undo_stack.createUndoAction(self), QKeySequence.keyBindings(
                QKeySequence.StandardKey.Undo)),
            (self.undo_stack.createRedoAction(self), REDO_KEYS),
        ):
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

    # --- contents -------------------------------------------------------------------------
    def set_tensor(self, tensor, label: str | None = None) -> None:
        self.model.set_tensor(tensor, label)

    def set_num_classes(self, num_classes: int | None) -> None:
        self.model.set_num_classes(num_classes)
        self._on_model_edited()

    def tensor(self):
        """The tensor as typed; raises ``InputError`` naming the first bad cell."""
        error = self.model.first_error()
        if error is not None:
            raise error
        rows = self.model.parse_texts()
        return tensors.tensor_from_rows(rows, self.spec, self.model.num_classes)

    def is_valid(self) -> bool:
        return not self.model.errors()

    def texts(self) -> list[list[str]]:
        return self.model.texts()

    def edit_cell(self, row: int, column: int, text: str) -> None:
        self.model.setData(self.model.index(row, column), text)

    def paste(self, text: str) -> int:
        return self.table.paste_text(text)

    def select_cell(self, row: int, column: int) -> None:
        self.table.setCurrentIndex(self.model.index(row, column))

    def selected_value(self) -> float | int | None:
        current = self.table.currentIndex()
        return self.model.value_at(current.row(), current.column()) if current.isValid() else None

    # --- view -----------------------------------------------------------------------------
    def _on_paste_clipped(self, message: str) -> None:
        error = self.model.first_error()
        self.message.show_error(message if error is None else f"{error} {message}")

    def set_about(self, text: str | None) -> None:
        """Describe the tensor as ``text`` instead of its spec's description (``None``: the
        spec's), e.g. raw scores that a LogSoftmax step turns into log-probabilities."""
        if text != getattr(self, "_about", None):
            self._about = text
            self._show_title()

    def _show_title(self) -> None:
        dims = "×".join(str(s) for s in self.model.shape()) or "scalar"
        described = getattr(self, "_about", None) or self.spec.description
        about = f"<small>{dims} · {html.escape(described, quote=False)}</small>"
        self.title.setText(f"<b>{self.spec.name}</b> {about}")

    def _on_model_edited(self) -> None:
        self._show_title()
        error = self.model.first_error()
        if error is None:
            self.message.clear_error()
        else:
            count = len(self.model.errors())
            extra = f" ({count} cells need fixing)" if count > 1 else ""
            self.message.show_error(str(error) + extra)
        self._fit_height()
        self.edited.emit()

    def _on_current_changed(self, current, _previous) -> None:
        if current.isValid():
            cell = self.model.cell_of(current.row(), current.column())
            self.cell_selected.emit(self.spec.name, cell)

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode: taller rows
            self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
            self._fit_height()

    def _fit_height(self) -> None:
        rows = min(grid_shape(self.model.shape())[0], 6)
        header = self.table.horizontalHeader().sizeHint().height()
        row = self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(header + rows * row + 2 * self.table.frameWidth() + 2)


def first_input_error(editors: list[TensorEditor]) -> InputError | None:
    """The first invalid cell's error across ``editors``, or None when all parse."""
    for editor in editors:
        error = editor.model.first_error()
        if error is not None:
            return error
    return None
