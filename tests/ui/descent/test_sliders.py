"""Live sliders on the Descent page: drag a rate and the trajectories follow."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionSlider

from explorer.descent.rates import FAN
from ui.common.widgets import is_marked_invalid
from ui.descent.sliders import FAN_MODE


def _idle(panel) -> bool:
    return panel.result is not None and not panel.controller.sweep_busy


def _handle_centre(slider) -> QPoint:
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    return slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                         QStyle.SubControl.SC_SliderHandle, slider).center()


def _colour_of(panel) -> dict[float, str]:
    return dict(zip(panel.result.sweep.lrs.tolist(), panel.result.colors, strict=True))


def test_dragging_the_rate_slider_moves_the_driven_run(qtbot, panel):
    sliders = panel.sidebar.sliders
    sliders.run.setCurrentIndex(1)  # drive the second run (lr 0.05)
    slider = sliders.rate.slider
    before = panel.result.path.copy()
    start = _handle_centre(slider)
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    for dx in (10, 25, 40):
        qtbot.mouseMove(slider, start + QPoint(dx, 0))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=start + QPoint(40, 0))
    lr = sliders.rate.value()
    assert lr > 0.05
    qtbot.waitUntil(lambda: _idle(panel) and panel.descent_scene().lrs[1] == lr)
    lrs = panel.descent_scene().lrs
    assert (lrs[0], lrs[2], lrs[3]) == (0.01, 0.18, 0.21)  # only the driven run moved
    assert sliders.rate.value_label.text() == f"{lr:.4g}"
    assert panel.sidebar.lrs.text.text().split(", ")[1] == f"{lr:g}"  # the list follows
    np.testing.assert_allclose(panel.result.path[0], before[0])
    assert not np.allclose(panel.result.path[1, 1:], before[1, 1:])
    np.testing.assert_allclose(panel.result.sweep.lrs.numpy()[1], lr)


def test_many_moves_run_at_most_one_at_a_time_and_the_last_wins(qtbot, panel):
    controller, slider = panel.controller, panel.sidebar.sliders.rate.slider
    starts = []
    original = controller._job.start

    def counting(*args, **kwargs):
        starts.append(controller._job.busy)  # was another run in flight?
        return original(*args, **kwargs)

    controller._job.start = counting
    for position in range(300, 700, 20):  # twenty moves without the event loop in between
        slider.setValue(position)
    last = panel.sidebar.sliders.rate.value()
    qtbot.waitUntil(lambda: _idle(panel) and panel.descent_scene().lrs[0] == last)
    assert not any(starts)  # a move never started a run while one was in flight
    assert len(starts) < 20
    np.testing.assert_allclose(panel.result.sweep.lrs.numpy()[0], last)


def test_fan_mode_runs_five_rates_around_the_slider(qtbot, panel):
    sliders = panel.sidebar.sliders
    sliders.run.setCurrentIndex(2)  # 0.18
    sliders.mode.setCurrentText(FAN_MODE)
    qtbot.waitUntil(lambda: _idle(panel) and len(panel.result.labels) == 5)
    centre = 0.18
    np.testing.assert_allclose(panel.descent_scene().lrs, [centre * f for f in FAN])
    sliders.rate.slider.setValue(sliders.rate.slider.value() - 100)
    centre = sliders.rate.value()
    qtbot.waitUntil(lambda: _idle(panel) and panel.descent_scene().lrs[2] == centre)
    np.testing.assert_allclose(panel.result.sweep.lrs.numpy(), [centre * f for f in FAN],
                               rtol=1e-5)
    assert len(set(panel.result.colors)) == 5


def test_adding_a_rate_never_recolours_the_runs_already_there(qtbot, panel):
    before = _colour_of(panel)
    box = panel.sidebar.lrs.text
    box.clear()
    qtbot.keyClicks(box, "0.002, 0.01, 0.05, 0.18, 0.21")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _idle(panel) and len(panel.result.labels) == 5)
    after = _colour_of(panel)
    assert all(after[lr] == colour for lr, colour in before.items())
    assert after[0.002] not in before.values()
    panel.controller._on_rate_used(0.1)  # "Use this rate" from the range test
    qtbot.waitUntil(lambda: _idle(panel) and len(panel.result.labels) == 6)
    assert all(_colour_of(panel)[lr] == colour for lr, colour in after.items())


def test_optimizer_sliders_follow_the_optimizer_and_edit_its_options(qtbot, panel):
    sliders = panel.sidebar.sliders
    assert list(sliders.options) == ["momentum"]
    sliders.options["momentum"].slider.setValue(500)
    qtbot.waitUntil(lambda: _idle(panel)
                    and panel.descent_scene().optimizer_options.get("momentum") == 0.5)
    assert "Heavy-ball" in sliders.bound_label.text()
    assert sliders.rate.slider.mark == sliders.rate.position(2 * 1.5 / 10)
    panel.sidebar.optimizer.setCurrentText("Adam")
    qtbot.waitUntil(lambda: _idle(panel) and panel.descent_scene().optimizer == "Adam")
    assert list(sliders.options) == ["beta1", "beta2"]
    sliders.options["beta1"].slider.setValue(800)
    qtbot.waitUntil(lambda: panel.descent_scene().optimizer_options.get("beta1") == 0.8)
    qtbot.waitUntil(lambda: _idle(panel) and not panel.controller.bound_busy, timeout=20_000)


def test_the_bound_is_marked_on_the_slider_and_snap_goes_to_the_best_rate(qtbot, panel):
    sliders = panel.sidebar.sliders
    assert sliders.rate.slider.mark == sliders.rate.position(0.2)
    assert sliders.snap.isEnabled()
    sliders.run.setCurrentIndex(0)
    qtbot.mouseClick(sliders.snap, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _idle(panel) and panel.descent_scene().lrs[0] == pytest.approx(
        2 / 11, rel=1e-4))
    panel.sidebar.optimizer_options.changed.emit({"momentum": 0.9, "nesterov": True})
    qtbot.waitUntil(lambda: not sliders.snap.isEnabled())  # no best rate known for Nesterov


def test_typed_steps_above_the_limit_are_refused_not_capped(qtbot, panel):
    box = panel.sidebar.steps
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "10000000")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert panel.descent_scene().steps == 100
    assert is_marked_invalid(box)
    assert "100,000" in panel.sidebar.start_error.text()
    count = panel.sidebar.lrs.count
    count.lineEdit().selectAll()
    qtbot.keyClicks(count, "300")
    qtbot.mouseClick(panel.sidebar.lrs.use_range, Qt.MouseButton.LeftButton)
    assert is_marked_invalid(count) and "256" in panel.sidebar.lrs.error.text()


def test_run_colours_follow_runs_not_positions():
    from ui.common import theme
    from ui.descent.colours import RunColours

    colours = RunColours()
    first = colours.update((0.1, 0.2, 0.3))
    assert first == [theme.color(0), theme.color(1), theme.color(2)]
    added = colours.update((0.05, 0.1, 0.2, 0.3))  # a smaller rate sorts first
    assert added[1:] == first and added[0] == theme.color(3)
    removed = colours.update((0.05, 0.3))
    assert removed == [added[0], added[3]]
    dragged = colours.update((0.07, 0.3))  # same runs, one at a new rate
    assert dragged == removed
    twice = colours.update((0.3, 0.3, 0.5))
    assert len(set(twice)) == 3 and twice[0] == removed[1]
    assert len(set(colours.update([0.01 * k for k in range(1, 10)]))) == 9  # past the palette


def test_a_slider_move_under_lbfgs_runs_on_the_worker(qtbot, panel, monkeypatch):
    # LBFGS is torch's own optimizer, one rate at a time (seconds per run): it must never
    # run on the GUI thread, whatever the last run of another optimizer cost.
    panel.sidebar.optimizer.setCurrentText("LBFGS")
    qtbot.waitUntil(lambda: _idle(panel), timeout=60_000)
    inline = []
    monkeypatch.setattr(panel.controller, "_run_inline", lambda work: inline.append(work))
    panel.sidebar.sliders.rate.slider.setValue(panel.sidebar.sliders.rate.slider.value() + 5)
    assert inline == []
    qtbot.waitUntil(lambda: _idle(panel), timeout=60_000)
