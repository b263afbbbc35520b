"""The lab selector down the left edge: one icon and name per lab, scaled for presentation."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from ui.common.lab import LabPage
from ui.window import icons

WIDTH = 96
ICON = 36
ITEM = (86, 72)


class LabSelector(QListWidget):
    """Icon + name for each of ``classes``; ``currentRowChanged`` says which lab to show."""

    def __init__(self, classes: list[type[LabPage]]):
        super().__init__()
        self.setObjectName("LabSelector")
        self.setSpacing(4)
        for cls in classes:
            item = QListWidgetItem(icons.lab_icon(cls.icon), cls.title)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.addItem(item)
        self.set_scale(1.0)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setMovement(QListWidget.Movement.Static)

    def set_scale(self, factor: float) -> None:
        """Grow (presentation mode) or restore the width, icons and items by ``factor``."""
        self.setFixedWidth(round(WIDTH * factor))
        self.setIconSize(QSize(round(ICON * factor), round(ICON * factor)))
        for i in range(self.count()):
            self.item(i).setSizeHint(QSize(round(ITEM[0] * factor), round(ITEM[1] * factor)))
