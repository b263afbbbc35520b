"""The Descent page as a user drives it: typing rates, playback, keys, clicks, export."""

import json
import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from explorer.descent.scene import DescentScene, LRTestOptions, ViewOptions
from ui.common.export import export_plot, has_content, plotted_data
from ui.common.widgets import is_marked_invalid


def _idle(panel) -> bool:
    return panel.result is not None and not panel.controller.sweep_busy


def _type_lrs(qtbot, panel, text: str) -> None:
    box = panel.sidebar.lrs.text
    box.clear()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def _legend_texts(panel) -> list[str]:
    return [label.text for _, label in panel.map.plot.getPlotItem().legend.items]


def test_typed_learning_rates_run_at_once_and_keep_the_step(qtbot, panel):
    panel.playback.seek(30)
    _type_lrs(qtbot, panel, "0.02, 0.15")
    qtbot.waitUntil(lambda: _idle(panel) and len(panel.result.labels) == 2)
    assert panel.descent_scene().lrs == (0.02, 0.15)
    assert _legend_texts(panel) == ["lr = 0.02", "lr = 0.15"]
    assert panel.playback.step == 30
    np.testing.assert_allclose(panel.result.sweep.lrs.numpy(), [0.02, 0.15])


def test_play_advances_the_step_and_moves_the_markers(qtbot, panel):
    panel.playback.set_speed(200)
    qtbot.mouseClick(panel.bar.play_button, Qt.MouseButton.LeftButton)
    assert panel.bar.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: panel.playback.step >= 5)
    qtbot.mouseClick(panel.bar.play_button, Qt.MouseButton.LeftButton)
    step = panel.playback.step
    assert not panel.playback.is_playing()
    assert panel.map.arrows.step == step
    assert panel.loss_plot.cursor.value() == step
    assert panel.bar.step_label.text() == f"{step} / 100"


def test_plots_frame_the_whole_run(qtbot, panel):
    (x0, x1), (y0, y1) = panel.loss_plot.plot.getPlotItem().vb.viewRange()
    assert x0 <= 0 and x1 >= 100
    finite = np.log10(panel.result.loss[np.isfinite(panel.result.loss)])
    assert y0 <= finite.min() and y1 >= finite.max()
    assert panel.map.plot.getPlotItem().vb.viewRange()[0] == pytest.approx([-4, 4])


def test_scrub_slider_sets_the_step_everywhere(qtbot, panel):
    panel.bar.slider.setValue(40)
    assert panel.playback.step == 40
    assert panel.loss_plot.cursor.value() == 40
    assert panel.slice.arrows.step == 40
    loss = panel.result.loss[0, 40]
    assert f"{loss:.4g}" in panel.numbers.text()


def test_space_and_arrow_keys_drive_playback(qtbot, panel):
    panel.activateWindow()
    panel.map.plot.setFocus()
    qtbot.keyClick(panel.map.plot, Qt.Key.Key_Right)
    qtbot.keyClick(panel.map.plot, Qt.Key.Key_Right)
    assert panel.playback.step == 2
    qtbot.keyClick(panel.map.plot, Qt.Key.Key_Left)
    assert panel.playback.step == 1
    qtbot.keyClick(panel.map.plot, Qt.Key.Key_Space)
    assert panel.playback.is_playing()
    qtbot.keyClick(panel.map.plot, Qt.Key.Key_Space)
    assert not panel.playback.is_playing()


def test_arrow_keys_still_edit_text_in_the_rate_box(qtbot, panel):
    box = panel.sidebar.lrs.text
    box.setFocus()
    box.setCursorPosition(0)
    qtbot.keyClick(box, Qt.Key.Key_Right)
    assert box.cursorPosition() == 1
    assert panel.playback.step == 0


def test_click_on_the_map_sets_the_start_and_reruns(qtbot, panel):
    vb = panel.map.plot.getPlotItem().vb
    where = panel.map.plot.mapFromScene(vb.mapViewToScene(QPointF(1.5, -2.0)))
    before = panel.descent_scene().start
    qtbot.mouseClick(panel.map.plot.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: panel.descent_scene().start != before)
    x, y = panel.descent_scene().start
    pixel = vb.viewPixelSize()
    assert abs(x - 1.5) < 2 * pixel[0] and abs(y + 2.0) < 2 * pixel[1]
    qtbot.waitUntil(lambda: _idle(panel) and np.allclose(panel.result.path[0, 0], (x, y)))
    assert panel.sidebar.start_label.text() == f"({x:.3g}, {y:.3g})"


