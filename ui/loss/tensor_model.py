"""The table model behind a tensor editor: the text of every cell, parsed by ``losses.tensors``.

The model keeps what the user typed, valid or not, so nothing typed is ever
lost; a cell that does not parse carries the ``InputError`` message. Every
change goes through the undo stack as a snapshot of the whole (small) table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoCommand, QUndoStack

from explorer.errors import InputError
from explorer.losses import tensors
from ui.common import theme

Texts = list[list[str]]
Precise = dict[tuple[int, int], tuple[str, str]]  # cell -> (text shown, full-precision text)


_ROOT = QModelIndex()
TOGGLES = {"sign": (1.0, -1.0), "binary": (1.0, 0.0)}  # kinds whose cells flip between two values


@dataclass(frozen=True)
class PasteReport:
    """What a paste did: ``cells`` filled, of a ``block`` (rows, columns) pasted at ``at``."""

    cells: int
    block: tuple[int, int]
    filled: tuple[int, int]
    table: tuple[int, int]
    at: tuple[int, int]

    def clipped_message(self) -> str | None:
        """Why part of the block is missing, or None when all of it went in."""
        if self.filled == self.block:
            return None
        where = "" if self.at == (0, 0) else f" at row {self.at[0]}, column {self.at[1]}"
        return (f"Pasted {_size(self.filled)} of the {_size(self.block)} block{where}; "
                f"the table is {_size(self.table)}, so the rest was left out.")


def _size(rows_columns: tuple[int, int]) -> str:
    return "×".join(str(n) for n in rows_columns)


def grid_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """(rows, columns) a tensor of ``shape`` is laid out as: its last dim across, the rest down."""
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return 1, shape[0]
    return math.prod(shape[:-1]), shape[-1]


def tensor_index(shape: tuple[int, ...], row: int, column: int) -> tuple[int, ...]:
    """The index into the tensor of the grid cell (row, column)."""
    if len(shape) <= 1:
        return tuple([column][: len(shape)])
    index = []
    for size in reversed(shape[:-1]):
        index.append(row % size)
        row //= size
    return (*reversed(index), column)


class SetTextsCommand(QUndoCommand):
    """Replace the whole table (text and shape); undo puts the old one back."""

    def __init__(self, model: TensorModel, texts: Texts, shape: tuple[int, ...], label: str,
                 precise: Precise | None = None):
        super().__init__(label)
        self._model = model
        self._old = (model.texts(), model.shape(), model.precise())
        keep = model.precise() if precise is None else precise
        self._new = ([list(r) for r in texts], tuple(shape), keep)

    def redo(self) -> None:
        self._model.set_texts(*self._new)

    def undo(self) -> None:
        self._model.set_texts(*self._old)


class TensorModel(QAbstractTableModel):
    """Cells of one loss input as text; parses each with ``tensors.parse_cell``."""

    edited = Signal()  # any change of text or shape (user edit, undo, redo, reset)

    def __init__(self, spec, undo_stack: QUndoStack, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.undo_stack = undo_stack
        self._shape: tuple[int, ...] = ()
        self._texts: Texts = [[""]]
        self._errors: dict[tuple[int, int], InputError] = {}
        self._precise: Precise = {}
        self.num_classes: int | None = None

    # --- contents -------------------------------------------------------------------------
    def shape(self) -> tuple[int, ...]:
        return self._shape

    def texts(self) -> Texts:
        return [list(r) for r in self._texts]

    def precise(self) -> Precise:
        return dict(self._precise)

    def parse_texts(self) -> Texts:
        """The texts to parse: a cell still showing a tensor's rounded value parses the full one,
        so the slide's example gives the slide's value; a cell the user typed parses as typed."""
        return [[self._text_to_parse(r, c) for c in range(len(row))]
                for r, row in enumerate(self._texts)]

    def _text_to_parse(self, r: int, c: int) -> str:
        text = self._texts[r][c]
        shown, full = self._precise.get((r, c), (None, None))
        return full if shown == text else text

    def set_texts(self, texts: Texts, shape: tuple[int, ...],
                  precise: Precise | None = None) -> None:
        """Show ``texts`` (no undo entry; commands and resets call this)."""
        self._precise = dict(precise or {})
        same_grid = [len(r) for r in texts] == [len(r) for r in self._texts]
        if not same_grid:  # a reset closes open cell editors, so only when the grid changes
            self.beginResetModel()
        changed = None  # None: every cell; a typed cell re-parses only itself (64×64 stays fast)
        if same_grid and tuple(shape) == self._shape:
            changed = [(r, c) for r, row in enumerate(texts) for c, text in enumerate(row)
                       if text != self._texts[r][c]]
        self._shape = tuple(shape)
        self._texts = [list(r) for r in texts]
        self._validate(changed)
        if same_grid:
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        else:
            self.endResetModel()
        self.edited.emit()

    def texts_of(self, tensor) -> Texts:
        """How ``tensor`` is shown for editing, cell by cell."""
        rows = tensors.rows_from_tensor(tensor)
        return [[tensors.format_cell(v, self.spec) for v in row] for row in rows]

    def shown_and_precise(self, tensor) -> tuple[Texts, Precise]:
        """The texts ``tensor`` is shown as, and each cell's full-precision text behind them."""
        texts = self.texts_of(tensor)
        full = [[repr(v) for v in row] for row in tensors.rows_from_tensor(tensor)]
        precise = {
            (r, c): (text, full[r][c]) for r, row in enumerate(texts) for c, text in enumerate(row)
        }
        return texts, precise

    def set_tensor(self, tensor, label: str | None = None) -> None:
        """Show ``tensor``; with a ``label`` the change is an undoable step named so."""
        texts, precise = self.shown_and_precise(tensor)
        self.replace(texts, tuple(tensor.shape), label, precise)

    def replace(self, texts: Texts, shape: tuple[int, ...], label: str | None = None,
                precise: Precise | None = None) -> None:
        """Show ``texts`` of ``shape``; with a ``label`` as an undoable step."""
        if label is None:
            self.set_texts(texts, shape, precise)
        else:
            self.undo_stack.push(SetTextsCommand(self, texts, shape, label, precise or {}))

    def set_num_classes(self, num_classes: int | None) -> None:
        self.num_classes = num_classes
        self._validate()
        if self._texts and self._texts[0]:
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def edit_cells(self, changes: dict[tuple[int, int], str], label: str) -> None:
        """Undoably set the text of several grid cells (clipped to the table)."""
        texts = self.texts()
        rows, columns = len(texts), len(texts[0]) if texts else 0
        for (r, c), text in changes.items():
            if 0 <= r < rows and 0 <= c < columns:
                texts[r][c] = text.strip()
        if texts != self._texts:
            self.undo_stack.push(SetTextsCommand(self, texts, self._shape, label))  # keeps precise

    def paste(self, top: int, left: int, text: str) -> PasteReport:
        """Undoably paste a spreadsheet block at (top, left); reports what went in."""
        block = tensors.parse_block(text)
        changes = {
            (top + i, left + j): cell for i, row in enumerate(block) for j, cell in enumerate(row)
        }
        rows, columns = grid_shape(self._shape)
        inside = {k: v for k, v in changes.items() if k[0] < rows and k[1] < columns}
        self.edit_cells(inside, f"paste {len(inside)} cells into {self.spec.name}")
        width = max((len(row) for row in block), default=0)
        filled = (max(0, min(len(block), rows - top)), max(0, min(width, columns - left)))
        return PasteReport(len(inside), (len(block), width), filled, (rows, columns), (top, left))

    def block_text(self, cells: list[tuple[int, int]]) -> str:
        """The rectangle spanning ``cells`` as tab-separated rows, the form ``paste`` reads."""
        if not cells:
            return ""
        rows = range(min(r for r, _ in cells), max(r for r, _ in cells) + 1)
        columns = range(min(c for _, c in cells), max(c for _, c in cells) + 1)
        return "\n".join("\t".join(self._texts[r][c] for c in columns) for r in rows)

    def clear_cells(self, cells: list[tuple[int, int]]) -> None:
        """Undoably set ``cells`` to 0, one step (0 is a class index too)."""
        if cells:
            label = f"clear {len(cells)} cells of {self.spec.name}"
            self.edit_cells(dict.fromkeys(cells, "0"), label)

    def is_toggle(self, r: int, c: int) -> bool:
        """Whether (r, c) holds one of the two values its kind flips between (±1, 0/1)."""
        pair = TOGGLES.get(self.spec.kind)
        return pair is not None and self.value_at(r, c) in pair

    def toggle(self, r: int, c: int) -> None:
        """Flip a ±1 (0/1) cell by its value, so 1.0000 and 1 alike become -1; any other to 1."""
        first, second = TOGGLES[self.spec.kind]
        new = second if self.value_at(r, c) == first else first
        self.setData(self.index(r, c), tensors.format_cell(new, self.spec))

    # --- parsing --------------------------------------------------------------------------
    def _validate(self, cells: list[tuple[int, int]] | None = None) -> None:
        if cells is None:
            self._errors = {}
            cells = [(r, c) for r, row in enumerate(self._texts) for c in range(len(row))]
        for r, c in cells:
            self._errors.pop((r, c), None)
            try:
                self._parse(r, c, self._texts[r][c])
            except InputError as error:
                self._errors[(r, c)] = error

    def _parse(self, r: int, c: int, text: str):
        cell = tensor_index(self._shape, r, c)
        return tensors.parse_cell(text, self.spec, cell, num_classes=self.num_classes)

    def errors(self) -> dict[tuple[int, int], InputError]:
        return dict(self._errors)

    def first_error(self) -> InputError | None:
        return self._errors[min(self._errors)] if self._errors else None

    def value_at(self, r: int, c: int) -> float | int | None:
        if (r, c) in self._errors:
            return None
        return self._parse(r, c, self._texts[r][c])

    # --- Qt model -------------------------------------------------------------------------
    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._texts)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() or not self._texts else len(self._texts[0])

    def flags(self, index):
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        key = (index.row(), index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._texts[key[0]][key[1]]
        if role == Qt.ItemDataRole.ToolTipRole:
            error = self._errors.get(key)
            return str(error) if error else f"{self.spec.name}{list(self.cell_of(*key))}"
        if role == Qt.ItemDataRole.BackgroundRole and key in self._errors:
            return QBrush(theme.qcolor(theme.current().error, 70))
        if role == Qt.ItemDataRole.ForegroundRole and key in self._errors:
            return QBrush(QColor(theme.current().error))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        cell = list(self.cell_of(index.row(), index.column()))
        self.edit_cells({(index.row(), index.column()): str(value)}, f"{self.spec.name}{cell}")
        return True

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return str(section)
        if len(self._shape) <= 1:
            return ""
        return ",".join(str(i) for i in tensor_index(self._shape, section, 0)[:-1])

    def cell_of(self, r: int, c: int) -> tuple[int, ...]:
        return tensor_index(self._shape, r, c)
