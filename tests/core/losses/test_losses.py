"""Every loss's value and gradients equal torch.nn.functional (or the written-out formula)."""

import math

import pytest
import torch
import torch.nn.functional as F

from explorer import losses
from explorer.errors import InputError
from explorer.losses.examples import SLIDE_VALUES

pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")


def _focal(i, r, o):
    # Written from the formula, independently of explorer.losses.custom.
    ce = F.cross_entropy(i["input"], i["target"], reduction="none")
    w = torch.ones_like(ce) if o.get("weight") is None else o["weight"][i["target"]]
    loss = w * (1 - torch.exp(-ce)) ** o.get("gamma", 2.0) * ce
    return {"none": loss, "sum": loss.sum(), "mean": loss.sum() / w.sum()}[r]


def _dice(i, r, o):
    eps = o.get("eps", 1.0)
    rows = []
    for x, y in zip(i["input"], i["target"], strict=True):
        p = torch.sigmoid(x)
        rows.append(1 - (2 * torch.dot(p, y) + eps) / (p.sum() + y.sum() + eps))
    loss = torch.stack(rows)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[r]


def _own(i, r, o):
    # The user's own loss, for the formulas used here, written out in torch.
    z, y = i["input"], i["target"]
    loss = {None: (z - y) ** 2, "abs(z - y)**1.5": torch.abs(z - y) ** 1.5}[o.get("expression")]
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[r]


def _ctc(i, r, o):
    # One sequence (N = 1) edited as a T x C table: add the batch dim and the full lengths.
    lp, t = i["log_probs"], i["targets"]
    return F.ctc_loss(lp.unsqueeze(1), t.unsqueeze(0), torch.tensor([lp.shape[0]]),
                      torch.tensor([t.shape[0]]), blank=o.get("blank", 0), reduction=r)


REFERENCE = {
    "L1Loss": lambda i, r, o: F.l1_loss(i["input"], i["target"], reduction=r),
    "MSELoss": lambda i, r, o: F.mse_loss(i["input"], i["target"], reduction=r),
    "NLLLoss": lambda i, r, o: F.nll_loss(i["input"], i["target"], weight=o.get("weight"),
                                          ignore_index=o.get("ignore_index", -100), reduction=r),
    "CrossEntropyLoss": lambda i, r, o: F.cross_entropy(
        i["input"], i["target"], weight=o.get("weight"), ignore_index=o.get("ignore_index", -100),
        label_smoothing=o.get("label_smoothing", 0.0), reduction=r),
    "HingeEmbeddingLoss": lambda i, r, o: F.hinge_embedding_loss(
        i["input"], i["target"], margin=o.get("margin", 1.0), reduction=r),
    "MarginRankingLoss": lambda i, r, o: F.margin_ranking_loss(
        i["input1"], i["input2"], i["target"], margin=o.get("margin", 0.0), reduction=r),
    "KLDivLoss": lambda i, r, o: F.kl_div(i["input"], i["target"], reduction=r,
                                          log_target=o.get("log_target", False)),
    "SmoothL1Loss": lambda i, r, o: F.smooth_l1_loss(i["input"], i["target"], reduction=r,
                                                     beta=o.get("beta", 1.0)),
    "HuberLoss": lambda i, r, o: F.huber_loss(i["input"], i["target"], reduction=r,
                                              delta=o.get("delta", 1.0)),
    "PoissonNLLLoss": lambda i, r, o: F.poisson_nll_loss(
        i["input"], i["target"], log_input=o.get("log_input", True), full=o.get("full", False),
        eps=o.get("eps", 1e-8), reduction=r),
    "GaussianNLLLoss": lambda i, r, o: F.gaussian_nll_loss(
        i["input"], i["target"], i["var"], full=o.get("full", False), eps=o.get("eps", 1e-6),
        reduction=r),
    "BCELoss": lambda i, r, o: F.binary_cross_entropy(i["input"], i["target"],
                                                      weight=o.get("weight"), reduction=r),
    "BCEWithLogitsLoss": lambda i, r, o: F.binary_cross_entropy_with_logits(
        i["input"], i["target"], weight=o.get("weight"), pos_weight=o.get("pos_weight"),
        reduction=r),
    "SoftMarginLoss": lambda i, r, o: F.soft_margin_loss(i["input"], i["target"], reduction=r),
    "MultiMarginLoss": lambda i, r, o: F.multi_margin_loss(
        i["input"], i["target"], p=o.get("p", 1), margin=o.get("margin", 1.0),
        weight=o.get("weight"), reduction=r),
    "MultiLabelMarginLoss": lambda i, r, o: F.multilabel_margin_loss(i["input"], i["target"],
                                                                     reduction=r),
    "CosineEmbeddingLoss": lambda i, r, o: F.cosine_embedding_loss(
        i["input1"], i["input2"], i["target"], margin=o.get("margin", 0.0), reduction=r),
    "TripletMarginLoss": lambda i, r, o: F.triplet_margin_loss(
        i["anchor"], i["positive"], i["negative"], margin=o.get("margin", 1.0),
        p=o.get("p", 2.0), eps=o.get("eps", 1e-6), swap=o.get("swap", False), reduction=r),
    "MultiLabelSoftMarginLoss": lambda i, r, o: F.multilabel_soft_margin_loss(
        i["input"], i["target"], weight=o.get("weight"), reduction=r),
    "TripletMarginWithDistanceLoss": lambda i, r, o: F.triplet_margin_with_distance_loss(
        i["anchor"], i["positive"], i["negative"], margin=o.get("margin", 1.0),
        swap=o.get("swap", False), reduction=r),
    "CTCLoss": _ctc,
    "FocalLoss": _focal,
    "DiceLoss": _dice,
    "CustomLoss": _own,
}

