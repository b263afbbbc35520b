"""The Descent page the lab's UI tests drive: shown at 1300 × 800, its first run and
stability bound finished before the test starts, shut down after it."""

import pytest

from ui.descent.panel import DescentPanel


def _settled(panel) -> bool:
    c = panel.controller
    return panel.result is not None and not c.sweep_busy and not c.bound_busy


@pytest.fixture
def panel(qtbot):
    page = DescentPanel()
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: _settled(page))
    yield page
    page.shutdown()
