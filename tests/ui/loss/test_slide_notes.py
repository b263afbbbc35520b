"""Each slide's scene carries a note: what the slide printed, whether today's torch agrees, why."""

import pytest
import torch
from PySide6.QtWidgets import QApplication

from explorer import RESOURCES, losses, scene
from explorer.errors import InputError
from explorer.losses.examples import SLIDE_VALUES
from explorer.losses.scene import LossScene
from ui.loss.panel import LossPanel

SLIDES = sorted((RESOURCES / "scenes").glob("slide-*.json"))


@pytest.fixture(scope="module")
def panel():
    QApplication.instance() or QApplication([])
    page = LossPanel()
    page.resize(1366, 768)
    page.show()
    yield page
    page.close()
    page.deleteLater()


def test_there_are_the_seven_slides():
    assert [LossScene.from_dict(scene.load(p)["loss"]).loss for p in SLIDES] == list(SLIDE_VALUES)


@pytest.mark.parametrize("path", SLIDES, ids=lambda p: p.stem)
def test_every_slide_scene_has_its_note_and_shows_it(panel, path):
    page = LossScene.from_dict(scene.load(path)["loss"])
    assert page.note == losses.slide_note(page.loss)
    assert f"printed {SLIDE_VALUES[page.loss]:.4f}" in page.note
    assert page.note.count(". ") + 1 <= 4  # short: a few sentences
    panel.set_scene(scene.load(path)["loss"])
    assert panel.header.note.isVisibleTo(panel) and panel.header.note.text() == page.note
    assert panel.current_scene.note == page.note
    if page.loss != "KLDivLoss":  # KL's value was old torch's: the note says why
        assert panel.result.value.text() == f"{SLIDE_VALUES[page.loss]:.4f}"


def test_the_notes_say_what_the_slides_got_wrong():
    kl = losses.slide_note("KLDivLoss")
    assert "0.8774" in kl and "nan" in kl and "negative target entries as zero" in kl
    ce = losses.slide_note("CrossEntropyLoss")
    assert "−[y·log x + (1−y)·log(1−x)]" in ce and "multi-class" in ce
    assert "LogSoftmax" in losses.slide_note("NLLLoss")
    assert "grad_fn" in losses.slide_note("L1Loss")


def test_the_kl_note_is_true():
    """Old torch skipped targets ≤ 0: the masked sum over the batch is the slide's 0.8774."""
    ex = losses.example("KLDivLoss")
    assert torch.isnan(losses.evaluate("KLDivLoss", ex, "batchmean").value)
    x, y = ex["input"], ex["target"]
    masked = torch.where(y > 0, y * (y.clamp_min(1e-30).log() - x), torch.zeros(())).sum() / 2
    assert f"{masked.item():.4f}" == "0.8774"


def test_a_loss_without_a_slide_has_no_note_and_a_bad_note_is_refused(panel):
    panel.state.choose_loss("HuberLoss")
    assert not panel.header.note.isVisibleTo(panel) and panel.current_scene.note is None
    panel.state.choose_loss("KLDivLoss")  # the slide's example, picked from the list
    assert panel.header.note.text() == losses.slide_note("KLDivLoss")
    with pytest.raises(InputError) as info:
        LossScene.from_dict({"loss": "MSELoss", "note": 3})
    assert info.value.field == "note"
