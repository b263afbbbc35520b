"""Bad input: every kind raises InputError naming the input, the cell and what is allowed."""

import contextlib

import pytest
import torch

from explorer import losses
from explorer.errors import InputError
from explorer.losses.tensors import (
    format_cell,
    parse_block,
    parse_cell,
    parse_option,
    resize,
    rows_from_tensor,
    tensor_from_rows,
)

INPUT = losses.spec("MSELoss").input("input")
CLASSES = losses.spec("CrossEntropyLoss").input("target")
LABELS = losses.spec("MultiLabelMarginLoss").input("target")
COUNTS = losses.spec("PoissonNLLLoss").input("target")


def _raises(match, fn, *args, **kwargs) -> InputError:
    with pytest.raises(InputError, match=match) as info:
        fn(*args, **kwargs)
    return info.value


# --- cells -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("1.5", 1.5), (" -2 ", -2.0), ("1e-3", 0.001),
                                             ("−0.5", -0.5), (".25", 0.25)])
def test_parse_cell_reads_numbers(text, value):
    assert parse_cell(text, INPUT, (0, 0)) == value


@pytest.mark.parametrize(("text", "match"), [
    ("", r"input\[1, 2\] is empty; type a finite number"),
    ("abc", r"input\[1, 2\] is 'abc', not a number"),
    ("nan", r"input\[1, 2\] is nan; NaN and infinity are not allowed"),
    ("-inf", r"NaN and infinity are not allowed"),
    ("1,5", r"'1,5', not a number"),
])
def test_parse_cell_rejects_non_numbers(text, match):
    error = _raises(match, parse_cell, text, INPUT, (1, 2))
    assert error.field == "input" and error.cell == (1, 2)


def test_class_index_must_be_whole_and_in_range():
    assert parse_cell("4", CLASSES, (2,), num_classes=5) == 4
    assert isinstance(parse_cell("4.0", CLASSES, (2,), num_classes=5), int)
    _raises(r"target\[2\] is 2.5; it must be a whole class number from 0 to 4",
            parse_cell, "2.5", CLASSES, (2,), num_classes=5)
    error = _raises(r"target\[1\] is 5; it must be a whole class number from 0 to 4",
                    parse_cell, "5", CLASSES, (1,), num_classes=5)
    assert error.cell == (1,)
    _raises("from 0 to 4", parse_cell, "-1", CLASSES, (0,), num_classes=5)


def test_label_lists_allow_minus_one_and_counts_no_negatives():
    assert parse_cell("-1", LABELS, (0, 3), num_classes=4) == -1
    _raises("or -1 to end the list", parse_cell, "-2", LABELS, (0, 3), num_classes=4)
    _raises(r"target\[0, 0\] is -1; it must be a count ≥ 0", parse_cell, "-1", COUNTS, (0, 0))


def test_format_cell():
    assert format_cell(-1.12583, INPUT) == "-1.1258"
    assert format_cell(3, CLASSES) == "3"
    assert format_cell(1.5e-7, INPUT) == "1.500e-07"
    assert parse_cell(format_cell(0.25, INPUT), INPUT, (0, 0)) == 0.25


# --- blocks and tensors ----------------------------------------------------------------------


def test_parse_block_tabs_commas_spaces():
    assert parse_block("1\t2\n3\t4\n") == [["1", "2"], ["3", "4"]]
    assert parse_block("1, 2\r\n3,4") == [["1", "2"], ["3", "4"]]
    assert parse_block("1 2 3") == [["1", "2", "3"]]
    assert parse_block("1\t\n") == [["1", ""]]


def test_tensor_from_rows_and_back():
    t = tensor_from_rows(parse_block("1\t2\n3\t4"), INPUT)
    assert t.dtype == torch.float32 and t.tolist() == [[1, 2], [3, 4]]
    assert rows_from_tensor(t) == [[1.0, 2.0], [3.0, 4.0]]
    column = tensor_from_rows([["1"], ["0"], ["4"]], CLASSES, num_classes=5)
    assert column.dtype == torch.long and column.tolist() == [1, 0, 4]
    assert tensor_from_rows([["1", "0", "4"]], CLASSES, num_classes=5).tolist() == [1, 0, 4]
    assert rows_from_tensor(column) == [[1, 0, 4]]


def test_ragged_rows_and_empty_cells_are_named():
    error = _raises(r"input row 1 has 1 values but row 0 has 2", tensor_from_rows,
                    [["1", "2"], ["3"]], INPUT)
    assert error.cell == (1,)
    error = _raises(r"input\[1, 1\] is empty", tensor_from_rows, [["1", "2"], ["3", ""]], INPUT)
    assert error.cell == (1, 1)
    _raises("type a single row or a single column", tensor_from_rows,
            [["1", "2"], ["3", "4"]], CLASSES, 5)
    _raises("input is empty", tensor_from_rows, [], INPUT)
    _raises(r"target\[3\] is 7; it must be a whole class number from 0 to 4",
            tensor_from_rows, [["1", "0", "4", "7"]], CLASSES, 5)


