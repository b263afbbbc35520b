"""Presentation mode: full screen, large fonts, only the pages (for the back of the room).

The tool bar, the status bar (device line) and each page's ``presentation_widgets()``
hide; the lab selector grows with the fonts; the menus and every shortcut stay, and Esc
leaves. A page built while presenting is treated the same way (``prepare``).

The font scale is chosen from the screen's size (:func:`~ui.window.appearance.
presentation_scale`); while the page shown does not fit, its control column is folded if
the page is too wide (its splitter handle brings it back), then the scale steps down, to
the desk's and then a little smaller. Every plot gets the room its title, axes and
legend need (``columns.fit_plot``), so none is drawn cut off at the edge of its view.

Only what is shown counts. A ``QStackedWidget`` (the lab stack, each tab widget's pages)
is as large as the largest of all its widgets, shown or not; so while presenting, every
widget not shown in one gets an ``Ignored`` size policy (its own comes back when it is
shown, and on leaving), and each page or tab shown is fitted again from the screen's
scale. The scale then follows the screen, not the widest tab ever visited. And where a
page needed more room for a while (new data, a longer text), the screen's scale is tried
again once it needs less than it did when the scale fell.
"""

from __future__ import annotations

import weakref

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QSizePolicy, QStackedWidget, QTabWidget

from ui.common import columns, plots
from ui.common.lab import LabPage
from ui.window import appearance

SCALE_STEP = 0.05
REGROW_MS = 250  # after the page's last layout change, see whether the screen's scale fits
_DESK_WIDTH = "presentation_desk_minimum_width"  # a widget's own minimum width, kept
HIDDEN = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)


def _timer(parent: QObject, slot) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(0)
    timer.timeout.connect(slot)
    return timer


def _fold_column(splitter, folded: bool) -> None:
    column = splitter.widget(0)
    if isinstance(column, columns.SideColumn):
        column.set_folded(folded)


