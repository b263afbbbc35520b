"""The Batch lab's LR range test tab: runs in the background, draws, and its rate is one click
into the training settings."""


import pytest
from PySide6.QtCore import Qt

from explorer.training.scene import BatchScene
from ui.batch.labels import rate_text
from ui.batch.panel import BatchPanel
from ui.common.export import export_plot, plotted_data
from ui.common.widgets import is_marked_invalid

SMALL = BatchScene().with_changes(batch_size=30, range_start_lr=1e-3, range_end_lr=30.0,
                                  range_steps=40)


@pytest.fixture
def panel(qtbot):
    page = BatchPanel()
    qtbot.addWidget(page)
    page.show_scene(SMALL)
    yield page
    page.shutdown()


def _view(panel):
    return next(v for v in panel.experiments if v.key == "lr_range")


def _run(qtbot, panel, view):
    panel.tabs.setCurrentWidget(view)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: view.has_result and view.result.done and not panel.busy,
                    timeout=60_000)


def test_run_draws_the_curve_and_use_this_rate_sets_the_training_lr(qtbot, panel, tmp_path):
    view = _view(panel)
    assert panel.tabs.tabText(panel.tabs.indexOf(view)) == "LR range test"
    assert not view.use_button.isEnabled()  # nothing to use before a run
    _run(qtbot, panel, view)
    assert panel.batch_scene().experiment == "lr_range"
    series = {name: (x, y) for name, x, y in plotted_data(view.plot.getPlotItem())}
    assert len(series["smoothed loss"][0]) >= len(view.result.lrs) - 1 > 5  # an inf is not drawn
    suggested = view.result.suggested
    assert 1e-3 <= suggested <= 30.0 and f"{suggested:g}" in view.verdict.text()
    # plotted_data gives the data's own values, also on a log axis (not log10 of the rate)
    assert series["suggested rate"][0] == pytest.approx([suggested])
    assert export_plot(view.plot, tmp_path / "lr-range.csv").stat().st_size > 0
    assert panel.batch_scene().config.lr == 0.1
    qtbot.mouseClick(view.use_button, Qt.MouseButton.LeftButton)
    assert panel.controls.lr.text() == rate_text(suggested)
    assert panel.batch_scene().config.lr == suggested
    assert "Learning rate set to" in panel.status.text()
    assert view.use_button.isEnabled()  # the rate is not what the test measured on
    panel.controls.hidden.setText("8")  # another network: its rate needs a new run
    assert panel.batch_scene().config.hidden == (8,) and not view.use_button.isEnabled()


def test_settings_edit_the_scene_reopen_and_a_bad_one_clears_when_fixed(qtbot, panel):
    view = _view(panel)
    panel.tabs.setCurrentWidget(view)
    end = view.control("range_end_lr")
    end.clear()
    qtbot.keyClicks(end, "0.0001")  # below the start rate
    assert is_marked_invalid(end) and "larger than the start rate" in view.error.text()
    assert panel.batch_scene().range_end_lr == 30.0  # the last good scene stays
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert not panel.busy and "Fix the setting" in panel.status.text()
    end.clear()
    qtbot.keyClicks(end, "5")
    assert not is_marked_invalid(end) and panel.batch_scene().range_end_lr == 5.0
    view.control("range_steps").setValue(70)
    saved = panel.scene()
    panel.show_scene(BatchScene())
    assert view.control("range_steps").value() == 100
    panel.set_scene(saved)
    assert (panel.batch_scene().range_end_lr, panel.batch_scene().range_steps) == (5.0, 70)
    assert end.text() == "5.0" and view.control("range_steps").value() == 70


def test_cancel_stops_the_range_test(qtbot, panel):
    panel.show_scene(SMALL.with_changes(range_steps=5000, range_end_lr=1.0))
    view = _view(panel)
    panel.tabs.setCurrentWidget(view)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert panel.busy
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)
    assert not (view.has_result and view.result.done)