def test_a_diverging_rate_is_labelled_in_the_legend(qtbot, panel):
    _type_lrs(qtbot, panel, "0.1, 0.5")
    qtbot.waitUntil(lambda: _idle(panel) and len(panel.result.labels) == 2)
    panel.playback.seek(panel.playback.last_step)  # said once playback reaches the step
    texts = _legend_texts(panel)
    assert texts[0] == "lr = 0.1"
    assert texts[1].startswith("lr = 0.5 — diverging at step ")
    at = panel.result.diverged[1]
    assert texts[1] == f"lr = 0.5 — diverging at step {at}"
    assert "diverging" in panel.numbers.text() or panel.playback.step <= at


def test_bad_rate_text_marks_the_box_and_keeps_the_last_run(qtbot, panel):
    before = panel.result
    _type_lrs(qtbot, panel, "0.1, -3")
    box = panel.sidebar.lrs.text
    assert is_marked_invalid(box)
    assert "positive finite" in panel.sidebar.lrs.error.text()
    assert box.text() == "0.1, -3"  # what the user typed stays
    assert panel.result is before and not panel.controller.sweep_busy
    assert panel.descent_scene().lrs == DescentScene().lrs
    _type_lrs(qtbot, panel, "0.1")
    assert not is_marked_invalid(box)
    qtbot.waitUntil(lambda: _idle(panel) and len(panel.result.labels) == 1)


def test_bad_option_marks_its_control(qtbot, panel):
    before = panel.result
    momentum = panel.sidebar.optimizer_options.control("momentum")
    momentum.clear()
    qtbot.keyClicks(momentum, "1.5")
    qtbot.keyClick(momentum, Qt.Key.Key_Return)
    assert is_marked_invalid(momentum)
    assert "[0, 1)" in momentum.toolTip()
    assert panel.result is before
    momentum.clear()
    qtbot.keyClicks(momentum, "0.9")
    qtbot.keyClick(momentum, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _idle(panel) and panel.result is not before)
    assert panel.descent_scene().optimizer_options["momentum"] == 0.9
    assert "velocity" in panel.result.sweep.internals


def test_unknown_device_is_reported_under_the_run_settings(qtbot, panel):
    before = panel.result
    panel.set_device("tpu:7")
    qtbot.waitUntil(lambda: panel.sidebar.start_error.isVisible())
    assert "tpu" in panel.sidebar.start_error.text()
    assert not is_marked_invalid(panel.sidebar.lrs.text)
    assert panel.result is before
    panel.set_device("cpu")
    qtbot.waitUntil(lambda: _idle(panel) and panel.result is not before)
    assert not panel.sidebar.start_error.isVisible()


def test_log_range_and_presets_set_the_rates(qtbot, panel):
    chooser = panel.sidebar.lrs
    chooser.low.setText("0.001")
    chooser.high.setText("0.1")
    chooser.count.setValue(3)
    qtbot.mouseClick(chooser.use_range, Qt.MouseButton.LeftButton)
    assert panel.descent_scene().lrs == (0.001, 0.01, 0.1)
    assert chooser.text.text() == "0.001, 0.01, 0.1"
    assert chooser.preset.count() > 1
    chooser.preset.activated.emit(1)  # "all" of the reference rates
    assert len(panel.descent_scene().lrs) == chooser.preset.count() - 2
    qtbot.waitUntil(lambda: _idle(panel))


def test_saved_scene_round_trips_through_the_page(qtbot, panel):
    scene = DescentScene(surface="rosenbrock", surface_options={}, optimizer="Adam",
                         optimizer_options={"beta1": 0.8}, schedule="StepLR",
                         lrs=(0.01, 0.1), steps=60, start=(-1.0, 2.0), dtype="float32",
                         current_step=25,
                         view=ViewOptions(log_loss=False, show_internals=True, slice_axis="y",
                                          speed=50.0),
                         lr_test=LRTestOptions(model="mlp-iris", start_lr=1e-4, end_lr=1.0,
                                               steps=60, mode="linear", optimizer="Adam"))
    assert scene.validated() != DescentScene().validated()
    panel.set_scene(json.loads(json.dumps(scene.to_dict())))
    qtbot.waitUntil(lambda: _idle(panel) and panel.result.steps_done == 60, timeout=20000)
    assert panel.sidebar.surface.currentData() == "rosenbrock"
    assert panel.sidebar.optimizer.currentText() == "Adam"
    assert panel.sidebar.optimizer_options.values()["beta1"] == 0.8
    assert panel.sidebar.schedule.currentText() == "StepLR"
    assert panel.sidebar.dtype.currentText() == "float32"
    assert panel.sidebar.internals.isChecked() and panel.sidebar.slice_axis.currentText() == "y"
    assert panel.lr_test.model.currentText() == "mlp-iris"
    assert panel.lr_test.steps.value() == 60
    assert panel.bar.speed.value() == 50
    assert panel.playback.step == 25
    assert panel.result.path.dtype == np.float32
    assert panel.result.sweep.optimizer == "Adam"
    assert DescentScene.from_dict(panel.scene()) == scene
    assert DescentScene.from_dict(json.loads(json.dumps(panel.scene()))) == scene
    assert panel.loss_plot.plot.getPlotItem().getAxis("left").labelText == "loss"


