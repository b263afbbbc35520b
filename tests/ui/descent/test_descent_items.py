"""Drawing helpers of the Descent page: clipping, thinning, arrows, cached curves."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from ui.common.export import export_plot
from ui.common.plots import make_plot
from ui.descent.items import CachedCurves, StepArrows, _arrow_paths, clip_segments
from ui.descent.plots import _envelope, _thin


def test_clip_segments_keeps_direction_and_drops_what_is_outside():
    a = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 0.0]])
    b = np.array([[10.0, 10.0], [6.0, 6.0], [0.5, 0.0]])
    start, end = clip_segments(a, b, (-1.0, 1.0, -1.0, 1.0))
    np.testing.assert_allclose(start[0], (0, 0))
    np.testing.assert_allclose(end[0], (1, 1))  # cut at the corner, still at 45 degrees
    assert np.isnan(start[1]).all() and np.isnan(end[1]).all()  # wholly outside
    np.testing.assert_allclose(end[2], (0.5, 0.0))  # wholly inside: unchanged


def test_clip_segments_all_inside_the_box_come_back_unchanged_as_new_arrays():
    # the usual playback frame: every segment inside, returned without cutting
    rng = np.random.default_rng(3)
    a, b = rng.uniform(-0.9, 0.9, (2, 64, 3, 2))
    start, end = clip_segments(a, b, (-1.0, 1.0, -1.0, 1.0))
    np.testing.assert_array_equal(start, a)
    np.testing.assert_array_equal(end, b)
    assert not np.shares_memory(start, a) and not np.shares_memory(end, b)
    b[5, 1] = (np.nan, 0.0)  # one NaN (a run that diverged): that segment is dropped
    b[7, 2] = (3.0, 0.0)  # one leaves the box: cut at its edge
    start, end = clip_segments(a, b, (-1.0, 1.0, -1.0, 1.0))
    assert np.isnan(start[5, 1]).all() and np.isnan(end[5, 1]).all()
    assert end[7, 2, 0] == 1.0
    np.testing.assert_allclose(end[0], b[0], rtol=1e-12, atol=1e-15)


def test_thin_and_envelope_keep_what_the_eye_needs():
    path = np.stack([np.arange(10_000.0), np.zeros(10_000)], axis=1)
    thinned = _thin(path, 1000)
    assert len(thinned) <= 1002
    np.testing.assert_array_equal(thinned[:500], path[:500])  # the start as it is
    np.testing.assert_array_equal(thinned[-1], path[-1])
    y = np.ones(10_000)
    y[7777] = 50.0  # a spike must survive
    y[8888] = np.nan
    x, envelope = _envelope(np.arange(10_000.0), y, 1000)
    assert len(x) <= 1002 and np.nanmax(envelope) == 50.0 and np.nanmin(envelope) == 1.0


def test_arrow_paths_leave_out_steps_too_short_or_off_screen():
    screen = np.array([[[0.0, 0.0], [100.0, 0.0], [100.0, 0.2]],  # a long step, then a tiny one
                       [[0.0, 0.0], [1e5, 0.0], [np.nan, np.nan]]])  # off screen, then diverged
    shafts, heads = _arrow_paths(screen, (-50.0, 500.0, -50.0, 500.0))[0]
    assert shafts.elementCount() == 2 and heads.elementCount() == 3
    shafts, heads = _arrow_paths(screen, (-50.0, 500.0, -50.0, 500.0))[1]
    assert shafts.boundingRect().right() <= 500.0  # cut at the box
    assert heads.elementCount() == 0  # its head is off screen


def test_cached_curves_and_step_arrows_draw_and_export(qtbot, tmp_path):
    plot = make_plot("test", "x", "y")
    qtbot.addWidget(plot)
    curves, arrows = CachedCurves(), StepArrows(trail=3)
    plot.addItem(curves)
    plot.addItem(arrows)
    t = np.linspace(0, 1, 50)
    curves.set_curves([(t, t**2), (t, np.sqrt(t))], [pg.mkPen("r"), pg.mkPen("b")])
    assert curves.dataBounds(0) == (0.0, 1.0)
    arrows.set_points(np.stack([np.stack([t, t**2], 1), np.stack([t, np.sqrt(t)], 1)]),
                      ["#0072B2", "#D55E00"])
    arrows.set_step(20)
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    QApplication.processEvents()  # let the view lay itself out before it is grabbed
    image = plot.grab().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    pixels = pg.imageToArray(image, copy=True)[..., :3].astype(int)
    for colour in ((0x00, 0x72, 0xB2), (0xD5, 0x5E, 0x00), (255, 0, 0)):  # dots, cached curve
        assert (np.abs(pixels - colour).sum(-1) < 30).sum() > 20, colour
    assert export_plot(plot, tmp_path / "items.png", width=600).stat().st_size > 3000
