"""The Batch lab's research tabs run what the scene holds; the scene saves and reopens it."""

import json

import pytest
from PySide6.QtCore import Qt

from explorer.errors import InputError
from explorer.training.config import TrainConfig
from explorer.training.scene import BatchScene
from ui.batch.panel import BatchPanel
from ui.batch.research import research_views
from ui.common.widgets import is_marked_invalid

SETTINGS = {  # a teacher's own settings for each tab, other than the defaults
    "noise_scale": {"noise_epochs": (0, 3), "noise_fit_sizes": (2, 8, 32)},
    "linear_scaling": {"scaling_factors": (1, 4), "scaling_warmup_factors": (),
                       "scaling_batch": 16, "scaling_lr": 0.05, "scaling_warmup_epochs": 3},
    "bn_smoothness": {"smoothness_init": "torch", "smoothness_etas": (0.1, 0.3),
                      "smoothness_depth": 3, "smoothness_width": 16},
}


@pytest.fixture
def views(qtbot):
    made = {view.key: view for view in research_views()}
    for view in made.values():
        qtbot.addWidget(view)
    return made


@pytest.mark.parametrize("index", [0, 1, 2])
def test_the_tab_and_the_seed_it_runs_save_reopen_and_reach_the_run(qtbot, index):
    views = research_views()
    for each in views:
        qtbot.addWidget(each)
    view = views[index]
    scene = BatchScene(config=TrainConfig(seed=7), experiment=view.key)
    again = BatchScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    assert again.experiment == view.key and again.config.seed == 7
    _, (config, *_rest) = view.job(again, "cpu")
    assert config.seed == 7 and config.device == "cpu"


def test_an_unknown_research_tab_is_refused_with_the_known_ones():
    data = BatchScene().to_dict()
    data["experiment"] = "noise_scales"
    with pytest.raises(InputError, match="noise_scale") as caught:
        BatchScene.from_dict(data)
    assert caught.value.field == "experiment"


@pytest.mark.parametrize("key", sorted(SETTINGS))
def test_each_tabs_settings_save_reopen_show_and_reach_its_run(views, key):
    scene = BatchScene().with_changes(**SETTINGS[key])
    again = BatchScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    assert again == scene
    view = views[key]
    view.set_scene(again)
    generator, args = view.job(again, "cpu")
    keywords = getattr(generator, "keywords", {})
    if key == "noise_scale":
        assert view.control("noise_epochs").text() == "0, 3"
        assert view.control("noise_fit_sizes").text() == "2, 8, 32"
        assert args[1] == (0, 3) and keywords == {"batch_sizes": (2, 8, 32)}
    elif key == "linear_scaling":
        assert view.control("scaling_factors").text() == "1, 4"
        assert view.control("scaling_warmup_factors").text() == ""
        assert view.control("scaling_batch").value() == 16
        assert view.control("scaling_lr").text() == "0.05"
        assert args[0].batch_size == 16 and args[0].lr == 0.05 and args[0].dataset == "digits"
        assert args[1:] == ((1, 4), (), 3)
    else:
        assert view.control("smoothness_init").currentData() == "torch"
        assert "ln 10" in view.init_note.text()
        assert view.control("smoothness_etas").text() == "0.1, 0.3"
        assert args[0].hidden == (16, 16, 16) and args[0].activation == "relu"
        assert keywords == {"init": "torch", "step_sizes": (0.1, 0.3)}