def test_resize_keeps_overlap():
    t = torch.arange(6.0).reshape(2, 3)
    assert resize(t, (3, 2)).tolist() == [[0, 1], [3, 4], [0, 0]]
    assert resize(t, (1, 4), fill=-1).tolist() == [[0, 1, 2, -1]]
    _raises("cannot resize", resize, t, (6,))


def test_parse_option():
    spec = losses.spec("CrossEntropyLoss")
    assert parse_option("0.1", spec.option("label_smoothing")) == 0.1
    assert parse_option("1, 2, 0.5", spec.option("weight")) == [1.0, 2.0, 0.5]
    assert parse_option("", spec.option("weight")) is None
    _raises(r"label_smoothing must be in \[0, 1\]; got 1.5", parse_option, "1.5",
            spec.option("label_smoothing"))
    _raises(r"ignore_index must be a whole number; got 2.5", parse_option, "2.5",
            spec.option("ignore_index"))
    _raises(r"weight\[1\] must be a number; got 'x'", parse_option, "1, x", spec.option("weight"))
    log_target = losses.spec("KLDivLoss").option("log_target")
    assert parse_option("true", log_target) is True and parse_option(False, log_target) is False
    _raises("type true or false", parse_option, "maybe", log_target)


# --- evaluate() ------------------------------------------------------------------------------


def _ce(**changes):
    inputs = losses.example("CrossEntropyLoss")
    inputs.update(changes)
    return inputs


BAD_CALLS = [
    (("Hinge", _ce()), {}, r"there is no loss 'Hinge'; choose one of L1Loss"),
    (("L1Loss", losses.example("L1Loss")), {"reduction": "batchmean"},
     r"L1Loss has no reduction 'batchmean'; choose one of mean, sum, none"),
    (("CrossEntropyLoss", _ce(target=torch.tensor([1.0, 0.0, 4.0]))), {},
     r"target must hold whole numbers \(torch.long\), not torch.float32"),
    (("MSELoss", {"input": torch.ones(3, 5, dtype=torch.long), "target": torch.ones(3, 5)}), {},
     r"input must be floating point"),
    (("CrossEntropyLoss", _ce(target=torch.tensor([1, 0, 5]))), {},
     r"target\[2\] is 5; it must be a whole class number from 0 to 4"),
    (("CrossEntropyLoss", _ce(target=torch.tensor([[1, 0, 4]]))), {},
     r"target has shape \(1, 3\); CrossEntropyLoss needs target of shape \(N\), 1-D"),
    (("CrossEntropyLoss", _ce(target=torch.tensor([1, 0]))), {},
     r"target has shape \(2,\) but input has N = 3; target must be \(N\) with the same N"),
    (("MSELoss", {"input": torch.ones(3, 5), "target": torch.ones(3, 4)}), {},
     r"target has shape \(3, 4\) but input has D = 5"),
    (("CrossEntropyLoss", _ce(input=torch.ones(3, 1), target=torch.tensor([0, 0, 0]))), {},
     r"input has C = 1; C must be at least 2"),
    (("MSELoss", {"input": torch.tensor([[1.0, float("nan")]]), "target": torch.ones(1, 2)}),
     {}, r"input\[0, 1\] is nan; NaN and infinity are not allowed"),
    (("MSELoss", {"input": torch.ones(2, 2)}), {}, r"MSELoss needs target"),
    (("MSELoss", {"input": torch.ones(2, 2), "target": torch.ones(2, 2), "x": 1}), {},
     r"MSELoss has no input 'x'; its inputs are input, target"),
    (("MSELoss", {"input": "abc", "target": torch.ones(2, 2)}), {},
     r"input must be (a tensor of numbers|floating point)"),
    (("CrossEntropyLoss", _ce()), {"options": {"margin": 1.0}},
     r"CrossEntropyLoss has no option 'margin'; its options: weight, ignore_index"),
    (("CrossEntropyLoss", _ce()), {"options": {"weight": [1.0, 2.0]}},
     r"weight has 2 values; it needs one per C, 5 in all"),
    (("CrossEntropyLoss", _ce()), {"options": {"label_smoothing": -0.5}},
     r"label_smoothing must be in \[0, 1\]; got -0.5"),
    (("CrossEntropyLoss", _ce()), {"options": {"weight": [1, 1, -1, 1, 1]}},
     r"weight\[2\] must be at least 0; got -1"),
    (("MultiLabelMarginLoss", {"input": torch.zeros(2, 3), "target": torch.tensor(
        [[0, 3, -1], [1, -1, 0]])}), {}, r"target\[0, 1\] is 3; .*or -1 to end the list"),
    (("GaussianNLLLoss", {"input": torch.zeros(1, 2), "target": torch.zeros(1, 2),
                          "var": torch.tensor([[1.0, -0.1]])}), {},
     r"var\[0, 1\] is -0.1\d*; it must be a number ≥ 0"),
    (("MSELoss", {"input": torch.ones(2, 2).double(), "target": torch.ones(2, 2)}), {},
     r"target is torch.float32 but input is torch.float64; give all floating-point inputs"),
    (("L1Loss", losses.example("L1Loss")), {"device": "tpu"}, r"'tpu' is not a device"),
    (("Composite", _ce()), {"options": {"terms": []}}, r"needs at least one term"),
    (("Composite", {"input": torch.zeros(3, 3), "target": torch.ones(3, 3)}),
     {"reduction": "none", "options": {"terms": [{"loss": "MSELoss"}, {"loss": "DiceLoss"}]}},
     r"with reduction='none' MSELoss gives shape \(3, 3\) but DiceLoss gives \(3,\)"),
    (("Composite", _ce()), {"options": {"terms": [{"loss": "CrossEntropyLoss"},
                                                  {"loss": "MSELoss"}]}},
     r"term 2 \(MSELoss\) takes other inputs than CrossEntropyLoss"),
    (("Composite", _ce()), {"options": {"terms": [{"loss": "Composite"}]}},
     r"there is no loss 'Composite'"),
    (("Composite", _ce()), {"options": {"terms": [{"loss": "CrossEntropyLoss",
                                                   "weight": "heavy"}]}},
     r"The weight of term 1 must be a finite number"),
]


