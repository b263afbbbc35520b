"""The Descent scene's changes and what it asks the core to compute (no Qt)."""

import dataclasses

import numpy as np
import pytest

from explorer import descent
from explorer.descent import lr_finder, surfaces
from explorer.descent.rates import with_rate
from explorer.descent.readings import internals_at, slice_line, slice_span
from explorer.descent.scene import DescentScene, LRTestOptions
from explorer.errors import InputError
from explorer.inputs import MAX_LRS


def test_scenes_are_frozen_and_change_into_new_scenes():
    scene = DescentScene()
    with pytest.raises(dataclasses.FrozenInstanceError):
        scene.steps = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        scene.view.log_loss = False  # type: ignore[misc]
    changed = scene.edited("steps", 5)
    assert changed.steps == 5 and scene.steps == 100


def test_a_new_surface_drops_the_old_ones_options_and_start():
    scene = DescentScene(surface_options={"rotation": 45.0}, start=(1.0, 2.0))
    moved = scene.edited("surface", "rosenbrock").validated()
    assert (moved.surface, moved.surface_options, moved.start) == ("rosenbrock", {}, None)
    assert moved.start_point() == surfaces.info("rosenbrock").default_start
    assert scene.with_optimizer("Adam").optimizer_options == {}
    assert DescentScene(schedule_options={"x": 1}).with_schedule("StepLR").schedule_options == {}


def test_view_edits_change_only_the_view():
    scene = DescentScene()
    drawn = scene.edited("slice_axis", "y")
    assert drawn.view.slice_axis == "y"
    assert not drawn.run_differs(scene)
    assert scene.edited("lrs", (0.1,)).run_differs(scene)
    with pytest.raises(InputError, match="no setting"):
        scene.edited("colour", "red")


def test_a_sent_rate_is_merged_sorted_and_capped():
    assert with_rate((0.1, 0.01), 0.05) == (0.01, 0.05, 0.1)
    assert with_rate((0.01, 0.1), 0.1) == (0.01, 0.1)
    many = tuple(float(i + 1) for i in range(MAX_LRS))
    merged = with_rate(many, 0.5)
    assert len(merged) == MAX_LRS and 0.5 not in merged and merged[-1] == MAX_LRS
    assert DescentScene(lrs=(0.2,)).with_rate(0.1).lrs == (0.1, 0.2)
    with pytest.raises(InputError, match="positive finite"):
        with_rate((0.1,), -1.0)


def test_sweep_arguments_run_the_scene():
    scene = DescentScene(lrs=(0.01, 0.1), steps=20, start=None, dtype="float32")
    args = scene.sweep_arguments(device="cpu")
    assert args["start"] == surfaces.info("quadratic").default_start
    result = descent.sweep(**args)
    assert result.path.shape == (2, 21, 2) and result.path.dtype.is_floating_point
    assert str(result.path.dtype) == "torch.float32"


def test_lr_test_arguments_run_the_range_test():
    options = LRTestOptions(steps=lr_finder.MIN_STEPS * 4)
    result = lr_finder.lr_range_test(**options.arguments())
    assert result.done and result.steps == options.steps
    assert LRTestOptions().model == lr_finder.MODELS[0]


def test_the_slice_spans_the_map_of_its_axis():
    xmin, xmax, ymin, ymax = surfaces.info("rosenbrock").bounds
    assert slice_span("rosenbrock", "x") == (xmin, xmax)
    assert slice_span("rosenbrock", "y") == (ymin, ymax)
    ts, _ = slice_line("rosenbrock", (0.0, 0.0), "y")
    assert ts[0] == pytest.approx(ymin) and ts[-1] == pytest.approx(ymax)
    with pytest.raises(InputError, match="'x' or 'y'"):
        slice_span("rosenbrock", "z")


def test_internals_are_numbers_not_text():
    result = descent.sweep("quadratic", "Adam", [0.1], 4, (1.0, 1.0))
    details = internals_at(result, 0, 1)
    np.testing.assert_allclose(details.gradient, result.internals["grad"][0, 1].numpy())
    assert set(details.state) == {"exp_avg", "scale"}
    assert all(isinstance(v, float) for v in details.state["scale"])
