"""A sideways-scrolling row of numbers is always tall enough for its cells."""

from PySide6.QtWidgets import QApplication, QStackedWidget, QWidget

from ui.common import theme
from ui.common.columns import SidewaysRow
from ui.descent.numbers import RunNumbers


def test_a_row_whose_cells_grew_while_it_was_hidden_is_tall_enough_when_shown(qtbot):
    """Presentation mode scales the fonts of every page, shown or not: a page shown after
    it (the Descent page, F5 pressed on the Loss page) must not cut its last row."""
    stack = QStackedWidget()
    numbers = RunNumbers()
    numbers.set_runs([0.01, 0.05, 0.18, 0.21], ["#0072B2", "#E69F00", "#009E73", "#D55E00"])
    numbers.show_step([6.4, 0.40, 0.54, 302.7], 10)
    row = SidewaysRow(numbers)
    stack.addWidget(QWidget())  # the page on show
    stack.addWidget(row)
    qtbot.addWidget(stack)
    stack.resize(1400, 400)
    stack.show()
    qtbot.waitExposed(stack)
    desk = numbers.minimumSizeHint().height()
    try:
        theme.set_scale(1.5)
        QApplication.processEvents()
        stack.setCurrentWidget(row)
        QApplication.processEvents()
        need = numbers.minimumSizeHint().height()
        assert need > 1.3 * desk  # the cells grew with the font
        assert row.viewport().height() >= need  # every row of numbers shows
    finally:
        theme.set_scale(1.0)
    QApplication.processEvents()
    assert row.viewport().height() >= numbers.minimumSizeHint().height()
