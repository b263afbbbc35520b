"""LBFGS's inner function evaluations are shown with the step's numbers (issue 11: "show
its inner evaluations"), for the optimizers that make several per step and no others."""

from dataclasses import replace

from ui.descent.texts import evaluations_text


def _run(qtbot, panel, **changes):
    panel.set_scene(replace(panel.descent_scene(), **changes))
    qtbot.waitUntil(lambda: panel.result is not None and not panel.controller.sweep_busy
                    and panel.result.sweep.optimizer == changes.get("optimizer", "SGD")
                    and panel.result.sweep.steps == panel.descent_scene().steps,
                    timeout=20_000)


def test_the_step_shown_says_how_many_evaluations_lbfgs_made(qtbot, panel):
    assert panel.numbers.evaluations.isHidden()  # SGD: one evaluation per step, no line
    _run(qtbot, panel, optimizer="LBFGS", lrs=(0.05, 0.5), steps=12,
         optimizer_options={"line_search_fn": "strong_wolfe", "max_iter": 6})
    counts = panel.result.sweep.evaluations
    assert counts is not None and counts[:, :12].min() > 0
    for step in (0, 3):
        panel.playback.seek(step)
        text = panel.numbers.evaluations.text()
        assert not panel.numbers.evaluations.isHidden()
        assert f"step from step {step}" in text and "line search" in text
        assert f"lr = 0.05: {int(counts[0, step])}" in text
        assert f"lr = 0.5: {int(counts[1, step])}" in text
    _run(qtbot, panel, optimizer="SGD", optimizer_options={}, steps=20)
    assert panel.numbers.evaluations.isHidden()


def test_the_evaluations_line_reads_as_a_sentence():
    assert evaluations_text([0.1], [7], 3, True) == (
        "The step from step 3 made 7 function evaluations (its inner iterations and line "
        "search).")
    text = evaluations_text([0.1, 1.0, 2, 3, 4, 5], [7, 0, 1, 2, 3, 4], 0, False)
    assert "lr = 1: –" in text and "… 2 more" in text and "line search" not in text