@pytest.mark.parametrize(("args", "kwargs", "match"), BAD_CALLS,
                         ids=[m[:40] for _, _, m in BAD_CALLS])
def test_evaluate_rejects_bad_input_with_a_useful_message(args, kwargs, match):
    _raises(match, losses.evaluate, *args, **kwargs)


def test_int32_class_indices_are_accepted():
    result = losses.evaluate("CrossEntropyLoss", _ce(target=torch.tensor([1, 0, 4],
                                                                        dtype=torch.int32)))
    as_long = losses.evaluate("CrossEntropyLoss", _ce(target=torch.tensor([1, 0, 4])))
    assert result.value == as_long.value
    assert "dtype=torch.long" in result.code


def test_cleared_options_mean_torch_defaults():
    result = losses.evaluate("KLDivLoss", losses.example("KLDivLoss", seed=0),
                             options={"log_target": None})
    assert "log_target" not in result.code
    plain = losses.evaluate("KLDivLoss", losses.example("KLDivLoss", seed=0))
    assert result.value == plain.value


def test_ignore_index_is_allowed_as_a_target():
    result = losses.evaluate("CrossEntropyLoss", _ce(target=torch.tensor([1, -100, 4])))
    assert torch.isfinite(result.value)


def test_error_names_the_field_and_cell():
    with pytest.raises(InputError) as info:
        losses.evaluate("NLLLoss", {"input": torch.zeros(2, 3), "target": torch.tensor([0, 3])})
    assert info.value.field == "target" and info.value.cell == (1,)


@pytest.mark.parametrize("name", losses.names())
def test_no_other_exception_escapes_evaluate(name):
    """Hostile inputs of every sort: each is a result or an InputError, never anything else."""
    loss = losses.spec(name)
    good = losses.example(name, seed=0)
    hostile = []
    for spec in loss.inputs:
        t = good[spec.name]
        huge = 10**6 if spec.dtype == "long" else 1e30
        hostile += [t.flip(0).unsqueeze(-1), t.flatten()[:1], t[:0], t.to(torch.int32), t.double(),
                    t.unsqueeze(0), torch.full_like(t, huge), -t, t * 7]
        for bad in hostile[-9:]:
            with contextlib.suppress(InputError):
                losses.evaluate(name, {**good, spec.name: bad}, loss.default_reduction)
    for option in loss.options:
        for value in (-1, 1e9, "x", [1.0], True, None):
            with contextlib.suppress(InputError):
                losses.evaluate(name, good, loss.default_reduction, {option.name: value})


def test_a_pasted_block_longer_than_max_text_is_refused_at_once():
    import time

    from explorer.inputs import MAX_TEXT

    text = "\n".join("\t".join(["0.123456"] * 400) for _ in range(400))
    assert len(text) > MAX_TEXT
    started = time.perf_counter()
    with pytest.raises(InputError, match="MAX_TEXT") as caught:
        parse_block(text)
    assert time.perf_counter() - started < 2.0  # parsing it first takes far longer
    assert caught.value.field == "paste"


def test_rows_with_more_cells_than_max_elements_are_refused_before_parsing():
    from explorer.inputs import MAX_ELEMENTS

    spec = losses.spec("MSELoss").inputs[0]
    rows = [["1"] * 1001] * 1000
    assert MAX_ELEMENTS < 1001 * 1000
    with pytest.raises(InputError, match="MAX_ELEMENTS"):
        tensor_from_rows(rows, spec)


def test_a_class_number_beyond_int64_is_refused_as_a_cell():
    spec = losses.spec("CrossEntropyLoss").inputs[1]
    for text in ("1e19", "-1e19", "99999999999999999999"):
        with pytest.raises(InputError, match="whole class number") as caught:
            parse_cell(text, spec, (0,))
        assert caught.value.cell == (0,)
    with pytest.raises(InputError, match=r"target\[0\]"):
        tensor_from_rows([["1e19", "0", "1"]], spec)  # the scene's tensor form
