"""The range test on a surface for a momentum optimizer: honest against the known bounds.

Heavy-ball momentum beta on a quadratic converges iff lr < 2 (1 + beta) / lambda_max
(``explorer.descent.reference.stability_bound``), Nesterov iff lr < 2 (1 + beta) /
((1 + 2 beta) lambda_max), also checked against the boundary measured by bisection
(``measured_bound``). The steepest-fall
rule read a momentum run's swing as a blow-up (0.00043 for beta = 0.9 on the bowl whose
bound is 0.38); the momentum rule must bracket the bound and suggest nothing above it.
"""

import math

import numpy as np
import pytest

from explorer.descent import lr_finder
from explorer.descent.reference import measured_bound, stability_bound
from explorer.descent.scene import DescentScene, LRTestOptions

STEPS = 100  # rates of the test (the default)


def _test(options, surface_options=None):
    scene = DescentScene(optimizer="SGD", optimizer_options=options,
                         surface_options=surface_options or {"rotation": 90.0},
                         lr_test=LRTestOptions(model=lr_finder.SURFACE, steps=STEPS)).validated()
    return scene, lr_finder.lr_range_test(**scene.lr_test_arguments())


def _grid_step(result) -> float:
    return float(result.lrs[1] / result.lrs[0])


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("condition", [10.0, 50.0])
def test_heavy_ball_edge_brackets_the_closed_form_bound(beta, condition):
    scene, result = _test({"momentum": beta}, {"rotation": 90.0, "condition": condition})
    bound = stability_bound(scene.surface, "SGD", scene.start_point(),
                            {"momentum": beta}, scene.surface_options).lr
    found = {s.name: s.lr for s in result.suggestions}
    assert set(found) == {"lowest", "edge"}
    # The edge is the last rate that converges; the next rate of the grid diverged.
    assert found["edge"] < bound < found["edge"] * _grid_step(result) * (1 + 1e-9)
    assert found["lowest"] <= found["edge"]
    assert all(s.lr < bound for s in result.suggestions)
    assert result.stopped_early and math.isinf(result.losses[-1])
    assert result.rule and "momentum" in result.rule
    assert result.run_steps == lr_finder.surface_run_steps("SGD", {"momentum": beta})


def test_the_default_bowl_with_momentum_no_longer_suggests_a_rate_a_thousand_times_too_small():
    scene, result = _test({"momentum": 0.9})
    bound = stability_bound(scene.surface, "SGD", scene.start_point(), {"momentum": 0.9},
                            scene.surface_options).lr
    # The lowest-ending rate is within a decade of the bound, not three decades below it.
    assert min(s.lr for s in result.suggestions) > bound / 10
    assert "steepest" not in {s.name for s in result.suggestions}


def test_nesterov_edge_brackets_its_closed_form_bound():
    options = {"momentum": 0.9, "nesterov": True}
    scene, result = _test(options)
    bound = stability_bound(scene.surface, "SGD", scene.start_point(), options,
                            scene.surface_options)
    assert bound.closed_form and bound.lr == pytest.approx(2 * 1.9 / (2.8 * 10))
    edge = {s.name: s.lr for s in result.suggestions}["edge"]
    assert edge < bound.lr < edge * _grid_step(result) * (1 + 1e-9)
    # The bisection on sweeps agrees: its bracket overlaps the grid cell [edge, next rate].
    low, high = measured_bound(scene.surface, "SGD", scene.start_point(), result.run_steps,
                               options, scene.surface_options).bracket
    assert edge <= high and low <= edge * _grid_step(result)


def test_each_rate_runs_the_momentums_memory_and_its_end_is_recorded():
    from explorer.descent.sweep import sweep

    scene, result = _test({"momentum": 0.9})
    assert result.run_steps == 10 * lr_finder.SURFACE_RUN_STEPS
    assert f"{result.run_steps} steps per rate" in result.ran_on == scene.lr_test_target()
    runs = sweep("quadratic", "SGD", result.lrs[:-1].tolist(), result.run_steps,
                 scene.start_point(), {"momentum": 0.9}, scene.surface_options)
    np.testing.assert_allclose(result.losses[:-1], runs.loss[:, -1].numpy(), rtol=1e-12)


def test_the_run_steps_follow_the_momentum_and_are_capped():
    assert lr_finder.surface_run_steps("SGD", {}) == lr_finder.SURFACE_RUN_STEPS
    assert lr_finder.surface_run_steps("Adam", {}) == lr_finder.SURFACE_RUN_STEPS
    assert lr_finder.surface_run_steps("RMSprop", {"momentum": 0.5}) == \
        2 * lr_finder.SURFACE_RUN_STEPS
    assert lr_finder.surface_run_steps("SGD", {"momentum": 0.9999}) == \
        lr_finder.MAX_MOMENTUM_RUN_STEPS


def test_without_momentum_the_steepest_fall_rule_is_kept():
    _, result = _test({})
    assert {s.name for s in result.suggestions} == {"steepest", "min/10"}
    assert not result.rule and result.run_steps == lr_finder.SURFACE_RUN_STEPS


def test_no_diverging_rate_gives_no_edge_and_says_so():
    scene = DescentScene(optimizer_options={"momentum": 0.9},
                         lr_test=LRTestOptions(model=lr_finder.SURFACE, steps=10,
                                               end_lr=1e-2)).validated()
    result = lr_finder.lr_range_test(**scene.lr_test_arguments())
    assert [s.name for s in result.suggestions] == ["lowest"]
    assert not result.stopped_early and "no run diverged" in result.stop_reason
