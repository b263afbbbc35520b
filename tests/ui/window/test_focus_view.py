"""Focus view: one plot or the Loss result panel on the whole window, and back in place."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtWidgets import QApplication

from ui.window.main_window import MainWindow


@pytest.fixture
def window(qtbot, settings):
    w = MainWindow(settings=settings, device="cpu")
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    w.pages  # noqa: B018 (build every lab)
    for page in w.pages:
        page.cancel_work()
    yield w
    w.focus_view.leave()
    w.leave_presentation()
    for page in w.built_pages():
        page.shutdown()


def test_a_plot_in_a_tab_fills_the_window_and_goes_back(window, qtbot):
    window.show_page(0)
    loss = window.pages[0]
    plot, index = loss.curve.plot, loss.tabs.indexOf(loss.curve.plot)
    window.focus_view.show(plot)
    QApplication.processEvents()
    assert window.focus_view.shown is plot and plot.isVisible()
    assert not window.stack.isVisible() and not window.selector.isVisible()
    assert plot.width() > 0.9 * window.centralWidget().width()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.focus_view.shown is None and window.stack.isVisible()
    assert loss.tabs.indexOf(plot) == index and loss.tabs.count() == 4
    assert loss.tabs.tabText(index) == "&Curve"


def test_double_click_focuses_a_grid_plot_and_again_brings_it_back(window, qtbot):
    window.show_page(1)
    descent = window.pages[1]
    plot = descent.map.plot
    layout_parent = plot.parentWidget()
    qtbot.mouseDClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(50, 50))
    assert window.focus_view.shown is plot
    qtbot.mouseDClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(50, 50))
    assert window.focus_view.shown is None
    assert plot.parentWidget() is layout_parent and plot.isVisible()
    QApplication.processEvents()
    assert plot.width() > 100  # back in its grid cell, not squeezed


def test_the_result_panel_and_esc_in_presentation(window, qtbot):
    window.show_page(0)
    loss = window.pages[0]
    assert "result" in loss.focus_widgets()
    window.enter_presentation()
    window._presentation.fit_to(QSize(1366, 768))
    parent = loss.result.parentWidget()
    window.focus_view.show(loss.result)
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # first Esc: back from the focus view only
    assert window.focus_view.shown is None and window.presenting
    assert loss.result.parentWidget() is parent
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.presenting


def test_the_key_focuses_the_plot_with_keyboard_focus(window, qtbot):
    window.show_page(1)
    descent = window.pages[1]
    descent.loss_plot.plot.setFocus()
    QApplication.processEvents()
    window.focus_view.toggle()
    assert window.focus_view.shown is descent.loss_plot.plot
    window.focus_view.toggle()
    assert window.focus_view.shown is None
