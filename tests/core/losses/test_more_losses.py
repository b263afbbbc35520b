"""The losses and options added for "every torch loss": equal to torch.nn.functional
(value and gradients, every reduction), and their code twins print the same value."""

import contextlib
import io

import pytest
import torch
import torch.nn.functional as F

from explorer import losses
from explorer.errors import InputError
from explorer.losses import curves
from explorer.losses.examples import CTC_PATH

PROBS = {"target_kind": "class probabilities"}


def _cosine(a, b):
    return 1 - F.cosine_similarity(a, b)


def _ctc(i, r, o):
    lp, t = i["log_probs"], i["targets"]
    return F.ctc_loss(lp.unsqueeze(1), t.unsqueeze(0), torch.tensor([lp.shape[0]]),
                      torch.tensor([t.shape[0]]), blank=o.get("blank", 0), reduction=r,
                      zero_infinity=o.get("zero_infinity", False))


def _focal(i, r, o):
    # Lin et al.'s FL = -alpha_t (1 - p_t)^gamma log p_t, written from softmax directly.
    p = F.softmax(i["input"], dim=1).gather(1, i["target"][:, None])[:, 0]
    w = torch.ones_like(p) if o.get("weight") is None else o["weight"][i["target"]]
    loss = -o.get("alpha", 1.0) * w * (1 - p) ** o.get("gamma", 2.0) * torch.log(p)
    return {"none": loss, "sum": loss.sum(), "mean": loss.sum() / w.sum()}[r]


REFERENCE = {
    "MultiLabelSoftMarginLoss": lambda i, r, o: F.multilabel_soft_margin_loss(
        i["input"], i["target"], weight=o.get("weight"), reduction=r),
    "TripletMarginWithDistanceLoss": lambda i, r, o: F.triplet_margin_with_distance_loss(
        i["anchor"], i["positive"], i["negative"],
        distance_function=_cosine if o.get("distance") == "cosine" else None,
        margin=o.get("margin", 1.0), swap=o.get("swap", False), reduction=r),
    "CTCLoss": _ctc,
    "CrossEntropyLoss": lambda i, r, o: F.cross_entropy(
        i["input"], i["target"], weight=o.get("weight"),
        label_smoothing=o.get("label_smoothing", 0.0), reduction=r),
    "FocalLoss": _focal,
}

CASES = [
    ("MultiLabelSoftMarginLoss", {}),
    ("MultiLabelSoftMarginLoss", {"weight": [1.0, 2.0, 0.5]}),
    ("TripletMarginWithDistanceLoss", {}),
    ("TripletMarginWithDistanceLoss", {"distance": "cosine"}),
    ("TripletMarginWithDistanceLoss", {"distance": "cosine", "margin": 0.3, "swap": True}),
    ("TripletMarginWithDistanceLoss", {"margin": 2.5, "swap": True}),
    ("CTCLoss", {}),
    ("CTCLoss", {"blank": 2}),
    ("CrossEntropyLoss", PROBS),
    ("CrossEntropyLoss", {**PROBS, "label_smoothing": 0.2, "weight": [1.0, 0.3, 2.0]}),
    ("CrossEntropyLoss", {"label_smoothing": 0.2}),
    ("FocalLoss", {"alpha": 0.25}),
    ("FocalLoss", {"alpha": 0.75, "gamma": 0.5, "weight": [1.0, 2.0, 0.5]}),
]


def _inputs(name, options, seed):
    loss = losses.spec(name)
    sized = options.get("blank") or any(isinstance(v, list) for v in options.values())
    if seed is None and not sized:  # the page's own example
        return losses.example(name, options=options)
    seed = seed or 0  # weights sized for C = 3: a small random example
    small = {"N": 4, "C": 3, "D": 3, "T": 7, "S": 2}
    inputs = losses.example(name, seed=seed, dims={d: small[d] for d in loss.dims},
                            options=options)
    if name == "CTCLoss" and options.get("blank"):  # blank 2: targets use 0 and 1
        inputs["targets"] = torch.tensor([1, 0])
    return inputs


def _reference(name, inputs, reduction, options):
    loss = losses.catalog.variant(losses.spec(name), options)
    leaves = {k: t.clone().requires_grad_(loss.input(k).requires_grad) for k, t in inputs.items()}
    opts = {k: torch.tensor(v) if isinstance(v, list) else v for k, v in options.items()}
    value = REFERENCE[name](leaves, reduction, opts)
    wrt = [k for k, t in leaves.items() if t.requires_grad]
    grads = torch.autograd.grad(value.sum(), [leaves[k] for k in wrt])
    return value.detach(), dict(zip(wrt, grads, strict=True))


