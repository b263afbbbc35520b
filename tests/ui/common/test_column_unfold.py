"""A folded control column leaves a labelled button on its splitter handle that unfolds it."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.common import theme
from ui.common.columns import ColumnHandle, SideColumn, page_splitter
from ui.window import appearance


@pytest.fixture
def themed():
    app = QApplication.instance()
    yield lambda name: appearance.apply_theme(app, name)
    appearance.apply_theme(app, "light")


def _page(qtbot):
    controls = QWidget()
    layout = QVBoxLayout(controls)
    layout.addWidget(QPushButton("A control with a long enough name"))
    column = SideColumn(controls)
    splitter = page_splitter(column, QLabel("plots"), QLabel("numbers"), stretch=(0, 1, 0))
    qtbot.addWidget(splitter)
    splitter.resize(900, 400)
    splitter.show()
    qtbot.waitExposed(splitter)
    return splitter, column


def _fold(splitter, column):
    column.set_folded(True)  # what presentation mode does on a narrow screen
    splitter.setSizes([0, sum(splitter.sizes())])
    QApplication.processEvents()


@pytest.mark.parametrize("name", ["light", "dark"])
def test_clicking_the_folded_columns_button_unfolds_it(qtbot, themed, name):
    themed(name)
    splitter, column = _page(qtbot)
    handle = splitter.handle(1)
    assert isinstance(handle, ColumnHandle)
    assert not handle.button.isVisible() and handle.width() == splitter.handleWidth()
    _fold(splitter, column)
    assert splitter.sizes()[0] == 0
    assert handle.button.isVisible() and handle.button.label.startswith("Controls")
    text_height = handle.button.fontMetrics().height()
    assert handle.width() >= text_height  # wide enough to read, not an 8-px line
    assert handle.button.height() >= handle.button.fontMetrics().horizontalAdvance(
        handle.button.label)
    palette = handle.button.palette()
    assert theme.contrast(palette.color(QPalette.ColorRole.ButtonText),
                          palette.color(QPalette.ColorRole.Button)) >= 4.5
    qtbot.mouseClick(handle.button, Qt.MouseButton.LeftButton)
    assert splitter.sizes()[0] == column.needed_width()  # every control whole again
    assert not handle.button.isVisible() and handle.width() == splitter.handleWidth()
    assert not splitter.handle(2).button.isVisible()  # only the control column's handle


def test_a_column_dragged_shut_gets_the_button_too(qtbot):
    splitter, _column = _page(qtbot)
    splitter.setSizes([0, 700, 200])  # as a drag to the edge leaves it
    QApplication.processEvents()
    assert splitter.handle(1).button.isVisible()
    splitter.handle(1).button.click()
    assert splitter.sizes()[0] > 0


def test_the_button_grows_with_the_presentation_font(qtbot):
    splitter, column = _page(qtbot)
    _fold(splitter, column)
    handle = splitter.handle(1)
    before = handle.width()
    font = splitter.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)
    splitter.setFont(font)
    QApplication.processEvents()
    assert handle.width() > before
    assert handle.button.width() == handle.width()
