"""Sweep behaviour: the quadratic's exact threshold, divergence, streaming, reference rates."""

import math

import numpy as np
import pytest
import torch

from explorer import descent
from explorer.errors import InputError

START = (-3.0, 2.5)
QUADRATIC = {"condition": 10.0, "rotation": 30.0}


def predicted_quadratic_losses(lr, steps, condition=10.0, rotation=30.0, start=START):
    """Plain gradient descent on the quadratic in its eigenbasis: error *= (1 - lr*lambda)."""
    c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    u0, v0 = c * start[0] + s * start[1], -s * start[0] + c * start[1]
    t = np.arange(steps + 1)
    with np.errstate(over="ignore"):
        u, v = u0 * (1 - lr) ** t, v0 * (1 - lr * condition) ** t
        return 0.5 * (u * u + condition * v * v)


def test_quadratic_threshold_just_below_converges_just_above_diverges():
    reference = descent.reference_lrs("quadratic", START, QUADRATIC)
    assert reference.exact and reference.critical == pytest.approx(2 / 10)
    below, above = 0.99 * reference.critical, 1.01 * reference.critical
    result = descent.sweep("quadratic", "SGD", [below, above], 1500, START,
                           surface_options=QUADRATIC)
    assert result.diverged_at[0] is None
    assert float(result.loss[0, -1]) < 1e-9
    expected = predicted_quadratic_losses(above, 1500)
    assert result.diverged_at[1] == int(np.argmax(expected > 1e12))


def test_diverged_at_is_the_first_step_past_the_bound_and_the_path_stops_there():
    lr = 0.3  # |1 - 0.3 * 10| = 2: the loss grows fourfold per step
    result = descent.sweep("quadratic", "SGD", [0.05, lr], 200, START,
                           surface_options=QUADRATIC, divergence_bound=1e6)
    expected = predicted_quadratic_losses(lr, 200)
    at = int(np.argmax(expected > 1e6))
    assert result.diverged_at == [None, at]
    assert result.loss[1, at] == pytest.approx(expected[at], rel=1e-9)
    assert torch.isfinite(result.path[1, : at + 1]).all()
    assert torch.isnan(result.path[1, at + 1:]).all() and torch.isnan(result.loss[1, at + 1:]).all()
    # its legend text: tests/ui/descent/test_descent_texts.py


def test_a_non_finite_loss_is_divergence_even_without_a_bound():
    result = descent.sweep("rosenbrock", "SGD", [1e-4, 0.5], 60, (-1.5, 2.0),
                           divergence_bound=math.inf)
    at = result.diverged_at[1]
    assert result.diverged_at[0] is None and at is not None
    assert not math.isfinite(float(result.loss[1, at]))
    assert torch.isfinite(result.loss[1, :at]).all()


def test_presets_behave_as_named_on_the_quadratic():
    reference = descent.reference_lrs("quadratic", START, QUADRATIC)
    assert list(reference.presets) == ["too small", "good", "too large", "diverging"]
    result = descent.sweep("quadratic", "SGD", list(reference.presets.values()), 100, START,
                           surface_options=QUADRATIC)
    small, good, large, diverging = (float(result.loss[k, 100]) if k < 3 else None
                                     for k in range(4))
    assert result.diverged_at[:3] == [None] * 3 and result.diverged_at[3] is not None
    assert good < large < small  # good converges fastest; too small crawls
    assert reference.optimal == pytest.approx(2 / 11)


def test_reference_lrs_elsewhere_come_from_the_local_hessian():
    reference = descent.reference_lrs("rosenbrock", (-1.5, 2.0))
    hessian = np.array([[1200 * 2.25 - 400 * 2.0 + 2, 600.0], [600.0, 200.0]])
    lambdas = np.linalg.eigvalsh(hessian)
    assert not reference.exact
    assert reference.lambda_max == pytest.approx(lambdas[1])
    assert reference.critical == pytest.approx(2 / lambdas[1])
    assert "Hessian at the start" in reference.explanation
    saddle = descent.reference_lrs("saddle", (0.0, 0.0))
    assert saddle.lambda_max == pytest.approx(1.0) and "downward" in saddle.explanation


def test_iter_sweep_streams_growing_results_ending_in_the_full_sweep():
    args = ("rosenbrock", "Adam", [0.01, 0.1], 250, (-1.5, 2.0))
    parts = list(descent.iter_sweep(*args, chunk=100))
    assert [p.steps_done for p in parts] == [99, 199, 250]
    assert parts[-1].complete and parts[0].progress == pytest.approx(99 / 250)
    full = descent.sweep(*args)
    torch.testing.assert_close(parts[-1].path, full.path)
    torch.testing.assert_close(parts[0].path, full.path[:, :100])


def test_float32_runs_and_matches_float64_early_on():
    args = ("quadratic", "SGD", [0.01, 0.1], 50, START)
    single = descent.sweep(*args, dtype="float32")
    double = descent.sweep(*args)
    assert single.path.dtype == torch.float32
    torch.testing.assert_close(single.path.double(), double.path, rtol=1e-4, atol=1e-5)