def test_invalid_scene_changes_nothing(qtbot, panel):
    before = panel.scene()
    with pytest.raises(ValueError, match="Unknown surface"):
        panel.set_scene(before | {"surface": "moon"})
    assert panel.scene() == before


def test_internals_overlay_draws_the_gradient(qtbot, panel):
    panel.sidebar.internals.setChecked(True)
    panel.playback.seek(3)
    x, y = panel.map.internals.getData()
    assert len(x) >= 4  # -lr·gradient and the step taken, each a pair of points
    np.testing.assert_allclose((x[0], y[0]), panel.result.path[0, 3])
    grad = panel.result.sweep.internals["grad"][0, 3]
    assert f"gradient = ({grad[0]:.4g}, {grad[1]:.4g})" in panel.numbers.internals.text()
    panel.sidebar.internals.setChecked(False)
    assert len(panel.map.internals.getData()[0]) == 0
    assert panel.numbers.internals.text() == ""


def test_long_runs_stream_and_can_be_cancelled(qtbot, panel):
    seen = []
    panel.controller.result_changed.connect(lambda run: seen.append(run.steps_done))
    panel.sidebar.steps.setValue(1200)
    qtbot.waitUntil(lambda: _idle(panel) and panel.result.steps_done == 1200, timeout=20000)
    assert len(seen) >= 2 and seen[0] < 1200  # partial results came first
    assert panel.playback.last_step == 1200
    panel.sidebar.steps.setValue(5000)
    assert panel.cancel.isEnabled()
    qtbot.mouseClick(panel.cancel, Qt.MouseButton.LeftButton)
    assert not panel.controller.sweep_busy and not panel.cancel.isEnabled()


def test_lr_range_test_suggests_and_sends_a_rate(qtbot, panel):
    view = panel.lr_test
    view.steps.setValue(40)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.controller.lr_test_busy and view.buttons.count() > 0,
                    timeout=20000)
    suggested = view.suggestion_lrs()
    assert len(suggested) == view.buttons.count() >= 1
    assert view.plot.getPlotItem().getAxis("bottom").logMode
    qtbot.mouseClick(view.buttons.itemAt(0).widget(), Qt.MouseButton.LeftButton)
    assert any(math.isclose(lr, suggested[0], rel_tol=1e-9) for lr in panel.descent_scene().lrs)
    assert panel.tabs.currentIndex() == 0
    qtbot.waitUntil(lambda: _idle(panel))


def test_lr_range_test_runs_when_its_tab_first_opens(qtbot, panel):
    panel.lr_test.steps.setValue(30)
    assert panel.descent_scene().lr_test.steps == 30
    panel.tabs.setCurrentWidget(panel.lr_test)
    assert panel.controller.lr_test_busy
    qtbot.waitUntil(lambda: not panel.controller.lr_test_busy, timeout=20000)
    lrs = panel.lr_test.raw.xData  # as computed (getData gives the log10 drawn on a log axis)
    assert len(lrs) >= 2 and lrs[0] == pytest.approx(1e-5)


def test_lr_range_test_bad_input_is_marked(qtbot, panel):
    view = panel.lr_test
    view.end_lr.setText("1e-7")
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert is_marked_invalid(view.end_lr)
    assert "larger than the start" in view.error.text()
    assert not panel.controller.lr_test_busy


def test_every_plot_exports_to_png(qtbot, panel, tmp_path):
    panel.compute_now()
    panel.playback.seek(10)
    for name, plot in panel.plots().items():
        assert has_content(plot), name
        path = export_plot(plot, tmp_path / f"{name}.png", width=800)
        assert path.stat().st_size > 5000, name


def test_trajectories_and_losses_export_to_csv_at_full_resolution(qtbot, panel, tmp_path):
    plots = panel.plots()
    rows = {name: x for name, x, _ in plotted_data(plots["loss-per-step"].getPlotItem())}
    assert rows["lr = 0.01"] == list(map(float, range(101)))
    path = export_plot(plots["trajectories"], tmp_path / "paths.csv")
    header = path.read_text().splitlines()[0]
    assert header.startswith("known minimum (x),known minimum (y),start (x),start (y)")
    assert "lr = 0.01 (x),lr = 0.01 (y),lr = 0.05 (x)" in header
    assert len(path.read_text().splitlines()) == 102


