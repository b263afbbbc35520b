"""Loss curves L(z, y) and dL/dz, and the slides' comparison chart on the margin axis."""

import math

import pytest
import torch

from explorer import losses
from explorer.errors import InputError
from explorer.losses import curves

# Closed forms written independently of torch.nn (z: prediction, y: target).
CLOSED = {
    "L1Loss": (0.5, lambda z, y: (z - y).abs(), lambda z, y: torch.sign(z - y)),
    "MSELoss": (0.5, lambda z, y: (z - y) ** 2, lambda z, y: 2 * (z - y)),
    "BCEWithLogitsLoss": (1.0, lambda z, y: -(y * torch.sigmoid(z).log()
                                              + (1 - y) * (1 - torch.sigmoid(z)).log()),
                          lambda z, y: torch.sigmoid(z) - y),
    "SoftMarginLoss": (-1.0, lambda z, y: torch.log1p(torch.exp(-y * z)),
                       lambda z, y: -y * torch.sigmoid(-y * z)),
    "CrossEntropyLoss": (None, lambda z, y: torch.log1p(torch.exp(-z)),
                         lambda z, y: -torch.sigmoid(-z)),
    "HingeEmbeddingLoss": (-1.0, lambda z, y: (1 - z).clamp_min(0),
                           lambda z, y: -(z < 1).float()),
    "PoissonNLLLoss": (3.0, lambda z, y: torch.exp(z) - y * z, lambda z, y: torch.exp(z) - y),
}


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_curve_matches_closed_form(name):
    target, value, slope = CLOSED[name]
    c = losses.curve(name, target=target, n=301)
    y = c.z.new_tensor(1.0 if target is None else target)
    keep = (c.z - 1).abs() > 1e-3  # away from kinks
    torch.testing.assert_close(c.loss, value(c.z, y), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(c.grad[keep], slope(c.z, y)[keep], rtol=1e-4, atol=1e-5)
    assert c.z.shape == (301,) and c.name == name and c.target == float(y)


@pytest.mark.parametrize("name", losses.curve_names())
def test_every_curve_derivative_matches_finite_differences(name):
    c = losses.curve(name, n=2001)
    dz = float(c.z[1] - c.z[0])
    numeric = (c.loss[2:] - c.loss[:-2]) / (2 * dz)
    analytic = c.grad[1:-1]
    jump = (c.grad[1:] - c.grad[:-1]).abs() > 0.05
    smooth = ~(jump[:-1] | jump[1:])  # skip the samples next to a kink
    torch.testing.assert_close(numeric[smooth], analytic[smooth], rtol=0.02, atol=0.02)
    assert torch.isfinite(c.loss).all() and torch.isfinite(c.grad).all()


def test_curve_options_reach_the_loss():
    near = losses.curve("HuberLoss", options={"delta": 0.5})
    far = losses.curve("HuberLoss", options={"delta": 2.0})
    assert not torch.equal(near.loss, far.loss)
    assert near.grad.abs().max() == pytest.approx(0.5)
    focal = losses.curve("FocalLoss", options={"gamma": 0.0})
    torch.testing.assert_close(focal.loss, losses.curve("CrossEntropyLoss").loss)


def test_bce_curve_stays_inside_probabilities():
    c = losses.curve("BCELoss")
    assert c.z.min() > 0 and c.z.max() < 1
    torch.testing.assert_close(c.loss, -c.z.log())


def test_compare_curves_on_the_margin_axis():
    curves = losses.compare_curves(n=501)
    assert [c.name for c in curves] == ["square", "absolute", "hinge", "logistic",
                                        "cross-entropy"]
    at_zero = {c.name: c.loss[(c.z.abs()).argmin()].item() for c in curves}
    assert at_zero["square"] == pytest.approx(1.0, abs=1e-2)
    assert at_zero["absolute"] == pytest.approx(1.0, abs=1e-2)
    assert at_zero["hinge"] == pytest.approx(1.0, abs=1e-2)
    assert at_zero["logistic"] == pytest.approx(math.log(2), abs=1e-2)
    assert at_zero["cross-entropy"] == pytest.approx(1.0, abs=1e-2)
    hinge = curves[2]
    assert (hinge.loss[hinge.z >= 1] == 0).all() and (hinge.grad[hinge.z < 0.99] == -1).all()
    assert all(c.target is None for c in curves)  # the margin axis: see ui.loss.labels


def test_curve_errors():
    with pytest.raises(InputError, match="TripletMarginLoss has no one-dimensional curve"):
        losses.curve("TripletMarginLoss")
    with pytest.raises(InputError, match="finite lo < hi"):
        losses.curve("L1Loss", lo=2, hi=1)
    with pytest.raises(InputError, match="cannot draw its curve"):
        losses.curve("HuberLoss", options={"delta": -1.0})
    with pytest.raises(InputError, match="no curve 'zero-one'"):
        losses.compare_curves(("zero-one",))


@pytest.mark.gpu
def test_curves_on_gpu(gpu_device):
    cpu = losses.curve("CrossEntropyLoss")
    gpu = losses.curve("CrossEntropyLoss", device=gpu_device)
    torch.testing.assert_close(gpu.loss.cpu(), cpu.loss, rtol=1e-5, atol=1e-6)
    assert losses.compare_curves(device=gpu_device)[0].z.device.type == "cuda"


@pytest.mark.parametrize("name", losses.curve_names())
@pytest.mark.parametrize("z", [-1.3, 0.25, 0.8, 2.0])
def test_the_marker_is_the_losss_value_and_autograd_slope_at_z(name, z):
    c = losses.curve(name, n=11)  # the default target, and a curve drawn through z
    target = c.target
    if name == "BCELoss":  # z is a probability there
        z = min(max(z, 0.05), 0.95)
    point = losses.marker(name, z, target)
    through = losses.curve(name, target, {}, z, z + 0.01, 2)
    assert point.z == z
    assert point.value == pytest.approx(through.loss[0].item(), rel=1e-5, abs=1e-6)
    assert point.slope == pytest.approx(through.grad[0].item(), rel=1e-5, abs=1e-6)


def test_the_marker_equals_autograd_through_the_torch_loss():
    x = torch.tensor([0.7], requires_grad=True)
    value = torch.nn.HuberLoss(reduction="none", delta=0.5)(x, torch.tensor([2.0]))
    value.backward()
    point = losses.marker("HuberLoss", 0.7, 2.0, {"delta": 0.5})
    assert (point.value, point.slope) == pytest.approx((value.item(), x.grad.item()))


def test_the_marker_refuses_what_the_curve_refuses():
    with pytest.raises(InputError, match="TripletMarginLoss has no one-dimensional curve"):
        losses.marker("TripletMarginLoss", 0.0)
    with pytest.raises(InputError, match="cannot draw its curve"):
        losses.marker("HuberLoss", 0.0, options={"delta": -1.0})
    with pytest.raises(InputError, match="finite"):
        losses.marker("MSELoss", float("nan"))


def test_which_losses_are_element_wise():
    elementwise = {n for n in losses.names() if curves.elementwise(losses.spec(n))}
    assert {"L1Loss", "MSELoss", "HuberLoss", "BCEWithLogitsLoss", "HingeEmbeddingLoss"} \
        <= elementwise
    # A row of class scores against one class index, two inputs compared, or a whole mask:
    # no cell of input is a point on one curve.
    assert not elementwise & {"CrossEntropyLoss", "MarginRankingLoss", "DiceLoss",
                              "MultiLabelMarginLoss", "KLDivLoss", "TripletMarginLoss"}
    assert elementwise <= set(losses.curve_names())


def test_the_selected_cell_is_a_point_only_where_the_loss_is_element_wise():
    mse = losses.example("MSELoss")
    z, y = curves.point_of(losses.spec("MSELoss"), mse, (1, 2))
    assert (z, y) == (mse["input"][1, 2].item(), mse["target"][1, 2].item())
    assert curves.point_of(losses.spec("MSELoss"), mse, (1,)) is None
    ce = losses.example("CrossEntropyLoss")
    assert curves.point_of(losses.spec("CrossEntropyLoss"), ce, (0, 0)) is None


def test_the_curve_span_widens_to_show_the_marker():
    assert curves.span(None) == curves.CURVE_RANGE
    assert curves.span(0.5) == curves.CURVE_RANGE
    assert curves.span(5.0) == (curves.CURVE_RANGE[0], 6.0)
    assert curves.span(-4.5) == (-5.5, curves.CURVE_RANGE[1])