class Presentation(QObject):
    """Presentation mode of ``window``, whose ``selector``, ``toolbar`` and pages it resizes."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self._window = window
        self._active = False
        self._was_maximized = False
        self._base_font = QApplication.font()
        self._scale = 1.0
        self._fitted_for: QSize | None = None
        self._target: QSize | None = None  # the size to fit; None: the window's screen
        self._folded: dict[LabPage, list[int]] = {}  # control splitter sizes before folding
        self._policies: dict[int, tuple[weakref.ref, QSizePolicy]] = {}  # of widgets not shown
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self._escape.activated.connect(self.leave)
        self._escape.setEnabled(False)
        self._refit = _timer(self, self.fit)  # the window was resized
        self._recheck = _timer(self, self._shrink_to_fit)  # a page or plot grew
        self._regrow = _timer(self, self._grow_back)  # ... or shrank again, after a while
        self._regrow.setInterval(REGROW_MS)
        self._lowered_need: QSize | None = None  # what the page needed when the scale fell
        self._refit_shown = _timer(self, self._fit_shown)  # another page or tab is shown
        window.installEventFilter(self)

    @property
    def active(self) -> bool:
        return self._active

    @property
    def scale(self) -> float:
        """The font scale in use (1 outside presentation mode)."""
        return self._scale if self._active else 1.0

    def toggle(self) -> None:
        self.leave() if self._active else self.enter()

    def pause_escape(self, paused: bool) -> None:
        """While the focus view uses Esc (to come back), Esc does not leave presenting."""
        self._escape.setEnabled(self._active and not paused)

    def enter(self) -> None:
        if self._active:
            return
        self._active = True
        self._was_maximized = self._window.isMaximized()
        plots.fit_titles(False)  # each plot gets the room its whole title needs instead
        self.refresh()
        self._window.presentation_action.setChecked(True)
        self._escape.setEnabled(True)
        self._show_only_current()
        self._window.showFullScreen()
        self.fit()

    def leave(self) -> None:
        if not self._active:
            return
        self._active = False
        self._refit.stop()
        self._recheck.stop()
        self._regrow.stop()
        self._refit_shown.stop()
        self._fitted_for = self._target = self._lowered_need = None
        self._set_scale(1.0)
        plots.fit_titles(True)
        self._unfold_all()
        self._restore_policies()
        for page in self._window.built_pages():
            for plot in page.plots().values():
                columns.release_plot(plot)
            for widget, _width in page.presentation_minimums():
                if widget.property(_DESK_WIDTH) is not None:
                    widget.setMinimumWidth(widget.property(_DESK_WIDTH))
        self.refresh()
        self._window.presentation_action.setChecked(False)
        self._escape.setEnabled(False)
        self._window.showMaximized() if self._was_maximized else self._window.showNormal()

    # ------------------------------------------------------------- fitting
    def fit_to(self, size: QSize) -> None:
        """Present on a ``size`` screen: the window takes that size and the scale fits it
        (the window's own screen is used when this is not called)."""
        self._target = QSize(size)
        if size != self._window.screen().size():  # a projector of that size, simulated
            self._window.setWindowState(Qt.WindowState.WindowNoState)
        corner = self._window.screen().geometry().topLeft()
        self._window.setGeometry(corner.x(), corner.y(), size.width(), size.height())
        self.fit()

    def target_size(self) -> QSize:
        """The size the pages must fit: the screen's (or the one given to ``fit_to``)."""
        return QSize(self._target) if self._target is not None else self._window.screen().size()

    def fit(self) -> None:
        """Choose the largest scale at which every built page fits the screen."""
        if not self._active:
            return
        size = self.target_size()
        if size == self._fitted_for:
            return
        self._unfold_all()
        self._set_scale(self._screen_scale())
        self._shrink_to_fit()
        self._fitted_for = size

    def _fit_shown(self) -> None:
        """Another page or tab is shown: fit it afresh, from the screen's scale."""
        if not self._active:
            return
        self._unfold_all()
        scale = self._screen_scale()
        if scale != self._scale:
            self._set_scale(scale)
        self._shrink_to_fit()

    def _shrink_to_fit(self) -> None:
        """While the page shown is larger than the screen: fold its control column if it is
        too wide, then step the scale down (to the desk's, then smaller still). Folding
        first keeps one font size on every tab of a screen; the column's handle is there."""
        if not self._active:
            return
        page = self._window.current_page()
        if not self._fits() and page is not None and self._too_wide(page):
            self._fold(page)
        before = self._scale
        self._step_down_to(1.0)
        self._step_down_to(appearance.MIN_PRESENTATION_SCALE)
        central = self._window.centralWidget()
        if self._scale >= self._screen_scale() or central is None:
            self._lowered_need = None
        elif self._scale < before:  # what made it fall (a later, smaller need may regrow it)
            self._lowered_need = self._need(central)
        # A page wider than the screen for a moment made the window grow: back to size.
        size, screen = self._window.size(), self.target_size()
        if (self._target is not None and size != self._target) or (
                size.width() > screen.width() or size.height() > screen.height()):
            self._window.resize(screen)

    def _screen_scale(self) -> float:
        size = self.target_size()
        return appearance.presentation_scale(size.width(), size.height())

    def _grow_back(self) -> None:
        """The scale fell below the screen's while the page needed more room than it has;
        once it needs less than it did then (a plot's data or a tab's contents changed), fit
        it afresh from the screen's scale. (Stepping down alone kept a passing need's small
        fonts until the next tab.)"""
        lowered = self._lowered_need
        central = self._window.centralWidget()
        if not self._active or lowered is None or central is None or central.layout() is None:
            return
        need = self._need(central)
        if need.width() < lowered.width() or need.height() < lowered.height():
            self._fit_shown()

    def _step_down_to(self, floor: float) -> None:
        scale = self._scale
        while scale > floor and not self._fits():
            scale = max(floor, round(scale - SCALE_STEP, 2))
            self._set_scale(scale)

    def _room(self) -> QSize:
        return self.target_size() - QSize(0, self._window.menuBar().sizeHint().height())

    def _fits(self) -> bool:
        central = self._window.centralWidget()
        if central is None or central.layout() is None:
            return True
        need, seen = self._need(central), None
        for _ in range(3):  # one reading can predate what it sets off: read until it holds
            if need == seen:
                break
            seen, need = need, self._need(central)
        room = self._room()
        return need.width() <= room.width() and need.height() <= room.height()

    def _need(self, central) -> QSize:
        """The window's content's minimum size now, once posted events and the room each
        plot needs at this scale (not the last one) have reached the layouts."""
        for _ in range(3):
            QApplication.sendPostedEvents()
        page = self._window.current_page()
        if page is not None:
            self._fit_plots(page)
        QApplication.sendPostedEvents()
        central.layout().activate()
        return central.minimumSizeHint()

    def _too_wide(self, page: LabPage) -> bool:
        central, stack = self._window.centralWidget(), self._window.stack
        around = central.minimumSizeHint().width() - stack.minimumSizeHint().width()
        return page.minimumSizeHint().width() + around > self._room().width()

    def _fold(self, page: LabPage) -> None:
        splitter = page.control_splitter()
        if splitter is None or page in self._folded:
            return
        sizes = splitter.sizes()
        self._folded[page] = sizes
        _fold_column(splitter, True)  # else its minimum width keeps the page as wide
        splitter.setSizes([0, *sizes[1:]])

    def _unfold_all(self) -> None:
        for page, sizes in self._folded.items():
            if shiboken6.isValid(page):
                _fold_column(page.control_splitter(), False)
                page.control_splitter().setSizes(sizes)
        self._folded.clear()

    # ------------------------------------------------- only what is shown
    def _views(self) -> list[QStackedWidget | QTabWidget]:
        views: list[QStackedWidget | QTabWidget] = [self._window.stack]
        for page in self._window.built_pages():
            views += page.findChildren(QTabWidget)
        return views

    def _show_only_current(self) -> None:
        """Only the widget shown in each stack counts towards the window's size."""
        for view in self._views():
            if not view.property("fits_shown"):
                view.setProperty("fits_shown", True)
                view.currentChanged.connect(self._on_view_changed)
            current = view.currentWidget()
            for index in range(view.count()):
                widget = view.widget(index)
                if widget is current:
                    self._restore_policy(widget)
                elif self._policies.get(id(widget), (lambda: None,))[0]() is not widget:
                    self._policies[id(widget)] = (weakref.ref(widget), widget.sizePolicy())
                    widget.setSizePolicy(HIDDEN)
            view.updateGeometry()  # a hidden widget's new policy does not reach the layouts

    def _on_view_changed(self, _index: int) -> None:
        if self._active:
            self._show_only_current()
            self._refit_shown.start()

    def _restore_policy(self, widget) -> None:
        kept = self._policies.pop(id(widget), None)
        if kept is not None and kept[0]() is widget:
            widget.setSizePolicy(kept[1])

    def _restore_policies(self) -> None:
        for ref, policy in self._policies.values():
            widget = ref()
            if widget is not None and shiboken6.isValid(widget):
                widget.setSizePolicy(policy)
        self._policies.clear()
        for view in self._views():
            view.updateGeometry()

    def _set_scale(self, scale: float) -> None:
        self._scale = scale
        appearance.apply_scale(QApplication.instance(), self._base_font, scale)
        self._window.selector.set_scale(scale)
        if self._active:
            for page in self._window.built_pages():
                self._fit_plots(page)

    def _fit_plots(self, page: LabPage) -> None:
        """Make room for each plot of ``page`` whole, now and whenever it grows, and for
        what it must show whole to be read (``presentation_minimums``)."""
        for widget, width in page.presentation_minimums():
            if widget.property(_DESK_WIDTH) is None:
                widget.setProperty(_DESK_WIDTH, widget.minimumWidth())
            widget.setMinimumWidth(max(widget.property(_DESK_WIDTH), width()))
        for plot in page.plots().values():
            if not plot.property("fits_presentation"):
                plot.setProperty("fits_presentation", True)
                ref = weakref.ref(plot)
                item = plot.getPlotItem()
                item.geometryChanged.connect(lambda r=ref: self._on_plot_moved(r()))
                # New data can widen an axis inside a plot already at its minimum width:
                # only the view box shrinks then, and the title runs past the edge.
                item.vb.sigResized.connect(lambda _vb, r=ref: self._on_plot_moved(r()))
            columns.fit_plot(plot)

    def _on_plot_moved(self, plot) -> None:
        if self._active and plot is not None and shiboken6.isValid(plot) and columns.fit_plot(plot):
            self._recheck.start()

    def watch(self, widget) -> None:
        """Check the scale again whenever ``widget`` (the window's content) needs more room."""
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if self._active:
            if watched is self._window and event.type() == QEvent.Type.Resize:
                self._refit.start()
            elif watched is not self._window and event.type() == QEvent.Type.LayoutRequest:
                self._recheck.start()
                if self._lowered_need is not None:
                    self._regrow.start()
        return False

    # --------------------------------------------------------------- pages
    def refresh(self) -> None:
        """Show or hide the window's parts for the current mode (also after a page change)."""
        window, hide = self._window, self._active
        window.toolbar.setVisible(not hide)
        window.statusBar().setVisible(not hide)
        window.selector.set_scale(self.scale)
        for page in window.built_pages():
            for widget in page.presentation_widgets():
                widget.setVisible(not hide)

    def prepare(self, page: LabPage) -> None:
        """A page built while presenting hides what it keeps only for the desk, and the
        scale must fit it too."""
        if self._active:
            for widget in page.presentation_widgets():
                widget.setVisible(False)
            self._fit_plots(page)
            self._show_only_current()
            self._fitted_for = None
            self._refit.start()
