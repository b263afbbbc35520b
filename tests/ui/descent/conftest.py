"""The Descent page the lab's UI tests drive: shown at 1300 × 800, its first run and
stability bound finished before the test starts, shut down after it; the side-by-side
tab alone (``side``) with a way to type into its boxes (``type_in``); and a plain themed
plot shown on its own (``shown_plot``), for one of the lab's items under test."""

import pytest

from explorer.descent.scene import DescentScene
from ui.descent.compare_view import CompareView
from ui.descent.panel import DescentPanel


def _show(qtbot, widget, width=1366, height=620):
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def shown_plot(qtbot):
    """A themed plot (``make_plot``) shown at ``width`` × ``height``."""
    from ui.common.plots import make_plot

    return lambda width=500, height=300: _show(qtbot, make_plot("test", "x", "y"), width,
                                                height)


@pytest.fixture
def shown(qtbot):
    """Show a view on its own, at 1366 × 620 (a tab's room on a laptop), as a user sees it."""
    return lambda widget: _show(qtbot, widget)


def _settled(panel) -> bool:
    c = panel.controller
    return panel.result is not None and not c.sweep_busy and not c.bound_busy


@pytest.fixture
def panel(qtbot):
    page = _show(qtbot, DescentPanel(), 1300, 800)
    qtbot.waitUntil(lambda: _settled(page), timeout=20_000)  # two test processes share 2 cores
    yield page
    page.shutdown()


@pytest.fixture
def side(qtbot):
    """The "Optimizers side by side" tab alone, shown at 1366 × 620, on the default page."""
    view = _show(qtbot, CompareView())
    view.set_page(DescentScene().validated())
    yield view
    view.shutdown()


@pytest.fixture
def type_in(qtbot):
    """Type ``text`` into a line edit as a user would, and finish the edit."""
    def type_text(box, text):
        box.clear()
        qtbot.keyClicks(box, text)
        box.editingFinished.emit()
    return type_text
