"""Loss curves L(z, y) and dL/dz, and the slides' comparison chart on the margin axis."""

import math

import pytest
import torch

from explorer import losses
from explorer.errors import InputError

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
    assert c.z.shape == (301,) and c.label == name and c.y_label


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
    labels = [c.label for c in curves]
    assert [label.split()[0] for label in labels] == ["square", "absolute", "hinge", "logistic",
                                                      "cross-entropy"]
    at_zero = {c.label.split()[0]: c.loss[(c.z.abs()).argmin()].item() for c in curves}
    assert at_zero["square"] == pytest.approx(1.0, abs=1e-2)
    assert at_zero["absolute"] == pytest.approx(1.0, abs=1e-2)
    assert at_zero["hinge"] == pytest.approx(1.0, abs=1e-2)
    assert at_zero["logistic"] == pytest.approx(math.log(2), abs=1e-2)
    assert at_zero["cross-entropy"] == pytest.approx(1.0, abs=1e-2)
    hinge = curves[2]
    assert (hinge.loss[hinge.z >= 1] == 0).all() and (hinge.grad[hinge.z < 0.99] == -1).all()
    assert all(c.x_label == "margin y·z" for c in curves)


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
