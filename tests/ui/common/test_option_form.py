"""The one option form: every kind of option, checked by explorer.inputs, bad values marked."""

import pytest

from explorer.inputs import OptionSpec
from ui.common.option_form import OptionForm

SPECS = (
    OptionSpec("momentum", "float", 0.0, 0.0, 1.0, "Momentum", below_maximum=True),
    OptionSpec("eps", "float", 1e-8, 0.0, 1.0, "Added to the denominator"),
    OptionSpec("steps", "int", 3, 1, 10, "Steps"),
    OptionSpec("nesterov", "bool", False, description="Nesterov momentum"),
    OptionSpec("mode", "choice", "exp", choices=("exp", "linear"), description="Spacing"),
    OptionSpec("weight", "vector", None, 0.0, None, "Per-class weights", dim="C"),
)


@pytest.fixture
def form(qtbot):
    form = OptionForm()
    qtbot.addWidget(form)
    form.set_specs(SPECS, {"momentum": 0.9})
    return form


def type_into(form, name, text):
    edit = form.control(name)
    edit.setText(text)
    edit.editingFinished.emit()
    return edit


def test_shows_given_values_and_defaults(form):
    assert form.values() == {"momentum": 0.9, "eps": 1e-8, "steps": 3, "nesterov": False,
                             "mode": "exp", "weight": None}
    assert form.control("momentum").text() == "0.9"
    assert form.control("eps").text() == "1e-08"  # never rounds a small default to 0.000
    assert form.control("weight").text() == ""


def test_each_kind_emits_every_value(qtbot, form):
    seen = []
    form.changed.connect(seen.append)
    type_into(form, "momentum", "0.5")
    form.control("steps").setValue(7)
    form.control("nesterov").setChecked(True)
    form.control("mode").setCurrentText("linear")
    type_into(form, "weight", "1, 2, 0.5")
    assert seen[-1] == {"momentum": 0.5, "eps": 1e-8, "steps": 7, "nesterov": True,
                        "mode": "linear", "weight": [1.0, 2.0, 0.5]}
    assert len(seen) == 5


@pytest.mark.parametrize("name, text, words", [
    ("momentum", "1.5", "[0, 1)"),
    ("momentum", "abc", "must be a number"),
    ("weight", "1, x", "weight[1]"),
    ("weight", "1, -2", "at least 0"),
])
def test_a_bad_value_is_marked_kept_as_typed_and_not_passed_on(form, name, text, words):
    seen = []
    form.changed.connect(seen.append)
    before = form.values()
    edit = type_into(form, name, text)
    assert edit.property("invalid") and words in edit.toolTip()
    assert edit.text() == text  # what the user typed is not lost
    assert form.values() == before and not seen
    type_into(form, "momentum", "0.25")
    type_into(form, "weight", "")
    assert not edit.property("invalid") and form.values()["momentum"] == 0.25


def test_set_values_does_not_emit_and_clears_marks(form):
    seen = []
    form.changed.connect(seen.append)
    type_into(form, "momentum", "2")
    form.set_values({"momentum": 0.1, "weight": [3, 4]})
    assert not seen and not form.control("momentum").property("invalid")
    assert form.control("weight").text() == "3, 4" and form.values()["momentum"] == 0.1


def test_mark_error_names_only_its_own_controls(form):
    assert form.mark_error("weight", "weight must have 3 entries, one per class.")
    assert form.control("weight").property("invalid")
    assert not form.mark_error("reduction", "not an option of this form")
