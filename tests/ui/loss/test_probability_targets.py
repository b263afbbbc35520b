"""CrossEntropyLoss with class-probability targets, chosen on the page: the target editor
becomes an (N, C) table of probabilities, the value is torch's, the scene saves and opens,
and going back to class indices brings back the indices that were typed."""

import json

import pytest
import torch
import torch.nn.functional as F

from ui.loss.panel import LossPanel

PROBABILITIES = "class probabilities"


@pytest.fixture
def panel(qtbot):
    page = LossPanel()
    qtbot.addWidget(page)
    page.state.choose_loss("CrossEntropyLoss")
    return page


def _choose_kind(panel, kind):
    box = panel.controls.options.control("target_kind")
    box.setCurrentIndex(box.findText(kind))


def test_probability_targets_get_their_own_editor_and_torch_value(panel):
    indices = panel.editors["target"].tensor()
    _choose_kind(panel, PROBABILITIES)
    target = panel.editors["target"]
    assert target.spec.kind == "probability"
    probs = target.tensor()
    logits = panel.editors["input"].tensor()
    assert probs.shape == logits.shape and torch.allclose(probs.sum(1), torch.ones(3))
    want = F.cross_entropy(logits, probs)
    assert panel.result.value.text() == f"{want.item():.4f}"
    assert panel.scene()["options"]["target_kind"] == PROBABILITIES

    _choose_kind(panel, "class indices")
    assert panel.editors["target"].spec.kind == "class_index"
    assert torch.equal(panel.editors["target"].tensor(), indices)


def test_a_scene_with_probability_targets_saves_and_opens(qtbot, panel):
    _choose_kind(panel, PROBABILITIES)
    saved = json.loads(json.dumps(panel.scene()))
    other = LossPanel()
    qtbot.addWidget(other)
    other.set_scene(saved)
    assert other.scene() == saved
    assert other.editors["target"].spec.kind == "probability"
    assert other.result.value.text() == panel.result.value.text()
