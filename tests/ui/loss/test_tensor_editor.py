"""The tensor editor on its own: typing, paste, invalid cells, undo/redo, fitting editors."""

import pytest
import torch
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QSpinBox

from explorer.losses.specs import InputSpec
from ui.loss.tensor_editor import TensorEditor

REAL = InputSpec("input", ("N", "C"), "real", "float", True, "logits")
CLASSES = InputSpec("target", ("N",), "class_index", "long", False, "classes")
SIGNS = InputSpec("target", ("N",), "sign", "float", False, "±1")


def _editor(qtbot, spec, tensor):
    editor = TensorEditor(spec)
    qtbot.addWidget(editor)
    editor.set_tensor(tensor)
    editor.resize(600, 250)
    editor.show()
    editor.activateWindow()  # shortcuts (Ctrl+Z) only fire in the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    return editor


def _type_into(qtbot, editor, row, column, text):
    """Act as a user: click the cell, type, press Enter."""
    table = editor.table
    rect = table.visualRect(editor.model.index(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(table, text[0])  # the first key opens the cell's editor ...
    qtbot.keyClicks(table.focusWidget(), text[1:])  # ... which takes the rest
    with qtbot.waitSignal(editor.edited):  # the delegate commits on a queued call
        qtbot.keyClick(table.focusWidget(), Qt.Key.Key_Return)


def test_typing_a_number_changes_the_tensor(qtbot):
    editor = _editor(qtbot, REAL, torch.zeros(2, 3))
    _type_into(qtbot, editor, 1, 2, "2.5")
    expected = torch.zeros(2, 3)
    expected[1, 2] = 2.5
    assert torch.equal(editor.tensor(), expected)


def test_bad_text_is_kept_marked_and_explained(qtbot):
    editor = _editor(qtbot, REAL, torch.zeros(2, 3))
    _type_into(qtbot, editor, 0, 1, "abc")
    assert editor.texts()[0][1] == "abc"  # nothing typed is lost
    tooltip = editor.model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "input[0, 1]" in tooltip and "not a number" in tooltip
    assert editor.model.index(0, 1).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert editor.message.isVisible() and "abc" in editor.message.text()
    assert not editor.is_valid()


def test_undo_and_redo_with_the_keyboard(qtbot):
    editor = _editor(qtbot, REAL, torch.zeros(2, 3))
    editor.edit_cell(0, 0, "7")
    assert editor.tensor()[0, 0] == 7
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert torch.equal(editor.tensor(), torch.zeros(2, 3))
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, shift_ctrl)
    assert editor.tensor()[0, 0] == 7


def test_paste_of_a_3x5_block_fills_the_table(qtbot):
    editor = _editor(qtbot, REAL, torch.zeros(3, 5))
    block = "\n".join("\t".join(str(r * 5 + c) for c in range(5)) for r in range(3))
    QGuiApplication.clipboard().setText(block)
    editor.select_cell(0, 0)
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert torch.equal(editor.tensor(), torch.arange(15, dtype=torch.float32).reshape(3, 5))
    editor.undo_stack.undo()  # one paste is one undo step
    assert torch.equal(editor.tensor(), torch.zeros(3, 5))


def test_comma_block_pasted_at_a_cell_is_clipped_to_the_table(qtbot):
    editor = _editor(qtbot, REAL, torch.zeros(2, 3))
    editor.select_cell(1, 1)
    assert editor.paste("1, 2, 3\n4, 5, 6") == 2
    assert editor.tensor().tolist() == [[0, 0, 0], [0, 1, 2]]


def test_a_paste_over_the_size_budget_is_refused_with_a_message(qtbot):
    """Issue 16: pasting 5000x5000 took 75 s and 3 GB; the core refuses it, the editor says so."""
    from explorer.inputs import MAX_TEXT

    editor = _editor(qtbot, REAL, torch.zeros(2, 3))
    editor.select_cell(0, 0)
    assert editor.paste("1\t" * (MAX_TEXT // 2 + 1)) == 0
    assert torch.equal(editor.tensor(), torch.zeros(2, 3))  # nothing changed
    assert editor.message.isVisible() and "MAX_TEXT" in editor.message.text()
    assert not editor.undo_stack.canUndo()


def test_class_index_cells_edit_with_a_spin_box_in_range(qtbot):
    editor = _editor(qtbot, CLASSES, torch.tensor([1, 0, 4]))
    editor.set_num_classes(5)
    index = editor.model.index(0, 2)
    editor.table.setCurrentIndex(index)
    editor.table.edit(index)
    spin = editor.table.indexWidget(index) or editor.table.focusWidget()
    assert isinstance(spin, QSpinBox) and spin.maximum() == 4
    spin.setValue(2)
    with qtbot.waitSignal(editor.edited):
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert editor.tensor().tolist() == [1, 0, 2]
    editor.edit_cell(0, 0, "7")  # typed text outside 0..C-1 is kept and explained
    assert "0 to 4" in str(editor.model.first_error())


def test_sign_cells_toggle_with_space(qtbot):
    editor = _editor(qtbot, SIGNS, torch.tensor([1.0, -1.0, 1.0]))
    editor.select_cell(0, 1)
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_Space)
    assert editor.tensor().tolist() == [1.0, 1.0, 1.0]
    qtbot.keyClick(editor.table, Qt.Key.Key_Space)
    assert editor.tensor().tolist() == [1.0, -1.0, 1.0]


# --- issue 10: the editor, lecture-proof --------------------------------------------------------
CTRL = Qt.KeyboardModifier.ControlModifier
BINARY = InputSpec("target", ("N",), "binary", "float", False, "0/1")


def _double_click(qtbot, editor, row, column):
    """A real double-click: press and release, then the double-click event (QTest sends only it)."""
    rect = editor.table.visualRect(editor.model.index(row, column))
    qtbot.mouseClick(editor.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(editor.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_sign_cells_shown_with_decimals_flip_by_value(qtbot):
    """Issue 10: a cell showing 1.0000 is +1; Space compared text with "1" and set it to 1."""
    editor = _editor(qtbot, SIGNS, torch.tensor([1.0, -1.0, 1.0]))
    assert editor.texts()[0] == ["1.0000", "-1.0000", "1.0000"]
    editor.select_cell(0, 0)
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_Space)
    assert editor.tensor().tolist() == [-1.0, -1.0, 1.0]
    assert editor.texts()[0][0] == "-1.0000"  # the table keeps one look


def test_double_click_flips_a_sign_cell_instead_of_opening_an_editor(qtbot):
    editor = _editor(qtbot, SIGNS, torch.tensor([1.0, -1.0, 1.0]))
    _double_click(qtbot, editor, 0, 1)
    assert editor.tensor().tolist() == [1.0, 1.0, 1.0]
    assert editor.table.state() != editor.table.State.EditingState
    editor.undo_stack.undo()
    assert editor.tensor().tolist() == [1.0, -1.0, 1.0]


def test_double_click_on_a_sign_cell_that_is_not_one_opens_it_for_typing(qtbot):
    editor = _editor(qtbot, SIGNS, torch.tensor([0.5, -1.0]))
    _double_click(qtbot, editor, 0, 0)
    assert editor.table.state() == editor.table.State.EditingState
    assert editor.tensor().tolist() == [0.5, -1.0]


def test_binary_cells_flip_between_zero_and_one(qtbot):
    editor = _editor(qtbot, BINARY, torch.tensor([0.0, 1.0]))
    editor.select_cell(0, 0)
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_Space)
    _double_click(qtbot, editor, 0, 1)
    assert editor.tensor().tolist() == [1.0, 0.0]


def test_ctrl_y_redoes(qtbot):
    editor = _editor(qtbot, REAL, torch.zeros(2, 3))
    editor.edit_cell(0, 0, "7")
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, CTRL)
    assert editor.tensor()[0, 0] == 0
    qtbot.keyClick(editor.table, Qt.Key.Key_Y, CTRL)
    assert editor.tensor()[0, 0] == 7


def _select(editor, top, left, bottom, right):
    model = editor.model
    selection = QItemSelection(model.index(top, left), model.index(bottom, right))
    editor.table.setCurrentIndex(model.index(top, left))
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
    editor.table.selectionModel().select(selection, flags)


def test_ctrl_c_copies_the_selected_block_as_paste_reads_it(qtbot):
    editor = _editor(qtbot, REAL, torch.arange(12, dtype=torch.float32).reshape(3, 4))
    _select(editor, 1, 1, 2, 2)
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_C, CTRL)
    copied = QGuiApplication.clipboard().text()
    assert copied == "5.0000\t6.0000\n9.0000\t10.0000"
    editor.select_cell(0, 0)
    assert editor.paste(copied) == 4
    assert editor.tensor()[:2, :2].tolist() == [[5, 6], [9, 10]]


