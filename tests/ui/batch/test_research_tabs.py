"""The Batch lab's research tabs: one tab away, run through the page's job, draw, export."""

import math

import pytest
from PySide6.QtCore import QPointF, Qt

from ui.batch.panel import BatchPanel
from ui.common.export import export_plot, plotted_data


def _view(panel, key):
    return next(v for v in panel.experiments if v.key == key)


def _run(qtbot, panel, view, timeout=60_000):
    panel.tabs.setCurrentWidget(view)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: view.has_result and not panel.busy, timeout=timeout)


def _legends_clear_of_data(view):
    """Every legend sits above the highest point of its plot's data (no spike under it)."""
    for plot in view.plots():
        item = plot.getPlotItem()
        high = item.vb.childrenBounds()[1][1]
        top_of_data = item.vb.mapViewToScene(QPointF(0, high)).y()
        assert item.legend.sceneBoundingRect().bottom() < top_of_data, plot.objectName()


def _export_all(view, tmp_path):
    for plot in view.plots():
        series = plotted_data(plot.getPlotItem())
        assert series and all(len(x) > 0 for _name, x, _y in series), plot.objectName()
        assert export_plot(plot, tmp_path / f"{plot.objectName()}.csv").stat().st_size > 0


def test_noise_scale_tab_shows_b_simple_growing_and_the_fit(qtbot, panel, tmp_path):
    view = _view(panel, "noise_scale")
    assert panel.tabs.tabText(panel.tabs.indexOf(view)) == "Noise scale"
    _run(qtbot, panel, view)
    readings = view.result.readings
    assert list(readings) == [0, 1, 2, 5]
    _, epochs, values = plotted_data(view.noise_plot.getPlotItem())[0]
    assert list(epochs) == [0, 1, 2, 5] and values[-1] > values[0] > 0
    fit = view.result.fit
    assert math.isfinite(fit.b_noise) and fit.b_noise > 0
    assert f"{fit.b_noise:.1f}" in view.ours_label.text()
    assert "McCandlish" in view.paper_label.text()
    _legends_clear_of_data(view)
    _export_all(view, tmp_path)


def test_cancel_stops_a_research_run(qtbot, panel):
    view = _view(panel, "noise_scale")
    panel.tabs.setCurrentWidget(view)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert panel.busy
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not panel.busy and not view.has_result


def test_linear_scaling_tab_overlaps_small_k_and_shows_the_warm_up(qtbot, panel, tmp_path):
    view = _view(panel, "linear_scaling")
    _run(qtbot, panel, view)
    names = [name for name, _, _ in plotted_data(view.loss_plot.getPlotItem())]
    assert names[0] == "k=1: B=8, lr=0.1" and names[-1] == "k=32 + warm-up: B=256, lr=3.2"
    assert view.result.deviation(4) < 0.03
    text = view.ours_label.text()
    assert "k=4: 1." in text or "k=4: 0." in text
    assert "k=32: diverged" in text and "k=32 + warm-up: final loss" in text
    assert "23.74" in view.paper_label.text()
    _legends_clear_of_data(view)
    _export_all(view, tmp_path)


def test_bn_smoothness_tab_draws_both_bands_and_says_they_are_narrower(qtbot, panel, tmp_path):
    view = _view(panel, "bn_smoothness")
    _run(qtbot, panel, view)
    bands = [f"{run}, {edge} over η" for run in ("without BN", "with BN")
             for edge in ("lowest", "highest")]
    for plot in view.plots():
        names = [name for name, _, _ in plotted_data(plot.getPlotItem())]
        # a band's CSV columns say which edge they are; its legend names the run
        wanted = ["without BN", "with BN"] if plot is view.beta_plot else bands
        assert names == wanted, plot.objectName()
        legend = [label.text for _, label in plot.getPlotItem().legend.items]
        assert legend == ["without BN", "with BN"], plot.objectName()
    off, on = view.result[False], view.result[True]
    text = view.ours_label.text()
    assert f"{off.mean_loss_range():.3f}" in text and f"{on.mean_loss_range():.3f}" in text
    assert f"{on.mean_beta():.1f}" in text and f"{off.final_loss:.2f}" in text
    # The default (deep ReLU, He init, seed 0): both train, and BN's bands are narrower.
    assert on.mean_loss_range() < off.mean_loss_range()
    assert on.mean_grad_change() < off.mean_grad_change()
    assert "as in the paper" in text
    assert "Santurkar" in view.paper_label.text() and "He initialization" in view.init_note.text()
    _legends_clear_of_data(view)
    _export_all(view, tmp_path)


def test_the_teachers_settings_are_what_runs(qtbot, panel):
    view = _view(panel, "linear_scaling")
    view.control("scaling_factors").setText("1, 2")
    view.control("scaling_warmup_factors").setText("")
    view.control("scaling_batch").setValue(16)
    view.control("scaling_lr").setText("0.05")
    _run(qtbot, panel, view)
    names = [name for name, _, _ in plotted_data(view.loss_plot.getPlotItem())]
    assert names == ["k=1: B=16, lr=0.05", "k=2: B=32, lr=0.1"]
    assert "B=16, lr=0.05" in view.ours_label.text()


def test_with_torchs_default_init_the_tab_says_the_plain_network_does_not_train(qtbot, panel):
    view = _view(panel, "bn_smoothness")
    box = view.control("smoothness_init")
    box.setCurrentIndex(box.findData("torch"))
    _run(qtbot, panel, view)
    assert view.result[False].final_loss > 0.95 * math.log(10)
    assert "does not train" in view.ours_label.text()
    _legends_clear_of_data(view)


@pytest.mark.parametrize("key", ["noise_scale", "linear_scaling", "bn_smoothness"])
def test_a_research_tab_is_the_scenes_experiment_and_reopens(qtbot, panel, key):
    panel.tabs.setCurrentWidget(_view(panel, key))
    saved = panel.scene()
    assert saved["experiment"] == key  # the tab is saved with the scene...
    other = BatchPanel()
    qtbot.addWidget(other)
    other.set_scene(saved)
    assert other.tabs.currentWidget() is _view(other, key)  # ...and opens on it
    other.shutdown()
