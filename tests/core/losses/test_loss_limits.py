"""Each Loss-lab rule once: the scene, the engine and the examples accept and refuse alike."""

import pytest
import torch

import explorer.inputs
from explorer import losses
from explorer.errors import InputError
from explorer.inputs import fields_of
from explorer.losses import limits, specs
from explorer.losses.scene import LossScene
from explorer.losses.worked import cross_entropy_example


def _message(call, *args, **kwargs) -> str:
    with pytest.raises(InputError) as raised:
        call(*args, **kwargs)
    return str(raised.value)


def _scene_message(**change) -> str:
    return _message(LossScene.from_dict, {**LossScene().to_dict(), **change})


def _terms(count, weight=1.0):
    return [{"loss": "MSELoss", "weight": weight, "options": {}}] * count


def test_there_is_one_option_spec():
    assert specs.OptionSpec is losses.OptionSpec is explorer.inputs.OptionSpec
    spec = losses.OptionSpec("weight", "vector", None, 0.0, None, "weights", dim="C")
    assert spec.dim == "C" and losses.spec("CrossEntropyLoss").option("weight").dim == "C"


@pytest.mark.parametrize("seed", [-1, limits.MAX_SEED + 1, 1.5, "7"])
def test_a_seed_is_refused_by_the_scene_and_the_examples_alike(seed):
    scene = _scene_message(seed=seed)
    assert _message(losses.example, "MSELoss", seed=seed) == scene
    assert f"{limits.MAX_SEED:,}" in scene


def test_the_largest_seed_is_accepted_everywhere_and_randomize_wraps_round():
    assert LossScene.from_dict({"seed": limits.MAX_SEED}).seed == limits.MAX_SEED
    assert losses.example("MSELoss", seed=limits.MAX_SEED)["input"].shape == (3, 5)
    assert limits.next_seed(limits.MAX_SEED) == 0 and limits.next_seed(41) == 42


@pytest.mark.parametrize("dims", [{"N": 65}, {"N": 0}, {"C": 1}])
def test_a_dim_size_is_refused_by_the_scene_and_the_examples_alike(dims):
    loss = "CrossEntropyLoss"
    scene = _message(LossScene.from_dict, {"loss": loss, "dims": dims})
    assert _message(losses.example, loss, dims=dims) == scene


def test_an_unknown_dim_is_refused_alike():
    scene = _message(LossScene.from_dict, {"loss": "MSELoss", "dims": {"Q": 3}})
    assert _message(losses.example, "MSELoss", dims={"Q": 3}) == scene


def test_the_engine_refuses_more_composite_terms_than_the_scene_holds():
    inputs = losses.example("MSELoss")
    losses.evaluate("Composite", inputs, options={"terms": _terms(limits.MAX_TERMS)})
    too_many = _terms(limits.MAX_TERMS + 1)
    engine = _message(losses.evaluate, "Composite", inputs, options={"terms": too_many})
    assert engine == _scene_message(terms=too_many)
    assert f"at most {limits.MAX_TERMS} terms" in engine


@pytest.mark.parametrize("weight", [True, "2", float("nan"), limits.MAX_WEIGHT * 2])
def test_a_term_weight_is_refused_by_the_scene_and_the_engine_alike(weight):
    inputs = losses.example("MSELoss")
    terms = _terms(1, weight)
    engine = _message(losses.evaluate, "Composite", inputs, options={"terms": terms})
    assert engine == _scene_message(terms=terms)


def test_the_largest_weight_is_accepted_everywhere():
    terms = _terms(1, -limits.MAX_WEIGHT)
    LossScene.from_dict({"terms": terms})
    result = losses.evaluate("Composite", losses.example("MSELoss"), options={"terms": terms})
    assert torch.isfinite(result.value)


@pytest.mark.parametrize("probabilities", [[0.5, 0.0, 0.2], [0.5, "0.3", 0.2], [0.5, 0.2],
                                           [0.5, True, 0.2], [0.5, 1.5, 0.2]])
def test_worked_probabilities_are_refused_by_the_scene_and_the_example_alike(probabilities):
    scene = _scene_message(worked_probabilities=probabilities)
    assert _message(cross_entropy_example, probabilities=probabilities) == scene


