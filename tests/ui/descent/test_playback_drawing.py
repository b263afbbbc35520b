"""Playback draws each path only up to the current step; the whole path faintly on request."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from ui.common.plots import make_plot
from ui.descent.items import GrowingPaths, thin_indices
from ui.descent.panel import DescentPanel


def _red_at(plot, item, x: float, y: float) -> bool:
    """Whether the plot's pixel at data point (x, y) is (mostly) red."""
    QApplication.processEvents()
    image = plot.grab().toImage()
    vb = plot.getPlotItem().vb
    point = plot.mapFromScene(vb.mapViewToScene(pg.Point(x, y)))
    ratio = image.devicePixelRatio()
    color = QColor(image.pixel(round(point.x() * ratio), round(point.y() * ratio)))
    return color.red() > 180 and color.green() < 120 and color.blue() < 120


@pytest.fixture
def line_plot(qtbot):
    plot = make_plot("test", "x", "y")
    qtbot.addWidget(plot)
    plot.resize(500, 300)
    plot.show()
    qtbot.waitExposed(plot)
    item = GrowingPaths()
    plot.addItem(item)
    path = np.stack([np.arange(11.0), np.zeros(11)], axis=1)[None]  # one run, 10 steps
    item.set_paths(path, [pg.mkPen("#FF0000", width=3)])
    plot.getPlotItem().vb.setRange(xRange=(-1, 11), yRange=(-1, 1), padding=0)
    return plot, item


def test_the_future_of_a_path_is_not_drawn_and_grows_with_the_step(line_plot):
    plot, item = line_plot
    item.set_step(3)
    assert _red_at(plot, item, 2.0, 0.0)
    assert not _red_at(plot, item, 7.5, 0.0)  # later steps are not on screen yet
    item.set_step(9)  # played on: the segments since the last frame are added
    assert _red_at(plot, item, 7.5, 0.0)
    assert not _red_at(plot, item, 9.5, 0.0)
    item.set_step(2)  # stepped back: the image is drawn again, without the later steps
    assert not _red_at(plot, item, 7.5, 0.0) and _red_at(plot, item, 1.5, 0.0)
    np.testing.assert_array_equal(item.drawn_points(0)[:, 0], [0.0, 1.0, 2.0])


def test_a_new_view_redraws_the_grown_path(line_plot):
    plot, item = line_plot
    item.set_step(5)
    assert _red_at(plot, item, 4.5, 0.0)
    plot.getPlotItem().vb.setRange(xRange=(3, 7), yRange=(-1, 1), padding=0)  # zoomed in
    assert _red_at(plot, item, 4.5, 0.0) and not _red_at(plot, item, 6.0, 0.0)


def test_thin_indices_keep_the_start_and_the_last_point():
    idx = thin_indices(10_000, 1000)
    assert len(idx) <= 1002 and idx[-1] == 9_999
    np.testing.assert_array_equal(idx[:500], np.arange(500))
    np.testing.assert_array_equal(thin_indices(5, 1000), np.arange(5))


def test_whole_path_checkbox_draws_every_run_faintly_on_both_plots(qtbot):
    page = DescentPanel()
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitUntil(lambda: page.result is not None and not page.controller.sweep_busy)
    try:
        runs = len(page.result.labels)
        assert len(page.map.paths.pens()) == 1  # the contours only: no future shown
        assert page.loss_plot.curves.pens() == []
        page.sidebar.whole_path.setChecked(True)  # as a user would tick it
        pens = page.map.paths.pens()
        assert len(pens) == 1 + runs and all(p.color().alpha() < 100 for p in pens[1:])
        assert len(page.loss_plot.curves.pens()) == runs
        page.playback.seek(3)  # the played part is still drawn up to the step
        assert page.map.growing.step == 3 and page.loss_plot.growing.step == 3
        page.sidebar.whole_path.setChecked(False)
        assert len(page.map.paths.pens()) == 1 and page.loss_plot.curves.pens() == []
    finally:
        page.shutdown()
