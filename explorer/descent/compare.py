"""Optimizers side by side: one run per optimizer, each at its own rate, from one start.

Each run is a one-rate :func:`explorer.descent.sweep` (so it is the same update as the
Trajectories tab's, tested there equal to ``torch.optim``); the comparison only lines
them up: one surface, one start, one step count, a label naming optimizer and rate.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from explorer.descent import batched_optim, surfaces
from explorer.descent.divergence import sweep_diverging_at
from explorer.descent.sweep import sweep
from explorer.errors import InputError
from explorer.inputs import check_lr, check_name, check_start, check_steps, is_whole

MAX_RUNS = 8
"""The most optimizers compared at once (one colour each in the Okabe–Ito palette)."""


@dataclass(frozen=True)
class CompareRun:
    """One optimizer of the comparison: its ``torch.optim`` name, rate and options, and its
    colour (0 to ``MAX_RUNS - 1``, kept for the run's life; None: the first one free)."""

    optimizer: str
    lr: float
    options: Mapping = field(default_factory=dict)
    color: int | None = None

    @property
    def label(self) -> str:
        """What the legend says: ``"SGD + momentum 0.9, lr = 0.02"``."""
        return f"{describe(self.optimizer, self.options)}, lr = {self.lr:g}"


DEFAULT_RUNS = (
    CompareRun("SGD", 0.1, color=0),
    CompareRun("SGD", 0.02, {"momentum": 0.9}, color=1),
    CompareRun("SGD", 0.02, {"momentum": 0.9, "nesterov": True}, color=2),
    CompareRun("Adam", 0.3, color=3),
    CompareRun("RMSprop", 0.03, color=4),
    CompareRun("Adagrad", 1.0, color=5),
)
"""SGD, heavy ball, Nesterov, Adam, RMSprop, Adagrad at rates that converge on the default
bowl (2 / lambda_max = 0.2) in about a hundred steps without diverging."""
DEFAULT_SURFACE = ("quadratic", {"rotation": 90.0})
"""The page's default bowl, where :data:`DEFAULT_RUNS`' rates were chosen."""
TUNE_GRID = tuple(m * 10.0**e for e in range(-4, 1) for m in (1, 2, 5)) + (10.0,)
"""The rates tried per optimizer when the rates are tuned for a surface (1-2-5, 1e-4 to 10)."""


def surface_key(surface: str, surface_options=None) -> str:
    """A surface with its options in words: ``"Quadratic bowl (condition = 10, rotation =
    90)"``; rates tuned for one key are said to be tuned for another surface elsewhere."""
    resolved = surfaces.resolve_surface_options(surface, surface_options)
    where = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                      for k, v in sorted(resolved.items()))
    name = surfaces.info(surface, surface_options).display_name
    return f"{name} ({where})" if where else name


def default_tuned_for() -> str:
    """The surface :data:`DEFAULT_RUNS` were tuned for, as :func:`surface_key` says it."""
    return surface_key(*DEFAULT_SURFACE)


EDITED = ", then edited"
"""What ``tuned_for`` gains once a rate, an optimizer or options of a tuned run is changed by
hand: the rates are no longer what the tuning found."""


def edited(tuned_for: str) -> str:
    """``tuned_for`` once a run is changed by hand: ``"Rosenbrock, then edited"`` (rates that
    were tuned for no surface, ``""``, stay typed: ``""``)."""
    return tuned_for if not tuned_for or tuned_for.endswith(EDITED) else tuned_for + EDITED


def tuned_surface(tuned_for: str) -> tuple[str, bool]:
    """The surface the rates were tuned for (``""``: none, every rate typed) and whether a
    run was changed by hand since (``tuned_for`` as :func:`edited` writes it)."""
    if tuned_for.endswith(EDITED):
        return tuned_for[:-len(EDITED)], True
    return tuned_for, False


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


class _SoFar:
    """A result that grows run by run: ``runs`` done so far out of ``total``."""

    runs: list
    total: int

    @property
    def done(self) -> bool:
        return len(self.runs) == self.total

    @property
    def progress(self) -> float:
        return len(self.runs) / self.total


@dataclass
class Comparison(_SoFar):
    """The runs done so far (all of them once ``done``), in the order asked."""

    surface: str
    start: tuple[float, float]
    steps: int
    runs: list[ComparedRun]
    total: int


