"""Playback draws each path only up to the current step; the whole path faintly on request."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from ui.descent.items import GrowingPaths, StepArrows, grown_buffer, thin_indices
from ui.descent.panel import DescentPanel
from ui.descent.plots import LossPlot


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
def line_plot(shown_plot):
    plot = shown_plot()
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
    qtbot.waitUntil(lambda: page.result is not None and not page.controller.sweep_busy,
                    timeout=20_000)
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


def _runs(seed: int = 0) -> np.ndarray:
    """Three runs of 60 points: one diverges (NaN from step 30), one overflows at 45."""
    points = np.random.default_rng(seed).normal(size=(3, 60, 2)).cumsum(1)
    points[1, 30:] = np.nan
    points[2, 45] = (np.inf, 1.0)
    points[2, 46:] = np.nan
    return points


@pytest.mark.parametrize("cut", [1, 20, 31, 46, 60])
def test_a_grown_run_scans_only_its_new_points_and_ends_as_if_drawn_whole(qtbot, cut):
    points, pens, colors = _runs(), [pg.mkPen("#FF0000")] * 3, ["#FF0000"] * 3
    whole_paths, grown_paths = GrowingPaths(), GrowingPaths()
    whole_paths.set_paths(points, pens)
    grown_paths.set_paths(points[:, :cut], pens)
    grown_paths.set_paths(points, pens, grown_from=cut)
    for ax in (0, 1):
        assert grown_paths.dataBounds(ax) == pytest.approx(whole_paths.dataBounds(ax))
    assert grown_paths.boundingRect() == whole_paths.boundingRect()
    whole_arrows, grown_arrows = StepArrows(), StepArrows()
    whole_arrows.set_points(points, colors)
    grown_arrows.set_points(points[:, :cut], colors)
    grown_arrows.set_points(points, colors, grown_from=cut)
    assert grown_arrows._bounds == whole_arrows._bounds
    np.testing.assert_array_equal(grown_arrows._last_finite, whole_arrows._last_finite)
    np.testing.assert_array_equal(whole_arrows._last_finite, [59, 29, 44])


def test_a_grown_run_that_is_not_the_last_one_drawn_is_scanned_whole(qtbot):
    points = _runs()
    item, fresh = StepArrows(), StepArrows()
    item.set_points(_runs(seed=1)[:2, :20], ["#FF0000"] * 2)  # two runs: not this one grown
    item.set_points(points, ["#FF0000"] * 3, grown_from=20)
    fresh.set_points(points, ["#FF0000"] * 3)
    assert item._bounds == fresh._bounds
    np.testing.assert_array_equal(item._last_finite, fresh._last_finite)


def test_grown_buffer_keeps_the_first_steps_and_reuses_its_room():
    first = grown_buffer(np.zeros((0, 0, 2)), (2, 10), 0)
    first[:] = 7.0
    more = grown_buffer(first, (2, 15), 10)  # no room: a larger copy, twice the steps
    assert more.shape == (2, 15, 2) and more.base.shape == (2, 20, 2)
    np.testing.assert_array_equal(more[:, :10], 7.0)
    again = grown_buffer(more, (2, 18), 15)  # room left: the same memory
    assert again.base is more.base


def test_the_loss_plot_grown_step_by_step_equals_the_plot_drawn_once(qtbot):
    loss = np.exp(-np.linspace(0, 5, 80))[None] * np.array([[1.0], [3.0]])
    loss[1, 50:] = np.inf
    colors = ["#FF0000", "#0000FF"]
    whole, grown = LossPlot(), LossPlot()
    for plot in (whole, grown):
        qtbot.addWidget(plot.plot)
    whole.set_sweep(loss, colors)
    for cut, end in ((0, 10), (10, 40), (40, 80)):
        grown.set_sweep(loss[:, :end], colors, grown_from=cut, streaming=end < 80)
    grown.set_step(79)
    whole.set_step(79)
    for k in range(2):
        np.testing.assert_array_equal(grown.growing.drawn_points(k), whole.growing.drawn_points(k))
    for ax in (0, 1):
        assert grown.growing.dataBounds(ax) == pytest.approx(whole.growing.dataBounds(ax))
