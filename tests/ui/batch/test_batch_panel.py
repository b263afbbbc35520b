"""The Batch lab page: training with progress and cancel, comparing runs, bad input, scenes."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from explorer.errors import InputError
from explorer.training.scene import BatchScene
from ui.batch.labels import run_label
from ui.batch.panel import PROGRESS_STEPS, BatchPanel
from ui.common import theme
from ui.common.tab_strip import TabStrip
from ui.common.widgets import is_marked_invalid

QUICK = BatchScene().with_changes(epochs=3, batch_size=30)


@pytest.fixture
def panel(qtbot):
    page = BatchPanel()
    qtbot.addWidget(page)
    page.show_scene(QUICK)
    yield page
    page.shutdown()


def _train(qtbot, panel, timeout=30_000):
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy and panel.live_run is None, timeout=timeout)


def _points(curve) -> int:
    x, _y = curve.getData()
    return 0 if x is None else len(x)


def test_a_run_moves_the_progress_bar_and_fills_the_curves(qtbot, panel):
    panel.show_scene(QUICK.with_changes(epochs=6))
    seen = []
    panel.progress.valueChanged.connect(seen.append)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert not panel.train_button.isEnabled() and panel.cancel_button.isEnabled()
    run = panel.live_run
    qtbot.waitUntil(lambda: _points(run.curves[0]) >= 1, timeout=20_000)
    qtbot.waitUntil(lambda: run.finished, timeout=30_000)
    assert [_points(c) for c in run.curves] == [6, 6, 6]
    assert seen[0] == 0 and seen == sorted(seen)
    assert len({v for v in seen if 0 < v < PROGRESS_STEPS}) > 3  # it moved, in many steps
    assert panel.progress.value() == PROGRESS_STEPS
    assert panel.run_list.labels() == [run_label(QUICK.train_config().replace(epochs=6))]
    # The buttons follow the worker thread's end, which comes just after its last result.
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)
    assert panel.train_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert "validation accuracy" in panel.status.text()


def test_cancel_stops_the_run_and_keeps_no_half_run(qtbot, panel):
    panel.show_scene(QUICK.with_changes(epochs=2000, batch_size=4))
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    run = panel.live_run
    qtbot.waitUntil(lambda: _points(run.curves[0]) >= 1, timeout=20_000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not panel.busy and panel.train_button.isEnabled()
    assert panel.run_list.labels() == [] and panel.curves.runs == {}
    assert panel.status.text() == "Cancelled."
    assert panel.progress.value() == 0


def test_closing_during_a_run_ends_it(qtbot, panel):
    panel.show_scene(QUICK.with_changes(epochs=2000, batch_size=4))
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    run = panel.live_run
    qtbot.waitUntil(lambda: _points(run.curves[0]) >= 1, timeout=20_000)
    panel.close()
    assert not panel.busy


def test_toggling_bn_gives_two_named_runs_in_two_colours(qtbot, panel):
    _train(qtbot, panel)
    panel.controls.batch_norm.click()
    assert panel.batch_scene().config.batch_norm
    _train(qtbot, panel)
    assert panel.run_list.labels() == ["BN off · B=30 · lr=0.1", "BN on · B=30 · lr=0.1"]
    runs = list(panel.curves.runs.values())
    assert all(_points(c) == 3 for run in runs for c in run.curves)
    assert runs[0].color != runs[1].color
    assert runs[0].curves[0].opts["pen"].color().name() == runs[0].color.lower()
    # the list's text: the run's colour, made readable on the background where it is not
    assert panel.run_list.list.item(1).foreground().color().name() == (
        theme.text_color(runs[1].color).lower())


def test_run_list_hides_shows_and_removes_runs(qtbot, panel):
    _train(qtbot, panel)
    _train(qtbot, panel)
    first, second = panel.run_list.run_keys()
    item = panel.run_list.item_for(first)
    item.setCheckState(Qt.CheckState.Unchecked)
    assert not any(c.isVisible() for c in panel.curves.runs[first].curves)
    item.setCheckState(Qt.CheckState.Checked)
    assert all(c.isVisible() for c in panel.curves.runs[first].curves)
    panel.run_list.item_for(second).setSelected(True)
    qtbot.mouseClick(panel.run_list.remove_button, Qt.MouseButton.LeftButton)
    assert panel.run_list.run_keys() == [first] and list(panel.curves.runs) == [first]
    assert len(panel.curves.loss_plot.getPlotItem().listDataItems()) == 2


def _type_into(qtbot, widget, text):
    widget.selectAll()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


@pytest.mark.parametrize(("typed", "words"), [("0", "from 1 to 120"), ("500", "from 1 to 120")])
def test_bad_batch_size_turns_the_control_red_and_keeps_the_scene(qtbot, panel, typed, words):
    box = panel.controls.batch_size
    _type_into(qtbot, box.lineEdit(), typed)
    assert is_marked_invalid(box)
    assert words in panel.controls.error_text("batch_size")
    assert panel.batch_scene().config.batch_size == 30
    _type_into(qtbot, box.lineEdit(), "40")
    assert not is_marked_invalid(box) and panel.controls.error_text("batch_size") == ""
    assert panel.batch_scene().config.batch_size == 40


def test_bad_widths_and_rate_are_marked_where_they_were_typed(qtbot, panel):
    panel.controls.hidden.clear()
    qtbot.keyClicks(panel.controls.hidden, "16, 0")
    assert is_marked_invalid(panel.controls.hidden)
    assert "from 1 to 4,096" in panel.controls.error_text("hidden")
    assert panel.controls.hidden.text() == "16, 0"  # what the user typed stays
    assert panel.batch_scene().config.hidden == (16,)
    panel.controls.hidden.clear()
    qtbot.keyClicks(panel.controls.hidden, "8, 4")
    assert panel.batch_scene().config.hidden == (8, 4)
    panel.controls.lr.clear()
    qtbot.keyClicks(panel.controls.lr, "-1")
    assert is_marked_invalid(panel.controls.lr) and panel.batch_scene().config.lr == 0.1


def test_every_bad_control_is_marked_at_once(qtbot, panel):
    _type_into(qtbot, panel.controls.batch_size.lineEdit(), "0")
    panel.controls.hidden.setText("16, x")
    panel.controls.lr.setText("0")
    for name in ("batch_size", "hidden", "lr"):
        assert is_marked_invalid(panel.controls.control(name)), name
        assert panel.controls.error_text(name), name
    assert panel.batch_scene() == QUICK
    panel.controls.hidden.setText("16")
    panel.controls.lr.setText("0.2")
    assert is_marked_invalid(panel.controls.batch_size)
    assert panel.batch_scene() == QUICK
    _type_into(qtbot, panel.controls.batch_size.lineEdit(), "20")
    assert panel.batch_scene() == QUICK.with_changes(batch_size=20, lr=0.2)
    assert not any(is_marked_invalid(panel.controls.control(n)) for n in ("batch_size", "lr"))


def test_train_refuses_while_a_control_is_red(qtbot, panel):
    panel.controls.lr.setText("fast")
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert not panel.busy and panel.curves.runs == {}
    assert "red" in panel.status.text()


def test_a_device_torch_cannot_use_is_reported_without_a_traceback(qtbot, panel):
    panel.set_device("cuda:7")
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy, timeout=20_000)
    assert "cuda:7" in panel.status.text() and panel.run_list.labels() == []
    assert not any(panel.controls.error_text(n) for n in ("hidden", "batch_size"))


def test_bn_with_batches_of_one_explains_why(qtbot, panel):
    panel.controls.batch_norm.click()
    _type_into(qtbot, panel.controls.batch_size.lineEdit(), "1")
    assert "at least 2 samples" in panel.controls.error_text("batch_size")


def test_user_edits_reach_the_scene(qtbot, panel):
    panel.controls.dataset.setCurrentIndex(panel.controls.dataset.findData("moons"))
    panel.controls.activation.setCurrentIndex(panel.controls.activation.findData("tanh"))
    panel.controls.shuffle.click()
    _type_into(qtbot, panel.controls.epochs.lineEdit(), "7")
    scene = panel.batch_scene().config
    assert (scene.dataset, scene.activation, scene.shuffle, scene.epochs) == (
        "moons", "tanh", False, 7)
    assert panel.regions.plot.isVisibleTo(panel)


def test_scene_shows_in_the_controls_and_round_trips(qtbot, panel):
    scene = BatchScene().with_changes(
        dataset="digits", hidden=(32, 8), activation="sigmoid", batch_norm=True, batch_size=64,
        shuffle=False, optimizer="Adam", lr=0.003, epochs=4, seed=3, experiment="bn_inside",
        bn_unit=5, bn_mode="eval", gamma=1.5, noise_batch_sizes=(2, 8), small_batch=4,
        large_batch=64, bn_lrs=(0.5,), shuffle_preset=False)
    assert scene != BatchScene() and panel.batch_scene() != scene
    panel.set_scene(scene.to_dict())
    c = panel.controls
    assert c.dataset.currentData() == "digits" and c.hidden.text() == "32, 8"
    assert c.batch_norm.isChecked() and not c.shuffle.isChecked()
    assert (c.batch_size.value(), c.epochs.value(), c.seed.value()) == (64, 4, 3)
    assert c.optimizer.currentData() == "Adam" and float(c.lr.text()) == 0.003
    assert panel.tabs.currentWidget().key == "bn_inside"
    inside = panel.tabs.currentWidget()
    assert inside.unit.value() == 5 and inside.mode.currentData() == "eval"
    assert inside.gamma.value() == 1.5
    assert not panel.regions.plot.isVisibleTo(panel)
    views = {view.key: view for view in panel.experiments}
    assert views["gradient_noise"].control("noise_batch_sizes").text() == "2, 8"
    assert (views["batch_sizes"].small.value(), views["batch_sizes"].large.value()) == (4, 64)
    assert views["batch_norm"].control("bn_lrs").text() == "0.5"
    assert not views["shuffle"].preset.isChecked()
    assert panel.batch_scene() == scene
    assert BatchScene.from_dict(panel.scene()) == scene


def test_a_scene_file_in_the_older_flat_form_opens_on_the_page(qtbot, panel):
    scene = BatchScene().with_changes(dataset="moons", hidden=(8, 8), epochs=5, bn_layer=1)
    data = scene.to_dict()
    flat = {**data.pop("config"), **data}
    flat = {k: v for k, v in flat.items() if k not in ("momentum", "drop_last_single",
                                                        "data_seed", "optimizer_options")}
    panel.set_scene(flat)
    assert panel.batch_scene() == scene and panel.controls.hidden.text() == "8, 8"
    assert panel.scene()["config"]["dataset"] == "moons"


def test_epochs_have_one_limit_in_the_spin_box_and_the_scene(qtbot, panel):
    """Issue 9: the spin box stopped at 10,000 while an opened scene took 20,000."""
    from explorer.training.config import MAX_EPOCHS

    assert panel.controls.epochs.maximum() == MAX_EPOCHS
    with pytest.raises(InputError, match=f"{MAX_EPOCHS:,}"):
        panel.set_scene(panel.scene() | {"config": panel.scene()["config"] | {"epochs": 20_000}})
    assert panel.batch_scene() == QUICK


def test_a_comparison_the_scene_could_not_open_is_refused_where_it_is_typed(qtbot, panel):
    """Issue 9: small batch 8 and large batch 4 saved without complaint, then did not open."""
    view = next(v for v in panel.experiments if v.key == "batch_sizes")
    _type_into(qtbot, view.large.lineEdit(), "4")
    assert is_marked_invalid(view.small) and "smaller" in view.error.text()
    assert panel.batch_scene().large_batch is None
    assert BatchScene.from_dict(panel.scene()) == panel.batch_scene()


def test_a_bad_scene_is_refused_and_changes_nothing(qtbot, panel):
    before = panel.scene()
    with pytest.raises(InputError):
        panel.set_scene(before | {"config": before["config"] | {"batch_size": 0}})
    assert panel.scene() == before and panel.controls.batch_size.value() == 30


def test_decision_regions_fill_while_training_on_a_2d_set(qtbot, panel):
    panel.show_scene(QUICK.with_changes(dataset="moons", epochs=2, batch_size=64))
    assert panel.regions.plot.isVisibleTo(panel) and not panel.regions.has_regions()
    _train(qtbot, panel)
    assert panel.regions.has_regions()
    assert panel.regions.image.image.shape[:2] == (80, 80)
    assert panel.regions.classes.shape == (80, 80)


def test_page_follows_the_lab_contract(qtbot, panel):
    names = panel.plots()
    assert {"training-loss", "training-accuracy", "decision-regions", "bn-inside"} <= set(names)
    panel.set_device("cpu")
    QApplication.processEvents()


@pytest.mark.gpu
def test_a_run_trains_on_the_gpu(qtbot, panel, gpu_device):
    panel.set_device(str(gpu_device))
    _train(qtbot, panel, timeout=60_000)
    assert panel.run_list.labels() == ["BN off · B=30 · lr=0.1"]


def test_theme_and_scale_changes_restyle_and_keep_run_colours(qtbot, panel):
    from superqt.utils import signals_blocked

    from ui.common import theme

    _train(qtbot, panel)
    run = next(iter(panel.curves.runs.values()))
    inside = next(v for v in panel.experiments if v.key == "bn_inside")
    # Only this page's slots are called: ui.common.plots' own restyle also visits plots of pages
    # that earlier tests deleted (their menu actions keep the Python wrappers alive).
    try:
        with signals_blocked(theme.notifier()):
            theme.set_scale(2.0)
            theme.set_theme("dark")
        panel.restyle()
        inside._restyle()
        assert run.curves[0].opts["pen"].color().name() == run.color.lower()
        assert run.curves[0].opts["pen"].widthF() == pytest.approx(5.0)
        assert inside.means.opts["symbolPen"].color().name() == theme.DARK.foreground.lower()
    finally:
        with signals_blocked(theme.notifier()):
            theme.set_theme("light")
            theme.set_scale(1.0)


def test_a_diverging_run_is_reported_not_crashed(qtbot, panel):
    panel.show_scene(QUICK.with_changes(lr=1e6, epochs=2))
    _train(qtbot, panel)
    assert "diverged" in panel.status.text().lower()
    assert len(panel.run_list.labels()) == 1


def test_clicking_a_run_shows_its_decision_regions(qtbot, panel):
    panel.show_scene(QUICK.with_changes(dataset="moons", epochs=1, batch_size=64))
    _train(qtbot, panel)
    panel.controls.batch_norm.click()
    _train(qtbot, panel)
    first, second = (panel.curves.runs[k] for k in panel.run_list.run_keys())
    assert "BN on" in panel.regions.plot.getPlotItem().titleLabel.text
    item = panel.run_list.item_for(first.key)
    rect = panel.run_list.list.visualItemRect(item)
    qtbot.mouseClick(panel.run_list.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert "BN off" in panel.regions.plot.getPlotItem().titleLabel.text
    assert np.array_equal(panel.regions.classes, first.regions[2])
    assert not np.array_equal(first.regions[2], second.regions[2])


def test_the_regions_plot_fits_its_view_after_its_title_changes(qtbot, panel):
    panel.show_scene(QUICK.with_changes(dataset="moons", epochs=1, batch_size=64))
    panel.resize(1400, 850)
    panel.show()
    qtbot.waitExposed(panel)
    _train(qtbot, panel)
    run = next(iter(panel.curves.runs.values()))
    run.label = "a run with a very long name " * 4  # wider than the plot
    panel.training.show_run_regions(run, "moons")
    QApplication.processEvents()  # the layout grows the plot to the title's width
    panel.regions.clear_regions()  # back to the short title
    QApplication.processEvents()
    view = panel.regions.plot
    assert view.getPlotItem().geometry().width() == pytest.approx(view.width())


def test_a_scene_that_opens_an_experiment_shows_its_tab_as_chosen(panel):
    """The example scene of the BN slide showed BN on vs off under a strip whose chosen tab
    was still Training: the tab was changed with the tab widget's signals blocked."""
    panel.show_scene(QUICK.with_changes(experiment="batch_norm"))
    shown = panel.tabs.currentIndex()
    assert panel.tabs.tabText(shown).replace("&", "") == "BN on vs off"
    strip = panel.findChild(TabStrip)
    assert [b.isChecked() for b in strip.buttons()].index(True) == shown
    assert panel.batch_scene().experiment == "batch_norm"
    panel.show_scene(QUICK)
    assert strip.buttons()[0].isChecked() and panel.tabs.currentIndex() == 0
