"""Momentum's stability region: the closed-form rate against torch's eigenvalues and a real
torch.optim.SGD(momentum=beta) run on the quadratic."""

import math

import numpy as np
import pytest
import torch

from explorer.descent.momentum_map import (
    convergence_rate,
    momentum_map,
    spectral_radius,
    stable_lr,
)
from explorer.errors import InputError


def test_spectral_radius_equals_torch_eigvals_of_the_iteration_matrix():
    rng = np.random.default_rng(0)
    lr, beta, lam = rng.uniform(0, 1, 200), rng.uniform(0, 0.999, 200), rng.uniform(0.1, 10, 200)
    lr = lr * 5 / lam  # past the boundary too
    matrices = torch.tensor(np.stack([np.stack([1 - lr * lam, -lr * beta], -1),
                                      np.stack([lam, beta], -1)], -2))
    expected = torch.linalg.eigvals(matrices).abs().max(dim=-1).values.numpy()
    np.testing.assert_allclose(spectral_radius(lr, beta, lam), expected, rtol=1e-7, atol=1e-9)


def measured_contraction(lr, beta, condition, steps=400):
    """The per-step shrink of the error of torch.optim.SGD(momentum=beta) on ½(x² + κ y²)."""
    point = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([point], lr=lr, momentum=beta)
    scale = torch.tensor([1.0, condition], dtype=torch.float64)
    norms = []
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * (scale * point * point).sum()).backward()
        opt.step()
        norms.append(point.detach().norm().item())
    # The largest error over the last windows, so a rotation (complex roots) does not fool it.
    early, late = max(norms[100:150]), max(norms[-50:])
    return (late / early) ** (1 / (steps - 150))


@pytest.mark.parametrize("lr, beta", [(0.05, 0.0), (0.15, 0.3), (0.2, 0.6), (0.28, 0.5),
                                      (0.02, 0.9), (0.35, 0.8)])
def test_closed_form_rate_equals_the_measured_contraction_of_torch_sgd(lr, beta):
    rate = float(convergence_rate(lr, beta, (1.0, 10.0)))
    assert rate < 1
    assert measured_contraction(lr, beta, 10.0) == pytest.approx(rate, rel=2e-2)


def test_the_boundary_separates_converging_from_diverging_runs_of_torch():
    for beta in (0.0, 0.5, 0.9):
        bound = float(stable_lr(beta, 10.0))
        assert bound == pytest.approx(2 * (1 + beta) / 10)
        assert convergence_rate(0.98 * bound, beta, (1.0, 10.0)) < 1
        assert convergence_rate(1.02 * bound, beta, (1.0, 10.0)) > 1
        assert measured_contraction(1.05 * bound, beta, 10.0, steps=300) > 1


def test_the_map_covers_the_plane_and_finds_the_known_optimum():
    m = momentum_map({"condition": 100.0}, resolution=200)
    assert m.rate.shape == (200, 200) and (m.lambda_min, m.lambda_max) == (1.0, 100.0)
    assert m.lrs.max() > 4 / 100 > m.lrs.min() > 0
    # Polyak's optimum: rate (sqrt(k) - 1) / (sqrt(k) + 1) at beta = that squared.
    optimum = (math.sqrt(100) - 1) / (math.sqrt(100) + 1)
    assert m.best[2] == pytest.approx(optimum, rel=0.05)
    assert m.best[1] == pytest.approx(optimum ** 2, abs=0.03)
    stable = m.rate < 1
    assert np.array_equal(stable, m.lrs[None, :] < m.boundary[:, None])
    assert m.rate_at(0.01, 0.5) == pytest.approx(float(convergence_rate(0.01, 0.5, (1, 100))))


@pytest.mark.parametrize("kwargs, field", [
    ({"resolution": 5}, "momentum_resolution"),
    ({"resolution": 10_000}, "momentum_resolution"),
    ({"lr_max": -1.0}, "momentum_lr_max"),
    ({"lr_max": "big"}, "momentum_lr_max"),
    ({"surface_options": {"condition": 0.5}}, "condition"),
])
def test_bad_settings_are_refused(kwargs, field):
    with pytest.raises(InputError) as info:
        momentum_map(**kwargs)
    assert info.value.field == field


def test_the_scene_keeps_the_maps_settings_and_the_pages_choice():
    import json

    from explorer.descent.scene import DescentScene, MomentumOptions

    scene = DescentScene(momentum=MomentumOptions(80, 0.5), surface_options={"condition": 25.0},
                         optimizer_options={"momentum": 0.7}).validated()
    again = DescentScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    assert again == scene
    m = momentum_map(**again.momentum_arguments())
    assert m.rate.shape == (80, 80) and m.lambda_max == 25.0 and m.lrs.max() < 0.5
    assert again.momentum_choice() == (scene.lrs, 0.7)
    assert DescentScene().with_optimizer("Adam").momentum_choice()[1] is None
    nesterov = DescentScene(optimizer_options={"momentum": 0.9, "nesterov": True})
    assert nesterov.momentum_choice()[1] is None
    # Another surface: the map is of the default bowl.
    assert DescentScene().with_surface("rosenbrock").momentum_arguments()["surface_options"] is None


@pytest.mark.parametrize("momentum, field", [
    ({"resolution": 3}, "momentum_resolution"),
    ({"resolution": 100, "lr_max": 0}, "momentum_lr_max"),
    ({"size": 3}, "momentum"),
])
def test_the_scene_refuses_bad_map_settings_naming_the_field(momentum, field):
    from explorer.descent.scene import DescentScene

    data = DescentScene().validated().to_dict()
    data["momentum"] = momentum
    with pytest.raises(InputError) as info:
        DescentScene.from_dict(data)
    assert info.value.field == field
