"""A log axis spanning a few decades labels 1, 2 and 5 times each power of ten, not all nine."""

from __future__ import annotations

import math

from ui.common import plots


def _labels(plot, values):
    axis = plot.getPlotItem().getAxis("bottom")
    logs = [math.log10(v) for v in values]
    return dict(zip(values, axis.tickStrings(logs, 1.0, 1.0), strict=True))


def test_minor_labels_of_a_few_decades_keep_only_2_and_5(qtbot):
    plot = plots.make_plot("t", "batch size B (log scale)", "steps", log_x=True)
    qtbot.addWidget(plot)
    values = [d * 10**e for e in (0, 1) for d in range(1, 10)] + [100]
    labels = _labels(plot, values)
    assert labels[2] and labels[5] and labels[20] and labels[50]
    assert labels[1] == "1" and labels[10] == "10¹" and labels[100] == "10²"
    assert all(labels[v] == "" for v in (3, 4, 6, 7, 8, 9, 30, 40, 60, 70, 80, 90))


def test_few_ticks_keep_every_label_and_a_linear_axis_is_pyqtgraphs(qtbot):
    plot = plots.make_plot("t", "x", "y", log_x=True)
    qtbot.addWidget(plot)
    assert all(_labels(plot, [1, 3, 10, 30]).values())
    linear = plots.make_plot("t", "x", "y")
    qtbot.addWidget(linear)
    axis = linear.getPlotItem().getAxis("bottom")
    assert axis.tickStrings([3.0, 4.0, 6.0], 1.0, 1.0) == ["3", "4", "6"]


def test_only_the_left_and_bottom_axes_show(qtbot):
    plot = plots.make_plot("t", "x", "y", log_x=True)
    qtbot.addWidget(plot)
    item = plot.getPlotItem()
    shown = {side for side in ("left", "bottom", "right", "top") if item.getAxis(side).isVisible()}
    assert shown == {"left", "bottom"} and isinstance(item.getAxis("bottom"), plots.Axis)
