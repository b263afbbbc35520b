"""Surfaces: batched grids equal pointwise values, gradients are right, minima are minima."""

import math

import numpy as np
import pytest
import torch

from explorer import descent, surfaces
from explorer.descent import landscapes
from explorer.errors import InputError
from explorer.inputs import MAX_GRID

ALL = surfaces.names()


def test_names_cover_the_issue():
    assert ALL == ["quadratic", "rosenbrock", "himmelblau", "saddle", "rastrigin",
                   "linear-regression", "logistic-regression", "custom"]


@pytest.mark.parametrize("name", ALL)
def test_grid_equals_pointwise_evaluation(name):
    grid = surfaces.grid(name, n=9)
    assert grid.z.shape == (9, 9)
    for i in (0, 4, 8):
        for j in (0, 3, 8):
            point = torch.tensor([grid.xs[j], grid.ys[i]], dtype=torch.float64)
            assert grid.z[i, j] == pytest.approx(float(surfaces.evaluate(name, point)), rel=1e-12)


@pytest.mark.parametrize("name", ALL)
def test_gradient_matches_central_differences(name):
    point = torch.tensor(surfaces.info(name).default_start, dtype=torch.float64)
    point = (point + 0.173).requires_grad_(True)  # off any kink of L1 / hinge
    surfaces.evaluate(name, point).backward()
    h = 1e-6
    for axis in range(2):
        step = torch.zeros(2, dtype=torch.float64)
        step[axis] = h
        numeric = (surfaces.evaluate(name, point.detach() + step)
                   - surfaces.evaluate(name, point.detach() - step)) / (2 * h)
        assert float(point.grad[axis]) == pytest.approx(float(numeric), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("name", ALL)
def test_known_minima_have_zero_gradient(name):
    for minimum in surfaces.info(name).minima:
        point = torch.tensor(minimum, dtype=torch.float64, requires_grad=True)
        surfaces.evaluate(name, point).backward()
        assert point.grad.abs().max() < 1e-4, (name, minimum, point.grad)


def test_linear_regression_is_the_torch_loss_of_a_line():
    x, y = landscapes.linreg_data()
    w, b = 1.3, -0.4
    for loss, module in (("MSELoss", torch.nn.MSELoss()), ("L1Loss", torch.nn.L1Loss()),
                         ("HuberLoss", torch.nn.HuberLoss(delta=0.5))):
        value = surfaces.evaluate("linear-regression", torch.tensor([w, b], dtype=torch.float64),
                                  {"loss": loss, "delta": 0.5})
        assert float(value) == pytest.approx(float(module(w * x + b, y)), rel=1e-12)


def test_logistic_regression_is_bce_on_two_iris_species():
    features, target = landscapes.logreg_data()
    assert len(target) == 100 and target.sum() == 50  # versicolor vs virginica
    w = torch.tensor([0.7, -1.2], dtype=torch.float64)
    expected = torch.nn.BCEWithLogitsLoss()(features @ w, target)
    assert float(surfaces.evaluate("logistic-regression", w)) == pytest.approx(float(expected))


def test_quadratic_options_set_curvature():
    hessian = torch.autograd.functional.hessian(
        lambda p: surfaces.evaluate("quadratic", p, {"condition": 25.0, "rotation": 40.0}),
        torch.tensor([0.3, -0.2], dtype=torch.float64))
    assert torch.linalg.eigvalsh(hessian).tolist() == pytest.approx([1.0, 25.0])


def test_evaluate_batches_over_leading_dimensions():
    points = torch.randn(3, 4, 5, 2, dtype=torch.float64)
    values = surfaces.evaluate("rosenbrock", points)
    assert values.shape == (3, 4, 5)
    assert float(values[1, 2, 3]) == pytest.approx(float(surfaces.evaluate("rosenbrock",
                                                                           points[1, 2, 3])))


def test_rosenbrock_levels_are_log_spaced_and_quadratic_levels_linear():
    levels = surfaces.contour_levels(surfaces.grid("rosenbrock", n=64), count=10)
    assert len(levels) == 10 and np.all(np.diff(levels) > 0)
    ratios = np.diff(levels)[1:] / np.diff(levels)[:-1]
    assert np.allclose(ratios, ratios[0]) and ratios[0] > 2
    flat = surfaces.contour_levels(surfaces.grid("quadratic", n=64), count=10)
    assert np.allclose(np.diff(flat), np.diff(flat)[0])


@pytest.mark.parametrize(("call", "field"), [
    (lambda: surfaces.info("banana"), "surface"),
    (lambda: surfaces.grid("quadratic", options={"condition": 0.5}), "condition"),
    (lambda: surfaces.grid("quadratic", options={"stretch": 2}), "stretch"),
    (lambda: surfaces.grid("linear-regression", options={"loss": "CrossEntropyLoss"}), "loss"),
    (lambda: surfaces.grid("rosenbrock", bounds=(1, 0, 0, 1)), "bounds"),
    (lambda: surfaces.grid("rosenbrock", bounds=(0, math.inf, 0, 1)), "bounds"),
    (lambda: surfaces.grid("rosenbrock", n=1), "n"),
    (lambda: surfaces.evaluate("rosenbrock", torch.zeros(3)), "xy"),
    (lambda: surfaces.evaluate("rosenbrock", "xy"), "xy"),
    (lambda: surfaces.evaluate("rosenbrock", [[1, "a"]]), "xy"),
    (lambda: surfaces.evaluate("rosenbrock", torch.zeros(2, dtype=torch.complex64)), "xy"),
    (lambda: surfaces.evaluate("rosenbrock", torch.zeros(surfaces.MAX_POINTS + 1, 2)), "xy"),
    (lambda: surfaces.evaluate("rosenbrock", torch.zeros(2), [1]), "surface_options"),
    (lambda: surfaces.grid("rosenbrock", bounds="1234"), "bounds"),
    (lambda: surfaces.grid("rosenbrock", n=MAX_GRID + 1), "n"),
    (lambda: surfaces.grid("rosenbrock", n=64.5), "n"),
    (lambda: surfaces.grid("rosenbrock", options="ab"), "surface_options"),
])
def test_bad_input_names_the_field(call, field):
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.field == field
    assert str(caught.value)


def test_bad_option_message_says_what_is_allowed():
    with pytest.raises(InputError, match=r"condition must be in \[1, 1000\]; got 0.5"):
        surfaces.grid("quadratic", options={"condition": 0.5})


@pytest.mark.gpu
def test_grid_on_gpu_equals_cpu(gpu_device):
    on_gpu = surfaces.grid("linear-regression", n=64, device=gpu_device)
    on_cpu = surfaces.grid("linear-regression", n=64)
    assert np.allclose(on_gpu.z, on_cpu.z, rtol=1e-12)


def test_robust_losses_fit_the_line_without_the_outliers():
    # The data are 1.5 x + 1 plus noise, with two points pulled far down.
    ends = {}
    for loss in ("MSELoss", "L1Loss", "HuberLoss"):
        run = descent.sweep("linear-regression", "Adam", [0.05], 300, (0.0, 0.0),
                            surface_options={"loss": loss}, record_internals=False)
        ends[loss] = run.path[0, -1]
    truth = torch.tensor([1.5, 1.0], dtype=torch.float64)
    mse_miss = float((ends["MSELoss"] - truth).norm())
    least_squares = torch.tensor(landscapes.linreg_least_squares(), dtype=torch.float64)
    torch.testing.assert_close(ends["MSELoss"], least_squares, rtol=1e-4, atol=1e-4)
    assert float((ends["L1Loss"] - truth).norm()) < mse_miss / 2
    assert float((ends["HuberLoss"] - truth).norm()) < mse_miss / 2


def test_soft_margin_loss_equals_bce_with_logits_on_pm1_targets():
    w = torch.tensor([[0.7, -1.2], [3.0, 2.0]], dtype=torch.float64)
    torch.testing.assert_close(
        surfaces.evaluate("logistic-regression", w, {"loss": "SoftMarginLoss"}),
        surfaces.evaluate("logistic-regression", w, {"loss": "BCEWithLogitsLoss"}))


@pytest.mark.parametrize("name", ["linear-regression", "logistic-regression", "quadratic"])
def test_whole_number_points_are_computed_as_float64(name):
    expected = surfaces.evaluate(name, torch.tensor([[1.0, 2.0], [0.0, -1.0]], dtype=torch.float64))
    for points in (torch.tensor([[1, 2], [0, -1]]), [[1, 2], [0, -1]]):
        value = surfaces.evaluate(name, points)
        assert value.dtype == torch.float64
        torch.testing.assert_close(value, expected)


def test_a_grid_is_computed_in_blocks_with_the_same_values(monkeypatch):
    whole = surfaces.grid("logistic-regression", n=40)
    monkeypatch.setattr(surfaces, "GRID_BLOCK", 100)  # 2 rows per block, and a short last one
    blocked = surfaces.grid("logistic-regression", n=40)
    np.testing.assert_array_equal(whole.z, blocked.z)
    assert blocked.z.shape == (40, 40)


def test_the_largest_grid_is_quick():
    import time

    started = time.perf_counter()
    grid = surfaces.grid("logistic-regression", n=MAX_GRID)
    assert grid.z.shape == (MAX_GRID, MAX_GRID)
    assert time.perf_counter() - started < 5
