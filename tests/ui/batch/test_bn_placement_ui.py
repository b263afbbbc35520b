"""Batch lab, issue 12: the BN placement control and the eval/train accuracies of "BN on vs off"."""

import pytest
from PySide6.QtCore import Qt

from explorer.training import batchnorm
from explorer.training.scene import BatchScene
from ui.batch.panel import BatchPanel

FAST = BatchScene().with_changes(epochs=2, batch_size=30, bn_preset=False, bn_lrs=(0.1, 1.0))


@pytest.fixture
def panel(qtbot):
    page = BatchPanel()
    qtbot.addWidget(page)
    page.show_scene(FAST)
    yield page
    page.shutdown()


def test_the_placement_control_edits_the_scene_and_follows_it(qtbot, panel):
    combo = panel.controls.bn_position
    assert combo.currentData() == "before" and not combo.isEnabled()
    panel.controls.batch_norm.click()
    assert combo.isEnabled()
    combo.setCurrentIndex(combo.findData("after"))
    config = panel.batch_scene().config
    assert config.batch_norm and config.bn_position == "after"
    assert panel.controls.error_text("bn_position") == ""
    panel.show_scene(FAST.with_changes(batch_norm=True, bn_position="before"))
    assert combo.currentData() == "before" and combo.isEnabled()


def test_bn_on_vs_off_shows_validation_accuracy_in_both_modes(qtbot, panel):
    view = next(v for v in panel.experiments if v.key == "batch_norm")
    panel.tabs.setCurrentWidget(view)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.has_result and not panel.busy, timeout=60_000)
    text = view.modes_label.text()
    assert set(view.result.modes) == {0.1, 1.0}
    for lr, modes in view.result.modes.items():
        assert (f"lr={lr:g}: model.eval() {100 * modes.eval_accuracy:.1f} %, model.train() "
                f"{100 * modes.train_accuracy:.1f} %, difference "
                f"{100 * modes.difference:+.1f} points") in text
    assert batchnorm.MODES_WHY in text


def test_activations_over_training_says_when_the_input_is_not_bn_s_output(qtbot, panel):
    panel.show_scene(FAST.with_changes(hidden=(8, 8), percentile_preset=False, batch_norm=True,
                                       bn_position="after"))
    view = next(v for v in panel.experiments if v.key == "percentiles")
    before = view.on_plot.property("plot_title")
    assert "re-centred" in before
    panel.tabs.setCurrentWidget(view)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.has_result and not panel.busy, timeout=60_000)
    assert view.result.bn_position == "after"
    assert "not normalised" in view.on_plot.property("plot_title")
    assert "Linear" in view.on_plot.getPlotItem().getAxis("left").labelText
