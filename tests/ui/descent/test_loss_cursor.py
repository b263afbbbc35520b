"""The loss plot's step line moves on every playback frame without making the view
recompute its y auto-range (and so repaint all of itself); the range still follows the
curves."""

import numpy as np
from PySide6.QtWidgets import QApplication

from ui.descent.plots import LossPlot


def test_moving_the_step_line_leaves_the_auto_range_alone(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot.plot)
    plot.plot.resize(450, 280)
    plot.plot.show()
    qtbot.waitExposed(plot.plot)
    loss = np.exp(-np.linspace(0, 5, 101))[None].repeat(3, 0) * np.array([[1.0], [2.0], [4.0]])
    plot.set_sweep(loss, ["#0072B2", "#D55E00", "#009E73"])
    plot.set_steps(100)
    plot.set_step(1)
    qtbot.wait(50)  # the curves drawn once, their range found
    vb = plot.plot.getPlotItem().vb
    ranges = []
    vb.updateAutoRange = lambda *a, _f=vb.updateAutoRange: (ranges.append(1), _f(*a))[1]
    for step in range(2, 20):
        plot.set_step(step)
        QApplication.processEvents()
    assert not ranges  # no auto-range work for the moving line
    assert plot.cursor.value() == 19
    plot.set_sweep(loss * 100.0, ["#0072B2", "#D55E00", "#009E73"])  # new curves: it follows
    QApplication.processEvents()
    assert ranges
    assert vb.viewRange()[1][1] > np.log10(100.0)
