"""Learning-rate schedules from ``torch.optim.lr_scheduler``, as per-step factors for a sweep.

A batched sweep cannot hand K learning rates to one scheduler, so the schedule is
read off torch itself: a scheduler steps a dummy optimizer and the learning rate
it sets before each optimizer step is recorded. Every schedule offered is affine
in the base learning rate (``lr_t = intercept_t + slope_t * lr``; only
CosineAnnealingLR's ``eta_min`` makes an intercept), so two dummy runs (base
1 and 2) give the schedule of every run exactly.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from explorer.descent.batched_optim import OPTIMIZERS, has_momentum
from explorer.errors import InputError
from explorer.inputs import OptionSpec, check_name, check_steps, resolve_options

SCHEDULES = ("none", "StepLR", "ExponentialLR", "CosineAnnealingLR", "OneCycleLR")

_SPECS: dict[str, tuple[OptionSpec, ...]] = {
    "none": (),
    "StepLR": (
        OptionSpec("step_size", "int", 100, 1, 100_000, "Multiply the rate by gamma every "
                   "step_size steps."),
        OptionSpec("gamma", "float", 0.5, 0.0, 1.0, "Factor applied every step_size steps."),
    ),
    "ExponentialLR": (
        OptionSpec("gamma", "float", 0.995, 0.0, 1.0, "Factor applied after every step."),
    ),
    "CosineAnnealingLR": (
        OptionSpec("T_max", "int", 0, 0, 100_000, "Steps of the half cosine from the rate to "
                   "eta_min (0: the whole run)."),
        OptionSpec("eta_min", "float", 0.0, 0.0, 1e6, "The lowest learning rate."),
    ),
    "OneCycleLR": (
        OptionSpec("pct_start", "float", 0.3, 0.0, 1.0, "Fraction of the run spent rising to "
                   "the learning rate (which is max_lr)."),
        OptionSpec("div_factor", "float", 25.0, 1.0, 1e6, "Start at max_lr / div_factor."),
        OptionSpec("final_div_factor", "float", 1e4, 1.0, 1e9, "End at start / final_div_factor."),
        OptionSpec("anneal_strategy", "choice", "cos", description="Shape of the rise and fall.",
                   choices=("cos", "linear")),
        OptionSpec("three_phase", "bool", False, description="Fall back to the start before "
                   "annealing to the end."),
        OptionSpec("cycle_momentum", "bool", False, description="Cycle the momentum (SGD, "
                   "RMSprop) or beta1 (Adam) inversely to the rate, replacing the chosen value."),
        OptionSpec("base_momentum", "float", 0.85, 0.0, 1.0, "Momentum at the peak rate.",
                   below_maximum=True),
        OptionSpec("max_momentum", "float", 0.95, 0.0, 1.0, "Momentum at the lowest rates.",
                   below_maximum=True),
    ),
}


@dataclass(frozen=True)
class LRSchedule:
    """Per-step learning rates of a sweep: run k uses ``intercept[t] + slope[t] * lrs[k]``.

    ``momentum`` holds the per-step momentum (or Adam's beta1) where the schedule
    cycles it (OneCycleLR with ``cycle_momentum``), else None.
    """

    intercept: np.ndarray
    slope: np.ndarray
    momentum: np.ndarray | None = None


def schedule_options(name: str) -> tuple[OptionSpec, ...]:
    """The options of schedule ``name`` (torch's argument names)."""
    return _SPECS[check_name(name, SCHEDULES, "schedule", "schedule")]


def resolve_schedule_options(name: str | None, options: Mapping | None,
                             optimizer: str | None = None, steps: int | None = None,
                             ) -> tuple[str, dict]:
    """The schedule's name (``None`` means ``"none"``) and its checked options.

    With ``optimizer`` and ``steps`` (where they are known: a scene, a sweep) the options
    are also checked against them: :func:`check_schedule`.
    """
    name = "none" if name is None else name
    resolved = resolve_options(schedule_options(name), options, name, "schedule_options")
    check_schedule(name, resolved, optimizer, steps)
    return name, resolved


def check_schedule(name: str, resolved: Mapping, optimizer: str | None = None,
                   steps: int | None = None) -> None:
    """Refuse resolved options that cannot run with ``optimizer`` or over ``steps`` steps.

    ``cycle_momentum`` needs an optimizer with momentum or betas. OneCycleLR's first phase
    ends at step ``pct_start * steps - 1``; torch divides by its length, so it must not be 0.

    Raises
    ------
    InputError
        Naming the option (``cycle_momentum``, ``pct_start``).
    """
    if name != "OneCycleLR":
        return
    if (resolved.get("cycle_momentum") and optimizer is not None
            and not has_momentum(check_name(optimizer, OPTIMIZERS, "optimizer", "optimizer"))):
        raise InputError(f"cycle_momentum needs an optimizer with momentum or betas; {optimizer} "
                         "has neither. Turn cycle_momentum off.", field="cycle_momentum")
    if steps is None:
        return
    steps = check_steps(steps)
    pct_start = resolved["pct_start"]
    if float(pct_start * steps) - 1 == 0:
        raise InputError(
            f"OneCycleLR's rise would last no step with pct_start {pct_start:g} over {steps} "
            f"step{'s' if steps != 1 else ''} (pct_start × steps is 1, and torch divides by "
            "the rise's length). Choose another pct_start or more steps.", field="pct_start")


def _scheduler(name: str, optimizer: torch.optim.Optimizer, options: dict, steps: int):
    scheduler_class = getattr(torch.optim.lr_scheduler, name)
    if name == "CosineAnnealingLR":
        options = dict(options, T_max=options["T_max"] or steps)
    if name == "OneCycleLR":
        # The swept learning rate is the cycle's peak. Momentum cycling is off by default
        # (unlike torch) so the optimizer's own momentum / betas stay what the user chose.
        max_lr = optimizer.param_groups[0]["lr"]
        return scheduler_class(optimizer, max_lr=max_lr, total_steps=steps, **options)
    return scheduler_class(optimizer, **options)


def _torch_lrs(name: str, options: tuple, steps: int, base: float):
    dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
    scheduler = _scheduler(name, dummy, dict(options), steps)
    lrs, momentum = np.empty(steps), np.empty(steps)
    group = dummy.param_groups[0]
    with warnings.catch_warnings():
        # No optimizer.step() on the dummy: torch would only warn about the call order.
        warnings.simplefilter("ignore", UserWarning)
        for t in range(steps):
            lrs[t], momentum[t] = group["lr"], group["momentum"]
            if t + 1 < steps:
                scheduler.step()
    return lrs, momentum


@lru_cache(maxsize=16)
def _affine(name: str, options: tuple, steps: int) -> LRSchedule:
    at_one, momentum = _torch_lrs(name, options, steps, 1.0)
    at_two, _ = _torch_lrs(name, options, steps, 2.0)
    cycled = dict(options).get("cycle_momentum", False)
    return LRSchedule(2 * at_one - at_two, at_two - at_one, momentum if cycled else None)


def lr_schedule(name: str | None, options: Mapping | None, steps: int) -> LRSchedule | None:
    """The per-step learning rates (and cycled momentum) of a schedule, or None for none.

    The learning rate used at step ``t`` by a run with base rate ``lr`` is
    ``intercept[t] + slope[t] * lr``, exactly what torch's scheduler sets when
    ``scheduler.step()`` is called after every ``optimizer.step()``.
    """
    name, resolved = resolve_schedule_options(name, options, steps=steps)
    if name == "none":
        return None
    return _affine(name, tuple(sorted(resolved.items())), steps)


def torch_scheduler(name: str, optimizer: torch.optim.Optimizer, options: Mapping | None,
                    steps: int):
    """The torch scheduler for ``optimizer`` as a sweep uses it (for checks and the code view)."""
    name, resolved = resolve_schedule_options(name, options, steps=steps)
    return _scheduler(name, optimizer, resolved, steps)