# Non-default options for each loss that has some (vectors sized for dims N=4, C=D=3).
OPTIONS = {
    "NLLLoss": {"weight": [0.5, 2.0, 1.0], "ignore_index": 1},
    "CrossEntropyLoss": {"weight": [1.0, 0.2, 3.0], "label_smoothing": 0.1},
    "HingeEmbeddingLoss": {"margin": 0.5},
    "MarginRankingLoss": {"margin": 0.3},
    "KLDivLoss": {"log_target": True},
    "SmoothL1Loss": {"beta": 0.4},
    "HuberLoss": {"delta": 0.4},
    "PoissonNLLLoss": {"log_input": False, "full": True, "eps": 1e-4},
    "GaussianNLLLoss": {"full": True, "eps": 0.5},
    "BCELoss": {"weight": [1.0, 2.0, 0.5]},
    "BCEWithLogitsLoss": {"weight": [1.0, 2.0, 0.5], "pos_weight": [3.0, 1.0, 0.1]},
    "MultiMarginLoss": {"p": 2, "margin": 0.7, "weight": [1.0, 2.0, 0.5]},
    "CosineEmbeddingLoss": {"margin": 0.2},
    "TripletMarginLoss": {"margin": 0.5, "p": 1.0, "swap": True},
    "FocalLoss": {"gamma": 0.5, "weight": [1.0, 2.0, 0.5]},
    "DiceLoss": {"eps": 0.01},
    "CustomLoss": {"expression": "abs(z - y)**1.5"},
}

SMALL = {"N": 4, "C": 3, "D": 3, "T": 7, "S": 2}


def _dims(name, small):
    if not small:
        return None
    return {d: SMALL[d] for d in losses.spec(name).dims}


def _reference(name, inputs, reduction, options):
    loss = losses.spec(name)
    leaves = {k: t.clone().requires_grad_(loss.input(k).requires_grad) for k, t in inputs.items()}
    opts = {k: torch.tensor(v) if isinstance(v, list) else v for k, v in options.items()}
    if name == "KLDivLoss" and options.get("log_target"):
        inputs["target"] = inputs["target"].log()  # the same distribution, as log-probabilities
        leaves["target"] = inputs["target"].clone()
    value = REFERENCE[name](leaves, reduction, opts)
    grads = {k: g for k, g in zip(
        [k for k in leaves if leaves[k].requires_grad],
        torch.autograd.grad(value.sum(), [t for t in leaves.values() if t.requires_grad]),
        strict=True)}
    return value.detach(), grads


