"""The side-by-side tab's "tuned for" label stays true: a rate typed by hand (or a run's
optimizer or options changed) is no longer a tuned rate, and the label says so."""

import json
from dataclasses import replace

from explorer.descent import compare
from explorer.descent.scene import CompareOptions, DescentScene
from ui.descent.compare_view import CompareView

BOWL = compare.default_tuned_for()




def test_a_typed_rate_turns_tuned_for_into_then_edited_and_it_is_saved(qtbot, side, type_in):
    assert side.tuned.text() == f"Rates tuned for this surface: {BOWL}."
    type_in(side.rate_boxes[3], "0.05")  # Adam's rate, by hand
    assert side.options().tuned_for == f"{BOWL}, then edited"
    assert side.tuned.text().startswith(f"Rates tuned for this surface: {BOWL}. Then edited: ")
    assert "typed by you" in side.tuned.text()
    scene = DescentScene(compare=side.options()).validated()
    again = DescentScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    other = CompareView()
    try:
        other.set_page(DescentScene().validated())
        other.set_options(again.compare)
        assert other.tuned.text() == side.tuned.text()
    finally:
        other.shutdown()
        other.deleteLater()


def test_leaving_a_rate_box_unchanged_keeps_the_rates_tuned(qtbot, side):
    side.rate_boxes[2].editingFinished.emit()  # focus left the box; its rate is the same
    assert side.options().tuned_for == BOWL and "then edited" not in side.tuned.text()


def test_another_optimizer_for_a_run_is_an_edit_but_adding_or_removing_a_run_is_not(side):
    side.runs._on_add()  # a copy of the selected run, at its rate, in a new colour
    side.runs.remove(0)
    assert side.options().tuned_for == BOWL
    side.runs.selectors[2].click()
    side.runs.optimizer.setCurrentText("NAdam")
    assert side.options().tuned_for == f"{BOWL}, then edited"


def test_a_typed_rate_on_another_surface_says_both(qtbot, side, type_in):
    side.set_page(DescentScene().with_surface("rosenbrock").validated())
    type_in(side.rate_boxes[0], "0.001")
    text = side.tuned.text()
    assert f"tuned for {BOWL}, then edited, not for the surface shown" in text


def test_tuning_again_makes_the_rates_tuned_for_the_surface_shown(qtbot, side, type_in):
    page = DescentScene().with_surface("rosenbrock").validated()
    side.set_page(page)
    type_in(side.rate_boxes[0], "0.001")
    *_, tuning = compare.iter_tune(**replace(page, compare=side.options()).compare_arguments())
    side._on_item(tuning)  # what the worker hands over when the tuning is done
    assert side.options().tuned_for == compare.surface_key("rosenbrock")
    assert side.tuned.text() == f"Rates tuned for this surface: {side.options().tuned_for}."


def test_a_run_changed_while_the_tuning_ran_keeps_then_edited(qtbot, side):
    *_, tuning = compare.iter_tune(**DescentScene(compare=side.options()).compare_arguments())
    side.runs.selectors[4].click()
    side.runs.optimizer.setCurrentText("Adamax")  # while the tuning "ran"
    side._on_item(tuning)
    assert side.options().tuned_for == f"{BOWL}, then edited"


def test_rates_tuned_for_no_surface_say_they_were_typed(side):
    side.set_options(CompareOptions(tuned_for=""))
    assert side.tuned.text().startswith("Rates typed by you, not tuned for a surface.")


def test_a_box_left_unchanged_keeps_a_long_rate_to_the_last_digit(side):
    runs = (compare.CompareRun("SGD", 0.0123456789, color=0),)
    side.set_options(CompareOptions(runs=runs, tuned_for=BOWL))
    assert side.rate_boxes[0].text() == "0.0123457"
    side.rate_boxes[0].editingFinished.emit()  # focus left the box
    assert side.options().runs[0].lr == 0.0123456789 and side.options().tuned_for == BOWL
