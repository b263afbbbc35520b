"""Issue 12's still-open Batch-lab defects: stepped runs in the run list, one y range for the
activation panels, a Training tab that shows what it will show before the first step."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from explorer.training import TrainConfig
from explorer.training.batchnorm import activation_percentiles
from explorer.training.live import LiveEpoch, LiveSteps, train_live
from explorer.training.scene import BatchScene
from explorer.training.stepper import first_batch_counts
from ui.batch import controller as controller_module
from ui.batch import training_tab
from ui.batch.norm_views import PercentilesView
from ui.batch.panel import BatchPanel


def _y_range(plot) -> tuple[float, float]:
    return tuple(plot.getViewBox().viewRange()[1])


def test_activation_panels_share_one_y_range_that_holds_both_runs(qtbot):
    view = PercentilesView()
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)
    result = activation_percentiles(TrainConfig(hidden=(8, 8), activation="sigmoid", epochs=1,
                                                lr=0.5))
    # Without BN the sigmoid's input sits in a narrow band; with BN it spreads: a y range that
    # followed one plot would cut the other's curves.
    view.receive(result)
    QApplication.processEvents()  # pending auto-range and paint events must not undo it
    off, on = _y_range(view.off_plot), _y_range(view.on_plot)
    assert off == pytest.approx(on)
    for bn in (False, True):
        assert off[0] <= np.min(result[bn]) and np.max(result[bn]) <= off[1]
    assert off[1] - off[0] < 1.5 * np.ptp(np.concatenate([result[False], result[True]]))


SCENE = BatchScene().with_changes(hidden=(8,), batch_size=30, epochs=3, shuffle=False)


@pytest.fixture
def panel(qtbot):
    page = BatchPanel()
    qtbot.addWidget(page)
    page.show_scene(SCENE)
    yield page
    page.shutdown()


def _click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _press(qtbot, panel, key):
    _click(qtbot, panel.training.player.buttons[key])
    qtbot.waitUntil(lambda: not panel.busy, timeout=30_000)


def test_a_stepped_run_joins_the_run_list_and_is_kept_after_reset(qtbot, panel):
    runs = panel.run_list
    _press(qtbot, panel, "reset")  # a run that never stepped leaves nothing behind
    assert runs.run_keys() == [] and list(panel.curves.runs) == [panel.controller.step_run.key]
    _press(qtbot, panel, "step")
    first = panel.controller.step_run
    assert runs.run_keys() == [first.key]
    assert runs.labels() == [f"{first.label} — step 1 · epoch 1"] and "stepped" in first.label
    _press(qtbot, panel, "epoch")
    assert runs.labels() == [f"{first.label} — step 4 · epoch 1"]
    assert panel.curves.runs[first.key].epochs == [1]
    panel.controls.lr.setText("0.5")  # goes on from the current weights: the entry says so
    _press(qtbot, panel, "step")
    assert runs.labels()[0].endswith("step 5 · epoch 2 · now lr=0.5, B=30")
    panel.controls.lr.setText("0.1")
    _press(qtbot, panel, "reset")
    _press(qtbot, panel, "step")
    second = panel.controller.step_run
    assert runs.run_keys() == [first.key, second.key] and second.color != first.color
    assert second.label.endswith("run 2 · stepped")  # the same settings again: numbered
    _click(qtbot, panel.train_button)  # a trained run joins them on the same axes
    qtbot.waitUntil(lambda: not panel.busy, timeout=30_000)
    assert len(runs.run_keys()) == 3
    assert {panel.curves.runs[k].curves[0] in panel.curves.loss_plot.listDataItems()
            for k in runs.run_keys()} == {True}


def test_removing_the_stepped_run_starts_the_next_step_afresh(qtbot, panel):
    _press(qtbot, panel, "step")
    _press(qtbot, panel, "step")
    _click(qtbot, panel.run_list.clear_button)
    assert panel.curves.runs == {} and panel.controller.step_run is None
    assert panel.training.step_view.steps == [] and panel.training.step_view.mix() == (30, 0, 0)
    _press(qtbot, panel, "step")
    assert panel.training.step_view.steps == [1] and len(panel.run_list.run_keys()) == 1


def test_the_step_plots_say_what_they_will_show_before_the_first_step(qtbot, panel):
    view = panel.training.step_view
    assert view.empty_text.isVisible() and "Step or play" in view.empty_text.toPlainText()
    assert view.mix() == first_batch_counts(SCENE.train_config("cpu")) == (30, 0, 0)
    assert view.mix_plot.property("plot_title") == "Classes in the first minibatch"
    panel.controls.shuffle.setChecked(True)  # another order: another first minibatch at once
    shuffled = first_batch_counts(SCENE.with_changes(shuffle=True).train_config("cpu"))
    assert view.mix() == shuffled and min(shuffled) > 0
    _press(qtbot, panel, "step")
    assert not view.empty_text.isVisible() and view.mix() == shuffled
    assert view.mix_plot.property("plot_title") == "Classes in the last minibatch"
    assert view.curve.opts["pen"].color().name() == panel.controller.step_run.color.lower()
    _press(qtbot, panel, "reset")
    assert view.empty_text.isVisible() and view.mix() == shuffled


def test_live_epochs_are_drawn_at_most_every_interval_and_all_at_the_end(qtbot, monkeypatch):
    monkeypatch.setattr(training_tab, "REDRAW_INTERVAL_S", 3600.0)  # nothing is due again
    tab = training_tab.TrainingTab()
    qtbot.addWidget(tab)
    scene = BatchScene().with_changes(dataset="spirals", hidden=(4,), epochs=5)
    tab.show_dataset(scene)
    run = tab.curves.begin("run A", "spirals")
    items = [i for i in train_live(scene.train_config("cpu"), regions_grid=8)
             if isinstance(i, LiveEpoch)]
    for item in items:
        tab.show_epoch(run, item, throttle=True)
        tab.flush(force=False)  # as the controller does on a progress report: not yet due
    loss_curve = run.curves[0]
    assert run.epochs == [1, 2, 3, 4, 5] and list(loss_curve.xData) == [1]  # the first at once
    assert tab.regions.classes.shape == (4, 4)  # the first epoch's coarse grid
    tab.flush()  # the run's end
    assert list(loss_curve.xData) == [1, 2, 3, 4, 5]
    assert np.array_equal(tab.regions.classes, items[-1].regions[2])
    tab.show_epoch(run, items[0])  # unthrottled (an export, an animation): drawn at once
    assert len(loss_curve.xData) == 6


def test_played_steps_are_drawn_at_most_every_interval_and_all_when_it_stops(panel, monkeypatch):
    monkeypatch.setattr(controller_module, "STEP_REDRAW_INTERVAL_S", 3600.0)
    controller = panel.controller
    stepper = controller._current_stepper()
    for record in stepper.steps(3):  # three chunks of a played run, as the worker sends them
        controller._on_steps(LiveSteps((record,)))
    view = panel.training.step_view
    assert view.steps == [1]  # the first at once, the others held back
    controller._on_steps_done()  # paused or done
    assert view.steps == [1, 2, 3] and panel.run_list.labels()[0].endswith("step 3 · epoch 1")
