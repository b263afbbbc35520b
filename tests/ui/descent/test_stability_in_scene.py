"""The Descent page saves and reopens the Edge-of-stability settings and exports its plots."""

import pytest

from explorer.descent.scene import DescentScene, StabilityOptions
from explorer.errors import InputError
from ui.common.export import has_content
from ui.common.widgets import is_marked_invalid
from ui.descent.panel import DescentPanel
from ui.descent.stability_view import EXPORT_STEPS


@pytest.fixture
def page(qtbot):
    panel = DescentPanel()
    qtbot.addWidget(panel)
    yield panel
    assert panel.shutdown()


def test_the_tab_settings_save_and_reopen(qtbot, page):
    view = page.stability
    view.lrs.setText("0.05, 0.3")
    view.steps.setValue(800)
    view.every.setValue(20)
    saved = page.scene()
    assert saved["stability"] == {"lrs": [0.05, 0.3], "steps": 800, "every": 20}
    second = DescentPanel()
    qtbot.addWidget(second)
    try:
        second.set_scene(saved)
        assert second.stability.read() == StabilityOptions((0.05, 0.3), 800, 20)
        assert second.stability.lrs.text() == "0.05, 0.3"
        assert second.descent_scene().stability == page.descent_scene().stability
    finally:
        assert second.shutdown()


def test_a_bad_typed_setting_is_marked_and_the_last_good_one_is_saved(qtbot, page):
    page.stability.lrs.setText("0.2")
    page.stability.lrs.setText("0.2, -1")
    assert is_marked_invalid(page.stability.lrs)
    assert page.descent_scene().stability.lrs == (0.2,)


def test_a_bad_saved_setting_changes_nothing(qtbot, page):
    data = page.scene()
    data["stability"]["every"] = 5000
    with pytest.raises(InputError, match="at most every 3000"):
        page.set_scene(data)
    assert page.stability.every.value() == 50


def test_the_export_draws_the_first_steps_of_the_stability_plots_and_says_how_many(page):
    """An export runs the first EXPORT_STEPS of the tab's 3,000 (the full run is for Run),
    and says so; checked on the steps drawn, not with a clock."""
    assert {"edge-of-stability-sharpness", "edge-of-stability-loss"} <= set(page.plots())
    page.stability.compute_now()
    assert all(has_content(plot) for plot in page.stability.plots().values())
    last = [max(item.getData()[0]) for plot in page.stability.plots().values()
            for item in plot.getPlotItem().listDataItems() if item.getData()[0] is not None
            and len(item.getData()[0])]
    assert last and max(last) <= EXPORT_STEPS
    for plot in page.stability.plots().values():
        axis = plot.getPlotItem().getAxis("bottom").labelText
        assert f"first {EXPORT_STEPS} of 3,000, for the export" in axis
    assert f"first {EXPORT_STEPS} of 3,000 steps" in page.stability.numbers.text()
    assert page.stability.result[0.4].steps[-1] == EXPORT_STEPS


def test_a_short_run_is_exported_whole_and_says_nothing_more(page):
    page.set_scene(DescentScene(stability=StabilityOptions((0.4,), 40, 10)).validated())
    page.stability.compute_now()
    assert page.stability.result[0.4].steps == [0, 10, 20, 30, 40]
    assert page.stability.sharpness_plot.getPlotItem().getAxis("bottom").labelText == "step"


def test_opening_a_scene_cancels_a_run_of_the_old_settings(qtbot, page):
    page.stability.steps.setValue(20_000)
    page.stability.run()
    assert page.stability.job.busy
    page.set_scene(DescentScene(stability=StabilityOptions((0.3,), 100, 10)).validated())
    assert page.stability.job.wait(5_000)
    assert page.stability.result is None and "Cancelled" in page.stability.numbers.text()
    assert page.stability.read() == StabilityOptions((0.3,), 100, 10)
