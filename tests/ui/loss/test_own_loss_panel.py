"""The user's own loss on the Loss page: type a formula, see it computed, drawn and kept."""

import json

import torch
from PySide6.QtCore import Qt

from explorer import losses
from ui.loss.panel import LossPanel


def pick_own(qtbot, panel):
    picker = panel.controls.picker
    assert picker.item("CustomLoss").parent().text(0) == "Your own"
    picker.search.setFocus()
    qtbot.keyClicks(picker.search, "your own")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert panel.current_scene.loss == "CustomLoss"


def type_formula(qtbot, panel, text):
    field = panel.controls.options.control("expression")
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    return field


def shown_inputs(panel):
    return {name: editor.tensor() for name, editor in panel.editors.items()}


def test_type_a_formula_see_its_value_then_a_bad_one_keeps_it(qtbot, panel):
    pick_own(qtbot, panel)
    mse = losses.evaluate("MSELoss", shown_inputs(panel))
    assert panel.result.value.text() == f"{mse.value.item():.4f}"  # the default is (z - y)**2
    field = type_formula(qtbot, panel, "abs(z - y)**1.5")
    want = losses.evaluate("CustomLoss", shown_inputs(panel), "mean",
                           {"expression": "abs(z - y)**1.5"})
    good = f"{want.value.item():.4f}"
    assert panel.result.value.text() == good
    assert panel.current_scene.options == {"expression": "abs(z - y)**1.5"}
    assert r"\rvert^{1.5}" in panel.header.formula.latex()
    assert "def custom_loss(z, y):" in panel.code.code()
    assert torch.allclose(panel.last_result.grads["input"], want.grads["input"])

    field = type_formula(qtbot, panel, "__import__('os')")
    assert field.property("invalid") and "__import__" in field.toolTip()
    assert field.text() == "__import__('os')"  # what was typed stays
    assert panel.result.value.text() == good  # and so does the last good result
    assert panel.current_scene.options == {"expression": "abs(z - y)**1.5"}

    type_formula(qtbot, panel, "where(y*z < 1, (1 - y*z)**2, 0)")
    assert not field.property("invalid")
    assert r"\begin{cases}" in panel.header.formula.latex()
    assert not panel.header.formula.pixmap().isNull()  # typeset, not the LaTeX source
    panel.undo_stack.undo()
    assert panel.current_scene.options == {"expression": "abs(z - y)**1.5"}
    assert field.text() == "abs(z - y)**1.5" and panel.result.value.text() == good


def test_a_formula_that_gives_nan_names_the_entry(qtbot, panel):
    pick_own(qtbot, panel)
    type_formula(qtbot, panel, "log(z)")
    assert panel.last_result.pitfalls[0].code == "own-not-finite"
    assert "input[" in panel.last_result.warnings[0]


def test_curve_compare_and_composite_use_the_formula(qtbot, panel):
    pick_own(qtbot, panel)
    type_formula(qtbot, panel, "relu(1 - y*z)")
    curve = panel.curve.loss_line.getData()
    assert curve[0] is not None and len(curve[0]) > 10
    own_box = panel.compare.boxes["your loss"]
    assert own_box.isEnabled()
    own_box.setChecked(True)
    assert any(label.startswith("your loss relu(1 - y * z)") for label in panel.compare.labels())
    assert "your loss" in panel.scene()["compare"]

    qtbot.mouseClick(panel.composite.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.composite.add_button, Qt.MouseButton.LeftButton)
    loss_box, weight = panel.composite.term_controls(1)
    loss_box.setCurrentText("CustomLoss")
    formula = panel.composite.formula_control(1)
    assert formula.text() == "relu(1 - y*z)"  # a new term starts with the page's formula
    formula.setText("abs(z - y)")
    formula.editingFinished.emit()
    terms = [{"loss": "CustomLoss", "weight": 1.0, "options": {"expression": "relu(1 - y*z)"}},
             {"loss": "CustomLoss", "weight": 1.0, "options": {"expression": "abs(z - y)"}}]
    want = losses.evaluate("Composite", shown_inputs(panel), "mean", {"terms": terms})
    assert panel.composite.total.text() == f"{want.value.item():.4f}"
    formula.setText("open('x')")
    formula.editingFinished.emit()
    assert formula.property("invalid")
    assert panel.composite.total.text() == f"{want.value.item():.4f}"
    assert list(panel.current_scene.terms) == terms


def test_the_scene_saves_and_reopens_the_formula(qtbot, panel):
    pick_own(qtbot, panel)
    type_formula(qtbot, panel, "softplus(-y*z)")
    panel.controls.reduction.setCurrentText("sum")
    panel.compare.boxes["your loss"].setChecked(True)
    saved = json.loads(json.dumps(panel.scene()))
    assert saved["options"] == {"expression": "softplus(-y*z)"}
    other = LossPanel()
    qtbot.addWidget(other)
    other.set_scene(saved)
    assert other.scene() == saved
    assert other.controls.options.control("expression").text() == "softplus(-y*z)"
    assert other.result.value.text() == panel.result.value.text()
    assert other.header.formula.latex() == panel.header.formula.latex()
    assert other.compare.labels() == panel.compare.labels()
