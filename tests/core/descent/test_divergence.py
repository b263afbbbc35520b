"""Divergence is labelled when the loss has grown past a stated multiple of its start."""

import math

import numpy as np
import pytest

from explorer import descent
from explorer.descent.divergence import (
    DivergenceRule,
    check_start_loss,
    diverging_at,
    sweep_diverging_at,
)
from explorer.descent.scene import DescentScene
from explorer.errors import InputError


def test_the_default_bowl_at_0_21_reads_diverging_at_a_step():
    scene = DescentScene().validated()
    assert 0.21 in scene.lrs
    result = descent.sweep(**scene.sweep_arguments())
    k = scene.lrs.index(0.21)
    assert result.diverged_at[k] is None  # the sweep's own 1e12 bound never fires here
    at = sweep_diverging_at(result)
    assert at[k] is not None and 0 < at[k] < scene.steps
    start = float(result.loss[k, 0])
    assert float(result.loss[k, at[k]]) > 1e3 * abs(start) + 1
    assert float(result.loss[k, at[k] - 1]) <= 1e3 * abs(start) + 1
    assert [a for j, a in enumerate(at) if j != k] == [None] * (len(at) - 1)


def test_a_loss_that_is_not_finite_diverges_where_it_stops_being_finite():
    loss = np.array([[1.0, 2.0, math.inf, math.nan], [1.0, 0.5, 0.25, 0.1],
                     [math.nan, 1.0, 1.0, 1.0]])
    assert diverging_at(loss) == [2, None, 0]


def test_the_rule_is_a_multiple_of_the_start_plus_a_margin():
    rule = DivergenceRule(factor=10, margin=0.5)
    assert rule.threshold(-2.0) == pytest.approx(20.5)
    loss = np.array([[-2.0, 20.0, 20.6], [0.0, 0.4, 0.6]])
    assert diverging_at(loss, rule) == [2, 2]
    assert diverging_at(loss, rule, steps_done=1) == [None, None]
    assert "10 ×" in rule.describe() and "finite" in rule.describe()


@pytest.mark.parametrize("kwargs", [{"factor": 0.5}, {"margin": -1.0}, {"factor": math.inf},
                                    {"margin": True}])
def test_a_bad_rule_is_refused_with_its_field(kwargs):
    with pytest.raises(InputError) as info:
        DivergenceRule(**kwargs)
    assert info.value.field.startswith("divergence_")


def test_the_sweeps_own_bound_is_never_later_than_the_label():
    result = descent.sweep("quadratic", "SGD", [0.5, 0.05], 60, (-3.0, 1.5),
                           surface_options={"rotation": 90.0})
    at = sweep_diverging_at(result)
    assert result.diverged_at[0] is not None and at[0] <= result.diverged_at[0]
    assert at[1] is None


def test_a_start_that_overflows_explains_itself():
    result = descent.sweep("quadratic", "SGD", [0.01, 0.1], 5, (1e200, 1e200))
    assert sweep_diverging_at(result) == [0, 0]
    with pytest.raises(InputError, match="loss at the start .* overflows") as info:
        check_start_loss(result.loss[0, 0], (1e200, 1e200))
    assert info.value.field == "start"
    assert check_start_loss(2.5, (0.0, 1.0)) == 2.5
