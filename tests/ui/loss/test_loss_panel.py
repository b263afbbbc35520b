"""The Loss lab page, driven as a user would: pick, type, paste, undo, fix, copy, export."""

import json
import math

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from explorer import losses
from explorer.losses import composite
from explorer.losses.examples import SLIDE_VALUES
from ui.common.export import export_plot, export_widget
from ui.loss.labels import legend
from ui.loss.panel import LossPanel


def pick(panel, name):
    """Click the loss in the picker, as a user."""
    tree = panel.controls.picker.tree
    item = panel.controls.picker.item(name)
    tree.scrollToItem(item)
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=tree.visualItemRect(item).center())
    assert panel.current_scene.loss == name


def shown_inputs(panel):
    return {name: editor.tensor() for name, editor in panel.editors.items()}


def shown_value(panel):
    return panel.result.value.text()


def expected_value(panel):
    scene = panel.current_scene
    result = losses.evaluate(scene.loss, shown_inputs(panel), scene.reduction,
                             panel.controls.options.values(), transform=scene.transform)
    return f"{result.value.item():.4f}", result


def type_into(qtbot, editor, row, column, text):
    table = editor.table
    rect = table.visualRect(editor.model.index(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(table, text[0])  # the first key opens the cell's editor, which takes the rest
    qtbot.keyClicks(table.focusWidget(), text[1:])
    with qtbot.waitSignal(editor.edited):  # the delegate commits on a queued call
        qtbot.keyClick(table.focusWidget(), Qt.Key.Key_Return)


def test_every_loss_shows_its_example_and_the_engines_value(panel):
    for name in losses.names():
        pick(panel, name)
        example = losses.example(name)
        for key, tensor in shown_inputs(panel).items():
            assert torch.equal(tensor, example[key]), name  # exact, though shown rounded
        assert shown_value(panel) == expected_value(panel)[0], name
        if name in SLIDE_VALUES and name != "KLDivLoss":  # KLDiv's slide value was old torch's
            assert shown_value(panel) == f"{SLIDE_VALUES[name]:.4f}", name


def test_typing_a_number_changes_value_and_gradient(qtbot, panel):
    pick(panel, "MSELoss")
    before = shown_value(panel)
    editor = panel.editors["input"]
    type_into(qtbot, editor, 0, 0, "4.25")
    assert editor.tensor()[0, 0].item() == 4.25
    value, result = expected_value(panel)
    assert shown_value(panel) == value != before
    shown_grad = panel.result.gradients["input"].gradient_model.rows()
    assert torch.allclose(torch.tensor(shown_grad), result.grads["input"])


def test_bad_text_is_marked_explained_and_the_last_value_stays(qtbot, panel):
    pick(panel, "MSELoss")
    editor = panel.editors["input"]
    original = editor.tensor()
    before = shown_value(panel)
    type_into(qtbot, editor, 1, 2, "abc")
    assert editor.texts()[1][2] == "abc"
    tooltip = editor.model.index(1, 2).data(Qt.ItemDataRole.ToolTipRole)
    assert "input[1, 2]" in tooltip and "not a number" in tooltip
    assert panel.result.message.isVisible() and "abc" in panel.result.message.text()
    assert shown_value(panel) == before
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert torch.equal(editor.tensor(), original)
    assert not panel.result.message.isVisible()


def test_undo_restores_the_previous_tensor_and_redo_repeats(qtbot, panel):
    pick(panel, "L1Loss")
    editor = panel.editors["target"]
    original, before = editor.tensor(), shown_value(panel)
    type_into(qtbot, editor, 2, 4, "-9")
    assert shown_value(panel) != before
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert torch.equal(editor.tensor(), original) and shown_value(panel) == before
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, redo)
    assert editor.tensor()[2, 4].item() == -9


def test_pasting_a_3x5_block_fills_the_table(qtbot, panel):
    pick(panel, "MSELoss")
    editor = panel.editors["input"]
    block = torch.arange(15, dtype=torch.float32).reshape(3, 5) / 4
    QGuiApplication.clipboard().setText(
        "\n".join("\t".join(f"{v:g}" for v in row) for row in block.tolist()))
    editor.select_cell(0, 0)
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert torch.equal(editor.tensor(), block)
    assert shown_value(panel) == expected_value(panel)[0]


@pytest.mark.parametrize("name", ["KLDivLoss", "HingeEmbeddingLoss"])
def test_pitfall_banner_appears_for_the_slide_example_and_its_fix_removes_it(qtbot, panel, name):
    pick(panel, name)
    banner = panel.result.banner
    assert banner.isVisible() and banner.fix_buttons
    while banner.isVisible():  # KLDivLoss's slide example has two mistakes, one fix each
        button = next(iter(banner.fix_buttons.values()))
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert math.isfinite(float(panel.last_result.value))
    assert shown_value(panel) == expected_value(panel)[0]
    if name == "HingeEmbeddingLoss":
        assert set(panel.editors["target"].tensor().flatten().tolist()) <= {-1.0, 1.0}


def test_copy_puts_the_code_on_the_clipboard(qtbot, panel):
    pick(panel, "NLLLoss")
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(panel.code.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == panel.last_result.code
    assert "NLLLoss" in panel.code.code()
    assert panel.code.output_edit.toPlainText() == panel.last_result.output


def test_the_curve_marker_follows_the_edited_cell(qtbot, panel):
    pick(panel, "MSELoss")
    editor = panel.editors["input"]
    type_into(qtbot, editor, 1, 1, "0.75")
    z, loss, grad = panel.curve.marker_position()
    target = panel.editors["target"].tensor()[1, 1].item()
    point = losses.curve("MSELoss", target, {}, 0.75, 0.75 + 1e-6, 2)
    assert z == pytest.approx(0.75)
    assert (loss, grad) == pytest.approx((point.loss[0].item(), point.grad[0].item()))


def test_shape_and_randomize_controls(qtbot, panel):
    pick(panel, "CrossEntropyLoss")
    panel.controls.dim_spins["C"].setValue(3)
    assert panel.editors["input"].tensor().shape == (3, 3)
    assert shown_value(panel) == expected_value(panel)[0]
    panel.controls.seed.setValue(41)
    panel.controls.set_seed(41)
    panel.editors["input"].table.setFocus()  # Ctrl+R works anywhere on the page
    qtbot.keyClick(panel.editors["input"].table, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier)
    assert panel.controls.seed.value() == 42 and panel.current_scene.seed == 42
    example = losses.example("CrossEntropyLoss", seed=42, dims={"N": 3, "C": 3})
    assert torch.allclose(panel.editors["input"].tensor(), example["input"], atol=5e-5)
    panel.undo_stack.undo()  # the whole randomize is one step
    assert not torch.allclose(panel.editors["input"].tensor(), example["input"], atol=5e-5)


def test_composite_terms_show_each_value_and_the_total(qtbot, panel):
    pick(panel, "MSELoss")
    qtbot.mouseClick(panel.composite.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.composite.add_button, Qt.MouseButton.LeftButton)
    loss_box, weight_box = panel.composite.term_controls(1)
    loss_box.setCurrentText("L1Loss")
    weight_box.setValue(0.5)
    terms = [{"loss": "MSELoss", "weight": 1.0}, {"loss": "L1Loss", "weight": 0.5}]
    expected = losses.evaluate("Composite", shown_inputs(panel), "mean", {"terms": terms})
    assert panel.composite.total.text() == f"{expected.value.item():.4f}"
    assert panel.composite.results.rowCount() == 2
    assert panel.composite.results.item(1, 2).text() == f"{expected.terms[1].value.item():.4f}"


def test_compare_mode_overlays_the_checked_losses(panel):
    panel.tabs.setCurrentWidget(panel.compare)
    expected = [legend(c) for c in losses.compare_curves()]
    assert panel.compare.labels() == expected
    panel.compare.boxes["square"].setChecked(False)
    assert panel.compare.labels() == expected[1:]
    assert panel.scene()["compare"] == ["absolute", "hinge", "logistic", "cross-entropy"]


def test_a_saved_scene_reopens_the_same(qtbot, panel):
    pick(panel, "HuberLoss")
    panel.compare.boxes["hinge"].setChecked(False)
    type_into(qtbot, panel.editors["input"], 0, 1, "2")
    panel.controls.reduction.setCurrentText("sum")
    saved = json.loads(json.dumps(panel.scene()))
    other = LossPanel()
    qtbot.addWidget(other)
    other.set_scene(saved)
    assert other.scene() == saved
    assert shown_value(other) == shown_value(panel)


def test_the_plots_and_the_page_export_to_png(panel, tmp_path):
    pick(panel, "MSELoss")
    for name, plot in panel.plots().items():
        path = export_plot(plot, tmp_path / f"{name}.png", width=800)
        assert path.stat().st_size > 1000
    page = export_widget(panel, tmp_path / "page.png")
    assert page.stat().st_size > 10_000


def test_search_narrows_the_picker_and_enter_picks_the_first_match(qtbot, panel):
    picker = panel.controls.picker
    picker.search.setFocus()
    qtbot.keyClicks(picker.search, "margin")
    shown = picker.visible_names()
    assert "MarginRankingLoss" in shown and "MSELoss" not in shown
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert panel.current_scene.loss == shown[0]


def test_an_option_changes_the_value_and_a_bad_one_is_marked(qtbot, panel):
    pick(panel, "CrossEntropyLoss")
    smoothing = panel.controls.options.control("label_smoothing")
    smoothing.setText("0.2")
    smoothing.editingFinished.emit()
    assert panel.current_scene.options["label_smoothing"] == pytest.approx(0.2)
    assert shown_value(panel) == expected_value(panel)[0]
    before = shown_value(panel)
    weight = panel.controls.options.control("weight")
    weight.setText("1, x, 2")
    weight.editingFinished.emit()
    assert weight.property("invalid") and "x" in weight.toolTip()
    assert shown_value(panel) == before
    weight.setText("1, 2, 1, 1, 3")
    weight.editingFinished.emit()
    assert not weight.property("invalid")
    assert panel.current_scene.options["weight"] == [1, 2, 1, 1, 3]
    assert shown_value(panel) == expected_value(panel)[0] != before
    panel.undo_stack.undo()
    assert panel.current_scene.options["weight"] is None and shown_value(panel) == before


def test_reduction_none_shows_one_number_per_element(panel):
    pick(panel, "L1Loss")
    panel.controls.reduction.setCurrentText("none")
    value = losses.evaluate("L1Loss", shown_inputs(panel), "none").value
    assert panel.result.value.text().startswith(f"[{value.flatten()[0].item():.3f}, ")


@pytest.mark.gpu
def test_the_page_computes_on_the_gpu(panel, gpu_device):
    pick(panel, "CrossEntropyLoss")
    cpu_value = shown_value(panel)
    panel.set_device(str(gpu_device))
    assert panel.last_result.value.device.type == "cuda"
    assert shown_value(panel) == cpu_value


def test_tab_goes_from_the_controls_to_the_tensors(qtbot, panel):
    pick(panel, "MSELoss")  # no options: after the reduction and transform come the tensors
    panel.controls.reduction.setFocus()
    qtbot.keyClick(panel.controls.reduction, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is panel.controls.transform
    qtbot.keyClick(panel.controls.transform, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is panel.editors["input"].table
    # Inside a table Tab moves to the next cell, as in a spreadsheet; Ctrl+Tab leaves it.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is panel.editors["target"].table


def test_a_non_default_scene_opens_in_every_view(qtbot, panel):
    """Every field differs from a fresh page, so this fails if set_scene skips any."""
    example = losses.example("HuberLoss", seed=11, dims={"N": 2, "D": 4})
    data = {
        "loss": "HuberLoss",
        "tensors": {name: t.tolist() for name, t in example.items()},
        "dims": {"N": 2, "D": 4},
        "reduction": "sum",
        "options": {"delta": 0.5},
        "seed": 11,
        "terms": [{"loss": "HuberLoss", "weight": 1.0, "options": {}},
                  {"loss": "L1Loss", "weight": 0.25, "options": {}}],
        "compare": ["hinge", "logistic"],
        "worked_probabilities": [0.5, 0.25, 0.9],
        "transform": "sigmoid",
        "note": "Huber with a small delta: nearly L1.",
    }
    fresh = LossPanel()
    qtbot.addWidget(fresh)
    assert all(fresh.scene()[key] != value for key, value in data.items())
    fresh.set_scene(data)
    assert fresh.scene() == data
    assert fresh.controls.picker.current() == "HuberLoss"
    assert fresh.controls.reduction.currentText() == "sum"
    assert fresh.controls.transform.currentText() == "Sigmoid"
    assert fresh.header.note.text() == "Huber with a small delta: nearly L1."
    assert fresh.controls.seed.value() == 11
    assert fresh.controls.options.values()["delta"] == pytest.approx(0.5)
    assert torch.equal(fresh.editors["input"].tensor(), example["input"])
    assert fresh.composite.terms() == [{"loss": "HuberLoss", "weight": 1.0},
                                       {"loss": "L1Loss", "weight": 0.25}]
    assert fresh.compare.selected() == ["hinge", "logistic"]
    assert fresh.worked.probabilities == [0.5, 0.25, 0.9]
    # The terms make it a composite: Huber (with the page's delta) + 0.25 × L1, both fed
    # sigmoid(input).
    terms = composite.terms_on_page("HuberLoss", {"delta": 0.5}, data["terms"])
    expected = losses.evaluate("Composite", example, "sum", {"terms": terms},
                               transform="sigmoid")
    assert shown_value(fresh) == f"{expected.value.item():.4f}"
