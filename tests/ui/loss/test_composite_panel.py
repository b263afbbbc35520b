"""The composite on the Loss page is the loss on show: value, gradients, code and curve;
its edits undo and redo; only partners whose inputs fit are offered."""

import contextlib
import io

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from explorer import losses
from explorer.errors import InputError
from explorer.losses import composite
from ui.loss.labels import x_axis


def pick(panel, name):
    tree = panel.controls.picker.tree
    item = panel.controls.picker.item(name)
    tree.scrollToItem(item)
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=tree.visualItemRect(item).center())
    assert panel.current_scene.loss == name


def add_term(qtbot, panel):
    qtbot.mouseClick(panel.composite.add_button, Qt.MouseButton.LeftButton)


def shown_inputs(panel):
    return {name: editor.tensor() for name, editor in panel.editors.items()}


def mse_plus_half_l1(qtbot, panel):
    pick(panel, "MSELoss")
    panel.tabs.setCurrentIndex(2)
    add_term(qtbot, panel)
    add_term(qtbot, panel)
    loss_box, weight_box = panel.composite.term_controls(1)
    loss_box.setCurrentText("L1Loss")
    weight_box.setValue(0.5)
    return [{"loss": "MSELoss", "weight": 1.0, "options": {}},
            {"loss": "L1Loss", "weight": 0.5, "options": {}}]


def test_value_gradients_code_and_curve_are_the_composites(qtbot, panel):
    terms = mse_plus_half_l1(qtbot, panel)
    want = losses.evaluate("Composite", shown_inputs(panel), "mean", {"terms": terms})
    assert panel.result.value.text() == f"{want.value.item():.4f}"
    assert panel.composite.total.text() == panel.result.value.text()
    assert panel.result.caption.text().startswith("Composite: MSELoss + 0.5 × L1Loss")
    shown = torch.tensor(panel.result.gradients["input"].gradient_model.rows())
    torch.testing.assert_close(shown, want.grads["input"])
    assert panel.code.code() == want.code
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(panel.code.code(), "<shown code>", "exec"), {})  # noqa: S102
    assert printed.getvalue().strip() == want.output.strip()
    y = float(shown_inputs(panel)["target"][0, 0])  # the selected cell's target
    z = float(shown_inputs(panel)["input"][0, 0])
    curve = composite.composite_curve(terms, y, *losses.curves.span(z))
    _, drawn = panel.curve.loss_line.getData()
    torch.testing.assert_close(torch.as_tensor(drawn), curve.loss)
    assert panel.curve.plot.property("plot_title") == composite.CURVE_TITLE
    for _ in range(2):  # no terms: the single loss again
        qtbot.mouseClick(panel.composite._rows[0][2], Qt.MouseButton.LeftButton)
    single = losses.evaluate("MSELoss", shown_inputs(panel))
    assert panel.result.value.text() == f"{single.value.item():.4f}"
    assert panel.code.code() == single.code
    assert panel.composite.total.text() == "—"


def _undo_keys(qtbot, panel, key):
    panel.composite.add_button.setFocus()
    qtbot.keyClick(panel.composite.add_button, key, Qt.KeyboardModifier.ControlModifier)


def _loss_and_weights(panel):
    return [(t["loss"], t["weight"]) for t in panel.current_scene.terms]


