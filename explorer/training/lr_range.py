"""The LR range test on the Batch lab's own network (Smith 2017; fastai's ``lr_find``).

The page's training set-up (data set, widths, activation, batch normalization, optimizer,
batch size, seed) trains one minibatch per step while ``torch.optim.lr_scheduler.ExponentialLR``
multiplies the learning rate by the same factor each step, from ``start_lr`` to ``end_lr``.
Each minibatch's loss is smoothed by a bias-corrected exponential moving average; the test
stops once the smoothed loss is no longer finite or passes :data:`STOP_FACTOR` times its best.
The suggested rate is where the smoothed loss falls fastest against log10(rate) (the
"steepest" rule), between the moving average's warm-up and the lowest point.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from torch.optim.lr_scheduler import ExponentialLR

from explorer.errors import InputError
from explorer.inputs import check_lr, check_whole
from explorer.range_test import (  # noqa: F401 (SMOOTHING re-exported beside the rest)
    SMOOTHING,
    STOP_FACTOR,
    smoothed_losses,
    steepest,
)
from explorer.training.config import TrainConfig, check_config
from explorer.training.loop import Progress, prepare, train_step

MIN_STEPS, MAX_STEPS = 5, 10_000
"""Steps of one test: a few for the moving average, at most as many as the Descent lab's."""
PARTIALS = 25
"""About how many partial curves a test sends while it runs."""


def check_range_settings(start_lr, end_lr, steps, fields=("range_start_lr", "range_end_lr",
                                                          "range_steps")) -> tuple:
    """``(start_lr, end_lr, steps)`` checked, else InputError naming the field to change."""
    start = check_lr(start_lr, fields[0], what="The start rate")
    end = check_lr(end_lr, fields[1], what="The end rate")
    if end <= start:
        raise InputError("The end rate must be larger than the start rate.", field=fields[1])
    steps = check_whole(steps, fields[2], "The LR range test's steps", MIN_STEPS, MAX_STEPS)
    return start, end, steps


@dataclass
class RangeCurve:
    """The range test's curve so far: one rate, loss and smoothed loss per step taken."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    steps: int
    stop_reason: str = ""
    suggested: float | None = None
    lowest: float | None = None
    done: bool = False

    @property
    def stopped_early(self) -> bool:
        return len(self.lrs) < self.steps


def iter_lr_range(config: TrainConfig, start_lr: float = 1e-4, end_lr: float = 10.0,
                  steps: int = 100) -> Iterator[Progress | RangeCurve]:
    """Generator form of :func:`lr_range`: Progress and a partial :class:`RangeCurve` about
    :data:`PARTIALS` times, then the final curve (``done=True``, with its suggestion).

    Bad settings raise InputError at the first ``next``, before any training.
    """
    config = check_config(config)
    start_lr, end_lr, steps = check_range_settings(start_lr, end_lr, steps)
    session = prepare(config.replace(lr=start_lr))
    gamma = (end_lr / start_lr) ** (1 / (steps - 1))
    scheduler = ExponentialLR(session.optimizer, gamma)
    lrs, losses, best, reason = [], [], math.inf, "Reached the end rate."
    every = max(1, steps // PARTIALS)
    for xb, yb in _batches(session.loader, steps):
        lrs.append(scheduler.get_last_lr()[0])
        losses.append(train_step(session, xb, yb).item())
        scheduler.step()
        smooth = float(smoothed_losses(losses)[-1])
        if not math.isfinite(smooth):
            reason = f"The loss stopped being finite at lr = {lrs[-1]:.3g}."
            break
        if smooth > STOP_FACTOR * best:
            reason = (f"The smoothed loss passed {STOP_FACTOR:g} × its best ({best:.3g}) "
                      f"at lr = {lrs[-1]:.3g}.")
            break
        best = min(best, smooth)
        if len(lrs) % every == 0 and len(lrs) < steps:
            yield Progress(len(lrs), steps, message=f"lr {lrs[-1]:.3g}")
            yield _curve(lrs, losses, steps)
    yield _curve(lrs, losses, steps, reason, done=True)


def _batches(loader, steps: int) -> Iterator:
    """``steps`` minibatches of ``loader``, over as many epochs as that takes."""
    taken = 0
    while True:
        for batch in loader:
            if taken == steps:
                return
            taken += 1
            yield batch


def _curve(lrs, losses, steps, reason="", done=False) -> RangeCurve:
    lrs, smoothed = np.array(lrs, dtype=float), smoothed_losses(losses)
    curve = RangeCurve(lrs, np.array(losses, dtype=float), smoothed, steps, reason, done=done)
    if done:
        index = steepest(lrs, smoothed)
        finite = np.isfinite(smoothed)
        if index is not None:
            curve.suggested = float(f"{lrs[index]:.3g}")  # as one would type it
            curve.lowest = float(lrs[finite][np.argmin(smoothed[finite])])
    return curve


def lr_range(config: TrainConfig, start_lr: float = 1e-4, end_lr: float = 10.0,
             steps: int = 100) -> RangeCurve:
    """Run the LR range test on ``config``'s network, data, optimizer and batch size.

    Parameters
    ----------
    config
        The training set-up; its ``lr`` and ``epochs`` are not used (the rate is the test's,
        and it takes ``steps`` minibatches, as many epochs as that needs).
    start_lr, end_lr, steps
        The rate grows geometrically from ``start_lr`` to ``end_lr`` over ``steps`` steps.

    Returns
    -------
    RangeCurve
        Rates, losses, smoothed losses, why it stopped, ``suggested``: the rate of the
        steepest fall of the smoothed loss to 3 significant figures (None if too few steps
        were taken), and ``lowest``: the rate of the lowest smoothed loss.

    Raises
    ------
    InputError
        If ``config`` or a setting is bad.
    """
    result = None
    for result in iter_lr_range(config, start_lr, end_lr, steps):  # noqa: B007
        pass
    return result
