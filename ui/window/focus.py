"""Focus view: one plot (or the Loss lab's result panel) on the whole window, and back.

Double-click a plot, or press ``KEY`` with the mouse over it (or it focused), to show it
alone; the same key, Esc or a double-click brings the page back. The widget itself is
moved (not copied): it keeps its data, its live updates and its menu, and goes back to
the same place in its layout, splitter or tab.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QCursor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QLayout,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

KEY = "Ctrl+Shift+F"


def _layout_holding(layout: QLayout, widget: QWidget) -> QLayout | None:
    if layout.indexOf(widget) >= 0:
        return layout
    for i in range(layout.count()):
        child = layout.itemAt(i).layout()
        found = child is not None and _layout_holding(child, widget)
        if found:
            return found
    return None


class _Spot:
    """Where a widget sat, held by a placeholder so the page keeps its shape."""

    def __init__(self, widget: QWidget):
        self.widget, self.placeholder = widget, QWidget()
        parent = widget.parentWidget()
        self.tabs = parent.parentWidget() if isinstance(parent, QStackedWidget) else None
        if isinstance(self.tabs, QTabWidget):
            self.index, self.text = self.tabs.indexOf(widget), self.tabs.tabText(
                self.tabs.indexOf(widget))
            current = self.tabs.currentIndex()
            self.tabs.insertTab(self.index, self.placeholder, self.text)
            self.tabs.removeTab(self.index + 1)
            self.tabs.setCurrentIndex(current)
        elif isinstance(parent, QSplitter):
            self.tabs, self.splitter = None, parent
            self.sizes = parent.sizes()
            parent.replaceWidget(parent.indexOf(widget), self.placeholder)
        else:
            self.tabs, self.splitter = None, None
            self.layout = _layout_holding(parent.layout(), widget)
            self.layout.replaceWidget(widget, self.placeholder)

    def restore(self) -> None:
        if isinstance(self.tabs, QTabWidget):
            current = self.tabs.currentIndex()
            self.tabs.insertTab(self.index, self.widget, self.text)
            self.tabs.removeTab(self.index + 1)
            self.tabs.setCurrentIndex(current)
        elif self.splitter is not None:
            self.splitter.replaceWidget(self.splitter.indexOf(self.placeholder), self.widget)
            self.splitter.setSizes(self.sizes)
        else:
            self.layout.replaceWidget(self.placeholder, self.widget)
        self.widget.show()
        self.placeholder.deleteLater()


class FocusView(QObject):
    """The focus view of main window ``window`` (its ``selector`` and ``stack`` step aside)."""

    def __init__(self, window, presentation):
        super().__init__(window)
        self._window = window
        self._presentation = presentation
        self._spot: _Spot | None = None
        self.holder = QWidget()
        self.holder.setObjectName("FocusHolder")
        QVBoxLayout(self.holder).setContentsMargins(0, 0, 0, 0)
        self.holder.hide()
        self._key = QShortcut(QKeySequence(KEY), window)
        self._key.activated.connect(self.toggle)
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self._escape.activated.connect(self.leave)
        self._escape.setEnabled(False)

    @property
    def shown(self) -> QWidget | None:
        """The widget on the whole window, if any."""
        return self._spot.widget if self._spot is not None else None

    def watch(self, page) -> None:
        """Let a double-click on any of ``page``'s plots focus it."""
        for plot in page.focus_widgets().values():
            plot.viewport().installEventFilter(self) if hasattr(plot, "viewport") else None

    def candidates(self) -> list[QWidget]:
        page = self._window.current_page()
        return [w for w in page.focus_widgets().values() if w.isVisible()] if page else []

    def under_pointer(self) -> QWidget | None:
        """The candidate under the mouse, else the one holding the keyboard focus."""
        candidates = self.candidates()
        for probe in (QApplication.widgetAt(QCursor.pos()), QApplication.focusWidget()):
            for widget in candidates:
                if probe is not None and (probe is widget or widget.isAncestorOf(probe)):
                    return widget
        return None

    def toggle(self) -> None:
        if self._spot is not None:
            self.leave()
        else:
            target = self.under_pointer()
            if target is not None:
                self.show(target)

    def show(self, widget: QWidget) -> None:
        """Put ``widget`` on the whole window (the page steps aside)."""
        if self._spot is not None:
            self.leave()
        self._spot = _Spot(widget)
        self.holder.layout().addWidget(widget)
        widget.show()
        self._window.selector.hide()
        self._window.stack.hide()
        self.holder.show()
        self._presentation.pause_escape(True)
        self._escape.setEnabled(True)

    def leave(self) -> None:
        if self._spot is None:
            return
        spot, self._spot = self._spot, None
        self.holder.hide()
        self.holder.layout().removeWidget(spot.widget)
        if shiboken6.isValid(spot.widget):
            spot.restore()
        self._window.selector.show()
        self._window.stack.show()
        self._escape.setEnabled(False)
        self._presentation.pause_escape(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.MouseButtonDblClick:
            plot = watched.parentWidget()
            if self._spot is not None and plot is self._spot.widget:
                self.leave()
                return True
            if self._spot is None and plot is not None:
                self.show(plot)
                return True
        return False
