"""Tabs whose labels wrap onto a second row instead of being cut or scrolled away.

A ``QTabWidget``'s bar elides its labels or hides tabs behind scroll arrows when the page
is narrow (a 1366-px laptop, presentation fonts). :func:`wrapping_tabs` hides that bar and
shows one checkable button per tab in a flow layout above the pages: every label whole,
every tab one click away, its mnemonic (``&Curve``) kept.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QSizePolicy,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import QFlowLayout


class TabStrip(QWidget):
    """One button per tab of ``tabs``, wrapping onto more rows when narrow."""

    def __init__(self, tabs: QTabWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.tabs = tabs
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self._flow = QFlowLayout(self)
        self._flow.setContentsMargins(0, 0, 0, 0)
        self._flow.setHorizontalSpacing(2)
        self._flow.setVerticalSpacing(2)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        for index in range(tabs.count()):
            self._add_button(index)
        tabs.tabBar().hide()
        self.group.idClicked.connect(tabs.setCurrentIndex)
        tabs.currentChanged.connect(self._on_current_changed)
        self._on_current_changed(tabs.currentIndex())

    def buttons(self) -> list[QToolButton]:
        return [self.group.button(i) for i in range(self.tabs.count())]

    def _add_button(self, index: int) -> None:
        button = QToolButton()
        button.setText(self.tabs.tabText(index))
        button.setToolTip(self.tabs.tabToolTip(index))
        button.setCheckable(True)
        button.setAutoRaise(False)
        self.group.addButton(button, index)
        self._flow.addWidget(button)

    def _on_current_changed(self, index: int) -> None:
        button = self.group.button(index)
        if button is not None:
            button.setChecked(True)


def wrapping_tabs(tabs: QTabWidget) -> QWidget:
    """``tabs`` under a :class:`TabStrip`, as one widget to put in a layout."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    box.strip = TabStrip(tabs, box)
    layout.addWidget(box.strip)
    layout.addWidget(tabs, 1)
    return box