def test_blank_fit_sizes_are_automatic(views):
    view = views["noise_scale"]
    view.set_scene(BatchScene())
    assert view.control("noise_fit_sizes").text() == ""
    assert view.job(BatchScene(), "cpu")[0].keywords == {"batch_sizes": None}


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("noise_epochs", (0, -1), "from 0 to"), ("noise_epochs", [], "at least one"),
    ("noise_fit_sizes", (4,), "two batch sizes"),
    ("noise_fit_sizes", (4, 5000), "training set"),
    ("scaling_factors", (1, 400), "k = 400"), ("scaling_warmup_factors", (2.5,), "whole"),
    ("scaling_batch", 0, "batch size"), ("scaling_lr", -1, "positive"),
    ("scaling_warmup_epochs", 9, "from 1 to 5"), ("smoothness_init", "xavier", "he, torch"),
    ("smoothness_etas", (0.1,), "two step sizes"), ("smoothness_depth", 13, "from 1 to 12"),
    ("smoothness_width", 4096, "weights"),
])
def test_a_bad_research_setting_is_refused_at_save_and_at_open_naming_its_field(
        field, value, expected):
    scene = BatchScene().with_changes(**{field: value})
    with pytest.raises(InputError, match=expected) as caught:
        scene.to_dict()
    assert caught.value.field == field
    data = BatchScene().to_dict()
    data[field] = list(value) if isinstance(value, tuple) else value
    with pytest.raises(InputError, match=expected):
        BatchScene.from_dict(data)


def _view(panel, key):
    return next(v for v in panel.experiments if v.key == key)


@pytest.mark.parametrize(("key", "field", "bad", "message", "good", "value"), [
    ("noise_scale", "noise_epochs", "0, x", "not a whole number", "3, 0", (0, 3)),
    ("noise_scale", "noise_fit_sizes", "4, 5000", "training set", "", None),
    ("linear_scaling", "scaling_factors", "1, 400", "k = 400", "2, 4", (2, 4)),
    ("linear_scaling", "scaling_lr", "fast", "not a number", "0.05", 0.05),
    ("linear_scaling", "scaling_warmup_factors", "0", "from 1", "", ()),
    ("bn_smoothness", "smoothness_etas", "0.1", "two step sizes", "0.4, 0.1", (0.1, 0.4)),
])
def test_typing_a_setting_edits_the_scene_and_a_bad_one_is_red_until_fixed(
        qtbot, panel, key, field, bad, message, good, value):
    view = _view(panel, key)
    panel.tabs.setCurrentWidget(view)
    edit = view.control(field)
    before = getattr(panel.batch_scene(), field)
    edit.setText(bad)
    assert is_marked_invalid(edit) and message in view.error.text()
    assert getattr(panel.batch_scene(), field) == before  # the last good scene stays
    assert edit.text() == bad  # and what the user typed stays too
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert not panel.busy  # Run says what to fix instead
    edit.setText(good)
    assert not is_marked_invalid(edit) and not view.error.text()
    assert getattr(panel.batch_scene(), field) == value
    assert panel.scene()[field] == (list(value) if isinstance(value, tuple) else value)


@pytest.mark.parametrize(("key", "field", "bad", "message", "good"), [
    ("linear_scaling", "scaling_warmup_epochs", 9, "from 1 to 5", 3),
    ("linear_scaling", "scaling_batch", 2000, "batch size", 16),
    ("bn_smoothness", "smoothness_width", 4096, "weights", 16),
])
def test_a_number_out_of_the_rule_is_red_until_fixed(panel, key, field, bad, message, good):
    view = _view(panel, key)
    spin = view.control(field)
    spin.setValue(bad)
    assert is_marked_invalid(spin) and message in view.error.text()
    assert getattr(panel.batch_scene(), field) != bad
    spin.setValue(good)
    assert not is_marked_invalid(spin) and getattr(panel.batch_scene(), field) == good


def test_the_init_is_chosen_in_its_box_and_its_note_says_what_it_does(qtbot, panel):
    view = _view(panel, "bn_smoothness")
    box = view.control("smoothness_init")
    assert "He" in box.currentText() and "both networks train" in view.init_note.text()
    box.setCurrentIndex(box.findData("torch"))
    assert panel.batch_scene().smoothness_init == "torch"
    assert "does not train" in view.init_note.text() and "ln 10" in view.init_note.text()
    other = BatchPanel()
    qtbot.addWidget(other)
    other.set_scene(panel.scene())
    assert _view(other, "bn_smoothness").control("smoothness_init").currentData() == "torch"
    other.shutdown()