def _printed(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<code twin>", "exec"), {})
    return out.getvalue().strip()


@pytest.mark.parametrize("seed", [None, 3], ids=["example", "seed-3"])
@pytest.mark.parametrize(("name", "options"), CASES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_value_grads_and_code_twin_equal_torch(name, options, seed):
    inputs = _inputs(name, options, seed)
    for reduction in losses.spec(name).reductions:
        want, want_grads = _reference(name, inputs, reduction, options)
        got = losses.evaluate(name, inputs, reduction, options)
        torch.testing.assert_close(got.value, want)
        assert set(got.grads) == set(want_grads)
        for key, grad in want_grads.items():
            torch.testing.assert_close(got.grads[key], grad)
        assert _printed(got.code) == got.output


def test_the_options_change_the_value():
    ex = losses.example("TripletMarginWithDistanceLoss", seed=1)
    pairwise = losses.evaluate("TripletMarginWithDistanceLoss", ex).value
    cosine = losses.evaluate("TripletMarginWithDistanceLoss", ex, options={"distance": "cosine"})
    assert not torch.equal(pairwise, cosine.value)
    assert "distance_function=lambda a, b: 1 - nn.functional.cosine_similarity(a, b)" in (
        cosine.code)
    focal = losses.example("FocalLoss", seed=2)
    plain = losses.evaluate("FocalLoss", focal).value
    quarter = losses.evaluate("FocalLoss", focal, options={"alpha": 0.25}).value
    torch.testing.assert_close(quarter, 0.25 * plain)
    assert losses.evaluate("FocalLoss", focal, options={"alpha": None}).value == plain


def test_the_ctc_example_spells_its_target_along_the_likeliest_path():
    ex = losses.example("CTCLoss")
    assert ex["log_probs"].shape == (6, 4) and ex["targets"].tolist() == [1, 2, 2]
    best = ex["log_probs"].argmax(dim=1).tolist()
    assert tuple(best) == CTC_PATH
    collapsed = [s for k, s in enumerate(best) if k == 0 or s != best[k - 1]]
    assert [s for s in collapsed if s != 0] == ex["targets"].tolist()
    torch.testing.assert_close(ex["log_probs"].exp().sum(dim=1), torch.ones(6))
    spec = losses.spec("CTCLoss")
    assert "blank" in spec.description and "N = 1" in spec.description


def test_ctc_gradient_is_torchs_the_scores_gradient_through_log_softmax():
    # torch's CTC backward assumes log_probs = log_softmax(scores): what it returns for
    # log_probs is the gradient with respect to those scores (so the description says).
    ex = losses.example("CTCLoss", seed=5)
    got = losses.evaluate("CTCLoss", ex, "sum").grads["log_probs"]
    scores = ex["log_probs"].clone().requires_grad_(True)
    _ctc({"log_probs": F.log_softmax(scores, dim=1), "targets": ex["targets"]}, "sum",
         {}).backward()
    torch.testing.assert_close(got, scores.grad)


def test_ctc_refuses_a_blank_in_the_target_and_explains_a_target_too_long():
    ex = losses.example("CTCLoss")
    with pytest.raises(InputError, match=r"targets\[1\] is 0, the blank") as info:
        losses.evaluate("CTCLoss", {**ex, "targets": torch.tensor([1, 0, 2])})
    assert info.value.cell == (1,)
    with pytest.raises(InputError, match="only C = 4 symbols"):
        losses.evaluate("CTCLoss", ex, options={"blank": 4})
    short = {**ex, "log_probs": ex["log_probs"][:3]}
    result = losses.evaluate("CTCLoss", short)
    assert result.value.item() == float("inf")
    assert [p.code for p in result.pitfalls] == ["ctc-target-too-long"]
    assert "at least 4 time steps" in result.warnings[0]
    zero = losses.evaluate("CTCLoss", short, options={"zero_infinity": True})
    assert zero.value.item() == 0.0


def test_cross_entropy_target_kind_reshapes_the_target():
    spec = losses.catalog.variant(losses.spec("CrossEntropyLoss"), PROBS)
    assert spec.input("target").shape == ("N", "C") and spec.input("target").dtype == "float"
    assert losses.catalog.variant(losses.spec("CrossEntropyLoss"), {}) is losses.spec(
        "CrossEntropyLoss")
    indices = losses.example("CrossEntropyLoss")
    with pytest.raises(InputError, match="target"):
        losses.evaluate("CrossEntropyLoss", indices, options=PROBS)
    with pytest.raises(InputError, match="target_kind must be one of"):
        losses.evaluate("CrossEntropyLoss", indices, options={"target_kind": "soft"})
    probs = losses.example("CrossEntropyLoss", seed=0, options=PROBS)
    assert probs["target"].shape == (3, 5)
    torch.testing.assert_close(probs["target"].sum(dim=1), torch.ones(3))
    assert "target_kind" not in losses.evaluate("CrossEntropyLoss", probs, options=PROBS).code


def test_options_are_only_the_chosen_losss():
    with pytest.raises(InputError, match="MSELoss has no option 'delta'"):
        losses.evaluate("MSELoss", losses.example("MSELoss"), options={"delta": 1.0})
    names = {n: {o.name for o in losses.spec(n).options} for n in losses.names()}
    assert names["MultiLabelSoftMarginLoss"] == {"weight"}
    assert names["TripletMarginWithDistanceLoss"] == {"distance", "margin", "swap"}
    assert names["CTCLoss"] == {"blank", "zero_infinity"}
    assert [n for n, o in names.items() if "target_kind" in o] == ["CrossEntropyLoss"]
    assert {"gamma", "alpha", "weight"} == names["FocalLoss"]


def test_the_curve_ignores_the_pages_own_options():
    # the option form sends every option; target_kind is the page's, not a torch keyword
    plain = losses.curve("CrossEntropyLoss", options={"label_smoothing": 0.1})
    with_kind = losses.curve("CrossEntropyLoss", options={"label_smoothing": 0.1, **PROBS})
    torch.testing.assert_close(plain.loss, with_kind.loss)
    assert losses.marker("CrossEntropyLoss", 0.5, options=PROBS).value == pytest.approx(
        F.softplus(torch.tensor(-0.5)).item())


def test_curves_of_the_new_losses():
    multi = losses.curve("MultiLabelSoftMarginLoss")
    torch.testing.assert_close(multi.loss, losses.curve("BCEWithLogitsLoss").loss)
    for name in ("TripletMarginWithDistanceLoss", "CTCLoss"):
        assert name not in losses.curve_names()
        assert len(curves.no_curve_reason(name)) > 20
    assert "alignment" in curves.no_curve_reason("CTCLoss")
    assert curves.no_curve_reason("MSELoss") == ""


def test_focal_overlay_is_lin_et_al_figure_one():
    drawn = curves.focal_overlay()
    assert [c.name for c in drawn] == ["γ = 0 (cross-entropy)", "γ = 0.5", "γ = 1", "γ = 2",
                                       "γ = 5"]
    for c, gamma in zip(drawn, curves.FOCAL_GAMMAS, strict=True):
        p = c.z.double()
        torch.testing.assert_close(c.loss.double(), -(1 - p) ** gamma * p.log(),
                                   rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(c.grad.double(), gamma * (1 - p) ** (gamma - 1) * p.log()
                                   - (1 - p) ** gamma / p, rtol=1e-3, atol=1e-4)
        assert c.title == curves.FOCAL_TITLE
    logits = torch.stack([drawn[0].z.log(), torch.log1p(-drawn[0].z)], dim=1)
    ce = F.cross_entropy(logits, torch.zeros(len(logits), dtype=torch.long), reduction="none")
    torch.testing.assert_close(drawn[0].loss, ce)
    # bigger gamma, smaller loss at every p < 1: the easy examples fade first
    assert all((a.loss >= b.loss).all() for a, b in zip(drawn, drawn[1:], strict=False))


def test_the_focal_curve_carries_the_overlay_with_the_chosen_setting():
    c = losses.curve("FocalLoss", options={"gamma": 1.0, "alpha": 0.5})
    setting = c.overlay[-1]
    assert [o.name for o in c.overlay][:5] == [o.name for o in curves.focal_overlay()]
    assert setting.name == curves.FOCAL_SETTING and setting.title == "γ = 1, α = 0.5"
    torch.testing.assert_close(setting.loss, 0.5 * c.overlay[2].loss)
    assert losses.curve("CrossEntropyLoss").overlay == []
    with pytest.raises(InputError, match="α in"):
        curves.focal_overlay(gamma=1.0, alpha=2.0)
