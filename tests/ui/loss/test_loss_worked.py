"""The slides' cross-entropy by hand on three Iris flowers, live in the Loss lab."""

import pytest
from PySide6.QtCore import Qt

from explorer.losses import worked
from ui.loss.worked import P_COLUMN, WorkedView


@pytest.fixture
def view(qtbot):
    widget = WorkedView()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    return widget


def _edit_p(qtbot, view, row, text):
    """Act as a user: click the p cell, type (replacing it), Enter."""
    table = view.table
    rect = table.visualItemRect(table.item(row, P_COLUMN))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(table, text[0])  # the first key opens the cell's editor, which takes the rest
    qtbot.keyClicks(table.focusWidget(), text[1:])
    with qtbot.waitSignal(table.itemChanged):  # the delegate commits on a queued call
        qtbot.keyClick(table.focusWidget(), Qt.Key.Key_Return)


def test_shows_the_slides_numbers_and_the_total(view):
    texts = view.shown_texts()
    assert [row[4] for row in texts] == ["0.56", "0.54", "0.65"]
    assert [row[3] for row in texts] == ["0.57", "0.58", "0.52"]
    example = worked.cross_entropy_example()
    assert view.total.text() == f"{example.total:.2f}"
    assert "1.75" in view.total_note.text()  # the slide adds the rounded terms
    heights = view.bars.opts["height"]
    assert list(heights) == pytest.approx([r.neg_log_p for r in example.rows])


def test_editing_a_probability_updates_row_bars_and_total(qtbot, view):
    _edit_p(qtbot, view, 1, "0.9")
    expected = worked.cross_entropy_example(probabilities=[0.57, 0.9, 0.52])
    assert view.shown_texts()[1][4] == f"{expected.rows[1].neg_log_p:.2f}"
    assert view.total.text() == f"{expected.total:.2f}"
    assert view.bars.opts["height"][1] == pytest.approx(expected.rows[1].neg_log_p)
    assert view.probabilities == [0.57, 0.9, 0.52]


def test_a_probability_that_is_not_one_is_marked_and_the_total_stays(qtbot, view):
    total = view.total.text()
    _edit_p(qtbot, view, 0, "abc")
    assert view.message.isVisible() and "abc" in view.message.text()
    assert view.table.item(0, P_COLUMN).text() == "abc"
    assert view.total.text() == total


def test_editing_a_weight_recomputes_the_probabilities(qtbot, view):
    before = view.shown_texts()
    view.weights.edit_cell(0, 0, "3")
    weights = view.weights.tensor()
    expected = worked.cross_entropy_example(weights=weights, bias=view.bias.tensor())
    assert view.shown_texts() != before
    assert view.total.text() == f"{expected.total:.2f}"
    view.reset()
    assert [row[4] for row in view.shown_texts()] == ["0.56", "0.54", "0.65"]


# --- issue 10 -----------------------------------------------------------------------------------
def test_versicolors_sepal_width_is_the_slides_0_37(view):
    assert [row[:2] for row in view.shown_texts()] == [
        ["0.04", "0.42"], ["1.00", "0.54"], ["0.50", "0.37"]]


def test_the_slides_figure_is_named_only_while_the_numbers_are_the_slides(qtbot, view):
    assert "(the slide's figure)" in view.total_note.text()
    _edit_p(qtbot, view, 1, "0.9")
    assert "1.75" not in view.total_note.text()
    assert "slide" not in view.total_note.text()
    view.weights.edit_cell(0, 0, "3")
    assert "slide" not in view.total_note.text()
    view.reset()
    assert "1.75 (the slide's figure)" in view.total_note.text()


def test_p_of_one_never_shows_negative_zero(qtbot, view):
    from ui.loss.worked import fixed

    for row in range(3):
        _edit_p(qtbot, view, row, "1")
    texts = view.shown_texts()
    assert [row[4] for row in texts] == ["0.00", "0.00", "0.00"]
    assert view.total.text() == "0.00"
    assert "-0.00" not in view.total_note.text()
    assert fixed(-1e-9) == "0.00" and fixed(-0.004) == "0.00" and fixed(-0.006) == "-0.01"


def test_an_infinite_total_says_which_flower_and_why(qtbot, view):
    _edit_p(qtbot, view, 2, "1e-300")
    assert view.total.text() == "inf"
    assert view.message.isVisible()
    assert "versicolor" in view.message.text() and "−log 0" in view.message.text()
    _edit_p(qtbot, view, 2, "0.5")
    assert not view.message.isVisible()


def test_every_edit_is_one_undo_step(qtbot, view):
    slide = view.shown_texts()
    _edit_p(qtbot, view, 1, "0.9")
    view.weights.edit_cell(0, 0, "3")  # the classifier takes over from the typed p
    assert view.probabilities is None
    with qtbot.waitSignal(view.changed):
        view.undo_stack.undo()  # the typed p comes back, and the weight
    assert view.probabilities == [0.57, 0.9, 0.52]
    assert view.weights.texts()[0][0] == "-2.9300"
    view.undo_stack.undo()
    assert view.shown_texts() == slide and view.probabilities is None
    view.undo_stack.redo()
    view.undo_stack.redo()
    assert view.weights.texts()[0][0] == "3" and view.probabilities is None
    view.reset()
    view.undo_stack.undo()  # "back to the slide's numbers" is a step too
    assert view.weights.texts()[0][0] == "3"


def test_the_page_undoes_a_worked_edit_with_ctrl_z(qtbot):
    from PySide6.QtWidgets import QApplication

    from ui.loss.panel import LossPanel

    page = LossPanel()
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    page.tabs.setCurrentWidget(page.tabs.widget(3))
    _edit_p(qtbot, page.worked, 0, "0.9")
    assert list(page.current_scene.worked_probabilities) == [0.9, 0.58, 0.52]
    page.worked.table.setFocus()
    qtbot.keyClick(page.worked.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.worked.probabilities is None
    assert page.current_scene.worked_probabilities is None
    qtbot.keyClick(page.worked.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert page.worked.probabilities == [0.9, 0.58, 0.52]
