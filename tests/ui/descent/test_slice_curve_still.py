"""The 1-D view's cut is handed over (and the view repainted) only when it moved on screen:
a playback frame of a crawling run moves it a tenth of a pixel; small moves never add up."""

import numpy as np
from PySide6.QtWidgets import QApplication

from ui.descent.plots import CURVE_STILL_PX, SliceView


def _view(qtbot) -> SliceView:
    view = SliceView()
    qtbot.addWidget(view.plot)
    view.plot.resize(450, 280)
    view.plot.show()
    qtbot.waitExposed(view.plot)
    return view


def test_a_cut_that_moved_less_than_a_pixel_fraction_is_not_handed_over_and_moves_add_up(qtbot):
    view = _view(qtbot)
    ts = np.linspace(-4.0, 4.0, 200)
    view.set_curve(ts, ts ** 2)
    QApplication.processEvents()
    pixel = view.plot.getPlotItem().vb.viewPixelSize()[1]
    calls = []
    view.curve.sigPlotChanged.connect(lambda *_: calls.append(1))
    small = 0.4 * CURVE_STILL_PX * pixel
    view.set_curve(ts, ts ** 2 + small)  # a crawling run's frame: nothing visible changed
    assert not calls
    np.testing.assert_array_equal(view.curve.getData()[1], ts ** 2)
    view.set_curve(ts, ts ** 2 + 2 * small)  # still within reach of the one drawn
    assert not calls
    view.set_curve(ts, ts ** 2 + 3 * small)  # three small moves: past it, so drawn
    assert calls
    np.testing.assert_allclose(view.curve.getData()[1], ts ** 2 + 3 * small)


def test_another_cut_is_drawn_at_once(qtbot):
    view = _view(qtbot)
    ts = np.linspace(-4.0, 4.0, 200)
    view.set_curve(ts, ts ** 2)
    QApplication.processEvents()
    view.set_curve(ts, ts ** 2 + 5.0)  # far more than a pixel
    np.testing.assert_allclose(view.curve.getData()[1], ts ** 2 + 5.0)
    other = np.linspace(-2.0, 2.0, 200)  # another span (another axis or surface)
    view.set_curve(other, other ** 2 + 5.0)
    np.testing.assert_array_equal(view.curve.getData()[0], other)
    loss = ts ** 2
    loss[3] = np.nan  # a point that left the finite range
    view.set_curve(ts, loss)
    assert np.isnan(view.curve.getData()[1][3])
