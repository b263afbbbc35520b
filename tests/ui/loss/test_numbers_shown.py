"""Big and small numbers on the Loss page: refused at the cell when they overflow float32,
shown in scientific notation that fits when the loss or a gradient is huge or tiny."""

import torch

from ui.loss.gradients import GradientTable
from ui.loss.result import value_text


def test_1e39_is_refused_at_its_cell_naming_float32(panel):
    panel.state.choose_loss("MSELoss")
    before = panel.result.value.text()
    editor = panel.editors["input"]
    editor.edit_cell(0, 0, "1e39")
    assert not editor.is_valid()
    assert "torch.float32" in editor.message.text()
    assert panel.result.value.text() == before  # the last good value stays
    assert "inf" not in panel.result.value.text()


def test_a_huge_loss_prints_in_scientific_notation(panel):
    panel.state.choose_loss("MSELoss")
    editor = panel.editors["input"]
    editor.edit_cell(0, 0, "1e19")
    text = panel.result.value.text()
    assert "e+" in text and len(text) <= 11, text
    grads = panel.result.gradients["input"]
    shown = grads.gradient_model.data(grads.gradient_model.index(0, 0))
    assert "e+" in shown and len(shown) <= 11
    width = grads.horizontalHeader().defaultSectionSize()
    assert width >= grads.fontMetrics().horizontalAdvance(shown)


def test_value_text_of_per_element_losses():
    assert value_text(torch.tensor(1.23456e37)) == "1.2346e+37"
    assert value_text(torch.tensor([1e-9, 2.0])) == "[1.000e-09, 2.000]"


def test_gradient_labels_fit(qtbot):
    table = GradientTable()
    qtbot.addWidget(table)
    table.set_rows([[1e37, -3e-7, 0.0, 0.25]])
    model = table.gradient_model
    labels = [model.data(model.index(0, c)) for c in range(4)]
    assert labels == ["+1.0000e+37", "-3.0000e-07", "0", "+0.2500"]
