"""The Batch page the lab's UI tests drive, showing the default scene and shut down after
the test; a test file that needs another scene defines its own ``panel``."""

import pytest

from explorer.training.scene import BatchScene
from ui.batch.panel import BatchPanel


@pytest.fixture
def panel(qtbot):
    page = BatchPanel()
    qtbot.addWidget(page)
    page.show_scene(BatchScene())
    yield page
    page.shutdown()
