"""Issue 12's defects of the Batch page, one test each."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from explorer.training import TrainConfig
from explorer.training.batches import GradientNoise, TimingResult
from explorer.training.scene import BatchScene
from ui.batch import regions as regions_module
from ui.batch.labels import run_label
from ui.batch.panel import BatchPanel


@pytest.fixture
def panel(qtbot):
    page = BatchPanel()
    qtbot.addWidget(page)
    yield page
    page.shutdown()


def _view(panel, key):
    return next(v for v in panel.experiments if v.key == key)


def test_a_fixed_bad_value_clears_its_error_and_run_works_again(qtbot, panel):
    view = _view(panel, "batch_sizes")
    view.small.setValue(200)
    assert view.error.isVisibleTo(view) and "1 to 120" in view.error.text()
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert not panel.busy and panel.status.text().startswith("Fix the setting marked in red")
    view.small.setValue(130)
    view.large.setValue(100)  # the small batch still shows 130: the error stays
    assert view.error.isVisibleTo(view) and panel.batch_scene().large_batch is None
    view.small.setValue(8)
    assert not view.error.isVisibleTo(view)
    assert (panel.batch_scene().small_batch, panel.batch_scene().large_batch) == (8, 100)
    panel.show_scene(panel.batch_scene().with_changes(batch_preset=False, epochs=1,
                                                      hidden=(4,)))
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert panel.busy
    qtbot.waitUntil(lambda: view.has_result and not panel.busy, timeout=60_000)
    assert "gap (validation − training loss)" in view.verdict.text()


def test_run_labels_name_what_differs_and_number_identical_reruns():
    iris = TrainConfig()
    spirals = iris.replace(dataset="spirals")
    assert run_label(spirals, [iris]) != run_label(iris)
    assert "spirals" in run_label(spirals, [iris])
    assert "widths 8, 8" in run_label(iris.replace(hidden=(8, 8)), [iris])
    assert "tanh" in run_label(iris.replace(activation="tanh"), [iris])
    assert "seed 3" in run_label(iris.replace(seed=3), [iris])
    assert "Adam" in run_label(iris.replace(optimizer="Adam"), [iris])
    assert run_label(iris, [iris]).endswith("run 2")
    assert run_label(iris, [iris, iris]).endswith("run 3")


def test_gamma_and_beta_show_a_dash_before_the_first_run(panel):
    view = _view(panel, "bn_inside")
    assert view.gamma.text() == "—" and view.beta.text() == "—"
    assert panel.batch_scene().gamma is None


def test_activation_panels_share_the_y_axis_and_say_what_they_measure(panel):
    view = _view(panel, "percentiles")
    assert view.on_plot.getViewBox().linkedView(1) is view.off_plot.getViewBox()
    assert "after γ and β" in view.hint and "after γ, β" in view.on_plot.getPlotItem() \
        .getAxis("left").labelText


def test_gradient_noise_draws_the_finite_population_line_and_explains_it(panel):
    view = _view(panel, "gradient_noise")
    view.receive(GradientNoise({1: 1.0, 4: 0.3, 64: 0.01}, 120, 3, 1.0))
    x, y = view.corrected.xData, view.corrected.yData  # as given (the axes are log)
    assert list(x) == [1, 4, 64] and y[2] == pytest.approx(1 / 64 * 56 / 119)
    assert "(N − B)/(N − 1)" in view.note.text()


def test_timing_bars_are_quantiles_that_never_go_below_zero(panel):
    view = _view(panel, "batch_timing")
    view.receive(TimingResult("cpu", 120, 5, 1, [16, 32], [0.010, 0.004], [0.001, 0.0039],
                              [0.030, 0.0042], [7, 13]))
    bars = view._series[0][1].opts
    assert np.all(bars["y"] - bars["bottom"] >= 0)
    assert bars["y"] - bars["bottom"] == pytest.approx([0.001, 0.0039])
    assert bars["y"] + bars["top"] == pytest.approx([0.030, 0.0042])


def test_redrawing_one_run_s_regions_retitles_the_plot_once(panel, monkeypatch):
    calls = []
    original = regions_module.retitle
    monkeypatch.setattr(regions_module, "retitle", lambda *a: calls.append(a) or original(*a))
    xs = ys = np.linspace(-1, 1, 40)
    for _ in range(5):
        panel.regions.show_regions(xs, ys, np.zeros((40, 40), dtype=int), run_label="run A")
    assert len(calls) == 1


def test_the_optimizer_s_settings_use_the_option_forms_and_reach_the_scene(qtbot, panel):
    form = panel.controls.optimizer_options
    panel.controls.optimizer.setCurrentIndex(panel.controls.optimizer.findData("Adam"))
    assert {"beta1", "beta2", "weight_decay"} <= set(form.values())
    beta1 = form.control("beta1")
    beta1.setText("0.8")
    beta1.editingFinished.emit()
    assert dict(panel.batch_scene().config.optimizer_options) == {"beta1": 0.8}
    assert panel.batch_scene().config.optimizer_kwargs()["betas"] == (0.8, 0.999)
    panel.controls.optimizer.setCurrentIndex(panel.controls.optimizer.findData("SGD"))
    form.control("nesterov").setChecked(True)  # without momentum: refused, said where
    assert "Nesterov" in panel.controls.error_text("optimizer_options")
    assert panel.batch_scene().config.optimizer_options == ()
    momentum = form.control("momentum")
    momentum.setText("0.9")
    momentum.editingFinished.emit()
    config = panel.batch_scene().config
    assert config.momentum == 0.9 and dict(config.optimizer_options) == {"nesterov": True}
    assert panel.controls.error_text("optimizer_options") == ""


def test_a_saved_scene_with_optimizer_settings_opens_again():
    scene = BatchScene().with_changes(optimizer="Adam", optimizer_options={"beta2": 0.99})
    again = BatchScene.from_dict(scene.to_dict())
    assert again == scene and again.config.optimizer_kwargs()["betas"] == (0.9, 0.99)
