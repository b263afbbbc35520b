"""A streaming run's partial result is drawn a plot per event-loop turn, and always whole
before anything else is drawn; the pieces that make playback and streaming cheap."""

import numpy as np
import pyqtgraph as pg
import pytest

from explorer import descent
from explorer.descent.rates import log_range
from explorer.descent.scene import DescentScene
from ui.descent.items import GrowingPaths, StepArrows, _run_rects, grown_buffer
from ui.descent.plots import OptimizerArrows


def _partials(steps=300, chunk=70):
    scene = DescentScene(lrs=log_range(1e-3, 0.25, 6), steps=steps).validated()
    return scene, list(descent.iter_sweep(**scene.sweep_arguments(None), chunk=chunk))


def _stream(panel, scene):
    c = panel.controller
    c._scene = scene
    c._stream += 1
    return c, c._stream


def test_a_partial_result_draws_the_map_now_and_the_other_plots_on_later_turns(qtbot, panel):
    scene, (first, second, *_rest) = _partials()
    c, stream = _stream(panel, scene)
    c._on_sweep(first, stream, staged=True)
    assert panel.map.growing._points.shape[1] == first.steps_done + 1
    assert panel.loss_plot._loss.shape[1] != first.steps_done + 1  # not yet
    qtbot.waitUntil(lambda: not c._stages)
    assert panel.loss_plot._loss.shape[1] == first.steps_done + 1
    assert panel.slice.arrows._points.shape[1] == first.steps_done + 1
    assert c._partial_timer.isActive()  # the next partial waits PARTIAL_MS after the last part


def test_a_later_result_first_finishes_the_partial_one_so_it_only_adds_new_steps(qtbot, panel):
    scene, snaps = _partials()
    c, stream = _stream(panel, scene)
    c._on_sweep(snaps[0], stream, staged=True)
    c._on_sweep(snaps[1], stream, staged=True)  # before the first one's stages ran
    qtbot.waitUntil(lambda: not c._stages)
    c._on_sweep(snaps[-1], stream)
    whole = snaps[-1]
    drawn = c._slice_points
    np.testing.assert_array_equal(drawn[:, :, 1], whole.loss.numpy())
    np.testing.assert_array_equal(drawn[:, :, 0], whole.path.numpy()[:, :, 0])
    loss = panel.loss_plot._points[:, :, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(whole.loss.numpy() > 0, np.log10(whole.loss.numpy()), np.nan)
    np.testing.assert_array_equal(loss, expected)


def test_cancel_finishes_the_partial_result_begun_and_draws_nothing_after(qtbot, panel):
    scene, (first, *_rest) = _partials()
    c, stream = _stream(panel, scene)
    c._on_sweep(first, stream, staged=True)
    c.cancel()
    assert not c._stages and not c._stage_timer.isActive()
    assert panel.loss_plot._loss.shape[1] == first.steps_done + 1
    with qtbot.assertNotEmitted(c.result_changed, wait=50):
        pass


def test_a_buffer_with_room_is_made_the_runs_length_once():
    first = grown_buffer(np.zeros((0, 0, 2)), (2, 10), 0, room=40)
    assert first.shape == (2, 10, 2) and first.base.shape == (2, 40, 2)
    first[:] = 3.0
    more = grown_buffer(first, (2, 30), 10, room=40)
    assert more.base is first.base
    np.testing.assert_array_equal(more[:, :10], 3.0)


def test_one_dirty_rect_covers_every_runs_points_and_skips_runs_that_diverged(qtbot):
    item = StepArrows()
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.addItem(item)
    plot.resize(300, 300)
    plot.show()
    qtbot.waitExposed(plot)
    points = np.array([[[0.0, 0.0], [1.0, 2.0]], [[-3.0, 1.0], [-2.0, 5.0]],
                       [[np.nan, np.nan], [np.nan, np.nan]]])
    item.set_points(points, ["#FF0000"] * 3)
    (rect,) = _run_rects(item, points, 0, 1, pad_px=0.0)
    assert (rect.left(), rect.top(), rect.right(), rect.bottom()) == (-3.0, 0.0, 1.0, 5.0)
    assert _run_rects(item, points[2:], 0, 1, pad_px=0.0) == []
    points[0, 1] = (np.inf, 0.0)  # cannot be bounded: the caller repaints the whole item
    assert _run_rects(item, points, 0, 1, pad_px=0.0) is None


def test_arrows_share_the_growing_paths_range_and_off_view_is_asked_once(qtbot):
    points = np.array([[[0.0, 0.0], [1.0, 1.0], [50.0, 0.0]], [[0.0, 1.0], [0.5, 1.5], [0.6, 1.6]]])
    growing, arrows, fresh = GrowingPaths(), StepArrows(edge_arrows=True), StepArrows()
    growing.set_paths(points, [pg.mkPen("#FF0000")] * 2)
    arrows.set_points(points, ["#FF0000"] * 2, finite_range=growing.finite_range)
    fresh.set_points(points, ["#FF0000"] * 2)
    assert arrows._bounds == fresh._bounds
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.addItem(arrows)
    plot.setXRange(-1, 2, padding=0)
    plot.setYRange(-1, 2, padding=0)
    plot.resize(300, 300)
    plot.show()
    qtbot.waitExposed(plot)
    arrows.set_step(2)
    far = arrows.off_view()
    assert [k for k, _ in far] == [0] and np.hypot(*far[0][1]) == pytest.approx(1.0)
    assert arrows.off_view() is far  # the paint after set_step reuses it


def test_optimizer_arrows_are_hidden_while_there_are_none(qtbot):
    arrows = OptimizerArrows()
    arrows.set_arrows((0.0, 0.0), {"step taken": (1.0, 0.0)})
    assert arrows.curves["step taken"].isVisible()
    assert not arrows.curves["-lr·gradient"].isVisible()
    arrows.set_arrows(None, {})
    assert not any(item.isVisible() for item in (*arrows.curves.values(),
                                                  *arrows.heads.values()))
    assert len(arrows.getData()[0]) == 0
