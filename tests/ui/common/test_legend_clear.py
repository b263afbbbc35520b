"""On screen, a legend kept clear (``plots.keep_legend_clear``) moves to the corner of its view
that covers the fewest data points, as the data change; never where a user dragged it."""

import numpy as np
from PySide6.QtWidgets import QApplication

from ui.common import plots, render


def _shown(qtbot, x, y):
    widget = plots.make_plot("a title", "x", "y")
    qtbot.addWidget(widget)
    widget.resize(500, 400)
    line = widget.plot(x, y, pen="b", name="L(z, y)")
    plots.keep_legend_clear(widget)
    widget.show()
    qtbot.waitExposed(widget)
    QApplication.processEvents()
    return widget, line


def _corner(widget):
    return render.legend_corner(widget.getPlotItem().legend)


def test_a_curve_rising_into_the_top_right_sends_the_legend_elsewhere(qtbot):
    x = np.linspace(-3, 3, 200)
    widget, line = _shown(qtbot, x, (x + 2) ** 2)  # MSE's curve for a target left of 0
    item = widget.getPlotItem()
    assert render.corner_counts(item)[(1, 0)] > 0  # the usual corner would hide the curve
    qtbot.waitUntil(lambda: _corner(widget) == (0, 0), timeout=2_000)
    assert render.corner_counts(item)[(0, 0)] == 0
    line.setData(x, (x - 2) ** 2)  # a target right of 0: now the top left is covered
    qtbot.waitUntil(lambda: _corner(widget) == (1, 0), timeout=2_000)
    assert render.corner_counts(item)[(1, 0)] == 0


def test_a_legend_the_user_moved_stays_there(qtbot):
    x = np.linspace(-3, 3, 200)
    widget, line = _shown(qtbot, x, np.exp(-x))
    legend = widget.getPlotItem().legend
    qtbot.waitUntil(lambda: _corner(widget) == (1, 0), timeout=2_000)
    # Dragged to the top left, over the curve's high start: it is the user's choice.
    legend.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(10, 10))
    item = widget.getPlotItem()
    assert render.corner_counts(item)[(0, 0)] > 0
    before = render.anchor_of(legend)
    line.setData(x, np.exp(-x) + 0.01)
    widget.setXRange(-3.1, 3.1)
    qtbot.wait(100)
    assert render.anchor_of(legend) == before
