"""The schedules beyond the first four equal torch's scheduler run one rate at a time."""

import pytest
import torch

from explorer import descent, surfaces
from explorer.descent import schedules
from explorer.descent.batched_optim import torch_kwargs
from explorer.descent.schedules import torch_scheduler
from explorer.errors import InputError

STEPS = 40
START = (-3.0, 2.5)


def torch_path(optimizer, lr, options, schedule, schedule_options, surface="quadratic"):
    """One run as a notebook writes it; ReduceLROnPlateau is stepped with the loss."""
    function = surfaces.objective(surface)
    point = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, optimizer)([point], lr=lr, **torch_kwargs(optimizer, options))
    scheduler = torch_scheduler(schedule, opt, schedule_options, STEPS)
    path, rates = [point.detach().clone()], []
    for _ in range(STEPS):
        rates.append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        loss = function(point)
        loss.backward()
        opt.step()
        if schedule == schedules.PLATEAU:
            scheduler.step(loss.item())
        else:
            scheduler.step()
        path.append(point.detach().clone())
    return torch.stack(path), rates


SCHEDULES = [
    ("LinearLR", {"start_factor": 0.1, "total_iters": 10}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 7}),
    ("MultiStepLR", {"milestones": "5, 12, 30", "gamma": 0.5}),
    ("PolynomialLR", {"power": 2.0}),
    ("PolynomialLR", {"total_iters": 15, "power": 0.5}),
    ("CyclicLR", {"base_lr": 0.001, "step_size_up": 6, "step_size_down": 4}),
    ("CyclicLR", {"step_size_up": 5, "mode": "triangular2"}),
    ("CyclicLR", {"step_size_up": 5, "mode": "exp_range", "gamma": 0.97}),
    ("CosineAnnealingWarmRestarts", {"T_0": 8, "T_mult": 2, "eta_min": 1e-3}),
    ("SequentialLR", {"total_iters": 10, "start_factor": 0.05, "eta_min": 1e-3}),
    ("ReduceLROnPlateau", {"patience": 2, "threshold": 0.3, "factor": 0.5}),
    ("ReduceLROnPlateau", {"patience": 1, "threshold": 2.0, "threshold_mode": "abs",
                           "cooldown": 2, "min_lr": 0.01}),
]


@pytest.mark.parametrize(("schedule", "schedule_options"), SCHEDULES)
@pytest.mark.parametrize(("optimizer", "options"), [("SGD", {"momentum": 0.9}), ("Adam", {})])
def test_sweep_with_a_schedule_equals_torch_one_rate_at_a_time(optimizer, options, schedule,
                                                               schedule_options):
    lrs = [0.02, 0.15]
    result = descent.sweep("quadratic", optimizer, lrs, STEPS, START, options,
                           schedule=schedule, schedule_options=schedule_options)
    assert result.diverged_at == [None] * len(lrs)
    for k, lr in enumerate(lrs):
        expected, rates = torch_path(optimizer, lr, options, schedule, schedule_options)
        assert len(set(rates)) > 1  # the schedule changed the rate within the run
        torch.testing.assert_close(result.path[k], expected, rtol=1e-5, atol=1e-12)


def test_cyclic_momentum_is_read_from_torch():
    options = {"step_size_up": 5, "cycle_momentum": True}
    result = descent.sweep("quadratic", "SGD", [0.05], STEPS, START, {"momentum": 0.9},
                           schedule="CyclicLR", schedule_options=options)
    expected, _ = torch_path("SGD", 0.05, {"momentum": 0.9}, "CyclicLR", options)
    torch.testing.assert_close(result.path[0], expected, rtol=1e-5, atol=1e-12)


def test_plateau_follows_each_runs_own_losses_and_drops_diverged_runs():
    options = {"patience": 1, "threshold": 0.2}
    result = descent.sweep("quadratic", "SGD", [0.05, 1000.0, 0.1], STEPS, START,
                           schedule="ReduceLROnPlateau", schedule_options=options)
    assert result.diverged_at[1] is not None  # 1000 overflows before a cut can save it
    for k in (0, 2):
        expected, _ = torch_path("SGD", result.lrs[k].item(), {}, "ReduceLROnPlateau", options)
        torch.testing.assert_close(result.path[k], expected, rtol=1e-5, atol=1e-12)


def test_every_schedule_is_torchs_by_name():
    for name in schedules.SCHEDULES[1:]:
        assert hasattr(torch.optim.lr_scheduler, name)


@pytest.mark.parametrize(("schedule", "options", "field"), [
    ("MultiStepLR", {"milestones": "5, 7.5"}, "milestones"),
    ("MultiStepLR", {"milestones": "0"}, "milestones"),
    ("LinearLR", {"start_factor": 0.0}, "start_factor"),
    ("SequentialLR", {"total_iters": 40}, "total_iters"),
    ("CyclicLR", {"cycle_momentum": True}, "cycle_momentum"),
    ("CyclicLR", {"mode": "sawtooth"}, "mode"),
    ("ReduceLROnPlateau", {"factor": 1.5}, "factor"),
    ("CosineAnnealingWarmRestarts", {"T_0": 0}, "T_0"),
])
def test_bad_schedule_options_are_refused_with_the_field_named(schedule, options, field):
    with pytest.raises(InputError) as caught:
        descent.iter_sweep("quadratic", "Adagrad", [0.1], STEPS, START, schedule=schedule,
                           schedule_options=options)
    assert caught.value.field == field
