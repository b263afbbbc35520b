"""explorer.inputs: the one home of every rule for what a user types or a scene holds."""

import math
from dataclasses import dataclass

import pytest

from explorer import inputs
from explorer.errors import InputError


@pytest.mark.parametrize("value, expected", [(3, 3), (3.0, 3), (100_000, 100_000)])
def test_check_whole_takes_whole_numbers_in_range(value, expected):
    assert inputs.check_whole(value, "steps", "Steps", 1, 100_000) == expected


@pytest.mark.parametrize("value", [0, 100_001, 2.5, True, "3", None, math.inf, math.nan])
def test_check_whole_refuses_the_rest_naming_the_range(value):
    with pytest.raises(InputError, match="whole number from 1 to 100,000") as caught:
        inputs.check_whole(value, "steps", "Steps", 1, 100_000)
    assert caught.value.field == "steps"


@pytest.mark.parametrize("value", [0, -1, math.inf, math.nan, "abc", True, None])
def test_check_lr_refuses_what_is_not_a_positive_finite_number(value):
    with pytest.raises(InputError, match="positive finite"):
        inputs.check_lr(value)


def test_lists_of_rates_typed_or_given_agree():
    assert inputs.parse_lrs("0.001, 0.01;0.1  1e-3") == (0.001, 0.01, 0.1, 0.001)
    assert inputs.check_lrs([0.001, 0.01]) == [0.001, 0.01]
    with pytest.raises(InputError, match="Learning rate 2"):
        inputs.check_lrs([0.001, "0.01"])  # text is read by parse_lrs, never taken as a number
    assert inputs.check_lrs(0.5) == [0.5]
    for bad in ("0.1, -1", [0.1, -1]):
        call = inputs.parse_lrs if isinstance(bad, str) else inputs.check_lrs
        with pytest.raises(InputError, match="Learning rate 2") as caught:
            call(bad)
        assert caught.value.cell == (1,)
    with pytest.raises(InputError, match="at most 8"):
        inputs.parse_lrs("1 2 3 4 5 6 7 8 9", most=8)
    with pytest.raises(InputError, match="at most 8"):
        inputs.check_lrs(list(range(1, 10)), most=8)
    for empty in ("", " , ", []):
        with pytest.raises(InputError, match="at least one"):
            (inputs.parse_lrs if isinstance(empty, str) else inputs.check_lrs)(empty)


def test_format_numbers_round_trips_through_the_parsers():
    rates = (0.001, 0.0316228, 1.0, 3e-7)
    assert inputs.parse_lrs(inputs.format_numbers(rates)) == rates
    assert inputs.parse_widths(inputs.format_numbers((16, 32))) == (16, 32)


def test_widths_typed_and_given_share_one_cap():
    assert inputs.parse_widths("16, 16") == inputs.check_widths((16, 16)) == (16, 16)
    too_many = (8,) * (inputs.MAX_LAYERS + 1)
    with pytest.raises(InputError, match=f"at most {inputs.MAX_LAYERS}"):
        inputs.check_widths(too_many)
    with pytest.raises(InputError, match=f"at most {inputs.MAX_LAYERS}"):
        inputs.parse_widths(inputs.format_numbers(too_many))
    with pytest.raises(InputError, match="4,096"):
        inputs.check_widths((inputs.MAX_WIDTH + 1,))
    with pytest.raises(InputError, match="4,096"):
        inputs.parse_widths(str(inputs.MAX_WIDTH + 1))
    with pytest.raises(InputError, match="whole number") as caught:
        inputs.parse_widths("16, x")
    assert caught.value.field == "hidden" and caught.value.cell == (1,)


def test_steps_and_start():
    assert inputs.check_steps(10.0) == 10
    with pytest.raises(InputError, match="1 to 100,000"):
        inputs.check_steps(0)
    assert inputs.check_start([1, "2"]) == (1.0, 2.0)
    with pytest.raises(InputError, match="finite"):
        inputs.check_start((math.inf, 0))
    with pytest.raises(InputError, match="two numbers"):
        inputs.check_start((1, 2, 3))


def test_options_of_every_kind():
    vector = inputs.OptionSpec("weight", "vector", None, 0.0, None, "weights", dim="C")
    assert inputs.check_option(vector, "1, 2") == [1.0, 2.0]
    assert inputs.check_option(vector, "") is None
    with pytest.raises(InputError, match=r"weight\[1\] must be a number") as caught:
        inputs.check_option(vector, "1, x")
    assert caught.value.field == "weight"
    momentum = inputs.OptionSpec("momentum", "float", 0.0, 0.0, 1.0, below_maximum=True)
    with pytest.raises(InputError, match=r"in \[0, 1\)"):
        inputs.check_option(momentum, 1.0)
    with pytest.raises(InputError, match="must be a number"):
        inputs.check_option(momentum, True)
    with pytest.raises(InputError, match="no option 'momentun'"):
        inputs.resolve_options([momentum], {"momentun": 0.9}, "SGD")


