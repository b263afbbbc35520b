"""Learning-rate schedules from ``torch.optim.lr_scheduler``, as per-step factors for a sweep.

A batched sweep cannot hand K learning rates to one scheduler, so the schedule is
read off torch itself: a scheduler steps a dummy optimizer and the learning rate
it sets before each optimizer step is recorded. Every schedule that depends on
the step alone is affine in the base learning rate (``lr_t = intercept_t +
slope_t * lr``; only the absolute rates ``eta_min`` and CyclicLR's ``base_lr`` make
an intercept), so two dummy runs (base 1 and 2) give the schedule of every run
exactly. ReduceLROnPlateau depends on each run's losses instead: :class:`Plateau`
steps one torch scheduler per run with that run's loss.
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

SCHEDULES = ("none", "StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "ConstantLR",
             "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "SequentialLR",
             "CyclicLR", "OneCycleLR", "ReduceLROnPlateau")
"""torch.optim.lr_scheduler's schedules by their names; SequentialLR is the warm-up then
cosine of courses (LinearLR for ``total_iters`` steps, then CosineAnnealingLR)."""
PLATEAU = "ReduceLROnPlateau"
_MOMENTUM_CYCLES = ("OneCycleLR", "CyclicLR")


def _whole(name: str, default: int, description: str, minimum: int = 0) -> OptionSpec:
    return OptionSpec(name, "int", default, minimum, 100_000, description)


def _fraction(name: str, default: float, description: str, minimum: float = 0.0) -> OptionSpec:
    return OptionSpec(name, "float", default, minimum, 1.0, description)


def _cycled_momentum(base: float, peak: float) -> tuple[OptionSpec, ...]:
    """Momentum cycling, off by default (unlike torch) so the chosen momentum stays."""
    return (
        OptionSpec("cycle_momentum", "bool", False, description="Cycle the momentum (SGD, "
                   "RMSprop) or beta1 (Adam) inversely to the rate, replacing the chosen value."),
        OptionSpec("base_momentum", "float", base, 0.0, 1.0, "Momentum at the peak rate.",
                   below_maximum=True),
        OptionSpec("max_momentum", "float", peak, 0.0, 1.0, "Momentum at the lowest rates.",
                   below_maximum=True),
    )

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
    ) + _cycled_momentum(0.85, 0.95),
    "MultiStepLR": (
        OptionSpec("milestones", "vector", (100, 200), 1, 100_000, "Steps at which the rate is "
                   "multiplied by gamma, e.g. 100, 200."),
        _fraction("gamma", 0.1, "Factor applied at each milestone."),
    ),
    "LinearLR": (
        _fraction("start_factor", 1 / 3, "The first rate is start_factor × the rate.", 1e-8),
        _fraction("end_factor", 1.0, "The factor reached after total_iters steps."),
        _whole("total_iters", 5, "Steps of the linear ramp (a warm-up when start_factor < "
               "end_factor)."),
    ),
    "ConstantLR": (
        _fraction("factor", 1 / 3, "The rate is factor × the rate for the first total_iters "
                  "steps."),
        _whole("total_iters", 5, "Steps at the reduced rate."),
    ),
    "PolynomialLR": (
        _whole("total_iters", 0, "Steps of the decay to 0 (0: the whole run)."),
        OptionSpec("power", "float", 1.0, 0.0, 100.0, "Power of the decay (1: linear)."),
    ),
    "CosineAnnealingWarmRestarts": (
        _whole("T_0", 100, "Steps until the first restart.", 1),
        _whole("T_mult", 1, "Each period is T_mult times the last.", 1),
        OptionSpec("eta_min", "float", 0.0, 0.0, 1e6, "The lowest learning rate."),
    ),
    "SequentialLR": (
        _whole("total_iters", 20, "Steps of the linear warm-up (LinearLR), then a cosine "
               "(CosineAnnealingLR) to eta_min over the rest of the run.", 1),
        _fraction("start_factor", 0.01, "The warm-up starts at start_factor × the rate.", 1e-8),
        OptionSpec("eta_min", "float", 0.0, 0.0, 1e6, "The lowest learning rate."),
    ),
    "CyclicLR": (
        OptionSpec("base_lr", "float", 0.0, 0.0, 1e6, "The lowest rate of each cycle (the "
                   "swept rate is max_lr)."),
        _whole("step_size_up", 50, "Steps from base_lr up to max_lr.", 1),
        _whole("step_size_down", 0, "Steps back down (0: torch's None, as step_size_up)."),
        OptionSpec("mode", "choice", "triangular", description="triangular: same cycles; "
                   "triangular2: each cycle's height halves; exp_range: times gamma^step.",
                   choices=("triangular", "triangular2", "exp_range")),
        _fraction("gamma", 1.0, "exp_range's factor per step."),
    ) + _cycled_momentum(0.8, 0.9),
    PLATEAU: (
        _fraction("factor", 0.1, "The rate is multiplied by factor when the loss stalls."),
        _whole("patience", 10, "Steps without improvement allowed before the rate is cut."),
        OptionSpec("threshold", "float", 1e-4, 0.0, 1e6, "The smallest change that counts as "
                   "an improvement (a fraction of the best loss, or in loss units: "
                   "threshold_mode)."),
        OptionSpec("threshold_mode", "choice", "rel", description="rel: relative to the best "
                   "loss; abs: an absolute change.", choices=("rel", "abs")),
        _whole("cooldown", 0, "Steps after a cut before stalls are counted again."),
        OptionSpec("min_lr", "float", 0.0, 0.0, 1e6, "The rate is never cut below this."),
        OptionSpec("eps", "float", 1e-8, 0.0, 1.0, "A cut smaller than this is skipped."),
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
    if name == "MultiStepLR":
        for milestone in resolved["milestones"] or ():
            if milestone != int(milestone):
                raise InputError(f"milestones must be whole numbers of steps; got {milestone:g}.",
                                 field="milestones")
    if (name in _MOMENTUM_CYCLES and resolved.get("cycle_momentum") and optimizer is not None
            and not has_momentum(check_name(optimizer, OPTIMIZERS, "optimizer", "optimizer"))):
        raise InputError(f"cycle_momentum needs an optimizer with momentum or betas; {optimizer} "
                         "has neither. Turn cycle_momentum off.", field="cycle_momentum")
    if steps is not None and name == "SequentialLR" and not resolved["total_iters"] < steps:
        raise InputError(f"The warm-up (total_iters {resolved['total_iters']}) must be shorter "
                         f"than the run ({steps} steps), so the cosine has a step.",
                         field="total_iters")
    if name != "OneCycleLR":
        return
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
    lr_scheduler = torch.optim.lr_scheduler
    if name == "SequentialLR":  # warm-up, then cosine over the rest of the run
        warmup = options["total_iters"]
        return lr_scheduler.SequentialLR(optimizer, [
            lr_scheduler.LinearLR(optimizer, options["start_factor"], 1.0, warmup),
            lr_scheduler.CosineAnnealingLR(optimizer, steps - warmup, options["eta_min"]),
        ], milestones=[warmup])
    scheduler_class = getattr(lr_scheduler, name)
    if name == "CosineAnnealingLR":
        options = dict(options, T_max=options["T_max"] or steps)
    if name == "PolynomialLR":
        options = dict(options, total_iters=options["total_iters"] or steps)
    if name == "MultiStepLR":
        options = dict(options, milestones=[int(m) for m in options["milestones"] or ()])
    if name in _MOMENTUM_CYCLES:
        # The swept learning rate is the cycle's peak. Momentum cycling is off by default
        # (unlike torch) so the optimizer's own momentum / betas stay what the user chose.
        max_lr = optimizer.param_groups[0]["lr"]
        if name == "CyclicLR":
            options = dict(options, step_size_down=options["step_size_down"] or None)
            return scheduler_class(optimizer, max_lr=max_lr, **options)
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
    """The per-step learning rates (and cycled momentum) of a schedule, or None.

    None for no schedule and for ReduceLROnPlateau, which follows the losses
    (:class:`Plateau`).

    The learning rate used at step ``t`` by a run with base rate ``lr`` is
    ``intercept[t] + slope[t] * lr``, exactly what torch's scheduler sets when
    ``scheduler.step()`` is called after every ``optimizer.step()``.
    """
    name, resolved = resolve_schedule_options(name, options, steps=steps)
    if name in ("none", PLATEAU):
        return None
    hashable = {key: tuple(value) if isinstance(value, list) else value
                for key, value in resolved.items()}
    return _affine(name, tuple(sorted(hashable.items())), steps)


def torch_scheduler(name: str, optimizer: torch.optim.Optimizer, options: Mapping | None,
                    steps: int):
    """The torch scheduler for ``optimizer`` as a sweep uses it (for checks and the code view)."""
    name, resolved = resolve_schedule_options(name, options, steps=steps)
    return _scheduler(name, optimizer, resolved, steps)


class Plateau:
    """ReduceLROnPlateau for K runs: one torch scheduler per run, stepped with its own loss.

    The scheduler steps after the optimizer with the loss at the point the step was
    taken from, as ``loss.backward(); opt.step(); scheduler.step(loss)`` does.
    """

    def __init__(self, options: Mapping, lrs: torch.Tensor):
        self.groups, self.schedulers = [], []
        for lr in lrs.flatten().tolist():
            dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
            self.groups.append(dummy.param_groups[0])
            self.schedulers.append(torch.optim.lr_scheduler.ReduceLROnPlateau(dummy, **options))
        self.like = lrs

    def lrs(self) -> torch.Tensor:
        """The rate each run steps with now, (K, 1)."""
        return torch.tensor([group["lr"] for group in self.groups], dtype=self.like.dtype,
                            device=self.like.device).unsqueeze(1)

    def step(self, losses: torch.Tensor) -> None:
        """Step every run's scheduler with its loss, ``losses`` (K,)."""
        for scheduler, loss in zip(self.schedulers, losses.tolist(), strict=True):
            scheduler.step(loss)

    def keep(self, rows: torch.Tensor) -> None:
        """Drop the runs not in ``rows`` (those that diverged)."""
        keep = rows.tolist()
        self.groups = [self.groups[k] for k in keep]
        self.schedulers = [self.schedulers[k] for k in keep]
