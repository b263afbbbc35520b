"""The Curve tab's focal overlay (Lin et al. fig. 1) and the compare chart's legend, which
sits outside the plot area so it never covers a curve or the example's label."""

import numpy as np
import pyqtgraph as pg

from explorer.losses import curves
from ui.loss.curves import FOCAL_AXIS

GAMMAS = ["γ = 0 (cross-entropy)", "γ = 0.5", "γ = 1", "γ = 2", "γ = 5"]


def _shown(plot):
    return [line for line in plot.overlay_lines if line.isVisible()]


def test_focal_shows_five_gammas_and_the_setting_with_a_legend(panel):
    panel.state.choose_loss("FocalLoss")
    plot = panel.curve
    lines = _shown(plot)
    assert len(lines) == 6  # five of Lin et al.'s γ, then the chosen one, dashed
    assert plot.overlay_names() == [*GAMMAS, "your setting: γ = 2"]
    assert plot.plot.property("plot_title") == curves.FOCAL_TITLE
    item = plot.plot.getPlotItem()
    assert item.getAxis("bottom").labelText == FOCAL_AXIS
    (x0, x1), (y0, y1) = item.getViewBox().viewRange()
    for line in lines:
        xs, ys = line.getData()
        assert len(xs) > 100 and xs.min() > 0 and xs.max() < 1
        assert x0 <= xs.min() and xs.max() <= x1 and y0 <= ys.min() and ys.max() <= y1
    assert plot.loss_line.getData()[0] is None or len(plot.loss_line.getData()[0]) == 0
    ce = lines[0].getData()
    np.testing.assert_allclose(ce[1], -np.log(ce[0]), rtol=1e-4)


def test_a_new_gamma_and_alpha_redraw_the_setting(panel, qtbot):
    panel.state.choose_loss("FocalLoss")
    for name, text in (("gamma", "0.5"), ("alpha", "0.25")):
        edit = panel.controls.options.control(name)
        edit.setText(text)
        edit.editingFinished.emit()
    assert panel.curve.overlay_names()[-1] == "your setting: γ = 0.5, α = 0.25"
    setting, half = _shown(panel.curve)[-1].getData(), _shown(panel.curve)[1].getData()
    np.testing.assert_allclose(setting[1], 0.25 * half[1], rtol=1e-5)


def test_another_loss_after_focal_draws_its_own_curve(panel, tmp_path):
    panel.state.choose_loss("FocalLoss")
    panel.curve.plot.grab().save(str(tmp_path / "focal.png"))
    assert (tmp_path / "focal.png").stat().st_size > 1000
    panel.state.choose_loss("MSELoss")
    assert _shown(panel.curve) == [] and panel.curve.overlay_names() == []
    xs, _ = panel.curve.loss_line.getData()
    assert len(xs) > 100
    legend = panel.curve.plot.getPlotItem().legend
    assert [label.text for _, label in legend.items] == ["L(z, y)", "dL/dz"]


def _rect(item):
    return item.mapRectToScene(item.boundingRect())


def test_the_compare_legend_is_outside_the_curves_and_the_example_label(panel, qtbot):
    panel.state.choose_loss("BCEWithLogitsLoss")
    panel.tabs.setCurrentIndex(1)
    compare = panel.compare
    item = compare.plot.getPlotItem()

    def label_in_view():  # the label is placed once the view has been laid out and drawn
        return _rect(item.getViewBox()).contains(_rect(compare.example_label))

    for cell in ((0, 0), (1, 3), (2, 1)):  # margins left and right of the middle
        panel.state._on_cell_selected("input", cell)
        assert compare.example() is not None
        qtbot.waitUntil(label_in_view)
        legend = _rect(item.legend)
        view = _rect(item.getViewBox())
        assert legend.height() > 0 and len(item.legend.items) == 5
        assert not legend.intersects(view), (legend, view)
        label = _rect(compare.example_label)
        assert not legend.intersects(label)
        z = compare.example()[0]
        dot = item.getViewBox().mapViewToScene(pg.Point(z, 0)).x()
        assert (label.right() <= dot + 1) if z > 0.5 else (label.left() >= dot - 1)


def test_the_compare_legend_still_names_every_curve(panel):
    panel.tabs.setCurrentIndex(1)
    legend = panel.compare.plot.getPlotItem().legend
    assert [label.text for _, label in legend.items] == panel.compare.labels()
    assert len(panel.compare.labels()) == 5
