"""The stack of lab pages, each built the first time it is needed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QStackedWidget, QWidget

from ui.common.lab import LabPage


class LabStack(QStackedWidget):
    """One page per lab class; a page is built on first use (``page(i)``).

    ``build_rest()`` builds the remaining pages one per event-loop turn, so
    the window paints before every lab exists and stays responsive while they
    are made. ``on_built`` is called with each new page (device, signals).
    """

    def __init__(self, classes: list[type[LabPage]], on_built: Callable[[LabPage], None]):
        super().__init__()
        self.classes = list(classes)
        self._built: list[LabPage | None] = [None] * len(self.classes)
        self._on_built = on_built
        for _ in self.classes:
            self.addWidget(QWidget())  # a placeholder until the page is built

    def page(self, index: int) -> LabPage:
        page = self._built[index]
        if page is None:
            page = self.classes[index]()
            placeholder = self.widget(index)
            current = self.currentIndex()
            self.insertWidget(index, page)
            self.removeWidget(placeholder)
            placeholder.deleteLater()
            self.setCurrentIndex(current)
            self._built[index] = page
            self._on_built(page)
        return page

    def pages(self) -> list[LabPage]:
        return [self.page(i) for i in range(len(self.classes))]

    def built_pages(self) -> list[LabPage]:
        return [page for page in self._built if page is not None]

    def build_rest(self) -> None:
        if not self.window().isVisible():  # closed (or never shown): build on demand only
            return
        for index, page in enumerate(self._built):
            if page is None:
                self.page(index)
                QTimer.singleShot(0, self.build_rest)
                return
