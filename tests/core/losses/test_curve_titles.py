"""Each loss's curve says what to look for in its own shape; the compare chart its lesson."""

import itertools
import math

import pytest
import torch

from explorer import losses
from explorer.errors import InputError
from explorer.losses import curves


def test_every_curve_has_its_own_title_and_the_curve_carries_it():
    for name in losses.curve_names():
        title = curves.curve_title(name)
        assert title and title != "Steep curve, strong push", name
        assert losses.curve(name).title == title


def test_losses_of_different_shape_never_share_a_title():
    # same title => the same curve (after putting both on one z grid); else titles differ
    for a, b in itertools.combinations(losses.curve_names(), 2):
        if curves.curve_title(a) != curves.curve_title(b):
            continue
        ca, cb = losses.curve(a, lo=-3, hi=3), losses.curve(b, lo=-3, hi=3)
        assert torch.allclose(ca.loss, cb.loss, atol=1e-5), (a, b)


def test_the_titles_say_what_the_slides_teach():
    assert curves.curve_title("L1Loss") == "Constant slope: every error pushes equally hard"
    assert curves.curve_title("MSELoss").startswith("Steep curve, strong push")
    assert "Flat past the margin" in curves.curve_title("HingeEmbeddingLoss")
    assert curves.curve_title("CrossEntropyLoss") == (
        "Confident and right: almost flat; confident and wrong: steep")
    with pytest.raises(InputError):
        curves.curve_title("NLLLoss")


def test_the_l1_slope_is_constant_and_the_hinge_is_flat_past_its_margin():
    l1 = losses.curve("L1Loss", target=0.0)
    assert set(l1.grad[l1.z.abs() > 0.01].abs().tolist()) == {1.0}
    hinge = losses.curve("HingeEmbeddingLoss")  # y = -1, margin 1
    assert (hinge.loss[hinge.z > 1.01] == 0).all() and (hinge.grad[hinge.z > 1.01] == 0).all()


def test_the_compare_chart_title_names_both_sides_of_the_square_loss():
    assert "Square" in curves.COMPARE_TITLE and "past 1" in curves.COMPARE_TITLE
    (x0, x1), (y0, y1) = curves.COMPARE_VIEW
    assert (x0, x1) == (-2.0, 3.0) and y0 == 0.0 and 3.0 <= y1 <= 4.0
    square = dict((c.name, c) for c in losses.compare_curves())["square"]
    assert square.loss[square.z > 2].min() > 1  # right and confident, still punished


def test_logistic_is_cross_entropy_in_bits_times_ln2():
    chart = {c.name: c for c in losses.compare_curves()}
    assert torch.allclose(chart["logistic"].loss, chart["cross-entropy"].loss * math.log(2))


@pytest.mark.parametrize("name, z, y, key, margin", [
    ("MSELoss", 0.5, -1.0, "square", -0.5),
    ("L1Loss", 2.0, 1.0, "absolute", 2.0),
    ("SoftMarginLoss", -1.5, 1.0, "logistic", -1.5),
    ("BCEWithLogitsLoss", 0.7, 0.0, "logistic", -0.7),
])
def test_the_current_example_is_marked_on_its_classic_curve(name, z, y, key, margin):
    found, mark = curves.compare_marker(name, z, y)
    assert found == key and mark.z == pytest.approx(margin)
    chart = losses.compare_curves([key], lo=margin - 1, hi=margin + 1, n=3)[0]
    assert mark.value == pytest.approx(chart.loss[1].item(), rel=1e-6)
    # the same number the loss itself gives for that one cell
    result = losses.evaluate(name, {"input": torch.tensor([[z]]), "target": torch.tensor([[y]])})
    assert mark.value == pytest.approx(result.value.item(), rel=1e-6)


def test_no_mark_where_the_loss_is_not_a_classic_curve():
    assert curves.compare_marker("MSELoss", 0.5, 0.3) is None
    assert curves.compare_marker("CrossEntropyLoss", 0.5, 1.0) is None
    assert curves.compare_marker("MSELoss", None, None) is None
