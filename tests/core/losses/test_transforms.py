"""The input transform: a step in the pipeline, differentiated with respect to the raw input."""

import math

import pytest
import torch
from torch import nn

from explorer import losses
from explorer.errors import InputError
from explorer.losses.custom import CUSTOM
from explorer.losses.examples import SLIDE_SEEDS
from explorer.losses.scene import LossScene

pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")

MODULES = {"log_softmax": lambda: nn.LogSoftmax(dim=1), "softmax": lambda: nn.Softmax(dim=1),
           "sigmoid": nn.Sigmoid}


def test_the_nll_slide_as_the_slide_wrote_it():
    """The slide's own lines: seed, randn, LogSoftmax(dim=1), NLLLoss, backward."""
    torch.manual_seed(SLIDE_SEEDS["NLLLoss"])
    m = nn.LogSoftmax(dim=1)
    loss = nn.NLLLoss()
    input = torch.randn(3, 5, requires_grad=True)  # noqa: A001 - the slide's name
    target = torch.tensor([1, 0, 4])
    output = loss(m(input), target)
    output.backward()

    result = losses.evaluate("NLLLoss", losses.example("NLLLoss"),
                             transform=losses.slide_transform("NLLLoss"))
    assert torch.equal(losses.example("NLLLoss")["input"], input.detach())
    assert result.output == "output:  tensor(2.9472, grad_fn=<NllLossBackward0>)"
    assert torch.equal(result.value, output.detach())
    assert torch.equal(result.grads["input"], input.grad)
    # (softmax - one-hot) / 3, the gradient the slide's backward() gives
    expected = (torch.softmax(input.detach(), 1) - nn.functional.one_hot(target, 5)) / 3
    torch.testing.assert_close(result.grads["input"], expected)
    assert result.grads["input"][0].tolist() == pytest.approx(
        [0.141, -0.299, 0.061, 0.030, 0.068], abs=5e-4)
    assert result.pitfalls == []


def _cases():
    for name in losses.names():
        loss = losses.spec(name)
        if name in CUSTOM or name == "CustomLoss" or all(s.name != "input" for s in loss.inputs):
            continue
        for transform in losses.TRANSFORMS:
            for reduction in loss.reductions:
                yield name, transform, reduction


@pytest.mark.parametrize(("name", "transform", "reduction"), list(_cases()))
def test_each_transform_is_torchs_module_applied_first(name, transform, reduction):
    loss = losses.spec(name)
    inputs = losses.example(name, seed=1)
    g = torch.Generator().manual_seed(7)  # raw scores, as a model gives them
    inputs["input"] = torch.randn(inputs["input"].shape, generator=g)
    leaf = inputs["input"].clone().requires_grad_(True)
    fed = {**inputs, "input": MODULES[transform]()(leaf)}
    try:
        want = getattr(nn, name)(reduction=reduction)(*[fed[s.name] for s in loss.inputs])
    except (RuntimeError, ValueError):  # e.g. BCELoss on log-probabilities: torch refuses
        return
    (want.sum() if want.dim() else want).backward()
    got = losses.evaluate(name, inputs, reduction, transform=transform)
    torch.testing.assert_close(got.value, want.detach(), rtol=0, atol=0, equal_nan=True)
    torch.testing.assert_close(got.grads["input"], leaf.grad, rtol=0, atol=0, equal_nan=True)
    assert not torch.equal(inputs["input"], fed["input"].detach())  # the step did something


def test_the_custom_losses_take_the_transform_too():
    inputs = losses.example("FocalLoss", seed=2)
    leaf = inputs["input"].clone().requires_grad_(True)
    want = CUSTOM["FocalLoss"](nn.Softmax(dim=1)(leaf), inputs["target"], reduction="sum")
    want.backward()
    got = losses.evaluate("FocalLoss", inputs, "sum", transform="softmax")
    assert torch.equal(got.value, want.detach()) and torch.equal(got.grads["input"], leaf.grad)


def test_no_transform_is_the_loss_alone():
    inputs = losses.example("MSELoss", seed=4)
    assert torch.equal(losses.evaluate("MSELoss", inputs, transform=None).value,
                       losses.evaluate("MSELoss", inputs).value)


@pytest.mark.parametrize("bad", ["logsoftmax", "none", "", 1, ["sigmoid"], "Sigmoid"])
def test_a_bad_transform_is_refused(bad):
    with pytest.raises(InputError, match="transform") as info:
        losses.evaluate("MSELoss", losses.example("MSELoss"), transform=bad)
    assert info.value.field == "transform"


def test_a_transform_that_does_not_fit_says_why():
    one_d = {"input": torch.randn(4), "target": torch.randn(4)}
    with pytest.raises(InputError, match="1-D") as info:
        losses.evaluate("MSELoss", one_d, transform="softmax")
    assert info.value.field == "transform"
    with pytest.raises(InputError, match="no tensor named input") as info:
        losses.evaluate("MarginRankingLoss", losses.example("MarginRankingLoss"),
                        transform="sigmoid")
    assert info.value.field == "transform"
    with pytest.raises(InputError, match="no tensor named input") as info:
        losses.evaluate("Composite", losses.example("MarginRankingLoss"), "mean",
                        {"terms": [{"loss": "MarginRankingLoss", "weight": 1.0}]},
                        transform="sigmoid")
    assert info.value.field == "transform"


def test_pitfalls_look_at_what_the_loss_receives():
    raw = losses.example("NLLLoss")
    assert [p.code for p in losses.evaluate("NLLLoss", raw).pitfalls] == [
        "nll-input-not-log-prob"]
    assert losses.evaluate("NLLLoss", raw, transform="softmax").pitfalls[0].code == (
        "nll-input-not-log-prob")  # probabilities are not log-probabilities either
    fixed = losses.apply_fix("NLLLoss", raw, "mean", None, "nll-input-not-log-prob", "softmax")
    assert fixed[3] == "log_softmax" and torch.equal(fixed[0]["input"], raw["input"])


def test_the_pipeline_text():
    assert losses.pipeline("NLLLoss", "log_softmax") == "input → LogSoftmax(dim=1) → NLLLoss"
    assert losses.pipeline("BCELoss", "sigmoid") == "input → Sigmoid() → BCELoss"
    assert losses.pipeline("MSELoss", None) == "input → MSELoss"


def test_the_scene_keeps_the_transform():
    scene = LossScene(loss="NLLLoss", transform="log_softmax")
    assert LossScene.from_dict(scene.to_dict()) == scene
    old = scene.to_dict()
    del old["transform"]  # saved before the transform existed
    assert LossScene.from_dict(old).transform is None
    with pytest.raises(InputError) as info:
        LossScene.from_dict({**scene.to_dict(), "transform": "tanh"})
    assert info.value.field == "transform"
    with pytest.raises(InputError, match="no tensor named input"):
        LossScene.from_dict({"loss": "MarginRankingLoss", "transform": "sigmoid"})


def test_the_nll_slide_scene_has_the_slides_step():
    from explorer import RESOURCES, scene

    pages = scene.load(RESOURCES / "scenes" / "slide-03-NLLLoss.json")
    page = LossScene.from_dict(pages["loss"])
    assert page.transform == "log_softmax"
    result = losses.evaluate(page.loss, losses.example(page.loss), page.reduction,
                             transform=page.transform)
    assert math.isclose(result.value.item(), 2.9472, abs_tol=5e-5)