def check_runs(runs, field: str = "compare_runs") -> tuple[CompareRun, ...]:
    """``runs`` as CompareRuns with resolved options; InputError naming ``field`` if one is bad.

    A run may be given as a CompareRun or a mapping with ``optimizer``, ``lr``, ``options``.
    """
    if isinstance(runs, (str, bytes)) or not hasattr(runs, "__len__"):
        raise InputError("The optimizers to compare must be a list.", field=field)
    if not 1 <= len(runs) <= MAX_RUNS:
        raise InputError(f"Compare 1 to {MAX_RUNS} optimizers; got {len(runs)}.", field=field)
    checked = [_check_run(i, run, field) for i, run in enumerate(runs, start=1)]
    given = [run.color for run in checked if run.color is not None]
    if len(set(given)) < len(given):
        raise InputError("Two optimizers of the comparison have the same colour.", field=field)
    free = iter(sorted(set(range(MAX_RUNS)) - set(given)))
    return tuple(run if run.color is not None else replace(run, color=next(free))
                 for run in checked)


def _check_run(i: int, run, field: str) -> CompareRun:
    if isinstance(run, Mapping):
        unknown = set(run) - {"optimizer", "lr", "options", "color"}
        if unknown or "optimizer" not in run or "lr" not in run:
            raise InputError(f"Optimizer {i} of the comparison needs 'optimizer' and 'lr' "
                             f"(and may have 'options', 'color'); got {sorted(run)}.",
                             field=field)
        run = CompareRun(run["optimizer"], run["lr"], run.get("options") or {},
                         run.get("color"))
    if not isinstance(run, CompareRun):
        raise InputError(f"Optimizer {i} of the comparison is not an optimizer and a rate.",
                         field=field)
    color = run.color
    if color is not None and not (is_whole(color) and 0 <= color < MAX_RUNS):
        raise InputError(f"Optimizer {i} of the comparison: its colour must be a whole number "
                         f"from 0 to {MAX_RUNS - 1}.", field=field)
    try:
        name = batched_optim.check_optimizer(run.optimizer)
        lr = check_lr(run.lr, field=field)
        batched_optim.resolve_optimizer_options(name, run.options)
    except InputError as exc:
        raise InputError(f"Optimizer {i} of the comparison: {exc}", field=field) from None
    return CompareRun(name, lr, dict(run.options), None if color is None else int(color))


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


@dataclass
class Tuning(_SoFar):
    """Each optimizer's best rate on one surface so far (all of them once ``done``).

    ``runs`` are the runs tuned so far, each at the rate of :data:`TUNE_GRID` whose run ends
    lowest after ``steps`` steps (a run whose every rate diverged keeps its rate, and
    ``untuned`` names it)."""

    surface: str
    steps: int
    runs: list[CompareRun]
    untuned: list[str]
    total: int


def best_rate(surface: str, start, run: CompareRun, steps: int, surface_options=None,
              device=None, grid=TUNE_GRID) -> float | None:
    """The rate of ``grid`` at which ``run``'s optimizer ends lowest after ``steps`` steps
    from ``start`` (one batched sweep); None when every rate diverges
    (:class:`explorer.descent.divergence.DivergenceRule`)."""
    result = sweep(surface, run.optimizer, list(grid), steps, start, dict(run.options),
                   surface_options, device=device, record_internals=False)
    diverging = sweep_diverging_at(result)
    ends = [float(result.loss[k, -1]) for k in range(len(grid))]
    kept = [(end, k) for k, end in enumerate(ends) if diverging[k] is None and np.isfinite(end)]
    return float(grid[min(kept)[1]]) if kept else None


def iter_tune(surface: str, start, runs, steps: int, surface_options=None,
              device=None) -> Iterator[Tuning]:
    """Each run's :func:`best_rate` on ``surface``, yielding after each run.

    Bad input raises InputError at the call, before any computing.
    """
    runs, steps, start = check_runs(runs), check_steps(steps), check_start(start)
    key = surface_key(surface, surface_options)

    def each() -> Iterator[Tuning]:
        done: list[CompareRun] = []
        untuned: list[str] = []
        for run in runs:
            lr = best_rate(surface, start, run, steps, surface_options, device)
            if lr is None:
                untuned.append(describe(run.optimizer, run.options))
            done.append(run if lr is None else replace(run, lr=lr))
            yield Tuning(key, steps, list(done), list(untuned), len(runs))

    return each()