def test_from_dict_is_the_shared_skeleton():
    data = {"loss": "MSELoss", "colour": "red"}
    assert _message(LossScene.from_dict, data) == _message(fields_of, LossScene, data,
                                                           "loss scene")
    assert _message(LossScene.from_dict, ["MSELoss"]) == _message(fields_of, LossScene,
                                                                  ["MSELoss"], "loss scene")


def test_a_scene_is_frozen_and_equal_however_its_lists_were_given():
    scene = LossScene(compare=["square"], worked_probabilities=[0.5, 0.5, 0.5])
    assert scene == LossScene.from_dict(scene.to_dict())
    assert scene.to_dict()["compare"] == ["square"]
    with pytest.raises(AttributeError):
        scene.seed = 3  # type: ignore[misc]


def test_the_seed_rule_is_the_one_of_explorer_inputs():
    assert limits.MAX_SEED == explorer.inputs.MAX_SEED == 2**31 - 1
    assert limits.check_seed is explorer.inputs.check_seed


@pytest.mark.parametrize(("loss", "shapes"), [
    ("MSELoss", {"input": (65, 5), "target": (65, 5)}),
    ("MSELoss", {"input": (3, 65), "target": (3, 65)}),
    ("CrossEntropyLoss", {"input": (3, 33), "target": (3,)}),
])
def test_the_engine_refuses_a_dim_the_scene_refuses_in_the_same_words(loss, shapes):
    inputs = {name: torch.zeros(shape) for name, shape in shapes.items()}
    if loss == "CrossEntropyLoss":
        inputs["target"] = torch.zeros(3, dtype=torch.long)
    dims = dict(zip(("N", "C" if loss == "CrossEntropyLoss" else "D"),
                    shapes["input"], strict=True))
    scene = _message(LossScene.from_dict, {"loss": loss, "dims": dims})
    assert scene in _message(losses.evaluate, loss, inputs)


def test_the_largest_dims_are_evaluated():
    a = torch.rand(64, 64)
    result = losses.evaluate("MSELoss", {"input": a, "target": a.clone()})
    assert float(result.value) == 0.0


@pytest.mark.parametrize("options", [[1], "ab", 3, (("margin", 1),)])
def test_options_must_be_a_mapping_in_the_engine_and_the_scene(options):
    ex = losses.example("MSELoss")
    assert "must be a mapping" in _message(losses.evaluate, "MSELoss", ex, options=options)
    terms = [{"loss": "MSELoss", "weight": 1.0, "options": options}]
    assert "must be a mapping" in _message(losses.evaluate, "Composite", ex,
                                           options={"terms": terms})
    assert "must be a mapping" in _message(losses.evaluate, "Composite", ex, options=options)
    assert "mapping" in _scene_message(options=options)


def test_a_tensor_too_large_is_refused_before_it_is_read():
    import time

    rows = [[0.0] * 1001] * 1000  # the size of its first row times its rows is the claim
    started = time.perf_counter()
    message = _message(losses.evaluate, "MSELoss", {"input": rows, "target": rows})
    assert time.perf_counter() - started < 2.0  # reading it first takes far longer
    assert f"{explorer.inputs.MAX_ELEMENTS:,}" in message


@pytest.mark.parametrize("target", [
    torch.tensor([1e19, 0, 1]), [1e19, 0, 1], [10**19, 0, 1], torch.tensor([2**62, 0, 1]),
])
def test_a_huge_class_number_is_an_input_error(target):
    message = _message(losses.evaluate, "CrossEntropyLoss",
                       {"input": torch.zeros(3, 5), "target": target})
    assert "target" in message


def test_the_scene_refuses_huge_and_deep_tensors_without_walking_them():
    import time

    huge = [[0.0] * 5000] * 5000
    started = time.perf_counter()
    assert "more than 4096 cells" in _scene_message(tensors={"input": huge})
    deep: list = [1.0]
    for _ in range(2000):
        deep = [deep]
    assert "deep" in _scene_message(tensors={"input": deep})
    assert time.perf_counter() - started < 2.0  # walking them first takes far longer
