"""Presentation mode fits the screens teachers meet: every lab and tab, whole.

At 1280×720, 1366×768 and 1920×1080, light and dark, in presentation mode,
for every lab page and every tab of it, the test fails when a plot's title, axes or legend
lie outside its view, when a control lies outside the window without a scroll area to
reach it, or when a label's or button's text is squeezed below what it needs (elided).
The offscreen screen is 800×800, so the window is given each size (``fit_to``).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTableView,
    QTabWidget,
    QWidget,
)

from ui.common import columns, export
from ui.window import appearance
from ui.window.main_window import MainWindow

SIZES = [(1280, 720), (1366, 768), (1920, 1080)]
CONTROLS = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QAbstractSlider)


@pytest.fixture(scope="module")
def computed(qapp, tmp_path_factory):
    """One window for the module, every page computed as a class would see it (curves,
    legends, runs, trained models), built before any test's leak probe: each page's work
    takes seconds, and only the layout is under test."""
    from PySide6.QtCore import QSettings

    path = tmp_path_factory.mktemp("presentation") / "settings.ini"
    w = MainWindow(settings=QSettings(str(path), QSettings.Format.IniFormat), device="cpu")
    w.show()
    for page in w.pages:
        page.compute_now()
    yield w
    for page in w.built_pages():
        page.shutdown()
    w.close()
    w.deleteLater()


@pytest.fixture
def window(computed):
    for page in computed.pages:
        page.cancel_work()  # nothing runs in the background while the layout is measured
    yield computed
    computed.leave_presentation()
    computed.set_theme("light")
    computed.show_page(0)


def _settle():
    for _ in range(3):
        QApplication.processEvents()


def _scrollable(widget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _in_window(widget, window) -> bool:
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return window.rect().contains(QRect(top_left, widget.size()))


def _tab_states(page):
    """Every (tab widget, index) combination to look at: each tab of each tab widget."""
    tab_widgets = [t for t in page.findChildren(QTabWidget) if t.isVisibleTo(page)]
    yield "first tabs"
    for tabs in tab_widgets:
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            _settle()
            yield tabs.tabText(index).replace("&", "")
        tabs.setCurrentIndex(0)


def _problems(window, page, where) -> list[str]:
    found = []
    for name, plot in page.plots().items():
        if plot.isVisible() and plot.width() > 0 and not columns.plot_is_whole(plot):
            found.append(f"{where}: plot {name} is cut off (title, axes or legend)")
    for table in page.findChildren(QTableView):
        if (table.isVisible() and table.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.
                ScrollBarAlwaysOff and not _all_rows_shown(table)):
            found.append(f"{where}: a row of table {table.accessibleName() or '?'} is cut "
                         "(it has no scroll bar to reach it)")
    for widget in page.findChildren(QWidget):
        if not isinstance(widget, CONTROLS + (QLabel,)):
            continue
        if not widget.isVisible() or widget.width() == 0:
            continue  # hidden on purpose, on another tab, or in a folded column
        if isinstance(widget, CONTROLS) and not (_in_window(widget, window) or _scrollable(widget)):
            found.append(f"{where}: control {widget.objectName() or type(widget).__name__} "
                         "is off the window and cannot be scrolled to")
        text = widget.text().replace("&", "") if hasattr(widget, "text") else ""
        if not text or isinstance(widget, QLineEdit | QAbstractSpinBox | QComboBox):
            continue
        if isinstance(widget, QLabel):
            need = widget.minimumSizeHint().width() - 1 if not widget.wordWrap() else 0
            elided = widget.contentsRect().width() < need
        else:  # a button: its text (and icon) inside its frame and padding
            icon = widget.iconSize().width() + 4 if not widget.icon().isNull() else 0
            need = widget.fontMetrics().horizontalAdvance(text) + icon + 8
            elided = widget.width() < need
        if elided:
            found.append(f"{where}: text {text[:30]!r} is cut ({widget.width()} px < {need} px)")
    return found


def _all_rows_shown(table) -> bool:
    """Every row of ``table`` lies inside its view (a table sized to its rows in the desk's
    font kept that height in the larger one)."""
    model, height = table.model(), table.viewport().height()
    return all(table.rowViewportPosition(r) + table.rowHeight(r) <= height
               for r in range(model.rowCount()) if not table.isRowHidden(r))


def _unreadable_numbers(page, where) -> list[str]:
    """The Loss lab's code shows a line of the slide's whole (a wide Compare plot once left
    it 20 characters at 1366×768), and its gradient all of a slide's 5 columns (at 1920×1080
    the fifth was cut)."""
    if page.key != "loss":
        return []
    from ui.loss.panel import READ_WHOLE

    found = []
    edit = page.code.code_edit
    need = edit.fontMetrics().horizontalAdvance(READ_WHOLE)
    shown = edit.viewport().width() - 2 * edit.document().documentMargin()
    if shown < need:
        found.append(f"{where}: the code shows {shown:.0f} of the {need} px a line needs")
    for name, table in page.result.gradients.items():
        last = min(table.model().columnCount(), 5) - 1
        end = table.columnViewportPosition(last) + table.columnWidth(last)
        if table.isVisible() and end > table.viewport().width():
            found.append(f"{where}: the gradient of {name} shows {table.viewport().width()} "
                         f"of the {end} px its columns need")
    return found


@pytest.mark.parametrize(("theme", "width", "height"),
                         [(theme, w, h) for theme in ("light", "dark") for w, h in SIZES])
def test_every_lab_and_tab_fits_each_screen_in_presentation_mode(window, theme, width, height):
    for page in window.pages:
        drawn = [name for name, plot in page.plots().items()
                 if export.plotted_data(plot.getPlotItem())]
        assert len(drawn) >= len(page.plots()) // 2, (page.key, drawn)  # its work was done
    window.set_theme(theme)
    window.enter_presentation()
    problems, scales = [], []
    window._presentation.fit_to(QSize(width, height))
    _settle()
    screen_scale = appearance.presentation_scale(width, height)
    for index, page in enumerate(window.pages):
        window.show_page(index)
        page.cancel_work()
        _settle()
        for tab in _tab_states(page):
            _settle()
            scale = window._presentation.scale
            where = f"{width}×{height} ({scale:.2f}) {page.key} lab, {tab}"
            if window.size() != QSize(width, height):
                problems.append(f"{where}: the window grew to {window.size().toTuple()}")
            problems += _problems(window, page, where)
            problems += _unreadable_numbers(page, where)
            scales.append(scale)
    assert not problems, "\n".join(problems)
    # What is shown is fitted, not the widest tab visited before: back on the first tab
    # of the first lab, the screen's own scale holds again. No tab needs fonts smaller
    # than the desk's, and a big screen keeps big fonts on every tab.
    window.show_page(0)
    _settle()
    assert window._presentation.scale == screen_scale
    assert min(scales) >= (1.2 if width >= 1920 else 1.0) and max(scales) == screen_scale
    window.leave_presentation()
    assert window._presentation.scale == 1.0


def test_the_screen_scale_steps():
    assert appearance.presentation_scale(1280, 720) == 1.0
    assert appearance.presentation_scale(1366, 768) == 1.05
    assert appearance.presentation_scale(1920, 1080) == appearance.PRESENTATION_SCALE
    assert appearance.presentation_scale(3840, 2160) == appearance.PRESENTATION_SCALE
    assert appearance.presentation_scale(800, 600) == 1.0


def test_the_checks_catch_a_cut_plot_and_a_squeezed_button(qtbot):
    from PySide6.QtWidgets import QHBoxLayout, QPushButton

    from ui.common import plots
    from ui.common.lab import LabPage

    class Cramped(LabPage):
        def __init__(self):
            super().__init__()
            self.plot = plots.make_plot("Narrow", "x", "y")
            # An axis wider than the plot (a title shrinks to fit at the desk's scale)
            self.plot.getPlotItem().getAxis("left").setWidth(300)
            self.cancel = QPushButton("Cancel")
            self.cancel.setFixedWidth(30)
            row = QHBoxLayout(self)
            row.addWidget(self.plot)
            row.addWidget(self.cancel)

        def plots(self):
            return {"cramped": self.plot}

    page = Cramped()
    qtbot.addWidget(page)
    page.setFixedSize(260, 200)
    page.show()
    _settle()
    found = _problems(page, page, "here")
    assert any("plot cramped is cut off" in f for f in found)
    assert any("'Cancel' is cut" in f for f in found)
    assert columns.fit_plot(page.plot)  # the plot now asks for the room it needs
    page.setMinimumSize(0, 0)
    page.setMaximumSize(16777215, 16777215)
    page.resize(page.minimumSizeHint().width() + 40, 300)
    _settle()
    assert columns.plot_is_whole(page.plot)
    columns.release_plot(page.plot)
    assert page.plot.minimumWidth() == 0


def test_a_plot_whose_axis_widens_with_new_data_is_fitted_again(window):
    """New data can widen an axis (longer tick labels) inside a plot already at its minimum
    width; the title then ran past the edge until the next resize."""
    window.enter_presentation()
    window._presentation.fit_to(QSize(1920, 1080))
    _settle()
    page = window.current_page()
    name, plot = next((n, p) for n, p in page.plots().items() if p.isVisible())
    item = plot.getPlotItem()
    item.disableAutoRange()
    item.setYRange(0, 1, padding=0)
    _settle()
    before = item.getAxis("left").width()
    line = item.plot([0, 1], [-123456789.0, 987654321.0])
    try:
        item.setYRange(-123456789.0, 987654321.0, padding=0)
        _settle()
        assert item.getAxis("left").width() > before  # the check below means something
        assert columns.plot_is_whole(plot), name
    finally:  # the module's window is the other tests' too
        item.removeItem(line)
        item.enableAutoRange()
        window.leave_presentation()  # here, so the legend's move it starts is done here
        _settle()


def test_the_scale_grows_back_when_a_page_needs_less_room_again(window, qtbot):
    """A passing need (a wide text, new data) stepped the scale down; it stayed down
    until another tab was shown. Now the screen's scale comes back once the need has gone."""
    window.show_page(0)
    window.enter_presentation()
    window._presentation.fit_to(QSize(1366, 768))
    qtbot.waitUntil(lambda: window._presentation.scale == 1.05)
    page = window.pages[0]
    page.setMinimumWidth(3000)  # more than any scale can fit
    qtbot.waitUntil(lambda: window._presentation.scale < 1.0)
    page.setMinimumWidth(0)
    qtbot.waitUntil(lambda: window._presentation.scale == 1.05, timeout=10_000)
    assert window.size() == QSize(1366, 768)


def test_every_series_a_page_draws_names_its_csv_column_for_what_it_holds(window):
    """No series on any tab falls back to its axis and its kind for a name ("loss (line)",
    "left (points)"): each CSV column says what it holds."""
    import pyqtgraph as pg

    fallbacks = (" (line)", " (points)", " (bars)")
    unnamed = []
    for index, page in enumerate(window.pages):
        window.show_page(index)
        _settle()
        for tab in _tab_states(page):
            for plot in page.findChildren(pg.PlotWidget):
                for name, _x, _y in export.plotted_data(plot.getPlotItem()):
                    if name.endswith(fallbacks):
                        unnamed.append(f"{page.key} lab, {tab}, {plot.objectName()}: {name}")
    assert not unnamed, "\n".join(sorted(set(unnamed)))
