"""Small pieces the Loss page's controller uses to edit tensors and settings undoably."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from explorer.errors import InputError
from explorer.losses import tensors


class CallbackCommand(QUndoCommand):
    """An undo step for a setting that is not a tensor (reduction, options)."""

    def __init__(self, label: str, redo, undo):
        super().__init__(label)
        self._redo, self._undo = redo, undo

    def redo(self) -> None:
        self._redo()

    def undo(self) -> None:
        self._undo()


def dims_of(spec, inputs: dict) -> dict[str, int]:
    """The size of each symbolic dim, read off the tensors' shapes."""
    dims = {}
    for input_spec in spec.inputs:
        shape = tuple(inputs[input_spec.name].shape)
        dims.update(zip(input_spec.shape, shape, strict=False))
    return dims


def overlay(old: list[list[str]], new: list[list[str]], usable) -> list[list[str]]:
    """``new`` with the cells it shares with ``old`` taken from ``old`` where ``usable(text)``.

    A shape change keeps what the user typed; a class index that no longer
    exists (C got smaller) is replaced by a fresh valid one.
    """
    def keep(r, c):
        return r < len(old) and c < len(old[r]) and usable(old[r][c])

    return [
        [old[r][c] if keep(r, c) else text for c, text in enumerate(row)]
        for r, row in enumerate(new)
    ]


def parses(spec, num_classes):
    """Whether a cell's text is a valid value of input ``spec``."""
    def check(text: str) -> bool:
        try:
            tensors.parse_cell(text, spec, (0,), num_classes)
        except InputError:
            return False
        return True

    return check


def rows_of(values) -> list[list]:
    """A nested list as rows (1-D is one row), as the scene stores tensors."""
    return values if values and isinstance(values[0], list) else [values]


class Shaped:
    """Something with a ``shape`` (an editor's grid) for :func:`dims_of`."""

    def __init__(self, shape):
        self.shape = shape
