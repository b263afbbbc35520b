"""The Loss page the lab's UI tests drive: shown at 1366 × 768 and active, since Ctrl+Z,
Ctrl+Y and the other shortcuts only fire in the active window."""

import pytest
from PySide6.QtWidgets import QApplication

from ui.loss.panel import LossPanel


@pytest.fixture
def panel(qtbot):
    page = LossPanel()
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    return page
