"""The Descent page says what happens: divergence when it starts, bounds on the plots,
a marker off the map, the optimizer's arrows named, the map in the theme's colours."""

from dataclasses import replace

import numpy as np
import pytest

from explorer.descent import surfaces
from explorer.descent.reference import measured_reference
from ui.common import theme
from ui.common.widgets import is_marked_invalid
from ui.descent.plots import ARROWS, arrow_color


def _idle(panel) -> bool:
    return (panel.result is not None and not panel.controller.sweep_busy
            and not panel.controller.bound_busy)


def _legend_texts(panel) -> list[str]:
    return [label.text for _, label in panel.map.plot.getPlotItem().legend.items]


def test_the_default_bowl_at_0_21_reads_diverging_in_legend_plot_and_numbers(qtbot, panel):
    at = panel.result.diverged[3]
    assert at is not None and 0 < at < 100
    panel.playback.seek(at)  # labelled once playback is there (before: test_divergence_at_step)
    assert _legend_texts(panel)[3] == f"lr = 0.21 — diverging at step {at}"
    assert _legend_texts(panel)[:3] == ["lr = 0.01", "lr = 0.05", "lr = 0.18"]
    marks = panel.loss_plot.diverging.getData()
    np.testing.assert_allclose(marks[0], [at])  # a cross on the loss curve at that step
    np.testing.assert_allclose(marks[1], [np.log10(panel.result.loss[3, at])])
    panel.playback.seek(at - 1)
    assert "diverging" not in panel.numbers.text()
    panel.playback.seek(at)
    assert f"lr = 0.21: loss {panel.result.loss[3, at]:.4g}, diverging at step {at}" \
        in panel.numbers.text()


def test_a_marker_that_leaves_the_map_gets_an_arrow_at_the_edge(qtbot, panel):
    panel.playback.seek(60)
    off = panel.map.arrows.off_view()
    assert [k for k, _ in off] == [3]  # lr = 0.21 has left the map; the others are on it
    (dx, dy), = [d for _, d in off]
    x, y = panel.result.path[3, 60]
    assert np.sign(dx) == np.sign(x) and abs(dx) > abs(dy)  # it went off along x
    shot = panel.map.plot.grab()
    assert not shot.isNull()
    panel.playback.seek(0)
    assert panel.map.arrows.off_view() == []


def test_the_bound_is_drawn_on_the_loss_vs_lr_view(qtbot, panel):
    # The range test runs its own optimizer (plain SGD here) on the surface shown.
    assert panel.lr_test.bound_lr() == pytest.approx(0.2)
    panel.sidebar.optimizer_options.changed.emit({"momentum": 0.5})
    qtbot.waitUntil(lambda: _idle(panel)
                    and panel.descent_scene().optimizer_options == {"momentum": 0.5})
    assert panel.lr_test.bound_lr() == pytest.approx(0.2)  # still the test's own SGD
    panel.lr_test.optimizer.setCurrentText("Adam")  # no formula; not measured for Adam here
    qtbot.waitUntil(lambda: panel.descent_scene().lr_test.optimizer == "Adam")
    assert panel.lr_test.bound_lr() is None
    panel.sidebar.optimizer.setCurrentText("Adam")  # the trajectories measure Adam's boundary
    qtbot.waitUntil(lambda: _idle(panel) and panel.lr_test.bound_lr() is not None,
                    timeout=20_000)
    assert "(measured)" in panel.lr_test.bound.label.format
    assert "still converges" in panel.sidebar.sliders.bound_label.text()


