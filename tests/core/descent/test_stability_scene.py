"""The Edge-of-stability settings save in the Descent scene, reopen, and obey the run's rule."""

import json

import pytest

from explorer.descent import edge_of_stability
from explorer.descent.scene import DescentScene, StabilityOptions
from explorer.errors import InputError


def test_the_settings_round_trip_through_json():
    scene = DescentScene(stability=StabilityOptions((0.05, 0.3), 800, 20)).validated()
    again = DescentScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    assert again.stability == StabilityOptions((0.05, 0.3), 800, 20)
    assert again == scene


def test_an_old_scene_without_the_settings_opens_with_the_defaults():
    data = DescentScene().validated().to_dict()
    del data["stability"]
    assert DescentScene.from_dict(data).stability == StabilityOptions()


@pytest.mark.parametrize(("stability", "field", "words"), [
    ({"lrs": [0.1, -2]}, "stability_lrs", "rate"),
    ({"lrs": [0.1] * 9}, "stability_lrs", "8"),
    ({"steps": 0}, "stability_steps", "steps"),
    ({"steps": 20, "every": 50}, "stability_every", "at most every 20"),
    ({"eta": 0.1}, "stability", "Unknown"),
])
def test_a_bad_saved_setting_is_refused_naming_it(stability, field, words):
    data = DescentScene().validated().to_dict()
    data["stability"] = {**data["stability"], **stability}
    with pytest.raises(InputError) as caught:
        DescentScene.from_dict(data)
    assert caught.value.field == field and words in str(caught.value)


def test_the_scene_refuses_exactly_what_the_run_refuses():
    # One rule: a setting the scene refuses, edge_of_stability refuses with the same words.
    with pytest.raises(InputError) as scene_error:
        StabilityOptions((0.1,), 20, 50).validated()
    with pytest.raises(InputError) as run_error:
        edge_of_stability((0.1,), 20, 0, 50)
    assert str(scene_error.value) == str(run_error.value)
    assert scene_error.value.field == "stability_every" and run_error.value.field == "every"


def test_the_arguments_run_the_experiment():
    options = StabilityOptions((0.4,), 20, 10).validated()
    record = edge_of_stability(**options.arguments())[0.4]
    assert record.steps == [0, 10, 20]