@pytest.mark.parametrize("key", [Qt.Key.Key_Delete, Qt.Key.Key_Backspace])
def test_delete_sets_the_selection_to_zero_in_one_step(qtbot, key):
    start = torch.arange(1, 13, dtype=torch.float32).reshape(3, 4)
    editor = _editor(qtbot, REAL, start)
    _select(editor, 0, 1, 1, 3)
    editor.table.setFocus()
    qtbot.keyClick(editor.table, key)
    expected = start.clone()
    expected[:2, 1:] = 0
    assert torch.equal(editor.tensor(), expected)
    editor.undo_stack.undo()
    assert torch.equal(editor.tensor(), start)
    assert not editor.undo_stack.canUndo()


def test_delete_sets_class_indices_to_zero(qtbot):
    editor = _editor(qtbot, CLASSES, torch.tensor([1, 3, 4]))
    editor.set_num_classes(5)
    _select(editor, 0, 1, 0, 2)
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_Delete)
    assert editor.tensor().tolist() == [1, 0, 0]


def test_an_oversized_paste_says_what_was_left_out(qtbot):
    editor = _editor(qtbot, REAL, torch.zeros(3, 5))
    editor.select_cell(0, 2)
    block = "\n".join("\t".join("1" for _ in range(6)) for _ in range(4))
    assert editor.paste(block) == 9
    text = editor.message.text()
    assert editor.message.isVisible()
    assert "3×3 of the 4×6 block" in text and "the table is 3×5" in text, text
    editor.select_cell(0, 0)
    editor.paste("2\t2\n2\t2")  # one that fits says nothing
    assert not editor.message.isVisible()


def test_a_class_index_past_c_minus_1_is_refused_with_the_reason(qtbot):
    editor = _editor(qtbot, CLASSES, torch.tensor([1, 0, 4]))
    editor.set_num_classes(5)
    index = editor.model.index(0, 1)
    editor.table.setCurrentIndex(index)
    editor.table.edit(index)
    spin = editor.table.focusWidget()
    assert isinstance(spin, QSpinBox)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "7")
    assert editor.message.isVisible()
    assert "class indices go from 0 to 4 (C = 5)" in editor.message.text()
    assert "0 to 4 (C = 5)" in spin.toolTip()


def test_the_page_redoes_with_ctrl_y_too(qtbot):
    from ui.loss.panel import LossPanel

    page = LossPanel()
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    editor = next(iter(page.editors.values()))
    before = editor.texts()[0][0]
    editor.edit_cell(0, 0, "7")
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, CTRL)
    assert editor.texts()[0][0] == before
    qtbot.keyClick(editor.table, Qt.Key.Key_Y, CTRL)
    assert editor.texts()[0][0] == "7"