@pytest.mark.gpu
def test_runs_on_the_gpu(qtbot, panel):
    panel.set_device("cuda:0")
    qtbot.waitUntil(lambda: _idle(panel))
    panel.compute_now()
    assert panel.result.path.shape == (4, 101, 2)


class _FakeDrag:
    """Just enough of pyqtgraph's MouseDragEvent for the map's drag handler."""

    def __init__(self, item, x, y):
        self._pos = item.mapFromParent(QPointF(x, y))
        self.accepted = False

    def button(self):
        return Qt.MouseButton.LeftButton

    def pos(self):
        return self._pos

    def accept(self):
        self.accepted = True

    def ignore(self):
        self.accepted = False


def test_dragging_on_the_map_moves_the_start_and_reruns_once_settled(qtbot, panel):
    image = panel.map.image
    for x in (0.5, 1.0, 1.5):
        event = _FakeDrag(image, x, 2.0)
        image.mouseDragEvent(event)
        assert event.accepted
    assert panel.map.start.data["x"][0] == pytest.approx(1.5)  # the marker follows at once
    qtbot.waitUntil(lambda: panel.descent_scene().start is not None
                    and panel.descent_scene().start[0] == pytest.approx(1.5))
    qtbot.waitUntil(lambda: _idle(panel) and np.allclose(panel.result.path[0, 0], (1.5, 2.0)))


def test_controls_come_from_the_specs_and_rerun(qtbot, panel):
    panel.sidebar.optimizer.setCurrentText("Adam")
    assert panel.sidebar.optimizer_options.control("beta2") is not None
    qtbot.waitUntil(lambda: _idle(panel) and panel.result.sweep.optimizer == "Adam")
    panel.sidebar.surface.setCurrentIndex(panel.sidebar.surface.findData("linear-regression"))
    loss = panel.sidebar.surface_options.control("loss")
    assert loss.findText("HuberLoss") >= 0
    assert panel.map.plot.getPlotItem().getAxis("bottom").labelText == "w (slope)"
    loss.setCurrentText("L1Loss")
    assert panel.descent_scene().surface_options == {"loss": "L1Loss", "delta": 1.0}
    panel.sidebar.schedule.setCurrentText("StepLR")
    panel.sidebar.dtype.setCurrentText("float32")
    qtbot.waitUntil(lambda: _idle(panel) and panel.result.path.dtype == np.float32)
    scene = panel.descent_scene()
    assert (scene.surface, scene.schedule, scene.dtype) == ("linear-regression", "StepLR",
                                                            "float32")


def test_theme_change_restyles_the_plots(qtbot, panel):
    from ui.common import theme

    try:
        theme.set_theme("dark")
        assert panel.slice.curve.opts["pen"].color().name() == theme.DARK.neutral.lower()
        assert panel.map.plot.getPlotItem().legend.labelTextColor().name() == "#e8e8e8"
        assert _legend_texts(panel)[:3] == ["lr = 0.01", "lr = 0.05", "lr = 0.18"]
        runs = panel.result.colors
        dark = [theme.text_color(c, theme.DARK.background) for c in runs]
        assert panel.numbers.colors()[:len(runs)] == dark  # each run's number, readable
    finally:
        theme.set_theme("light")
    assert panel.slice.curve.opts["pen"].color().name() == theme.LIGHT.neutral.lower()
    light = [theme.text_color(c, theme.LIGHT.background) for c in panel.result.colors]
    assert panel.numbers.colors()[:len(light)] == light != dark


def test_the_lr_test_tab_offers_exactly_the_steps_the_range_test_runs(qtbot, panel):
    from explorer.descent import lr_finder

    steps = panel.lr_test.steps
    assert (steps.minimum(), steps.maximum()) == (lr_finder.MIN_STEPS, lr_finder.MAX_STEPS)
    assert [panel.lr_test.model.itemText(i) for i in range(panel.lr_test.model.count())] == \
        list(lr_finder.MODELS)


def test_a_refused_option_keeps_the_last_good_scene(qtbot, panel):
    before = panel.descent_scene()
    panel.sidebar.optimizer_options.changed.emit({"momentum": 0.0, "nesterov": True,
                                                   "dampening": 0.0, "weight_decay": 0.0})
    assert panel.descent_scene() == before
    nesterov = panel.sidebar.optimizer_options.control("nesterov")
    assert is_marked_invalid(nesterov) and "Nesterov" in nesterov.toolTip()
    assert DescentScene.from_dict(panel.scene()) == before  # what would be saved still opens


