"""The worked cross-entropy tab at the window's default size and at 1366×768: every row of its
table, of the classifier's weights and of its bias is in view, none cut off."""

import pytest
from PySide6.QtCore import QRect

from ui.window.main_window import MainWindow


def _row_rects(table):
    """Each row of ``table`` (a QTableView) as a rectangle in window coordinates."""
    rects = []
    for r in range(table.model().rowCount()):
        top = table.rowViewportPosition(r)
        rect = QRect(0, top, table.viewport().width(), table.rowHeight(r))
        rects.append(QRect(table.viewport().mapTo(table.window(), rect.topLeft()), rect.size()))
    return rects


def _shown(widget) -> QRect:
    """The part of ``widget`` on screen (inside every scroll area around it), in window
    coordinates."""
    region = widget.visibleRegion().boundingRect()
    return QRect(widget.mapTo(widget.window(), region.topLeft()), region.size())


def _worked_tab(qtbot, settings, size=None):
    """A window showing the Loss page's Cross-entropy by hand tab: (window, its view)."""
    window = MainWindow(settings=settings, device="cpu")
    qtbot.addWidget(window)
    if size is not None:
        window.resize(*size)
    window.show()
    window.show_page(0)
    page = window.current_page()
    page.tabs.setCurrentIndex(3)  # Cross-entropy by hand
    qtbot.waitUntil(lambda: page.worked.weights.table.isVisible())
    return window, page.worked


@pytest.mark.parametrize("size", [(1440, 900), (1366, 768)])
def test_every_row_of_the_worked_tables_is_in_view(qtbot, settings, size):
    window, worked = _worked_tab(qtbot, settings, size)
    assert window.size().width() == size[0]
    for table in (worked.table, worked.weights.table, worked.bias.table):
        shown = _shown(table.viewport())
        rows = _row_rects(table)
        assert rows
        for rect in rows:
            assert shown.contains(rect), (size, table.accessibleName(), rect, shown)
    assert _shown(worked.reset_button).size() == worked.reset_button.size()


def test_presenting_on_a_big_screen_keeps_the_rows_whole_and_the_bars_in_the_width(
        qtbot, settings):
    """At 1920×1080 the fonts grow 1.5×: the table kept its desk height (its last row cut)
    and the bars stayed beside it, behind a horizontal scroll bar that nothing took away."""
    from PySide6.QtCore import QSize

    window, worked = _worked_tab(qtbot, settings)
    area = worked.parentWidget().parentWidget()  # its scroll area (through the viewport)
    window.enter_presentation()
    window._presentation.fit_to(QSize(1920, 1080))
    qtbot.waitUntil(lambda: window._presentation.scale == 1.5)
    for _ in range(3):
        qtbot.wait(10)
    for table in (worked.table, worked.weights.table, worked.bias.table):
        shown = _shown(table.viewport())
        for rect in _row_rects(table):
            assert shown.contains(rect), (table.accessibleName(), rect, shown)
    assert not area.horizontalScrollBar().isVisible()
    assert worked.width() <= area.viewport().width()
    window.leave_presentation()
    for page in window.built_pages():
        page.shutdown()
