"""The batched sweep equals torch.optim run one learning rate at a time (relative 1e-5, float64)."""

import warnings

import pytest
import torch

from explorer import descent, surfaces
from explorer.descent.batched_optim import torch_kwargs
from explorer.descent.schedules import resolve_schedule_options, torch_scheduler
from explorer.errors import InputError

STEPS = 40


def torch_optim_path(surface, optimizer, lr, start, options=None, surface_options=None,
                     schedule=None, schedule_options=None, steps=STEPS):
    """The reference: what a notebook does with torch.optim for one learning rate."""
    function = surfaces.objective(surface, surface_options)
    point = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, optimizer)([point], lr=lr, **torch_kwargs(optimizer, options))
    scheduler = torch_scheduler(schedule, opt, schedule_options, steps) if schedule else None
    path = [point.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        function(point).backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        path.append(point.detach().clone())
    return torch.stack(path), opt


def assert_sweep_matches_torch(surface, optimizer, lrs, start, options=None,
                               surface_options=None, schedule=None, schedule_options=None):
    result = descent.sweep(surface, optimizer, lrs, STEPS, start, options, surface_options,
                           schedule=schedule, schedule_options=schedule_options)
    assert result.diverged_at == [None] * len(lrs)
    for k, lr in enumerate(lrs):
        expected, _ = torch_optim_path(surface, optimizer, lr, start, options, surface_options,
                                       schedule, schedule_options)
        torch.testing.assert_close(result.path[k], expected, rtol=1e-5, atol=1e-12)
        values = surfaces.evaluate(surface, expected, surface_options)
        torch.testing.assert_close(result.loss[k], values, rtol=1e-5, atol=1e-12)


CASES = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.8, "nesterov": True, "weight_decay": 0.05}),
    ("SGD", {"momentum": 0.5, "dampening": 0.3}),
    ("Adam", {}),
    ("Adam", {"betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("Adam", {"amsgrad": True}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.3, "amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    ("Adagrad", {}),
    ("Adagrad", {"lr_decay": 0.05, "initial_accumulator_value": 0.1, "weight_decay": 0.02}),
]


@pytest.mark.parametrize(("optimizer", "options"), CASES)
def test_sweep_equals_torch_optim_on_rosenbrock(optimizer, options):
    lrs = [1e-4, 3e-4, 1e-3] if optimizer.startswith("SGD") else [1e-3, 1e-2, 0.1]
    assert_sweep_matches_torch("rosenbrock", optimizer, lrs, (-1.2, 1.5), options)


@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "RMSprop"])
def test_sweep_equals_torch_optim_on_a_real_loss_landscape(optimizer):
    assert_sweep_matches_torch("logistic-regression", optimizer, [0.05, 0.5], (-3.0, 8.0),
                               {"momentum": 0.9} if optimizer == "SGD" else None,
                               {"loss": "BCEWithLogitsLoss"})


SCHEDULES = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.93}),
    ("CosineAnnealingLR", {"T_max": 25, "eta_min": 1e-4}),
    ("OneCycleLR", {}),
    ("OneCycleLR", {"anneal_strategy": "linear", "three_phase": True}),
]


@pytest.mark.parametrize(("schedule", "schedule_options"), SCHEDULES)
@pytest.mark.parametrize(("optimizer", "options"), [("SGD", {"momentum": 0.9}), ("Adam", {}),
                                                    ("Adagrad", {"lr_decay": 0.01})])
def test_sweep_with_a_schedule_equals_torch_scheduler(optimizer, options, schedule,
                                                      schedule_options):
    assert_sweep_matches_torch("quadratic", optimizer, [0.02, 0.15], (-3.0, 2.5), options,
                               schedule=schedule, schedule_options=schedule_options)


def test_recorded_internals_equal_torch_optimizer_state():
    lrs = [0.01, 0.05]
    result = descent.sweep("himmelblau", "Adam", lrs, STEPS, (0.0, 0.0))
    for k, lr in enumerate(lrs):
        _, opt = torch_optim_path("himmelblau", "Adam", lr, (0.0, 0.0))
        state = next(iter(opt.state.values()))
        torch.testing.assert_close(result.internals["exp_avg"][k, STEPS - 1], state["exp_avg"])
        expected_scale = (state["exp_avg_sq"].sqrt() / (1 - 0.999**STEPS) ** 0.5) + 1e-8
        torch.testing.assert_close(result.internals["scale"][k, STEPS - 1], expected_scale)


