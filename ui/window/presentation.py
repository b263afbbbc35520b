"""Presentation mode: full screen, large fonts, only the pages (for the back of the room).

The tool bar, the status bar (device line) and each page's ``presentation_widgets()``
hide; the lab selector grows with the fonts; the menus and every shortcut stay, and Esc
leaves. A page built while presenting is hidden the same way (``prepare``).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow

from ui.common.lab import LabPage
from ui.window import appearance


class Presentation(QObject):
    """Presentation mode of ``window``, whose ``selector``, ``toolbar`` and pages it resizes."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self._window = window
        self._active = False
        self._was_maximized = False
        self._base_font = QApplication.font()
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self._escape.activated.connect(self.leave)
        self._escape.setEnabled(False)

    @property
    def active(self) -> bool:
        return self._active

    def toggle(self) -> None:
        self.leave() if self._active else self.enter()

    def enter(self) -> None:
        if self._active:
            return
        self._active = True
        self._was_maximized = self._window.isMaximized()
        appearance.apply_scale(
            QApplication.instance(), self._base_font, appearance.PRESENTATION_SCALE
        )
        self.refresh()
        self._window.presentation_action.setChecked(True)
        self._escape.setEnabled(True)
        self._window.showFullScreen()

    def leave(self) -> None:
        if not self._active:
            return
        self._active = False
        appearance.apply_scale(QApplication.instance(), self._base_font, 1.0)
        self.refresh()
        self._window.presentation_action.setChecked(False)
        self._escape.setEnabled(False)
        self._window.showMaximized() if self._was_maximized else self._window.showNormal()

    def refresh(self) -> None:
        """Show or hide the window's parts for the current mode (also after a page change)."""
        window, hide = self._window, self._active
        window.toolbar.setVisible(not hide)
        window.statusBar().setVisible(not hide)
        window.selector.set_scale(appearance.PRESENTATION_SCALE if hide else 1.0)
        for page in window.built_pages():
            for widget in page.presentation_widgets():
                widget.setVisible(not hide)

    def prepare(self, page: LabPage) -> None:
        """A page built while presenting hides what it keeps only for the desk."""
        if self._active:
            for widget in page.presentation_widgets():
                widget.setVisible(False)
