"""Numbers that never lie: overflow refused at the cell, an infinite result says which
entry caused it, and big and small values print in scientific notation that fits."""

import pytest
import torch

from explorer import losses
from explorer.errors import InputError
from explorer.losses import checks, tensors


def _input(name="MSELoss"):
    return losses.spec(name).inputs[0]


@pytest.mark.parametrize("text", ["1e39", "-1e39", "3.5e38", "12345678901234567890" * 2])
def test_a_value_that_overflows_float32_is_refused_at_its_cell(text):
    with pytest.raises(InputError) as info:
        tensors.parse_cell(text, _input(), (0, 1))
    assert info.value.cell == (0, 1) and info.value.field == "input"
    assert "input[0, 1]" in str(info.value) and "torch.float32" in str(info.value)
    assert "3.403e+38" in str(info.value)


def test_what_float32_holds_passes_and_float64_holds_more():
    assert tensors.parse_cell("3.4e38", _input(), (0, 0)) == 3.4e38
    assert tensors.parse_cell("12345678901234567890", _input(), (0, 0)) == 1.2345678901234567e19
    assert tensors.parse_cell("1e39", _input(), (0, 0), dtype=torch.float64) == 1e39
    with pytest.raises(InputError, match="float32"):
        tensors.tensor_from_rows([["1", "1e39"]], _input())
    t = tensors.tensor_from_rows([["1", "1e39"]], _input(), dtype=torch.float64)
    assert t[0, 1].item() == 1e39


def _why(name, inputs, reduction="mean"):
    result = losses.evaluate(name, inputs, reduction)
    loss = losses.spec(name)
    options = checks.check_options(loss, {}, checks.check_inputs(loss, inputs))
    return result, checks.not_finite(loss, inputs, reduction, options, result.value,
                                     result.grads)


def test_an_infinite_loss_names_the_cell_that_caused_it():
    inputs = {"input": torch.tensor([[1.0, 2.0], [1e20, 0.0]]),
              "target": torch.zeros(2, 2)}
    result, why = _why("MSELoss", inputs)
    assert result.value.item() == float("inf")
    assert why.code == "not-finite" and why.input == "input"
    assert "input[1, 0]" in why.message and "1e+20" in why.message
    assert "torch.float32" in why.message


def test_a_finite_loss_has_nothing_to_say():
    assert _why("MSELoss", losses.example("MSELoss"))[1] is None


def test_a_per_sample_loss_names_the_row():
    inputs = {"input": torch.tensor([[0.0, 0.0], [-3e38, 3e38]]), "target": torch.tensor([0, 0])}
    result, why = _why("CrossEntropyLoss", inputs)
    if torch.isfinite(result.value):
        pytest.skip("torch's log-softmax kept this finite")
    assert "input[1, 0]" in why.message


def test_a_non_finite_gradient_names_its_cell():
    # sqrt(0)'s slope is infinite although the loss is finite
    inputs = {"input": torch.tensor([[1.0, 2.0]]), "target": torch.tensor([[1.0, 0.0]])}
    result, why = _why("MSELoss", inputs)
    assert why is None  # finite both ways here
    loss = losses.spec("MSELoss")
    fake = {"input": torch.tensor([[0.5, float("nan")]])}
    why = checks.not_finite(loss, inputs, "mean", {}, result.value, fake)
    assert why.message.startswith("The gradient is") and "input[0, 1]" in why.message


@pytest.mark.parametrize("value, text", [
    (1.23456e37, "1.2346e+37"), (-1.23456e37, "-1.2346e+37"), (3e-7, "3.0000e-07"),
    (2.5, "2.5000"), (0.0, "0.0000"), (12345.678, "12345.6780"), (123456.0, "1.2346e+05"),
    (float("inf"), "inf"), (float("nan"), "nan"),
])
def test_numbers_print_in_a_width_that_fits(value, text):
    assert tensors.format_number(value) == text
    assert len(tensors.format_number(value)) <= 11


def test_signed_numbers_for_gradients():
    assert tensors.format_number(1e37, sign=True) == "+1.0000e+37"
    assert tensors.format_number(-0.25, sign=True) == "-0.2500"
    assert tensors.format_number(float("inf"), sign=True) == "+inf"


def test_an_infinite_result_says_which_entry_caused_it():
    """Issue 10: 1e20 gave an infinite MSE with no message."""
    inputs = {"input": torch.tensor([[1.0, 1e20], [0.5, 2.0]]), "target": torch.zeros(2, 2)}
    result = losses.evaluate("MSELoss", inputs)
    assert torch.isinf(result.value)
    (pitfall,) = result.pitfalls
    assert pitfall.code == "not-finite" and "input[0, 1]" in pitfall.message
    assert "3.403e+38" in pitfall.message
    assert not losses.evaluate("MSELoss", {"input": torch.ones(2, 2),
                                           "target": torch.zeros(2, 2)}).pitfalls
