"""The user's own surface f(x, y): the same as the function written in torch, everywhere."""

import math

import pytest
import torch

from explorer import descent, surfaces
from explorer.descent.batched_optim import torch_kwargs
from explorer.descent.readings import slice_line
from explorer.descent.scene import DescentScene
from explorer.errors import InputError

WAVY = "sin(3*x)*cos(3*y) + 0.1*(x**2 + y**2)"


def wavy(xy):
    x, y = xy[..., 0], xy[..., 1]
    return torch.sin(3 * x) * torch.cos(3 * y) + 0.1 * (x**2 + y**2)


def bowl(xy):
    return xy[..., 0] ** 2 + 10 * xy[..., 1] ** 2


def ridge(xy):  # where(), a comparison and clamp: the pieces of a hand-made loss
    x, y = xy[..., 0], xy[..., 1]
    return torch.where(x > 0, x**2, -0.5 * x) + torch.clamp(y, torch.tensor(-1.0), x) ** 2 + y**2


FUNCTIONS = [
    ("x**2 + 10*y**2", bowl),
    (WAVY, wavy),
    ("where(x > 0, x**2, -0.5*x) + clamp(y, -1, x)**2 + y**2", ridge),
]


@pytest.mark.parametrize(("expression", "function"), FUNCTIONS)
def test_values_and_gradients_equal_the_function_written_in_torch(expression, function):
    xy = torch.randn(64, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    mine = xy.clone().requires_grad_()
    theirs = xy.clone().requires_grad_()
    value = surfaces.evaluate("custom", mine, {"expression": expression})
    expected = function(theirs)
    torch.testing.assert_close(value, expected, rtol=1e-12, atol=1e-12)
    value.sum().backward()
    expected.sum().backward()
    torch.testing.assert_close(mine.grad, theirs.grad, rtol=1e-12, atol=1e-12)


def _torch_path(function, optimizer, lr, start, options, steps):
    point = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, optimizer)([point], lr=lr, **torch_kwargs(optimizer, options))
    path = [point.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        function(point).backward()
        opt.step()
        path.append(point.detach().clone())
    return torch.stack(path)


@pytest.mark.parametrize(("optimizer", "options", "lrs"), [
    ("SGD", {"momentum": 0.9}, [0.01, 0.03]),
    ("Adam", {}, [0.01, 0.1]),
    ("RMSprop", {"centered": True}, [0.003, 0.03]),
])
def test_a_sweep_equals_torch_optim_on_the_same_function(optimizer, options, lrs):
    start, steps = (1.2, -0.8), 40
    result = descent.sweep("custom", optimizer, lrs, steps, start, options,
                           {"expression": WAVY})
    for k, lr in enumerate(lrs):
        expected = _torch_path(wavy, optimizer, lr, start, options, steps)
        torch.testing.assert_close(result.path[k], expected, rtol=1e-5, atol=1e-12)


def test_the_view_formula_and_start_come_from_the_options():
    options = {"expression": "x**2 - y", "x_min": -1, "x_max": 5, "y_min": 0, "y_max": 2}
    info = surfaces.info("custom", options)
    assert info.bounds == (-1.0, 5.0, 0.0, 2.0)
    assert info.formula == "f(x, y) = x^{2} - y"
    x, y = info.default_start
    assert -1 < x < 5 and 0 < y < 2
    grid = surfaces.grid("custom", options=options, n=5)
    assert grid.bounds == info.bounds and grid.xs[0] == -1 and grid.ys[-1] == 2
    ts, _ = slice_line("custom", (0.0, 1.0), "x", options=options)
    assert ts[0] == -1 and ts[-1] == 5
    scene = DescentScene(surface="custom", surface_options=options, start=None)
    assert scene.start_point() == (x, y)


@pytest.mark.parametrize(("options", "field", "words"), [
    ({"expression": "x + __import__('os')"}, "expression", "not a function"),
    ({"expression": "x.real"}, "expression", "attribute"),
    ({"expression": "z**2"}, "expression", "'z' is not a variable"),
    ({"expression": ""}, "expression", "Type an expression"),
    ({"expression": 5}, "expression", "must be text"),
    ({"x_min": 2, "x_max": 1}, "x_max", "x_min < x_max"),
    ({"y_max": math.inf}, "y_max", "finite"),
])
def test_a_bad_surface_is_refused_where_it_was_typed(options, field, words):
    for call in (lambda: surfaces.evaluate("custom", torch.zeros(1, 2), options),
                 lambda: DescentScene(surface="custom", surface_options=options).validated(),
                 lambda: descent.sweep("custom", "SGD", [0.1], 5, (0, 0), None, options)):
        with pytest.raises(InputError, match=words) as caught:
            call()
        assert caught.value.field == field


def test_the_scene_saves_and_reopens_the_expression():
    scene = DescentScene(surface="custom", surface_options={"expression": WAVY, "x_min": -2})
    again = DescentScene.from_dict(scene.to_dict())
    assert again == scene.validated()
    assert again.surface_options["expression"] == WAVY


def test_the_reference_rates_use_the_curvature_at_the_start():
    reference = descent.reference_lrs("custom", (1.0, 1.0), {"expression": "x**2 + 10*y**2"})
    assert reference.lambda_max == pytest.approx(20.0)
    assert reference.critical == pytest.approx(0.1)


def test_the_range_test_runs_on_the_surface_shown():
    """Each rate runs SURFACE_RUN_STEPS steps from the start; the loss recorded for a rate is
    where that run ends, as torch.optim gives it, one rate at a time."""
    from explorer.descent import lr_finder

    options, start, steps = {"expression": WAVY}, (1.2, -0.8), 12
    result = lr_finder.lr_range_test("surface", start_lr=1e-3, end_lr=0.3, steps=steps,
                                     surface="custom", surface_options=options, start=start,
                                     stop_factor=1e9)
    assert result.done and len(result.losses) == steps
    for k, lr in enumerate(result.lrs):
        path = _torch_path(wavy, "SGD", float(lr), start, {}, lr_finder.SURFACE_RUN_STEPS)
        assert result.losses[k] == pytest.approx(wavy(path[-1]).item(), rel=1e-9)
    scene = DescentScene(surface="custom", surface_options=options, start=start)
    arguments = scene.lr_test_arguments()
    assert (arguments["surface"], arguments["surface_options"], arguments["start"]) == (
        "custom", options, start)


def test_on_the_bowl_the_range_test_blows_up_past_two_over_lambda_max():
    """GD on the quadratic diverges exactly above 2 / lambda_max: the test stops there, and
    every rate it suggests converges (the one-run form suggested 0.5 against a bound of 0.2)."""
    from explorer.descent import lr_finder

    scene = DescentScene()  # the default bowl: lambda_max = 10, so the bound is 0.2
    result = lr_finder.lr_range_test(**scene.lr_test_arguments())
    assert result.stopped_early and 0.2 <= result.lrs[-1] < 0.4
    assert all(s.lr < 0.2 for s in result.suggestions)