def _check(name, inputs, reduction, options):
    inputs = dict(inputs)
    want, want_grads = _reference(name, inputs, reduction, options)
    got = losses.evaluate(name, inputs, reduction, options)
    torch.testing.assert_close(got.value, want, equal_nan=True)
    assert set(got.grads) == set(want_grads)
    for key, grad in want_grads.items():
        torch.testing.assert_close(got.grads[key], grad, equal_nan=True)
    return got


CASES = [
    (name, reduction)
    for name in losses.names()
    for reduction in losses.spec(name).reductions
]


@pytest.mark.parametrize(("seed", "small"), [(0, False), (7, True)], ids=["slide-dims", "4x3"])
@pytest.mark.parametrize(("name", "reduction"), CASES)
def test_value_and_grads_match_functional(name, reduction, seed, small):
    _check(name, losses.example(name, seed=seed, dims=_dims(name, small)), reduction, {})


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_options_reach_torch(name, seed):
    loss = losses.spec(name)
    inputs = losses.example(name, seed=seed, dims=_dims(name, True))
    if name == "PoissonNLLLoss":  # log_input=False takes the rate itself, which must be > 0
        inputs["input"] = inputs["input"].abs() + 0.1
    for reduction in loss.reductions:
        result = _check(name, inputs, reduction, OPTIONS[name])
        plain = losses.evaluate(name, inputs, reduction)
        if reduction != "none" and name != "KLDivLoss":
            assert not torch.equal(result.value, plain.value), "the options changed nothing"


@pytest.mark.parametrize("name", losses.names())
def test_slide_example_evaluates(name):
    loss = losses.spec(name)
    result = losses.evaluate(name, losses.example(name), loss.default_reduction,
                             transform=losses.slide_transform(name))
    assert set(result.grads) == {s.name for s in loss.inputs if s.requires_grad}
    assert result.output.startswith("output:  tensor(")
    if name in SLIDE_VALUES and name != "KLDivLoss":
        assert result.output.startswith(f"output:  tensor({SLIDE_VALUES[name]:.4f}")


def test_slide_shapes():
    nll = losses.example("NLLLoss")
    assert nll["input"].shape == (3, 5)
    assert nll["target"].tolist() == [1, 0, 4]
    assert losses.slide_transform("NLLLoss") == "log_softmax"  # the raw scores, as on the slide
    assert (nll["input"] > 0).any()
    assert losses.example("KLDivLoss")["target"].shape == (2, 3)
    assert set(losses.example("MarginRankingLoss")["target"].tolist()) <= {-1.0, 1.0}
    assert losses.example("CrossEntropyLoss")["target"].dtype == torch.long


def test_default_dims_still_give_the_slide_example():
    slide = losses.example("L1Loss")
    same = losses.example("L1Loss", dims={"N": 3, "D": 5})
    assert torch.equal(slide["input"], same["input"])
    assert not torch.equal(losses.example("L1Loss", dims={"N": 4})["input"][:3], slide["input"])


def test_kl_slide_value_came_from_old_torch():
    """Today's torch gives NaN; the slide's 0.8774 is the old rule (skip targets ≤ 0)."""
    ex = losses.example("KLDivLoss")
    assert math.isnan(losses.evaluate("KLDivLoss", ex, "batchmean").value.item())
    x, y = ex["input"], ex["target"]
    old = torch.where(y > 0, y * (y.clamp_min(1e-30).log() - x), torch.zeros(())).sum() / 2
    assert f"{old.item():.4f}" == "0.8774"


def test_focal_with_gamma_zero_is_cross_entropy():
    ex = losses.example("FocalLoss", seed=3)
    weight = [1.0, 0.5, 2.0, 1.0, 3.0]
    focal = losses.evaluate("FocalLoss", ex, options={"gamma": 0.0, "weight": weight})
    ce = losses.evaluate("CrossEntropyLoss", ex, options={"weight": weight})
    torch.testing.assert_close(focal.value, ce.value)
    torch.testing.assert_close(focal.grads["input"], ce.grads["input"])


