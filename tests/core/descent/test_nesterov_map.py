"""Nesterov momentum on the momentum map: its own closed-form rate (torch's nesterov=True
form), its narrower region, and the page's Nesterov choice marked on it (issue 11)."""

import numpy as np
import pytest
import torch

from explorer.descent.momentum_map import (
    convergence_rate,
    momentum_map,
    spectral_radius,
    stable_lr,
)
from explorer.descent.reference import nesterov_factor
from explorer.descent.scene import DescentScene


def test_nesterovs_radius_equals_the_eigenvalues_of_its_iteration_matrix():
    rng = np.random.default_rng(1)
    lr, beta, lam = rng.uniform(0, 1, 200), rng.uniform(0, 0.999, 200), rng.uniform(0.1, 10, 200)
    lr = lr * 3 / lam  # past the boundary too
    h = lr * lam
    matrices = torch.tensor(np.stack([np.stack([1 - h * (1 + beta), -beta * beta], -1),
                                      np.stack([h, beta], -1)], -2))
    expected = torch.linalg.eigvals(matrices).abs().max(dim=-1).values.numpy()
    np.testing.assert_allclose(spectral_radius(lr, beta, lam, nesterov=True), expected,
                               rtol=1e-7, atol=1e-9)


def _torch_contraction(lr, beta, condition=10.0, steps=400):
    point = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([point], lr=lr, momentum=beta, nesterov=True)
    scale = torch.tensor([1.0, condition], dtype=torch.float64)
    norms = []
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * (scale * point * point).sum()).backward()
        opt.step()
        norms.append(point.detach().norm().item())
    early, late = max(norms[100:150]), max(norms[-50:])
    return (late / early) ** (1 / (steps - 150))


@pytest.mark.parametrize("lr, beta", [(0.1, 0.3), (0.05, 0.9), (0.12, 0.6)])
def test_nesterovs_rate_is_what_torch_sgd_nesterov_contracts_by(lr, beta):
    rate = float(convergence_rate(lr, beta, (1.0, 10.0), nesterov=True))
    assert rate < 1
    assert _torch_contraction(lr, beta) == pytest.approx(rate, rel=2e-2)


def test_nesterovs_boundary_is_its_closed_bound_and_narrower_than_heavy_balls():
    for beta in (0.3, 0.6, 0.9):
        bound = float(stable_lr(beta, 10.0, nesterov=True))
        assert bound == pytest.approx(nesterov_factor(beta) / 10)
        assert bound < float(stable_lr(beta, 10.0))
        assert convergence_rate(0.98 * bound, beta, (1.0, 10.0), nesterov=True) < 1
        assert convergence_rate(1.02 * bound, beta, (1.0, 10.0), nesterov=True) > 1


def test_a_nesterov_page_gets_nesterovs_map_and_its_point():
    scene = DescentScene(optimizer_options={"momentum": 0.9, "nesterov": True}).validated()
    assert scene.momentum_marks() == (scene.lrs, 0.9, True)
    assert scene.momentum_choice()[1] is None  # not a point of the heavy-ball map
    m = momentum_map(**scene.momentum_arguments())
    assert m.nesterov
    np.testing.assert_allclose(m.boundary, nesterov_factor(m.betas) / m.lambda_max)
    assert m.rate_at(0.05, 0.9) == pytest.approx(
        float(convergence_rate(0.05, 0.9, (1.0, 10.0), nesterov=True)))
    assert not momentum_map(**DescentScene().validated().momentum_arguments()).nesterov
