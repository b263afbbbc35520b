"""The Descent lab's "Optimizers side by side" and "Momentum's stability region" tabs: they
run, draw non-empty plots, follow the page, refuse bad input at the box, and round-trip the
scene. Small views; one page for the registration and the scene."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from explorer.descent import compare
from explorer.descent.momentum_map import convergence_rate
from explorer.descent.scene import CompareOptions, DescentScene, MomentumOptions
from explorer.errors import InputError
from ui.common.export import export_plot, has_content, plotted_data
from ui.common.widgets import is_marked_invalid
from ui.descent.compare_view import CompareView
from ui.descent.momentum_view import MomentumView


def test_run_draws_one_path_and_loss_per_optimizer_named_with_its_rate(qtbot, side, tmp_path,
                                                                      type_in):
    type_in(side.rate_boxes[3], "0.05")  # Adam's rate
    qtbot.mouseClick(side.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: side.result is not None and side.result.done, timeout=20_000)
    assert not side.stale
    labels = [name for name, _, _ in plotted_data(side.loss_plot.getPlotItem())]
    assert labels == [run.label for run in side.result.runs]
    assert "Adam, lr = 0.05" in labels and "Nesterov 0.9, lr = 0.02" in labels
    expected = compare.compare_optimizers(**DescentScene(compare=side.options())
                                          .validated().compare_arguments())
    paths = [(x, y) for name, x, y in plotted_data(side.map.getPlotItem()) if "lr =" in name]
    assert len(paths) == len(compare.DEFAULT_RUNS)
    for (x, y), run in zip(paths, expected.runs, strict=True):
        np.testing.assert_allclose(np.c_[x, y], run.path)
    assert side.contours and "lowest first" in side.status.text()
    for name, plot in side.plots().items():
        assert has_content(plot)
        assert export_plot(plot, tmp_path / f"{name}.png", width=500).stat().st_size > 0


def test_a_bad_rate_is_marked_at_its_box_and_nothing_runs(qtbot, side, type_in):
    type_in(side.rate_boxes[1], "-1")
    assert is_marked_invalid(side.rate_boxes[1])
    side.run()
    assert side.result is None and not side.job.busy
    assert side.options() == CompareOptions().validated()  # the last good settings are kept


def test_a_new_surface_makes_the_picture_stale_and_it_says_so(side):
    side.compute_now()
    assert not side.stale
    side.set_page(DescentScene().with_surface("rosenbrock").validated())
    assert side.stale and "changed" in side.status.text()
    side.compute_now()
    assert not side.stale and side.result.surface == "rosenbrock"


def test_the_momentum_map_marks_the_pages_rates_and_its_boundary(qtbot, shown, type_in):
    view = shown(MomentumView())
    scene = DescentScene(lrs=(0.05, 0.2), optimizer_options={"momentum": 0.6},
                         surface_options={"condition": 20.0}).validated()
    view.set_page(scene)
    m = view.result
    assert m.lambda_max == 20.0 and view.image.image.shape == (160, 160)
    np.testing.assert_allclose(view.page_marks.getData()[0], [0.05, 0.2])
    np.testing.assert_allclose(view.page_marks.getData()[1], [0.6, 0.6])
    x, y = view.boundary.getData()
    np.testing.assert_allclose(x, 2 * (1 + y) / 20.0)
    rate = float(convergence_rate(0.2, 0.6, (1.0, 20.0)))
    assert f"{rate:.3f}" in view.numbers.text()
    assert has_content(view.plot)
    view.set_page(scene.with_optimizer("Adam"))
    assert len(view.page_marks.getData()[0]) == 0 and "no point" in view.numbers.text()
    type_in(view.lr_max, "0")
    assert is_marked_invalid(view.lr_max) and view.options() == MomentumOptions()
    view.resolution.setValue(40)  # refused too while the rate box is wrong
    assert view.result.rate.shape == (160, 160)
    type_in(view.lr_max, "0.1")
    assert not is_marked_invalid(view.lr_max)
    assert view.result.rate.shape == (40, 40) and view.result.lrs.max() < 0.1


def test_the_page_has_both_tabs_and_saves_and_reopens_their_settings(qtbot, panel):
    names = [panel.tabs.tabText(i) for i in range(panel.tabs.count())]
    assert "Optimizers side by side" in names and "Momentum's stability region" in names
    assert {"compare-map", "compare-loss", "momentum-region"} <= set(panel.plots())
    panel.tabs.setCurrentWidget(panel.compare)  # runs the comparison on the page's surface
    qtbot.waitUntil(lambda: not panel.compare.stale, timeout=20_000)
    runs = (compare.CompareRun("Adam", 0.2), compare.CompareRun("SGD", 0.05, {"momentum": 0.5}))
    saved = DescentScene(compare=CompareOptions(runs, 30), momentum=MomentumOptions(50, 0.3),
                         optimizer_options={"momentum": 0.5}).validated()
    panel.set_scene(saved.to_dict())
    assert [box.text() for box in panel.compare.rate_boxes] == ["0.2", "0.05"]
    assert panel.momentum.result.rate.shape == (50, 50)
    again = panel.descent_scene()
    assert again.compare == saved.compare and again.momentum == saved.momentum
    assert DescentScene.from_dict(panel.scene()).compare == saved.compare


def test_the_range_test_says_what_it_ran_on_and_adds_rates_only_from_the_surface(qtbot, panel):
    from dataclasses import replace

    panel.controller.compute_now()  # the range test on the surface shown, this thread
    view = panel.lr_test
    assert "the surface shown (quadratic" in view.ran_on.text()
    assert not view.optimizer.isEnabled()  # on the surface: the trajectories' optimizer
    texts = view.buttons_text()
    assert len(texts) == 2 and all(t.startswith("Add to the trajectories") for t in texts)
    lr = float(texts[1].rsplit(" ", 1)[1])
    view.buttons.itemAt(1).widget().click()
    assert any(abs(r - lr) < 5e-3 * lr for r in panel.controller.scene.lrs)  # shown to 3 digits
    # Another optimizer on the page: the curve is of the old one, so it is taken away.
    qtbot.waitUntil(lambda: not panel.controller.sweep_busy, timeout=20_000)
    panel.sidebar.optimizer.setCurrentText("Adam")
    qtbot.waitUntil(lambda: panel.controller.scene.optimizer == "Adam"
                    and view.shown_ran_on == "")
    assert view.buttons_text() == [] and "run it again" in view.reasons.text()
    # On a model: it names the model and offers no button to the trajectories.
    s = panel.controller.scene
    panel.set_scene(replace(s, lr_test=replace(s.lr_test, model="logistic-regression",
                                               steps=20)))
    panel.controller.compute_now()
    assert "logistic regression (4 → 3) on Iris" in view.ran_on.text()
    assert view.optimizer.isEnabled() and view.buttons_text() == []
    assert "not for the surface" in view.reasons.text()


def _pen_colors(plot):
    return [item.opts["pen"].color().name().upper() for item in plot.getPlotItem().listDataItems()]


def test_a_run_takes_any_optimizer_with_its_options_and_the_legend_names_them(qtbot, side, type_in):
    side.runs.selectors[0].click()
    side.runs.optimizer.setCurrentText("RMSprop")
    type_in(side.runs.options.control("alpha"), "0.9")
    type_in(side.rate_boxes[0], "0.01")
    assert side.options().runs[0] == compare.CompareRun(
        "RMSprop", 0.01, {**side.options().runs[0].options, "alpha": 0.9}, color=0)
    side.runs.optimizer.setCurrentText("LBFGS")  # a looped optimizer too
    side.compute_now()
    assert side.result.runs[0].run.optimizer == "LBFGS"
    labels = [name for name, _, _ in plotted_data(side.loss_plot.getPlotItem())]
    assert labels[0] == "LBFGS, lr = 0.01" and side.runs.names[0].name == "LBFGS"


def test_a_bad_option_is_refused_with_the_trajectories_message_and_clears_once_fixed(
        qtbot, side, type_in):
    from explorer.descent import batched_optim
    from explorer.inputs import check_option

    side.runs.selectors[0].click()  # plain SGD
    before = side.options()
    momentum = side.runs.options.control("momentum")
    type_in(momentum, "1.5")
    spec = {s.name: s for s in batched_optim.optimizer_options("SGD")}["momentum"]
    with pytest.raises(InputError) as expected:
        check_option(spec, "1.5")
    assert is_marked_invalid(momentum) and momentum.toolTip() == str(expected.value)
    assert side.options() == before  # the last good settings are kept
    type_in(momentum, "0")
    side.runs.options.control("nesterov").click()  # Nesterov without momentum: torch's rule
    nesterov = side.runs.options.control("nesterov")
    with pytest.raises(InputError) as rule:
        batched_optim.resolve_optimizer_options("SGD", {"momentum": 0.0, "nesterov": True})
    assert is_marked_invalid(nesterov) and nesterov.toolTip() == str(rule.value)
    assert side.options() == before
    type_in(momentum, "0.8")  # now the rule holds: every mark and message goes
    assert not is_marked_invalid(nesterov) and not is_marked_invalid(momentum)
    assert side.runs.names[0].name == "Nesterov 0.8"
    assert side.options().runs[0].options["nesterov"] is True


def test_runs_are_added_and_removed_and_each_keeps_its_colour(qtbot, side):
    from ui.common import theme

    colors = [run.color for run in side.options().runs]
    qtbot.mouseClick(side.runs.remove_buttons[1], Qt.MouseButton.LeftButton)
    runs = side.options().runs
    assert [run.color for run in runs] == colors[:1] + colors[2:]
    assert [box.text() for box in side.rate_boxes] == ["0.1", "0.02", "0.3", "0.03", "1"]
    side.compute_now()
    assert _pen_colors(side.loss_plot) == [theme.color(c).upper() for c in colors[:1] + colors[2:]]
    side.runs.selectors[2].click()  # Adam
    qtbot.mouseClick(side.runs.add_button, Qt.MouseButton.LeftButton)
    added = side.options().runs[-1]
    assert added.color == colors[1] and added.optimizer == "Adam"  # the first colour free
    while side.runs.add_button.isEnabled():
        side.runs.add_button.click()
    assert len(side.options().runs) == compare.MAX_RUNS
    assert sorted(run.color for run in side.options().runs) == list(range(compare.MAX_RUNS))
    for _ in range(compare.MAX_RUNS - 1):
        side.runs.remove(0)
    assert len(side.options().runs) == 1 and not side.runs.remove_buttons[0].isEnabled()


def test_the_runs_with_their_options_and_colours_reopen_from_the_scene(side):
    import json

    side.runs.selectors[3].click()
    side.runs.optimizer.setCurrentText("NAdam")
    side.runs.remove(0)
    scene = DescentScene(compare=side.options()).validated()
    again = DescentScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    other = CompareView()
    try:
        other.set_options(again.compare)
        assert other.options() == side.options()
        assert [b.name for b in other.runs.names] == [b.name for b in side.runs.names]
    finally:
        other.shutdown()
        other.deleteLater()


def test_another_surface_says_the_rates_were_tuned_elsewhere_and_tuning_fits_them(qtbot, side):
    from dataclasses import replace

    assert "tuned for this surface" in side.tuned.text()
    page = DescentScene().with_surface("rosenbrock").validated()
    side.set_page(page)
    assert "not for the surface shown" in side.tuned.text()
    before = side.options()
    qtbot.mouseClick(side.tune_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: side.result is not None and side.result.done and not side.job.busy,
                    timeout=30_000)
    *_, expected = compare.iter_tune(**replace(page, compare=before).compare_arguments())
    assert [run.lr for run in side.options().runs] == [run.lr for run in expected.runs]
    assert side.options().tuned_for == compare.surface_key("rosenbrock")
    assert "tuned for this surface" in side.tuned.text() and not side.stale
    assert [r.run for r in side.result.runs] == list(side.options().runs)
