"""Learning-rate bounds that match the optimizer, and presets in their named order."""

import numpy as np
import pytest
import torch

from explorer import descent
from explorer.descent import surfaces
from explorer.descent.divergence import sweep_diverging_at
from explorer.descent.reference import (
    measured_bound,
    nesterov_factor,
    reference_lrs,
    stability_bound,
)

START = (-3.0, 1.5)
BOWL = {"rotation": 90.0}
ORDER = ["too small", "good", "too large", "diverging"]


def _diverges(optimizer, lr, options, steps=300):
    result = descent.sweep("quadratic", optimizer, [lr], steps, START, options,
                           surface_options=BOWL)
    return sweep_diverging_at(result)[0] is not None


def test_plain_gradient_descent_keeps_two_over_lambda_max_and_its_best_rate():
    bound = stability_bound("quadratic", "SGD", START, surface_options=BOWL)
    assert bound.closed_form and bound.lr == pytest.approx(0.2)
    assert bound.best == pytest.approx(2 / 11)
    assert not _diverges("SGD", 0.99 * bound.lr, {}) and _diverges("SGD", 1.05 * bound.lr, {})


@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_heavy_ball_momentum_converges_below_two_one_plus_beta_over_lambda_max(beta):
    options = {"momentum": beta}
    bound = stability_bound("quadratic", "SGD", START, options, BOWL)
    assert bound.closed_form and bound.lr == pytest.approx(2 * (1 + beta) / 10)
    assert bound.best is None and "Heavy-ball" in bound.text
    assert not _diverges("SGD", 0.98 * bound.lr, options, steps=600)
    assert _diverges("SGD", 1.05 * bound.lr, options, steps=600)


def _torch_nesterov_loss_ratio(lr, beta, weight_decay, steps=150):
    """Loss after ``steps`` of torch.optim.SGD(nesterov=True) over the loss at the start."""
    function = surfaces.objective("quadratic", BOWL)
    point = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([point], lr=lr, momentum=beta, nesterov=True,
                          weight_decay=weight_decay)
    first = float(function(point.detach()))
    for _ in range(steps):
        opt.zero_grad()
        function(point).backward()
        opt.step()
    # weight_decay makes torch minimise f + wd |x|^2 / 2, whose minimum is still the origin.
    return float(function(point.detach())) / first


@pytest.mark.parametrize("weight_decay", [0.0, 2.0])
@pytest.mark.parametrize("beta", [0.3, 0.5, 0.9, 0.99])
def test_nesterov_converges_below_its_closed_bound_and_diverges_above_in_torch(beta,
                                                                               weight_decay):
    options = {"momentum": beta, "nesterov": True, "weight_decay": weight_decay}
    bound = stability_bound("quadratic", "SGD", START, options, BOWL)
    limit = 2 * (1 + beta) / ((1 + 2 * beta) * (10 + weight_decay))
    assert bound.closed_form and bound.lr == pytest.approx(limit, rel=1e-12)
    assert "Nesterov" in bound.text and f"{limit:.4g}" in bound.text
    assert _torch_nesterov_loss_ratio(0.97 * bound.lr, beta, weight_decay) < 1e-6
    assert _torch_nesterov_loss_ratio(1.03 * bound.lr, beta, weight_decay) > 1e6


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.9, 0.99])
def test_nesterovs_factor_puts_the_iteration_matrix_on_the_unit_circle(beta):
    # Torch's Nesterov step along one eigenvector maps (x, lr * buffer) by this matrix.
    def radius(h):
        matrix = np.array([[1 - h * (1 + beta), -beta ** 2], [h, beta]])
        return max(abs(np.linalg.eigvals(matrix)))

    h = nesterov_factor(beta)
    assert radius(h) == pytest.approx(1.0, abs=1e-9)
    assert radius(0.999 * h) < 1 < radius(1.001 * h)
    assert all(radius(f * h) < 1 for f in np.linspace(0.01, 0.99, 50))


def test_adam_says_no_closed_bound_and_gets_a_measured_one():
    bound = stability_bound("quadratic", "Adam", START, None, BOWL)
    assert bound.lr is None and not bound.closed_form and "No closed-form bound" in bound.text
    measured = measured_bound("quadratic", "Adam", START, 100, None, BOWL)
    low, high = measured.bracket
    assert low < measured.lr < high and high / low < 1.01
    assert not _diverges("Adam", low, {}, 100) and _diverges("Adam", high, {}, 100)


def test_the_measured_boundary_of_nesterov_approaches_its_closed_bound():
    options = {"momentum": 0.9, "nesterov": True}
    limit = stability_bound("quadratic", "SGD", START, options, BOWL).lr
    measured = measured_bound("quadratic", "SGD", START, 400, options, BOWL)
    low, high = measured.bracket  # 0.13538 to 0.13612 around 0.13571
    assert low <= limit <= high and measured.lr == pytest.approx(limit, rel=0.01)
    assert not _diverges("SGD", low, options, 400) and _diverges("SGD", high, options, 400)


def test_a_search_that_finds_no_divergence_says_so():
    measured = measured_bound("quadratic", "SGD", START, 50, None, BOWL, low=1e-4, high=1e-2)
    assert measured.lr is None and "No rate" in measured.text


@pytest.mark.parametrize("condition", [1.0, 2.0, 10.0, 19.0, 20.0, 50.0, 100.0, 1000.0])
def test_presets_are_in_their_named_order_at_every_condition_number(condition):
    reference = reference_lrs("quadratic", START, {"condition": condition})
    assert list(reference.presets) == ORDER
    values = list(reference.presets.values())
    assert values == sorted(values) and len(set(values)) == 4
    assert reference.presets["too large"] < reference.critical < reference.presets["diverging"]


@pytest.mark.parametrize("surface", [s for s in surfaces.names() if s != "custom"])
def test_presets_are_in_order_on_every_surface_and_no_good_one_where_none_converges(surface):
    start = surfaces.info(surface).default_start
    reference = reference_lrs(surface, start)
    values = list(reference.presets.values())
    assert values == sorted(values) and len(set(values)) == len(values)
    assert list(reference.presets) == [name for name in ORDER if name in reference.presets]
    assert ("good" in reference.presets) == ("downward" not in reference.explanation)


def test_the_saddle_offers_no_good_rate():
    reference = reference_lrs("saddle", (0.5, 0.1))
    assert "downward" in reference.explanation and "good" not in reference.presets
