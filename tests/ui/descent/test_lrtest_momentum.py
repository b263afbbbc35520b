"""The range test tab with a momentum optimizer: it says which rule it used and marks the
momentum rule's suggestions (lowest end, measured edge), not the steepest fall."""

from explorer.descent import lr_finder
from explorer.descent.scene import DescentScene, LRTestOptions
from ui.descent.lrtest import LRTestView


def test_a_momentum_result_shows_its_rule_its_run_length_and_its_two_rates(qtbot):
    scene = DescentScene(optimizer_options={"momentum": 0.9},
                         lr_test=LRTestOptions(model=lr_finder.SURFACE)).validated()
    result = lr_finder.lr_range_test(**scene.lr_test_arguments())
    view = LRTestView(scene.lr_test)
    qtbot.addWidget(view)
    view.show_result(result)
    text = view.reasons.text()
    assert "steepest-fall rule would read that swing" in text and "<b>steepest</b>" not in text
    assert "<b>lowest</b>" in text and "<b>edge</b>" in text
    assert sorted(view.suggestion_lrs()) == sorted(s.lr for s in result.suggestions)
    axis = view.plot.getPlotItem().getAxis("left").labelText
    assert axis == f"loss after {result.run_steps} steps"
    assert result.run_steps > lr_finder.SURFACE_RUN_STEPS  # the momentum's memory
    assert len(view.buttons_text()) == 2


def test_without_momentum_the_tab_shows_the_steepest_fall_as_before(qtbot):
    scene = DescentScene(lr_test=LRTestOptions(model=lr_finder.SURFACE)).validated()
    result = lr_finder.lr_range_test(**scene.lr_test_arguments())
    view = LRTestView(scene.lr_test)
    qtbot.addWidget(view)
    view.show_result(result)
    assert "<b>steepest</b>" in view.reasons.text() and "swing" not in view.reasons.text()
    axis = view.plot.getPlotItem().getAxis("left").labelText
    assert axis == f"loss after {lr_finder.SURFACE_RUN_STEPS} steps"
