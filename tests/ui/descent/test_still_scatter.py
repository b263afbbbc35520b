"""StillScatter answers Qt's many boundingRect calls from a kept rect: the rect is the one
pyqtgraph's ScatterPlotItem computes, after new points, new sizes, a zoom and a resize."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

from ui.descent.items import StillScatter


def test_the_kept_rect_follows_points_sizes_view_and_resize(shown_plot):
    plot = shown_plot(400, 300)
    still, plain = StillScatter(symbol="x", size=14), pg.ScatterPlotItem(symbol="x", size=14)
    for item in (still, plain):
        plot.addItem(item)
    vb = plot.getPlotItem().vb

    def same() -> None:
        QApplication.processEvents()
        assert still.boundingRect() == plain.boundingRect()

    def both(method: str, *args, **kwargs) -> None:
        for item in (still, plain):
            getattr(item, method)(*args, **kwargs)
        same()

    both("setData", pos=np.array([[0.0, 0.0], [1.0, 2.0]]))
    first = still.boundingRect()
    both("setData", pos=np.array([[0.0, 0.0], [3.0, -2.0]]))  # new points
    assert still.boundingRect() != first
    both("setSize", 30)  # new sizes: another padding in pixels
    vb.setRange(xRange=(-10, 10), yRange=(-10, 10), padding=0)  # a zoom
    same()
    plot.resize(600, 200)  # a resize: other pixel sizes
    same()
