"""Composite losses are losses: value, gradients, code twin and curve of the weighted sum;
partners only where the inputs fit."""

import contextlib
import io

import pytest
import torch
import torch.nn.functional as F

from explorer import losses
from explorer.errors import InputError
from explorer.losses import composite
from explorer.losses.scene import LossScene

TERMS = [{"loss": "MSELoss", "weight": 1.0},
         {"loss": "L1Loss", "weight": 0.5},
         {"loss": "HuberLoss", "weight": -0.25, "options": {"delta": 0.5}}]


def _by_torch(x, y, reduction):
    return (F.mse_loss(x, y, reduction=reduction) + 0.5 * F.l1_loss(x, y, reduction=reduction)
            - 0.25 * F.huber_loss(x, y, reduction=reduction, delta=0.5))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_value_and_every_gradient_are_the_weighted_sums_torch_gives(reduction):
    ex = losses.example("MSELoss", seed=4)
    result = losses.evaluate("Composite", ex, reduction, {"terms": TERMS})
    x = ex["input"].clone().requires_grad_(True)
    want = _by_torch(x, ex["target"], reduction)
    (want.sum() if reduction == "none" else want).backward()
    torch.testing.assert_close(result.value, want.detach())
    torch.testing.assert_close(result.grads["input"], x.grad)
    assert set(result.grads) == {"input"}  # the target takes no gradient, as in torch


def test_the_code_twin_prints_the_same_value_and_gives_the_same_gradient():
    ex = losses.example("CrossEntropyLoss", seed=2)
    terms = [{"loss": "CrossEntropyLoss", "weight": 0.7},
             {"loss": "FocalLoss", "weight": 1.5, "options": {"gamma": 1.0}}]
    result = losses.evaluate("Composite", ex, "sum", {"terms": terms})
    printed, namespace = io.StringIO(), {}
    with contextlib.redirect_stdout(printed):
        exec(compile(result.code, "<composite twin>", "exec"), namespace)  # noqa: S102
    assert printed.getvalue().strip() == result.output.strip()
    assert "0.7 * " in result.code and "1.5 * " in result.code
    torch.testing.assert_close(namespace["input"].grad, result.grads["input"])


def test_the_curve_is_the_weighted_sum_of_the_terms_curves_as_autograd_gives_it():
    terms = TERMS[:2] + [{"loss": "HuberLoss", "weight": -0.25, "options": {"delta": 0.5}}]
    curve = composite.composite_curve(terms, target=0.3, lo=-2.0, hi=2.0, n=81)
    z = torch.linspace(-2.0, 2.0, 81).requires_grad_(True)
    want = _by_torch(z, torch.full_like(z, 0.3), "none")
    want.sum().backward()
    torch.testing.assert_close(curve.z, z.detach())
    torch.testing.assert_close(curve.loss, want.detach())
    torch.testing.assert_close(curve.grad, z.grad)
    assert curve.target == 0.3 and curve.name == "MSELoss + 0.5 × L1Loss − 0.25 × HuberLoss"
    point = composite.composite_marker(terms, 1.25, 0.3)
    at = torch.tensor([1.25], requires_grad=True)
    value = _by_torch(at, torch.tensor([0.3]), "none")
    value.sum().backward()
    assert point.value == pytest.approx(value.item(), rel=1e-6)
    assert point.slope == pytest.approx(at.grad.item(), rel=1e-6)


def test_without_a_target_the_curve_takes_the_first_terms_default():
    terms = [{"loss": "CrossEntropyLoss", "weight": 1.0}, {"loss": "FocalLoss", "weight": 2.0}]
    curve = composite.composite_curve(terms)
    single = losses.curve("CrossEntropyLoss")
    focal = losses.curve("FocalLoss", single.target)
    torch.testing.assert_close(curve.loss, single.loss + 2.0 * focal.loss)
    torch.testing.assert_close(curve.grad, single.grad + 2.0 * focal.grad)


def test_a_term_without_a_1d_curve_says_so():
    terms = [{"loss": "BCEWithLogitsLoss", "weight": 1.0}, {"loss": "DiceLoss", "weight": 1.0}]
    assert composite.curve_problem(terms) == "DiceLoss has no 1-D curve"
    assert composite.curve_problem(terms[:1]) is None
    with pytest.raises(InputError, match="DiceLoss has no 1-D curve") as info:
        composite.composite_curve(terms)
    assert info.value.field == "terms"


