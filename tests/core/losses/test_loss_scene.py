"""The Loss page's scene: JSON round trip and InputError for values that cannot be used."""

import json

import pytest

from explorer import losses
from explorer.errors import InputError
from explorer.losses.scene import LossScene


def _scene() -> LossScene:
    example = losses.example("CrossEntropyLoss")
    return LossScene(
        loss="CrossEntropyLoss",
        tensors={name: t.tolist() for name, t in example.items()},
        dims={"N": 3, "C": 5},
        reduction="sum",
        options={"label_smoothing": 0.1},
        seed=7,
        terms=[{"loss": "CrossEntropyLoss", "weight": 1.0, "options": {}},
               {"loss": "FocalLoss", "weight": 0.5, "options": {}}],
        worked_probabilities=[0.57, 0.58, 0.9],
    )


def test_round_trips_through_json():
    scene = _scene()
    again = LossScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    assert again == scene


def test_defaults_are_valid():
    assert LossScene.from_dict(LossScene().to_dict()) == LossScene()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"loss": "NoSuchLoss"}, "loss"),
        ({"reduction": "batchmean"}, "reduction"),  # only KLDivLoss has it
        ({"dims": {"C": 1}}, "dims"),
        ({"dims": {"Q": 3}}, "dims"),
        ({"tensors": {"input": [[1.0, 2.0], [3.0]]}}, "input"),
        ({"tensors": {"input": [[1.0, float("nan")]]}}, "input"),
        ({"tensors": {"weights": [[1.0]]}}, "tensors"),
        ({"options": {"margin": 1.0}}, "options"),
        ({"seed": -1}, "seed"),
        ({"seed": "7"}, "seed"),
        ({"terms": [{"loss": "MSELoss", "weight": float("inf"), "options": {}}]}, "terms"),
        ({"terms": [{"loss": "Nope", "weight": 1.0, "options": {}}]}, "loss"),
        ({"worked_probabilities": [0.5, 0.0, 0.2]}, "worked"),
        ({"worked_probabilities": [0.5]}, "worked"),
        ({"compare": ["square", "cubic"]}, "compare"),
        ({"colour": "red"}, "scene"),
    ],
)
def test_bad_values_raise_input_error_naming_the_field(change, field):
    data = {**_scene().to_dict(), **change}
    with pytest.raises(InputError) as raised:
        LossScene.from_dict(data)
    assert raised.value.field == field
    assert str(raised.value)  # a message written for the user


def test_not_a_mapping_is_refused():
    with pytest.raises(InputError):
        LossScene.from_dict(["MSELoss"])
