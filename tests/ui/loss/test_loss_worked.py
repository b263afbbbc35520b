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
