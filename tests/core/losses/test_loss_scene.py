"""The Loss page's scene: JSON round trip and InputError for values that cannot be used."""

import json

import pytest
import torch

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


# --- issue 10: a scene whose tensors do not fit its loss is refused, not opened with nan ------
def _with_tensors(**changes) -> dict:
    data = _scene().to_dict()
    data["tensors"] = {**data["tensors"], **changes}
    return data


def test_a_target_of_the_wrong_shape_is_refused_as_the_engine_refuses_it():
    data = _with_tensors(target=[0, 1, 2, 3])  # N = 4 against input's N = 3
    with pytest.raises(InputError) as raised:
        LossScene.from_dict(data)
    assert raised.value.field == "target"
    inputs = {k: torch.tensor(v) for k, v in data["tensors"].items()}
    with pytest.raises(InputError) as engine:  # the same rule, the same words
        losses.evaluate("CrossEntropyLoss", inputs)
    assert str(raised.value) == str(engine.value)


def test_a_class_index_7_for_c_5_is_refused():
    with pytest.raises(InputError) as raised:
        LossScene.from_dict(_with_tensors(target=[1, 7, 0]))
    assert raised.value.field == "target"
    assert "7" in str(raised.value)


def test_tensors_that_disagree_with_the_saved_dims_are_refused():
    data = {**_scene().to_dict(), "dims": {"N": 4, "C": 5}}
    with pytest.raises(InputError, match="N = 3, but dims say N = 4") as raised:
        LossScene.from_dict(data)
    assert raised.value.field == "dims"


def test_the_window_refuses_such_a_page_whole_and_says_which():
    from explorer.scene import check_pages

    with pytest.raises(InputError, match="loss page") as raised:
        check_pages({"loss": _with_tensors(target=[1, 7, 0])})
    assert raised.value.field == "target"
    assert check_pages({"loss": _scene().to_dict()})["loss"] == _scene()
