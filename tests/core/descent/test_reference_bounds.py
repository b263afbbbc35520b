"""Learning-rate bounds that match the optimizer, and presets in their named order."""

import pytest

from explorer import descent
from explorer.descent import surfaces
from explorer.descent.divergence import sweep_diverging_at
from explorer.descent.reference import measured_bound, reference_lrs, stability_bound

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


@pytest.mark.parametrize(("optimizer", "options"), [("SGD", {"momentum": 0.9, "nesterov": True}),
                                                    ("Adam", {})])
def test_nesterov_and_adam_say_no_closed_bound_and_get_a_measured_one(optimizer, options):
    bound = stability_bound("quadratic", optimizer, START, options, BOWL)
    assert bound.lr is None and not bound.closed_form and "No closed-form bound" in bound.text
    measured = measured_bound("quadratic", optimizer, START, 100, options, BOWL)
    low, high = measured.bracket
    assert low < measured.lr < high and high / low < 1.01
    assert not _diverges(optimizer, low, options, 100) and _diverges(optimizer, high, options, 100)


def test_the_measured_boundary_of_nesterov_approaches_its_quadratic_limit():
    # On a quadratic Nesterov's look-ahead step is stable iff lr λ < 2 (1 + β) / (1 + 2 β).
    beta = 0.9
    limit = 2 * (1 + beta) / ((1 + 2 * beta) * 10)
    measured = measured_bound("quadratic", "SGD", START, 400,
                              {"momentum": beta, "nesterov": True}, BOWL)
    assert measured.lr == pytest.approx(limit, rel=0.02) and measured.lr >= limit


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
