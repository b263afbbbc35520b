"""Pitfall warnings fire on the slides' mistakes, stay silent on correct inputs, and fix them."""

import math

import pytest
import torch

from explorer import losses
from explorer.errors import InputError

pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")


def _codes(name, inputs, reduction=None, options=None, transform=None):
    reduction = reduction or losses.spec(name).default_reduction
    return [p.code for p in losses.evaluate(name, inputs, reduction, options,
                                            transform=transform).pitfalls]


def _randn(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("name", losses.names())
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_silent_on_correct_random_inputs(name, seed):
    loss = losses.spec(name)
    for reduction in loss.reductions:
        if reduction == "mean" and name == "KLDivLoss":
            continue  # 'mean' itself is the pitfall there
        result = losses.evaluate(name, losses.example(name, seed=seed), reduction)
        assert result.pitfalls == [] and result.warnings == []


@pytest.mark.parametrize("name", ["L1Loss", "MSELoss", "NLLLoss", "CrossEntropyLoss",
                                  "MarginRankingLoss"])
def test_silent_on_the_slides_correct_examples(name):
    assert _codes(name, losses.example(name), transform=losses.slide_transform(name)) == []


def test_the_nll_slide_without_its_log_softmax_is_a_pitfall():
    assert _codes("NLLLoss", losses.example("NLLLoss")) == ["nll-input-not-log-prob"]


def test_slide_hinge_embedding_has_randn_targets():
    result = losses.evaluate("HingeEmbeddingLoss", losses.example("HingeEmbeddingLoss"))
    [pitfall] = result.pitfalls
    assert pitfall.code == "targets-not-pm1" and pitfall.fix_label == "Map targets to ±1"
    assert "-1 or 1" in pitfall.message and "15 of 15" in pitfall.message
    assert result.warnings == [pitfall.message]


def test_slide_kl_div_has_two_mistakes_and_is_nan():
    result = losses.evaluate("KLDivLoss", losses.example("KLDivLoss"), "batchmean")
    assert [p.code for p in result.pitfalls] == ["kl-input-not-log-prob",
                                                 "kl-target-not-distribution"]
    assert math.isnan(result.value.item())
    assert "NaN" in result.pitfalls[1].message


def test_kl_mean_reduction():
    good = losses.example("KLDivLoss", seed=0)
    assert _codes("KLDivLoss", good, "mean") == ["kl-mean-reduction"]
    assert _codes("KLDivLoss", good, "batchmean") == []
    as_log = {"input": good["input"], "target": good["target"].log()}
    assert _codes("KLDivLoss", as_log, options={"log_target": True}) == []
    assert _codes("KLDivLoss", good, options={"log_target": True}) == [
        "kl-target-not-distribution"]


@pytest.mark.parametrize("name", ["HingeEmbeddingLoss", "MarginRankingLoss", "SoftMarginLoss",
                                  "CosineEmbeddingLoss"])
def test_zero_one_labels_for_sign_losses(name):
    inputs = losses.example(name, seed=0)
    inputs["target"] = (inputs["target"] > 0).float()
    assert _codes(name, inputs) == ["targets-not-pm1"]


def test_nll_on_raw_scores():
    inputs = {"input": _randn(3, 5), "target": torch.tensor([1, 0, 4])}
    assert _codes("NLLLoss", inputs) == ["nll-input-not-log-prob"]


@pytest.mark.parametrize("name", ["CrossEntropyLoss", "FocalLoss"])
def test_softmax_applied_twice(name):
    inputs = {"input": torch.softmax(_randn(3, 5), 1), "target": torch.tensor([1, 0, 4])}
    assert _codes(name, inputs) == ["ce-input-is-probabilities"]


def test_bce_on_logits_explains_instead_of_crashing():
    inputs = {"input": _randn(3, 5), "target": torch.ones(3, 5)}
    result = losses.evaluate("BCELoss", inputs)
    assert [p.code for p in result.pitfalls] == ["bce-input-out-of-range"]
    assert math.isnan(result.value.item())
    assert result.output.startswith("RuntimeError: all elements of input should be between")
    assert torch.isnan(result.grads["input"]).all()


def test_bce_target_out_of_range():
    inputs = {"input": _randn(3, 5), "target": _randn(3, 5, seed=1)}
    assert _codes("BCEWithLogitsLoss", inputs) == ["bce-target-out-of-range"]


def test_poisson_rate_must_be_positive_without_log_input():
    inputs = losses.example("PoissonNLLLoss", seed=0)
    assert _codes("PoissonNLLLoss", inputs, options={"log_input": False}) == [
        "poisson-rate-not-positive"]
    fixed, _, options, _ = losses.apply_fix("PoissonNLLLoss", inputs, "mean", {"log_input": False},
                                         "poisson-rate-not-positive")
    assert options == {"log_input": True} and torch.equal(fixed["input"], inputs["input"])
    positive = {**inputs, "input": inputs["input"].abs() + 0.1}
    assert _codes("PoissonNLLLoss", positive, options={"log_input": False}) == []


def _fix_all(name, inputs, reduction, options=None, transform=None):
    """Apply the first pitfall's fix until none is left: (inputs, reduction, result, transform)."""
    for _ in range(5):
        result = losses.evaluate(name, inputs, reduction, options, transform=transform)
        if not result.pitfalls:
            return inputs, reduction, result, transform
        inputs, reduction, options, transform = losses.apply_fix(
            name, inputs, reduction, options, result.pitfalls[0].code, transform)
    raise AssertionError("fixes did not converge")


def test_fixes_repair_the_slides_kl_div():
    inputs, reduction, result, transform = _fix_all("KLDivLoss", losses.example("KLDivLoss"),
                                                    "mean")
    assert reduction == "batchmean" and torch.isfinite(result.value)
    assert f"{result.value.item():.4f}" == "0.5495"
    torch.testing.assert_close(inputs["target"].sum(1), torch.ones(2))
    raw = losses.example("KLDivLoss")
    # "Apply LogSoftmax" is a step in the pipeline: the input's numbers stay the slide's.
    assert transform == "log_softmax" and torch.equal(inputs["input"], raw["input"])
    assert "m = nn.LogSoftmax(dim=1)" in result.code and "loss_fn(m(input), target)" in result.code


def test_fix_for_nll_gives_cross_entropy():
    raw = {"input": _randn(3, 5), "target": torch.tensor([1, 0, 4])}
    inputs, _, result, transform = _fix_all("NLLLoss", raw, "mean")
    ce = losses.evaluate("CrossEntropyLoss", raw)
    assert transform == "log_softmax" and torch.equal(inputs["input"], raw["input"])
    torch.testing.assert_close(result.value, ce.value)
    torch.testing.assert_close(result.grads["input"], ce.grads["input"])


def test_fix_maps_targets_to_pm1_and_leaves_inputs_alone():
    slide = losses.example("HingeEmbeddingLoss")
    inputs, _, result, _ = _fix_all("HingeEmbeddingLoss", slide, "mean")
    assert torch.equal(inputs["target"], torch.where(slide["target"] > 0, 1.0, -1.0))
    assert torch.equal(inputs["input"], slide["input"])
    assert not torch.equal(slide["target"], inputs["target"])  # the original is untouched


def test_fix_for_probabilities_gives_logits_with_the_same_softmax():
    probs = torch.softmax(_randn(3, 5), 1)
    inputs, _, _, _ = _fix_all("CrossEntropyLoss",
                               {"input": probs, "target": torch.tensor([1, 0, 4])}, "mean")
    torch.testing.assert_close(torch.softmax(inputs["input"], 1), probs)


def test_fix_for_bce_applies_sigmoid_and_clamps_targets():
    logits = _randn(3, 5)
    inputs, _, result, transform = _fix_all(
        "BCELoss", {"input": logits, "target": _randn(3, 5, seed=1)}, "mean")
    assert transform == "sigmoid" and torch.equal(inputs["input"], logits)
    assert "m = nn.Sigmoid()" in result.code
    assert inputs["target"].min() >= 0 and inputs["target"].max() <= 1
    assert torch.isfinite(result.value)


def test_unknown_fix():
    with pytest.raises(InputError, match="no pitfall 'nope'"):
        losses.apply_fix("L1Loss", losses.example("L1Loss"), "mean", None, "nope")