@dataclass(frozen=True)
class _Scene:
    lrs: tuple = (0.1,)
    steps: int = 10


def test_fields_of_is_the_one_from_dict_skeleton():
    assert inputs.fields_of(_Scene, {"lrs": [0.1, 0.2]}, "test scene") == {"lrs": (0.1, 0.2)}
    with pytest.raises(InputError, match="must be a JSON object"):
        inputs.fields_of(_Scene, [1], "test scene")
    with pytest.raises(InputError, match="Unknown test scene entries: stpes") as caught:
        inputs.fields_of(_Scene, {"stpes": 3}, "test scene")
    assert caught.value.field == "scene"


@pytest.mark.parametrize("seed", [-1, inputs.MAX_SEED + 1, 2**64, 1.5, True, None, "7"])
def test_check_seed_is_the_one_seed_rule(seed):
    with pytest.raises(InputError, match="whole number from 0 to 2,147,483,647") as caught:
        inputs.check_seed(seed)
    assert caught.value.field == "seed"
    assert inputs.check_seed(inputs.MAX_SEED) == 2**31 - 1 and inputs.check_seed(3.0) == 3


def test_learning_rates_past_max_lr_are_refused_when_typed_and_when_given():
    too_big = inputs.MAX_LR * 10
    assert inputs.check_lr(inputs.MAX_LR) == inputs.MAX_LR
    messages = set()
    for call in (lambda: inputs.check_lr(too_big),
                 lambda: inputs.check_lrs([too_big]),
                 lambda: inputs.parse_lrs(f"{too_big:g}")):
        with pytest.raises(InputError, match="only overflow") as caught:
            call()
        messages.add(str(caught.value).replace("A learning rate", "The learning rate"))
    assert len(messages) == 1  # one wording wherever the value is checked
    with pytest.raises(InputError, match="Learning rate 2") as caught:
        inputs.check_lrs([0.1, 1e39])
    assert caught.value.cell == (1,)


@pytest.mark.parametrize("lrs", [[True], True, [0.1, False]])
def test_booleans_are_not_learning_rates(lrs):
    with pytest.raises(InputError):
        inputs.check_lrs(lrs)


@pytest.mark.parametrize("start", ["12", b"12", (True, 0), "1, 2"])
def test_text_and_booleans_are_not_a_start_point(start):
    with pytest.raises(InputError, match="two numbers") as caught:
        inputs.check_start(start)
    assert caught.value.field == "start"


@pytest.mark.parametrize("given", [[1], "ab", 3, [("a", 1)], {1, 2}])
def test_options_must_be_a_mapping(given):
    spec = inputs.OptionSpec("gamma", "float", 0.5, 0.0, 1.0)
    with pytest.raises(InputError, match="must be a mapping") as caught:
        inputs.resolve_options([spec], given, "StepLR", "schedule_options")
    assert caught.value.field == "schedule_options"
    assert inputs.resolve_options([spec], None, "StepLR") == {"gamma": 0.5}


def test_the_size_budget_names_its_limits():
    assert inputs.check_elements(inputs.MAX_ELEMENTS, "input", "input") == inputs.MAX_ELEMENTS
    with pytest.raises(InputError, match="MAX_ELEMENTS") as caught:
        inputs.check_elements(inputs.MAX_ELEMENTS + 1, "input", "input")
    assert caught.value.field == "input"
    with pytest.raises(InputError, match="MAX_TEXT"):
        inputs.check_text("1" * (inputs.MAX_TEXT + 1), "paste", "The pasted block")
    assert inputs.check_grid_size(inputs.MAX_GRID) == inputs.MAX_GRID
    with pytest.raises(InputError, match=f"2 to {inputs.MAX_GRID}"):
        inputs.check_grid_size(inputs.MAX_GRID + 1)
    with pytest.raises(InputError, match="MAX_PARAMETERS") as caught:
        inputs.check_parameters(inputs.MAX_PARAMETERS + 1)
    assert caught.value.field == "hidden"


@pytest.mark.parametrize("call", [
    lambda text: inputs.parse_lrs(text),
    lambda text: inputs.parse_widths(text),
    lambda text: inputs.split_text(text),
])
def test_typed_lists_longer_than_max_text_are_refused_before_they_are_split(call):
    with pytest.raises(InputError, match="MAX_TEXT"):
        call("1, " * inputs.MAX_TEXT)


def test_a_vector_option_longer_than_max_elements_is_refused():
    spec = inputs.OptionSpec("weight", "vector", None, 0.0, None, dim="C")
    with pytest.raises(InputError, match="MAX_ELEMENTS"):
        inputs.check_option(spec, [1.0] * (inputs.MAX_ELEMENTS + 1))