def test_dice_is_offered_only_partners_whose_inputs_fit():
    assert composite.partners("DiceLoss") == ["DiceLoss", "BCEWithLogitsLoss"]
    assert "signs ±1, not labels 0 or 1" in composite.unfit_reason("DiceLoss",
                                                                   "HingeEmbeddingLoss")
    assert "counts ≥ 0, not labels 0 or 1" in composite.unfit_reason("DiceLoss",
                                                                     "PoissonNLLLoss")
    assert "(N, C), not (N, D)" in composite.unfit_reason("MSELoss", "CrossEntropyLoss")
    assert "anchor" in composite.unfit_reason("MSELoss", "TripletMarginLoss")
    assert composite.partners("MSELoss")[:4] == ["MSELoss", "L1Loss", "SmoothL1Loss",
                                                 "HuberLoss"]


def test_every_offered_partner_sums_on_the_first_losses_example():
    for name in losses.names():
        example = losses.example(name)
        partners = composite.partners(name)
        assert partners[0] == name
        terms = [{"loss": n, "weight": 1.0} for n in partners]
        reduction = losses.spec(name).default_reduction
        if not all(reduction in losses.spec(n).reductions for n in partners):
            reduction = "sum"
        result = losses.evaluate("Composite", example, reduction, {"terms": terms})
        assert [t.loss for t in result.terms] == partners


def test_a_scene_with_an_unfit_partner_is_refused_and_a_fit_one_opens():
    terms = [{"loss": "DiceLoss", "weight": 1.0, "options": {}},
             {"loss": "PoissonNLLLoss", "weight": 0.5, "options": {}}]
    with pytest.raises(InputError, match=r"Term 2 \(PoissonNLLLoss\) cannot be summed with "
                                         r"DiceLoss.*Choose one of DiceLoss, BCEWithLogitsLoss"
                       ) as info:
        LossScene.from_dict({"loss": "DiceLoss", "terms": terms})
    assert info.value.field == "terms"
    terms[1]["loss"] = "BCEWithLogitsLoss"
    assert LossScene.from_dict({"loss": "DiceLoss", "terms": terms}).terms[1]["loss"] == (
        "BCEWithLogitsLoss")


def test_the_label_reads_as_a_sum():
    assert composite.label([{"loss": "MSELoss", "weight": 1.0}]) == "MSELoss"
    assert composite.label([{"loss": "MSELoss", "weight": -2.0},
                            {"loss": "L1Loss", "weight": -1.0}]) == "−2 × MSELoss − L1Loss"


def test_on_the_page_a_term_of_the_pages_loss_takes_the_pages_options():
    terms = [{"loss": "HuberLoss", "weight": 1.0, "options": {}},
             {"loss": "L1Loss", "weight": 0.5, "options": {}},
             {"loss": "CustomLoss", "weight": 1.0, "options": {"expression": "abs(z - y)"}}]
    shown = composite.terms_on_page("HuberLoss", {"delta": 0.5}, terms)
    assert [t["options"] for t in shown] == [{"delta": 0.5}, {}, {"expression": "abs(z - y)"}]
    own = composite.terms_on_page("CustomLoss", {"expression": "z**2"}, terms)
    assert own[2]["options"] == {"expression": "abs(z - y)"}  # the term keeps its formula
    assert terms[0]["options"] == {}  # the scene's terms are not changed


def test_with_a_transform_every_term_takes_the_transformed_input_and_the_raw_gradient():
    ex = losses.example("HuberLoss", seed=1)
    terms = [{"loss": "HuberLoss", "weight": 1.0}, {"loss": "L1Loss", "weight": 0.5}]
    result = composite.evaluate_composite(ex, "sum", {"terms": terms}, transform="sigmoid")
    x = ex["input"].clone().requires_grad_(True)
    p = torch.sigmoid(x)
    want = (F.huber_loss(p, ex["target"], reduction="sum")
            + 0.5 * F.l1_loss(p, ex["target"], reduction="sum"))
    want.backward()
    torch.testing.assert_close(result.value, want.detach())
    torch.testing.assert_close(result.grads["input"], x.grad)
    printed, namespace = io.StringIO(), {}
    with contextlib.redirect_stdout(printed):
        exec(compile(result.code, "<composite twin>", "exec"), namespace)  # noqa: S102
    assert printed.getvalue().strip() == result.output.strip()
    assert "m = nn.Sigmoid()" in result.code and "loss_2(m(input), target)" in result.code
    torch.testing.assert_close(namespace["input"].grad, x.grad)
    with pytest.raises(InputError):
        composite.evaluate_composite(ex, "sum", {"terms": terms}, transform="tanh")

