"""When a run starts to diverge: its loss has grown far past where it started.

The sweep itself stops a run only when its loss leaves the finite range (or passes a
huge fixed bound, 1e12), which can be many steps after the picture has clearly blown
up: on the default bowl lr = 0.21 (just above 2 / lambda_max = 0.2) grows from 46 to
8.5e9 in 100 steps. Here a run is *diverging* from the first step whose loss exceeds
``factor × |start loss| + margin`` or is not finite, a rule the page states in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from explorer.errors import InputError

FACTOR = 1e3
"""A loss this many times its start (in size) counts as diverging."""
MARGIN = 1.0
"""Added to the threshold so a start at (or near) a zero loss does not flag every wobble."""


@dataclass(frozen=True)
class DivergenceRule:
    """``loss > factor × |loss at step 0| + margin``, or a loss that is not finite."""

    factor: float = FACTOR
    margin: float = MARGIN

    def __post_init__(self):
        for name in ("factor", "margin"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value) or value < 0 or (name == "factor" and value < 1):
                what = "at least 1" if name == "factor" else "zero or more"
                raise InputError(f"The divergence {name} must be a finite number, {what}.",
                                 field=f"divergence_{name}")

    def threshold(self, start_loss: float) -> float:
        """The loss above which a run that started at ``start_loss`` is diverging."""
        return self.factor * abs(float(start_loss)) + self.margin

    def describe(self) -> str:
        """The rule in words, for the page."""
        return (f"A run is diverging once its loss passes {self.factor:g} × |its loss at "
                f"step 0| + {self.margin:g}, or stops being a finite number.")


def diverging_at(loss, rule: DivergenceRule | None = None,
                 steps_done: int | None = None) -> list[int | None]:
    """The first step at which each run is diverging under ``rule``, or None.

    Parameters
    ----------
    loss
        ``(K, T)`` losses per run and step (a tensor or array; step 0 is the start).
    rule
        The threshold; :class:`DivergenceRule` defaults when None.
    steps_done
        Only steps ``0..steps_done`` are read (a streamed sweep's later rows are not yet
        computed); default all.

    Returns
    -------
    list of int or None
        One entry per run. A run whose start loss is itself not finite is diverging at 0.
    """
    rule = rule or DivergenceRule()
    values = np.asarray(loss, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] < 1:
        raise InputError("The losses must be a (runs × steps) table with step 0.", field="loss")
    if steps_done is not None:
        values = values[:, :steps_done + 1]
    start = values[:, :1]
    with np.errstate(invalid="ignore", over="ignore"):
        limit = rule.factor * np.abs(start) + rule.margin
        bad = ~np.isfinite(values) | (values > limit)
    first = np.argmax(bad, axis=1)
    return [int(at) if bad[k, at] else None for k, at in enumerate(first.tolist())]


def sweep_diverging_at(sweep, rule: DivergenceRule | None = None) -> list[int | None]:
    """:func:`diverging_at` of an ``explorer.descent.Sweep`` (its computed steps only), never
    later than the sweep's own ``diverged_at``."""
    found = diverging_at(sweep.loss, rule, sweep.steps_done)
    return [a if b is None else (b if a is None else min(a, b))
            for a, b in zip(found, sweep.diverged_at, strict=True)]


def check_start_loss(start_loss: float, start) -> float:
    """The loss at the start point, if it is finite; else InputError (field ``"start"``)
    saying so, instead of every run reading "diverging at step 0"."""
    value = float(start_loss)
    if not math.isfinite(value):
        x, y = start
        raise InputError(f"The loss at the start ({x:g}, {y:g}) is {value} (it overflows the "
                         f"precision): every run would diverge at step 0. Choose a start nearer "
                         f"the minimum.", field="start")
    return value