def test_nesterov_shows_its_closed_bound_on_the_slider_at_once(qtbot, panel):
    panel.sidebar.optimizer_options.changed.emit({"momentum": 0.9, "nesterov": True})
    text = panel.sidebar.sliders.bound_label
    qtbot.waitUntil(lambda: "Nesterov momentum beta = 0.9" in text.text())
    assert "0.1357" in text.text() and "No closed-form bound" not in text.text()
    assert not panel.controller.bound_busy  # a formula: nothing to measure
    lr = 2 * 1.9 / (2.8 * 10)  # Nesterov's limit on the default bowl (lambda_max = 10)
    assert panel.sidebar.sliders.rate.slider.mark == panel.sidebar.sliders.rate.position(lr)
    assert panel.lr_test.bound_lr() == pytest.approx(0.2)  # the range test runs plain SGD


def test_optimizer_arrows_have_their_own_colours_and_a_legend(qtbot, panel):
    panel.sidebar.optimizer_options.changed.emit({"momentum": 0.9})
    qtbot.waitUntil(lambda: _idle(panel)
                    and panel.descent_scene().optimizer_options == {"momentum": 0.9})
    panel.sidebar.internals.setChecked(True)
    panel.playback.seek(5)
    legend = panel.map.arrow_legend
    assert legend.isVisible()
    assert [label.text for _, label in legend.items] == list(ARROWS)
    colours = {arrow_color(name) for name in ARROWS}
    assert len(colours) == 3 and not colours & set(theme.OKABE_ITO)
    drawn = {name for name, item in panel.map.internals.curves.items()
             if len(item.getData()[0])}
    assert drawn == {"-lr·gradient", "step taken", "-lr·velocity"}
    panel.sidebar.internals.setChecked(False)
    assert not legend.isVisible()


def test_the_contour_map_follows_the_dark_theme(qtbot, panel):
    def background():
        lut = panel.map.image.getColorMap().getLookupTable(nPts=2, mode="byte")
        return tuple(int(v) for v in lut[0][:3])

    assert background() == (255, 255, 255)
    try:
        theme.set_theme("dark")
        assert sum(background()) < 120
        assert panel.map.start.opts["pen"].color().name().upper() == theme.DARK.foreground
    finally:
        theme.set_theme("light")
    assert background() == (255, 255, 255)
    qtbot.waitUntil(lambda: _idle(panel))


def test_switching_the_surface_offers_its_own_presets(qtbot, panel):
    index = panel.sidebar.surface.findData("rosenbrock")
    panel.sidebar.surface.setCurrentIndex(index)
    qtbot.waitUntil(lambda: _idle(panel) and panel.descent_scene().surface == "rosenbrock"
                    and not panel.controller.presets_busy, timeout=20_000)
    presets = measured_reference("rosenbrock", surfaces.info("rosenbrock").default_start,
                                 None, panel.descent_scene().steps).presets
    qtbot.waitUntil(lambda: np.allclose(panel.descent_scene().lrs, list(presets.values()),
                                        rtol=1e-3), timeout=20_000)  # measured, then run
    assert panel.sidebar.lrs.preset.count() == len(presets) + 2
    assert "measured" in panel.sidebar.explanation.text()


def test_a_start_that_overflows_explains_itself_at_the_start(qtbot, panel):
    panel.set_scene(replace(panel.descent_scene(), start=(1e200, 1e200)))
    qtbot.waitUntil(lambda: _idle(panel) and panel.result.sweep.path[0, 0, 0] == 1e200)
    assert "overflows" in panel.sidebar.start_error.text()
    assert is_marked_invalid(panel.sidebar.start_label)
    panel.sidebar.reset_start.emit()
    qtbot.waitUntil(lambda: _idle(panel) and panel.descent_scene().start is None)
    assert not panel.sidebar.start_error.isVisible()


def test_a_start_outside_the_map_widens_the_view_to_show_it(qtbot, panel):
    panel.set_scene(replace(panel.descent_scene(), start=(9.0, -7.0)))
    qtbot.waitUntil(lambda: _idle(panel) and panel.result.path[0, 0, 0] == 9.0)
    (x0, x1), (y0, y1) = panel.map.plot.getPlotItem().vb.viewRange()
    assert x0 <= -4.0 and x1 >= 9.0 and y0 <= -7.0 and y1 >= 4.0