def test_many_learning_rates_with_some_diverging_keep_the_others_exact():
    lrs = np.geomspace(1e-3, 1.0, 256).tolist()
    result = descent.sweep("quadratic", "SGD", lrs, 300, START, surface_options=QUADRATIC)
    assert result.path.shape == (256, 301, 2)
    for k in (0, 100, 255):
        expected = predicted_quadratic_losses(lrs[k], 300)
        first_bad = int(np.argmax(expected > 1e12)) if (expected > 1e12).any() else None
        assert result.diverged_at[k] == first_bad
        if first_bad is None:
            np.testing.assert_allclose(result.loss[k].numpy(), expected, rtol=1e-9, atol=1e-300)


def test_internals_can_be_left_out():
    result = descent.sweep("quadratic", "Adam", [0.1], 10, START, record_internals=False)
    assert result.internals == {}


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"lrs": [0.1, -0.2]}, "lrs", "Learning rate 2"),
    ({"lrs": [0.1, float("nan")]}, "lrs", "positive finite"),
    ({"lrs": []}, "lrs", "at least one"),
    ({"lrs": [0.1] * 257}, "lrs", "at most 256"),
    ({"steps": 0}, "steps", "from 1 to 100,000"),
    ({"steps": 100_001}, "steps", "from 1 to 100,000"),
    ({"start": (float("inf"), 0.0)}, "start", "finite"),
    ({"surface": "banana"}, "surface", "Unknown surface 'banana'"),
    ({"optimizer": "SparseAdam"}, "optimizer", "SparseAdam is not offered"),
    ({"optimizer": "Nadam"}, "optimizer", "Unknown optimizer 'Nadam'"),
    ({"schedule": "LambdaLR"}, "schedule", "Unknown schedule"),
    ({"optimizer_options": {"momentum": 1.0}}, "momentum", r"in \[0, 1\)"),
    ({"optimizer_options": {"momentum": -0.1}}, "momentum", r"in \[0, 1\)"),
    ({"optimizer": "Adam", "optimizer_options": {"betas": (0.9, 1.0)}}, "beta2", r"\[0, 1\)"),
    ({"optimizer": "Adam", "optimizer_options": {"beta1": 1.5}}, "beta1", r"\[0, 1\)"),
    ({"optimizer_options": {"nesterov": True}}, "nesterov", "momentum > 0"),
    ({"optimizer_options": {"lr": 0.1}}, "lr", "has no option 'lr'"),
    ({"schedule": "StepLR", "schedule_options": {"step_size": 0}}, "step_size", "at least|in"),
    ({"dtype": torch.int64}, "dtype", "float32 or float64"),
    ({"divergence_bound": -1.0}, "divergence_bound", "positive"),
])
def test_bad_input_raises_input_error_at_the_control(kwargs, field, message):
    args = {"surface": "quadratic", "optimizer": "SGD", "lrs": [0.1], "steps": 10,
            "start": (1.0, 1.0)} | kwargs
    with pytest.raises(InputError, match=message) as caught:
        descent.sweep(**args)
    assert caught.value.field == field


def test_optimizer_options_list_torch_defaults():
    adam = {spec.name: spec.default for spec in descent.optimizer_options("Adam")}
    assert adam == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "amsgrad": False,
                    "weight_decay": 0.0}
    assert {spec.name for spec in descent.optimizer_options("AdamW")} >= {"weight_decay"}
    assert descent.OPTIMIZERS == ("SGD", "Adam", "AdamW", "NAdam", "RAdam", "Adamax", "Adagrad",
                                  "Adadelta", "RMSprop", "Rprop", "ASGD", "LBFGS", "Adafactor")


@pytest.mark.gpu
def test_sweep_on_gpu_equals_cpu(gpu_device):
    args = ("rosenbrock", "Adam", [1e-3, 1e-2, 0.1], 200, (-1.5, 2.0))
    on_gpu = descent.sweep(*args, device=gpu_device)
    torch.testing.assert_close(on_gpu.path, descent.sweep(*args).path, rtol=1e-9, atol=1e-12)


def test_iter_sweep_checks_its_input_at_the_call_before_any_work():
    with pytest.raises(InputError) as caught:
        descent.iter_sweep("quadratic", "SGD", [0.1, 0.0], 10, (1.0, 1.0))  # no next() needed
    assert caught.value.field == "lrs" and caught.value.cell == (1,)


def test_linear_regression_with_mse_has_an_exact_threshold():
    reference = descent.reference_lrs("linear-regression", (0.0, 0.0))
    assert reference.exact and "same everywhere" in reference.explanation
    result = descent.sweep("linear-regression", "SGD",
                           [0.98 * reference.critical, 1.02 * reference.critical], 800, (0.0, 0.0))
    assert result.diverged_at[0] is None and result.diverged_at[1] is not None
    assert not descent.reference_lrs("linear-regression", (0.0, 0.0), {"loss": "L1Loss"}).exact
