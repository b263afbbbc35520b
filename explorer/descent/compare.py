"""Optimizers side by side: one run per optimizer, each at its own rate, from one start.

Each run is a one-rate :func:`explorer.descent.sweep` (so it is the same update as the
Trajectories tab's, tested there equal to ``torch.optim``); the comparison only lines
them up: one surface, one start, one step count, a label naming optimizer and rate.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from explorer.descent import batched_optim, surfaces
from explorer.descent.sweep import sweep
from explorer.errors import InputError
from explorer.inputs import check_lr, check_name, check_start, check_steps

MAX_RUNS = 8
"""The most optimizers compared at once (one colour each in the Okabe–Ito palette)."""


@dataclass(frozen=True)
class CompareRun:
    """One optimizer of the comparison: its ``torch.optim`` name, rate and options."""

    optimizer: str
    lr: float
    options: Mapping = field(default_factory=dict)

    @property
    def label(self) -> str:
        """What the legend says: ``"SGD + momentum 0.9, lr = 0.02"``."""
        return f"{describe(self.optimizer, self.options)}, lr = {self.lr:g}"


DEFAULT_RUNS = (
    CompareRun("SGD", 0.1),
    CompareRun("SGD", 0.02, {"momentum": 0.9}),
    CompareRun("SGD", 0.02, {"momentum": 0.9, "nesterov": True}),
    CompareRun("Adam", 0.3),
    CompareRun("RMSprop", 0.03),
    CompareRun("Adagrad", 1.0),
)
"""SGD, heavy ball, Nesterov, Adam, RMSprop, Adagrad at rates that converge on the default
bowl (2 / lambda_max = 0.2) in about a hundred steps without diverging."""


def describe(optimizer: str, options: Mapping) -> str:
    """The optimizer as a person names it: ``"Nesterov 0.9"``, ``"SGD + momentum 0.9"``."""
    momentum = float(options.get("momentum", 0) or 0)
    if optimizer == "SGD" and momentum:
        return (f"Nesterov {momentum:g}" if options.get("nesterov")
                else f"SGD + momentum {momentum:g}")
    return optimizer


@dataclass
class ComparedRun:
    """One run's trajectory: ``path`` (steps + 1, 2), ``loss`` (steps + 1), NaN after
    ``diverged_at`` (the first step whose loss is not finite or passes the sweep's bound)."""

    run: CompareRun
    path: np.ndarray
    loss: np.ndarray
    diverged_at: int | None

    @property
    def label(self) -> str:
        text = self.run.label
        if self.diverged_at is not None:
            text += f" — diverged at step {self.diverged_at}"
        return text


@dataclass
class Comparison:
    """The runs done so far (all of them once ``done``), in the order asked."""

    surface: str
    start: tuple[float, float]
    steps: int
    runs: list[ComparedRun]
    total: int

    @property
    def done(self) -> bool:
        return len(self.runs) == self.total

    @property
    def progress(self) -> float:
        return len(self.runs) / self.total


def check_runs(runs, field: str = "compare_runs") -> tuple[CompareRun, ...]:
    """``runs`` as CompareRuns with resolved options; InputError naming ``field`` if one is bad.

    A run may be given as a CompareRun or a mapping with ``optimizer``, ``lr``, ``options``.
    """
    if isinstance(runs, (str, bytes)) or not hasattr(runs, "__len__"):
        raise InputError("The optimizers to compare must be a list.", field=field)
    if not 1 <= len(runs) <= MAX_RUNS:
        raise InputError(f"Compare 1 to {MAX_RUNS} optimizers; got {len(runs)}.", field=field)
    checked = []
    for i, run in enumerate(runs, start=1):
        if isinstance(run, Mapping):
            unknown = set(run) - {"optimizer", "lr", "options"}
            if unknown or "optimizer" not in run or "lr" not in run:
                raise InputError(f"Optimizer {i} of the comparison needs 'optimizer' and 'lr' "
                                 f"(and may have 'options'); got {sorted(run)}.", field=field)
            run = CompareRun(run["optimizer"], run["lr"], run.get("options") or {})
        if not isinstance(run, CompareRun):
            raise InputError(f"Optimizer {i} of the comparison is not an optimizer and a rate.",
                             field=field)
        try:
            name = batched_optim.check_optimizer(run.optimizer)
            lr = check_lr(run.lr, field=field)
            batched_optim.resolve_optimizer_options(name, run.options)
        except InputError as exc:
            raise InputError(f"Optimizer {i} of the comparison: {exc}", field=field) from None
        checked.append(CompareRun(name, lr, dict(run.options)))
    return tuple(checked)


def iter_compare(surface: str, start, runs, steps: int, surface_options=None,
                 device=None) -> Iterator[Comparison]:
    """:func:`compare_optimizers` as a generator: the comparison after each run.

    Bad input raises InputError at the call, before any computing.
    """
    runs, steps, start = check_runs(runs), check_steps(steps), check_start(start)
    check_name(surface, surfaces.names(), "surface", "surface")
    surfaces.resolve_surface_options(surface, surface_options)

    def each() -> Iterator[Comparison]:
        done: list[ComparedRun] = []
        for run in runs:
            result = sweep(surface, run.optimizer, [run.lr], steps, start, dict(run.options),
                           surface_options, device=device, record_internals=False)
            done.append(ComparedRun(run, result.path[0].numpy(), result.loss[0].numpy(),
                                    result.diverged_at[0]))
            yield Comparison(surface, start, steps, list(done), len(runs))

    return each()


def compare_optimizers(surface: str, start, runs=DEFAULT_RUNS, steps: int = 100,
                       surface_options=None, device=None) -> Comparison:
    """Run each optimizer of ``runs`` at its own rate from ``start`` on ``surface``.

    Parameters
    ----------
    surface, surface_options
        One of ``explorer.surfaces.names()`` and its options.
    start
        The start point ``(x, y)`` of every run.
    runs
        1 to :data:`MAX_RUNS` :class:`CompareRun` (or mappings ``{"optimizer", "lr",
        "options"}``): a ``torch.optim`` name, a learning rate, that optimizer's options.
    steps
        Optimizer steps per run (1 to 100,000).

    Returns
    -------
    Comparison
        Per run its path (steps + 1, 2), loss (steps + 1) and the step it diverged at.

    Raises
    ------
    InputError
        For a bad surface, start, step count or run (naming ``compare_runs``).
    """
    *_, last = iter_compare(surface, start, runs, steps, surface_options, device)
    return last