def test_composite_is_weighted_sum_of_terms():
    ex = losses.example("MSELoss", seed=4)
    terms = [{"loss": "MSELoss", "weight": 1.0},
             {"loss": "HuberLoss", "weight": 0.5, "options": {"delta": 0.3}},
             {"loss": "L1Loss", "weight": 2.0}]
    result = losses.evaluate("Composite", ex, "sum", {"terms": terms})
    x = ex["input"].clone().requires_grad_(True)
    y = ex["target"]
    want = (F.mse_loss(x, y, reduction="sum") + 0.5 * F.huber_loss(x, y, reduction="sum",
            delta=0.3) + 2.0 * F.l1_loss(x, y, reduction="sum"))
    want.backward()
    torch.testing.assert_close(result.value, want.detach())
    torch.testing.assert_close(result.grads["input"], x.grad)
    assert [t.loss for t in result.terms] == ["MSELoss", "HuberLoss", "L1Loss"]
    torch.testing.assert_close(result.terms[1].value, F.huber_loss(ex["input"], y, reduction="sum",
                                                                   delta=0.3))


def test_composite_of_classification_losses_keeps_pitfalls_of_each_term():
    probs = torch.softmax(torch.randn(3, 5, generator=torch.Generator().manual_seed(0)), 1)
    ex = {"input": probs, "target": torch.tensor([1, 0, 4])}
    result = losses.evaluate("Composite", ex, options={"terms": [
        {"loss": "CrossEntropyLoss", "weight": 1.0}, {"loss": "FocalLoss", "weight": 1.0}]})
    assert [p.code for p in result.pitfalls] == ["ce-input-is-probabilities"]


def test_composite_spec_and_compatible():
    spec = losses.composite_spec([{"loss": "KLDivLoss"}])
    assert "batchmean" in spec.reductions
    mixed = losses.composite_spec([{"loss": "MSELoss"}, {"loss": "L1Loss"}])
    assert [s.name for s in mixed.inputs] == ["input", "target"]
    assert losses.compatible("CrossEntropyLoss", "FocalLoss")
    assert not losses.compatible("MSELoss", "CrossEntropyLoss")


def test_registry():
    names = losses.names()
    assert names[:7] == ["L1Loss", "MSELoss", "NLLLoss", "CrossEntropyLoss",
                         "HingeEmbeddingLoss", "MarginRankingLoss", "KLDivLoss"]
    assert {"FocalLoss", "DiceLoss", "TripletMarginLoss", "GaussianNLLLoss"} <= set(names)
    assert "Composite" not in names and len(names) == 24 and names[-1] == "CustomLoss"
    for name in names:
        spec = losses.spec(name)
        assert spec.family in losses.FAMILIES
        assert spec.formula and spec.summary and spec.description and spec.display_name
        assert spec.default_reduction in spec.reductions
        for s in spec.inputs:
            assert set(s.shape) <= set(spec.dims)
        for option in spec.options:
            assert option.kind != "vector" or option.dim in spec.dims
    assert losses.spec("KLDivLoss").default_reduction == "batchmean"
    with pytest.raises(InputError, match="no loss 'Hinge'"):
        losses.spec("Hinge")


def test_example_rejects_bad_dims():
    with pytest.raises(InputError, match="C must be"):
        losses.example("CrossEntropyLoss", seed=0, dims={"C": 1})
    with pytest.raises(InputError, match="no dim 'Q'"):
        losses.example("L1Loss", seed=0, dims={"Q": 2})


@pytest.mark.gpu
def test_gpu_matches_cpu(gpu_device):
    for name in losses.names():
        ex = losses.example(name, seed=5)
        cpu = losses.evaluate(name, ex)
        gpu = losses.evaluate(name, ex, device=gpu_device)
        assert gpu.value.device.type == "cuda"
        torch.testing.assert_close(gpu.value.cpu(), cpu.value, rtol=1e-4, atol=1e-5)
        for key, grad in cpu.grads.items():
            torch.testing.assert_close(gpu.grads[key].cpu(), grad, rtol=1e-4, atol=1e-5)
