"""The transform combo: input → LogSoftmax → NLLLoss on the page, one undoable edit."""

import pytest
import torch
from PySide6.QtCore import Qt

from explorer import losses
from ui.loss.panel import LossPanel


def shown_grad(panel):
    return torch.tensor(panel.result.gradients["input"].gradient_model.rows())


def test_the_nll_slide_shows_the_slides_gradient_and_the_transform_changes_it(panel):
    panel.state.choose_loss("NLLLoss")
    assert panel.controls.transform.currentText() == "LogSoftmax"
    assert panel.header.pipeline.isVisibleTo(panel)
    assert panel.header.pipeline.text() == "input → LogSoftmax(dim=1) → NLLLoss"
    assert panel.result.value.text() == "2.9472"
    assert shown_grad(panel)[0].tolist() == pytest.approx([0.141, -0.299, 0.061, 0.030, 0.068],
                                                          abs=5e-4)
    assert "m = nn.LogSoftmax(dim=1)" in panel.code.code()
    assert "torch.manual_seed(85924)" in panel.code.code()  # the slide's own lines
    assert "input = torch.randn(3, 5, requires_grad=True)" in panel.code.code()
    assert panel.last_result.pitfalls == []
    title = panel.editors["input"].title.text()
    assert "raw values" in title and "LogSoftmax(dim=1)" in title  # not "log-probabilities"

    panel.controls.transform.setCurrentIndex(0)  # "none": the raw scores go to NLLLoss
    assert panel.current_scene.transform is None
    assert "log-probabilities" in panel.editors["input"].title.text()
    assert not panel.header.pipeline.isVisibleTo(panel)
    raw = losses.example("NLLLoss")
    expected = losses.evaluate("NLLLoss", raw)
    torch.testing.assert_close(shown_grad(panel), expected.grads["input"])
    assert shown_grad(panel)[0].tolist() == pytest.approx([0, -1 / 3, 0, 0, 0], abs=1e-4)
    assert [p.code for p in panel.last_result.pitfalls] == ["nll-input-not-log-prob"]

    panel.undo_stack.undo()  # one step back: the slide's LogSoftmax again
    assert panel.controls.transform.currentText() == "LogSoftmax"
    assert panel.result.value.text() == "2.9472"
    panel.undo_stack.redo()
    assert panel.controls.transform.currentText() == "none"


def test_the_fix_sets_the_transform_not_new_numbers(qtbot, panel):
    panel.state.choose_loss("NLLLoss")
    panel.controls.transform.setCurrentIndex(0)
    raw = panel.editors["input"].tensor()
    button = panel.result.banner.fix_buttons["nll-input-not-log-prob"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert panel.controls.transform.currentText() == "LogSoftmax"
    assert torch.equal(panel.editors["input"].tensor(), raw)
    assert panel.result.value.text() == "2.9472"


def test_sigmoid_before_bce_and_a_scene_round_trip(qtbot, panel):
    panel.state.choose_loss("BCELoss")
    panel.controls.transform.setCurrentIndex(3)
    assert panel.current_scene.transform == "sigmoid"
    inputs = {name: e.tensor() for name, e in panel.editors.items()}
    expected = losses.evaluate("BCELoss", inputs, transform="sigmoid")
    assert panel.result.value.text() == f"{expected.value.item():.4f}"
    data = panel.scene()
    assert data["transform"] == "sigmoid"
    fresh = LossPanel()
    qtbot.addWidget(fresh)
    fresh.set_scene(data)
    assert fresh.controls.transform.currentText() == "Sigmoid"
    assert fresh.result.value.text() == panel.result.value.text()


def test_no_transform_where_there_is_no_input(panel):
    panel.state.choose_loss("MarginRankingLoss")
    assert not panel.controls.transform.isEnabled()
    panel.state.choose_loss("MSELoss")
    assert panel.controls.transform.isEnabled()
    assert panel.controls.transform.currentText() == "none"
