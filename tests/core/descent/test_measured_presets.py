"""Presets that are true by measurement: on every surface, at its default options and start,
a plain-GD sweep of the presets over the page's steps shows each behaving as named."""

import pytest

from explorer import descent
from explorer.descent import surfaces
from explorer.descent.divergence import sweep_diverging_at
from explorer.descent.reference import measured_reference, reference_lrs
from explorer.descent.scene import DescentScene, preset_rates, surface_presets

STEPS = DescentScene().steps
ORDER = ["too small", "good", "too large", "diverging"]


@pytest.mark.parametrize("surface", surfaces.names())
def test_every_preset_behaves_as_named_over_the_scenes_steps(surface):
    start = surfaces.info(surface).default_start
    reference = measured_reference(surface, start, None, STEPS)
    presets = dict(zip(reference.presets, preset_rates(reference.presets), strict=True))
    assert list(presets) == [name for name in ORDER if name in presets]
    assert {"good", "diverging"} <= set(presets), reference.explanation
    values = list(presets.values())
    assert values == sorted(values) and len(set(values)) == len(values)
    result = descent.sweep(surface, "SGD", values, STEPS, start)
    diverging = dict(zip(presets, sweep_diverging_at(result), strict=True))
    assert diverging.pop("diverging") is not None, reference.explanation
    assert all(at is None for at in diverging.values()), (diverging, reference.explanation)
    if "too large" in presets:
        if surface != "quadratic":  # the quadratic keeps its exact presets (1 + 0.75 / kappa)
            assert presets["too large"] >= 1.1 * presets["good"]
        final = result.loss[:, -1].tolist()
        assert final[list(presets).index("too large")] > final[list(presets).index("good")]
    else:  # the fastest rates sit right at the edge: the text says so
        assert 'no "too large"' in reference.explanation
    assert surface_presets(surface, (), STEPS) == tuple(values)  # what a switch offers


def test_the_quadratic_and_mse_line_keep_their_exact_presets():
    for surface in ("quadratic", "linear-regression"):
        start = surfaces.info(surface).default_start
        assert measured_reference(surface, start, None, STEPS).presets == \
            reference_lrs(surface, start).presets


def test_the_text_says_what_was_measured_and_rosenbrocks_diverging_rate_diverges():
    start = surfaces.info("rosenbrock").default_start
    local = reference_lrs("rosenbrock", start)
    measured = measured_reference("rosenbrock", start, None, STEPS)
    assert f"on {STEPS} steps of plain gradient descent" in measured.explanation
    assert "largest rate seen not diverging" in measured.explanation
    # The local curvature's "diverging" rate converges here: why the presets are measured.
    result = descent.sweep("rosenbrock", "SGD", [local.presets["diverging"],
                                                 measured.presets["diverging"]], STEPS, start)
    assert sweep_diverging_at(result)[0] is None and sweep_diverging_at(result)[1] is not None