def _type_option(qtbot, panel, name: str, text: str) -> None:
    box = panel.sidebar.surface_options.control(name)
    box.clear()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_your_own_surface_is_typed_drawn_and_run(qtbot, panel):
    """Issue 15: type f(x, y) and its view; every run and the map follow."""
    panel.sidebar.surface.setCurrentIndex(panel.sidebar.surface.findData("custom"))
    qtbot.waitUntil(lambda: _idle(panel) and panel.result.sweep.surface == "custom")
    _type_option(qtbot, panel, "expression", "sin(3*x)*cos(3*y) + 0.1*(x**2 + y**2)")
    _type_option(qtbot, panel, "x_max", "5")
    scene = panel.descent_scene()
    assert scene.surface_options["x_max"] == 5.0
    qtbot.waitUntil(lambda: _idle(panel))
    assert scene.surface_options["expression"] == "sin(3*x)*cos(3*y) + 0.1*(x**2 + y**2)"
    assert "\\sin" in panel.sidebar.formula.latex()
    assert panel.map._bounds[1] == 5.0
    # A bad formula: its field turns red with the reason, keeps the text, and nothing changes.
    _type_option(qtbot, panel, "expression", "x + __import__('os')")
    box = panel.sidebar.surface_options.control("expression")
    assert is_marked_invalid(box) and "not a function" in box.toolTip()
    assert box.text() == "x + __import__('os')"
    assert panel.descent_scene() == scene
    assert DescentScene.from_dict(panel.scene()) == scene


def test_a_range_test_on_the_surface_goes_stale_when_the_surface_changes(qtbot, panel):
    panel.controller.compute_now()
    assert panel.descent_scene().lr_test.model == "surface"
    assert len(panel.lr_test.suggestion_lrs()) == 2
    panel.sidebar.surface.setCurrentIndex(panel.sidebar.surface.findData("rosenbrock"))
    assert len(panel.lr_test.suggestion_lrs()) == 0
    assert "run it again" in panel.lr_test.reasons.text()
    qtbot.waitUntil(lambda: _idle(panel))


def test_the_numbers_take_no_room_for_runs_there_are_not(qtbot, panel):
    """Four runs fill one column of numbers; the second column (for runs 5 to 8) takes no
    width, so the numbers fit beside the playback bar without a scroll bar."""
    numbers = panel.numbers
    assert len(panel.result.labels) == 4
    assert [c.isVisibleTo(numbers) for c in numbers.cells] == [True] * 4 + [False] * 4
    narrow = numbers.sizeHint().width()
    _type_lrs(qtbot, panel, "0.01, 0.02, 0.03, 0.04, 0.05, 0.06")
    qtbot.waitUntil(lambda: _idle(panel) and len(panel.result.labels) == 6)
    assert [c.isVisibleTo(numbers) for c in numbers.cells] == [True] * 6 + [False] * 2
    assert numbers.sizeHint().width() > narrow + numbers.cells[0].width() / 2
    assert "lr = 0.06" in numbers.text()


def test_presentation_scale_grows_the_markers_with_the_fonts(qtbot, panel):
    """At 1.5 x (a 1080p projector) the dots, crosses, start ring and arrowheads are drawn
    1.5 x as large, as the fonts are; back at the desk, their own size again."""
    from ui.common import theme
    from ui.descent.plots import MARKERS

    def sizes():
        return (panel.map.start.opts["size"], panel.loss_plot.diverging.opts["size"],
                panel.map.arrows._scale, panel.loss_plot.dots._scale, panel.slice.arrows._scale,
                panel.map.arrows._pens[0].widthF())

    desk = sizes()
    assert desk[:5] == (MARKERS["start"], MARKERS["diverging"], 1.0, 1.0, 1.0)
    panel.map.plot.grab()
    desk_dot = panel.map.arrows._sprites[0].height()  # a cell of the dots' atlas
    try:
        theme.set_scale(1.5)
        start, cross, *scales, width = sizes()
        assert (start, cross) == (1.5 * MARKERS["start"], 1.5 * MARKERS["diverging"])
        assert scales == [1.5, 1.5, 1.5] and width == pytest.approx(1.5 * desk[5])
        assert not panel.map.plot.grab().isNull()
        assert panel.map.arrows._sprites[0].height() >= 1.3 * desk_dot  # the dots drawn
    finally:
        theme.set_scale(1.0)
    assert sizes() == desk