def test_recorded_gradient_is_the_gradient_at_each_point():
    result = descent.sweep("rosenbrock", "SGD", [1e-4, 5e-4], 10, (-1.5, 2.0),
                           {"momentum": 0.9})
    points = result.path.reshape(-1, 2).clone().requires_grad_(True)
    surfaces.evaluate("rosenbrock", points).sum().backward()
    torch.testing.assert_close(result.internals["grad"].reshape(-1, 2), points.grad)
    velocity = result.internals["velocity"]
    assert torch.isnan(velocity[:, -1]).all()  # no step is taken from the last point
    torch.testing.assert_close(velocity[:, 0], result.internals["grad"][:, 0])


@pytest.mark.parametrize(("optimizer", "options"), [("SGD", {}), ("SGD", {"nesterov": True,
                                                                           "momentum": 0.5}),
                                                    ("Adam", {}), ("RMSprop", {})])
def test_one_cycle_with_cycled_momentum_equals_torch(optimizer, options):
    assert_sweep_matches_torch("quadratic", optimizer, [0.02, 0.1], (-3.0, 2.5), options,
                               schedule="OneCycleLR",
                               schedule_options={"cycle_momentum": True, "base_momentum": 0.7})


def test_cycled_momentum_needs_an_optimizer_with_momentum():
    with pytest.raises(InputError, match="Adagrad has neither") as caught:
        descent.iter_sweep("quadratic", "Adagrad", [0.1], 10, (1.0, 1.0), schedule="OneCycleLR",
                           schedule_options={"cycle_momentum": True})
    assert caught.value.field == "cycle_momentum"


@pytest.mark.parametrize("optimizer", ["SGD", "RMSprop", "Adam"])
@pytest.mark.parametrize("momenta", [(0.0, 0.95), (0.0, 0.0), (0.5, 0.0)])
def test_one_cycle_with_a_momentum_of_zero_somewhere_equals_torch(optimizer, momenta):
    # base_momentum 0 once raised KeyError 'velocity': the buffer's record now stays.
    base, peak = momenta
    if optimizer == "RMSprop" and peak == 0.0:
        pytest.skip("torch's RMSprop makes no momentum buffer when it starts at momentum 0")
    assert_sweep_matches_torch("quadratic", optimizer, [0.02, 0.1], (-3.0, 2.5), None,
                               schedule="OneCycleLR",
                               schedule_options={"cycle_momentum": True, "base_momentum": base,
                                                 "max_momentum": peak})


def test_velocity_is_recorded_throughout_once_momentum_is_cycled():
    result = descent.sweep("quadratic", "SGD", [0.05], 30, (-3.0, 2.5), schedule="OneCycleLR",
                           schedule_options={"cycle_momentum": True, "base_momentum": 0.0})
    velocity = result.internals["velocity"]
    assert velocity.shape == result.path.shape
    assert torch.isfinite(velocity[:, :-1]).all()


@pytest.mark.parametrize(("steps", "options"), [
    (1, {"pct_start": 1.0}),
    (2, {"pct_start": 0.5, "three_phase": True}),
    (10, {"pct_start": 0.1}),
])
def test_one_cycle_with_a_rise_of_no_step_is_refused_up_front(steps, options):
    with pytest.raises(InputError, match="pct_start") as caught:
        descent.iter_sweep("quadratic", "SGD", [0.1], steps, (1.0, 1.0), schedule="OneCycleLR",
                           schedule_options=options)
    assert caught.value.field == "pct_start"


def test_one_cycle_refusal_is_exactly_where_torch_divides_by_zero():
    for steps in range(1, 25):
        for three_phase in (False, True):
            for pct in [i / 20 for i in range(21)]:
                options = {"pct_start": pct, "three_phase": three_phase}
                try:
                    resolve_schedule_options("OneCycleLR", options, steps=steps)
                    refused = False
                except InputError:
                    refused = True
                dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        scheduler = torch.optim.lr_scheduler.OneCycleLR(
                            dummy, max_lr=1.0, total_steps=steps, **options)
                        for _ in range(steps - 1):
                            scheduler.step()
                    divides_by_zero = False
                except ZeroDivisionError:
                    divides_by_zero = True
                assert refused == divides_by_zero, (steps, options)