def test_composite_edits_undo_and_redo_with_ctrl_z_and_ctrl_y(qtbot, panel):
    pick(panel, "MSELoss")
    panel.tabs.setCurrentIndex(2)
    add_term(qtbot, panel)
    add_term(qtbot, panel)  # a new term takes a loss not used yet: L1Loss
    loss_box, weight_box = panel.composite.term_controls(1)
    loss_box.setCurrentText("HuberLoss")
    weight_box.setValue(0.5)
    weight_box.setValue(0.75)  # steps of one weight are one undo step
    qtbot.mouseClick(panel.composite._rows[0][2], Qt.MouseButton.LeftButton)  # remove term 1
    steps = [[("HuberLoss", 0.75)],
             [("MSELoss", 1.0), ("HuberLoss", 0.75)],
             [("MSELoss", 1.0), ("HuberLoss", 1.0)],
             [("MSELoss", 1.0), ("L1Loss", 1.0)],
             [("MSELoss", 1.0)],
             []]
    assert _loss_and_weights(panel) == steps[0]
    for shown in steps[1:]:
        _undo_keys(qtbot, panel, Qt.Key.Key_Z)
        assert _loss_and_weights(panel) == shown
        assert [t["loss"] for t in panel.composite.terms()] == [s[0] for s in shown]
    assert panel.result.caption.text().startswith("MSELoss(")
    for shown in reversed(steps[:-1]):
        _undo_keys(qtbot, panel, Qt.Key.Key_Y)
        assert _loss_and_weights(panel) == shown
        assert [(t["loss"], t["weight"]) for t in panel.composite.terms()] == shown
    want = losses.evaluate("Composite", shown_inputs(panel), "mean",
                           {"terms": [{"loss": "HuberLoss", "weight": 0.75}]})
    assert panel.result.value.text() == f"{want.value.item():.4f}"


def test_unfit_partners_are_absent_and_the_caption_says_why(qtbot, panel):
    pick(panel, "DiceLoss")
    panel.tabs.setCurrentIndex(2)
    add_term(qtbot, panel)
    add_term(qtbot, panel)
    combo, _ = panel.composite.term_controls(1)
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert offered == ["DiceLoss", "BCEWithLogitsLoss"]
    assert combo.currentText() == "BCEWithLogitsLoss"
    tip = panel.composite.partners.toolTip()
    assert ("HingeEmbeddingLoss: HingeEmbeddingLoss's target holds signs ±1, not labels 0 or 1"
            in tip)
    assert "PoissonNLLLoss: PoissonNLLLoss's target holds counts ≥ 0" in tip
    assert combo.toolTip() == tip
    assert "left out; hover here for why" in panel.composite.partners.text()
    # Dice has no curve, so neither has the sum: the plot says which term lacks one.
    assert "DiceLoss has no 1-D curve" in panel.curve.note_text()


def test_a_scene_with_an_unfit_partner_is_refused_and_the_page_keeps_its_own(panel):
    before = panel.current_scene
    data = {"loss": "DiceLoss", "terms": [{"loss": "DiceLoss", "weight": 1.0, "options": {}},
                                         {"loss": "HingeEmbeddingLoss", "weight": 1.0,
                                          "options": {}}]}
    with pytest.raises(InputError, match=r"Term 2 \(HingeEmbeddingLoss\) cannot be summed"):
        panel.set_scene(data)
    assert panel.current_scene == before


def test_a_saved_composite_opens_as_the_loss_on_show_with_the_pages_options(panel):
    example = losses.example("HuberLoss", seed=3)
    terms = [{"loss": "HuberLoss", "weight": 1.0, "options": {}},
             {"loss": "L1Loss", "weight": 0.25, "options": {}}]
    panel.set_scene({"loss": "HuberLoss", "options": {"delta": 0.5}, "reduction": "sum",
                     "tensors": {name: t.tolist() for name, t in example.items()},
                     "terms": terms})
    # the term of the page's loss takes the delta set on the left; L1 has no options
    want = losses.evaluate("Composite", example, "sum", {"terms": [
        {**terms[0], "options": {"delta": 0.5}}, terms[1]]})
    assert panel.result.value.text() == f"{want.value.item():.4f}"
    assert "delta=0.5" in panel.code.code()
    assert panel.current_scene.terms == tuple(terms)  # the file's terms, as saved
    assert panel.undo_stack.count() == 0  # opening a scene is not an undoable edit


def test_a_composite_curve_is_drawn_on_its_first_terms_axis():
    terms = [{"loss": "CrossEntropyLoss", "weight": 1.0}, {"loss": "FocalLoss", "weight": 0.5}]
    drawn = composite.composite_curve(terms, None)
    assert drawn.axis == "CrossEntropyLoss"
    assert x_axis(drawn) == x_axis(losses.curve("CrossEntropyLoss", None))
