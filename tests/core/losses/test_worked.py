"""The slides' cross-entropy worked example on three Iris flowers."""

import math

import pytest
import torch
import torch.nn.functional as F

from explorer.data import load_iris
from explorer.errors import InputError
from explorer.losses.worked import cross_entropy_example


def test_reproduces_the_slide_table():
    example = cross_entropy_example()
    assert [r.species for r in example.rows] == ["setosa", "virginica", "versicolor"]
    assert [round(r.p, 2) for r in example.rows] == [0.57, 0.58, 0.52]
    assert [round(r.neg_log_p, 2) for r in example.rows] == [0.56, 0.54, 0.65]
    assert round(example.total, 2) == 1.76
    assert example.total_of_rounded == 1.75


def test_features_are_the_slides_scaled_iris_measurements():
    rows = cross_entropy_example().rows
    assert [(round(r.petal_width, 2), round(r.sepal_width, 2)) for r in rows[:2]] == [
        (0.04, 0.42), (1.0, 0.54)]
    assert round(rows[2].petal_width, 2) == 0.5
    assert abs(rows[2].sepal_width - 0.37) <= 0.0051  # 0.375; the slide shows 0.37
    iris = load_iris()
    for r in rows:
        assert iris.class_names[int(iris.labels[r.index])] == r.species
        assert iris.features[r.index, 3].item() == pytest.approx(r.petal_width_cm)
        assert iris.features[r.index, 1].item() == pytest.approx(r.sepal_width_cm)
        assert r.petal_width == pytest.approx((r.petal_width_cm - 0.1) / 2.4, abs=1e-6)
        assert r.sepal_width == pytest.approx((r.sepal_width_cm - 2.0) / 2.4, abs=1e-6)


def test_total_is_cross_entropy_of_the_classifier():
    example = cross_entropy_example()
    x = torch.tensor([[r.petal_width, r.sepal_width] for r in example.rows])
    labels = torch.tensor([0, 2, 1])
    logits = x @ example.weights.T + example.bias
    assert example.total == pytest.approx(F.cross_entropy(logits, labels, reduction="sum").item(),
                                          rel=1e-6)
    for row, p in zip(example.rows, F.softmax(logits, 1)[torch.arange(3), labels], strict=True):
        assert row.p == pytest.approx(p.item(), rel=1e-6)
        assert row.neg_log_p == pytest.approx(-math.log(row.p), rel=1e-5)


def test_editing_weights_changes_probabilities():
    base = cross_entropy_example()
    bias = base.bias.clone()
    bias[0] += 1.0  # every flower looks more like a setosa
    edited = cross_entropy_example(bias=bias)
    assert edited.rows[0].p > base.rows[0].p
    assert edited.rows[1].p < base.rows[1].p
    weights = base.weights.clone()
    weights[2, 0] = 5.0  # virginica: wide petals count more
    assert cross_entropy_example(weights=weights).rows[1].p > base.rows[1].p


def test_direct_probabilities():
    example = cross_entropy_example(probabilities=[0.57, 0.58, 0.52])
    assert [round(r.neg_log_p, 2) for r in example.rows] == [0.56, 0.54, 0.65]
    assert example.total == pytest.approx(-math.log(0.57) - math.log(0.58) - math.log(0.52),
                                          rel=1e-6)
    assert example.total_of_rounded == 1.75
    assert cross_entropy_example(probabilities=[1, 1, 1]).total == 0


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"probabilities": [0.5, 0.0, 0.2]}, r"p of flower 1 is 0; a probability must be in \(0, 1\]"),
    ({"probabilities": [0.5, 1.2, 0.2]}, r"p of flower 1 is 1.2"),
    ({"probabilities": [0.5, "x", 0.2]}, r"p of flower 1 must be a number"),
    ({"probabilities": [0.5, 0.2]}, r"one probability per flower"),
    ({"weights": torch.zeros(2, 3)}, r"weights must have shape \(3, 2\)"),
    ({"bias": [0.0, float("inf"), 0.0]}, r"bias must hold finite numbers"),
])
def test_bad_edits(kwargs, match):
    with pytest.raises(InputError, match=match):
        cross_entropy_example(**kwargs)


@pytest.mark.gpu
def test_gpu(gpu_device):
    assert cross_entropy_example(device=gpu_device).total == pytest.approx(
        cross_entropy_example().total, rel=1e-5)


# --- issue 10 -----------------------------------------------------------------------------------
def test_the_features_show_as_the_slide_printed_them():
    """Issue 10: versicolor's sepal width showed 0.38; the slide (float64 from the file's
    decimals: (2.9 - 2.0) / 2.4 = 0.37499999999999994) shows 0.37."""
    rows = cross_entropy_example().rows
    shown = [(f"{r.petal_width:.2f}", f"{r.sepal_width:.2f}") for r in rows]
    assert shown == [("0.04", "0.42"), ("1.00", "0.54"), ("0.50", "0.37")]


def test_the_slide_figure_is_named_only_while_the_numbers_are_the_slides():
    assert cross_entropy_example().matches_slide()
    assert cross_entropy_example(probabilities=[0.57, 0.58, 0.52]).matches_slide()
    assert not cross_entropy_example(probabilities=[0.57, 0.9, 0.52]).matches_slide()
    bias = torch.tensor([1.27, 0.0, -1.65])
    assert not cross_entropy_example(bias=bias).matches_slide()


def test_a_certain_flower_costs_plus_zero_not_minus_zero():
    example = cross_entropy_example(probabilities=[1, 1, 1])
    assert all(math.copysign(1, r.neg_log_p) == 1 for r in example.rows)
    assert math.copysign(1, example.total) == 1
    assert example.problem is None


def test_a_probability_too_small_for_float32_names_the_flower_and_why():
    example = cross_entropy_example(probabilities=[0.5, 0.5, 1e-300])
    assert math.isinf(example.total)
    assert "flower 2 (versicolor)" in example.problem
    assert "1e-300" in example.problem and "−log 0" in example.problem
    assert cross_entropy_example(probabilities=[0.5, 0.5, 1e-40]).problem is None  # subnormal
