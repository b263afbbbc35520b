"""Playing, pausing and stepping a run on the Batch page, driven as a user would."""

import pytest
from PySide6.QtCore import Qt

from explorer.training.scene import BatchScene
from ui.batch.panel import BatchPanel

SCENE = BatchScene().with_changes(hidden=(8,), batch_size=30, epochs=3, shuffle=False)


@pytest.fixture
def panel(qtbot):
    page = BatchPanel()
    qtbot.addWidget(page)
    page.show_scene(SCENE)
    yield page
    page.shutdown()


def _click(qtbot, panel, key):
    qtbot.mouseClick(panel.training.player.buttons[key], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy, timeout=30_000)


def test_step_one_batch_then_one_epoch_shows_losses_and_the_class_mix(qtbot, panel):
    view = panel.training.step_view
    _click(qtbot, panel, "step")
    assert view.steps == [1] and view.mix() == (30.0, 0.0, 0.0)  # class-sorted: setosa first
    _click(qtbot, panel, "epoch")
    assert view.steps == [1, 2, 3, 4] and view.mix() == (0.0, 0.0, 30.0)
    run = panel.controller.step_run
    assert panel.curves.runs[run.key].epochs == [1]
    assert "step 4 · epoch 1" in panel.training.player.where.text()


def test_reset_goes_back_to_the_same_first_loss(qtbot, panel):
    _click(qtbot, panel, "step")
    first = panel.training.step_view.losses[0]
    _click(qtbot, panel, "step")
    _click(qtbot, panel, "reset")
    assert panel.training.step_view.steps == []
    _click(qtbot, panel, "step")
    assert panel.training.step_view.losses == [first]


def test_play_runs_to_the_end_and_pause_stops_it(qtbot, panel):
    panel.show_scene(SCENE.with_changes(epochs=200))
    qtbot.mouseClick(panel.training.player.buttons["play"], Qt.MouseButton.LeftButton)
    assert panel.training.player.buttons["pause"].isEnabled()
    assert not panel.training.player.buttons["step"].isEnabled()
    qtbot.waitUntil(lambda: len(panel.training.step_view.steps) > 8, timeout=30_000)
    qtbot.mouseClick(panel.training.player.buttons["pause"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy, timeout=30_000)
    stopped = len(panel.training.step_view.steps)
    assert stopped < 200 * 4 and panel.training.player.buttons["play"].isEnabled()
    assert panel.controller.stepper.step_count == stopped  # every step trained is shown


def test_changing_lr_and_batch_size_mid_run_keeps_the_weights(qtbot, panel):
    _click(qtbot, panel, "step")
    stepper = panel.controller.stepper
    panel.controls.lr.setText("0.5")
    panel.controls.batch_size.setValue(60)
    assert panel.controller.stepper is stepper
    assert stepper.config.lr == 0.5 and stepper.config.batch_size == 60
    _click(qtbot, panel, "step")
    assert panel.controller.stepper is stepper and stepper.step_count == 2
    assert sum(panel.training.step_view.mix()) == 60
    panel.controls.hidden.setText("4")  # another network: a new run from step 0
    _click(qtbot, panel, "step")
    assert panel.controller.stepper is not stepper
    assert panel.training.step_view.steps == [1]


def test_the_code_window_shows_the_run_s_code(qtbot, panel):
    panel.controls.batch_norm.setChecked(True)
    qtbot.mouseClick(panel.training.player.buttons["code"], Qt.MouseButton.LeftButton)
    dialog = panel.controller.code_dialog
    qtbot.waitExposed(dialog)
    code = dialog.code()
    assert "batch_size=30, shuffle=False" in code and "nn.BatchNorm1d(8)" in code
    dialog.copy()
    from PySide6.QtGui import QGuiApplication
    assert QGuiApplication.clipboard().text() == code
    dialog.close()


def test_a_headless_export_draws_the_first_epoch_s_minibatches(qtbot, panel):
    panel.controller.train_now()
    assert panel.training.step_view.steps == [1, 2, 3, 4]
