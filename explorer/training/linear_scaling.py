"""The linear scaling rule and warm-up (Goyal et al., 2017).

Multiply the batch size by ``k`` and the learning rate by ``k``: the loss per epoch follows
the same curve, until the batch nears the critical size (the noise scale), where the curves
spread. At large ``k`` the first steps at ``k`` times the rate can overshoot; a linear
warm-up (``torch.optim.lr_scheduler.LinearLR`` from ``1/k`` of the rate) rescues them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import torch

from explorer.errors import InputError
from explorer.inputs import check_whole
from explorer.training.config import TrainConfig, check_config
from explorer.training.loop import Progress, Session, evaluate, prepare, train_step

MAX_FACTORS = 12


def scaling_demo_config() -> TrainConfig:
    """Digits, one hidden layer of 32, plain SGD from batches of 8 at rate 0.1, 5 epochs: the
    scaled runs overlap up to k = 4 (batches of 32, well below the noise scale of about 100),
    spread at k = 16 and diverge at k = 32 (rate 3.2) unless warmed up."""
    return TrainConfig(dataset="digits", hidden=(32,), batch_size=8, optimizer="SGD", lr=0.1,
                       epochs=5)


@dataclass
class ScaledRun:
    """One run of the rule: ``k`` times the base batch and rate, with or without warm-up."""

    k: int
    batch_size: int
    lr: float
    warmup: bool
    losses: list[float] = field(default_factory=list)
    """Training loss over the whole training set before training and after each epoch."""

    @property
    def label(self) -> str:
        return f"k={self.k}{' + warm-up' if self.warmup else ''}"


@dataclass
class ScalingResult:
    """The runs (key ``(k, warmup)``), the base run's settings and how far each run strays."""

    base_batch: int
    base_lr: float
    runs: dict[tuple[int, bool], ScaledRun]

    def deviation(self, k: int, warmup: bool = False) -> float:
        """The largest relative gap between run ``k`` and the base run (k = 1) over the epochs
        after the first: ``max |L_k - L_1| / L_1``."""
        base, run = self.runs[(1, False)].losses, self.runs[(k, warmup)].losses
        gaps = [abs(a - b) / b for a, b in zip(run[1:], base[1:], strict=True)]
        return max(gaps) if all(math.isfinite(g) for g in gaps) else math.inf


def _check_factors(factors, warmup_factors, n_train: int, base_batch: int):
    def read(values, what):
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise InputError(f"Give the {what} as a list of whole numbers, e.g. 1, 2, 4, 8.",
                             field="factors")
        values = sorted({check_whole(k, "factors", f"Each of the {what}", 1, n_train)
                         for k in list(values)[:MAX_FACTORS + 1]})
        if len(values) > MAX_FACTORS:
            raise InputError(f"Give at most {MAX_FACTORS} {what}.", field="factors")
        for k in values:
            if k * base_batch > n_train:
                raise InputError(f"k = {k} makes batches of {k * base_batch}, more than the "
                                 f"{n_train} training samples; use k ≤ {n_train // base_batch}.",
                                 field="factors")
        return values

    factors = read(factors, "scaling factors")
    if 1 not in factors:
        factors = [1, *factors]  # the base run everything is compared with
    return factors, read(warmup_factors, "warm-up factors")


def _train(session: Session, run: ScaledRun, epochs: int, warmup_steps: int) -> Iterator[int]:
    scheduler = None
    if run.warmup:
        scheduler = torch.optim.lr_scheduler.LinearLR(
            session.optimizer, start_factor=1.0 / run.k, total_iters=warmup_steps)
    x, y = session.data.x_train, session.data.y_train
    run.losses.append(evaluate(session.model, x, y, session.loss_fn)[0].item())
    for epoch in range(1, epochs + 1):
        for xb, yb in session.loader:
            train_step(session, xb, yb)
            if scheduler is not None:
                scheduler.step()
        run.losses.append(evaluate(session.model, x, y, session.loss_fn)[0].item())
        yield epoch


def iter_linear_scaling(config: TrainConfig, factors=(1, 2, 4, 8, 16, 32),
                        warmup_factors=(32,), warmup_epochs: int = 2,
                        ) -> Iterator[Progress | ScalingResult]:
    """Generator form of :func:`linear_scaling`: Progress per epoch of every run, then
    the result."""
    config = check_config(config)
    n_train = len(prepare(config).data.y_train)
    factors, warmup_factors = _check_factors(factors, warmup_factors, n_train,
                                             config.batch_size)
    warmup_epochs = check_whole(warmup_epochs, "warmup_epochs", "The warm-up epochs", 1,
                                config.epochs)
    plan = [(k, False) for k in factors] + [(k, True) for k in warmup_factors]
    runs: dict[tuple[int, bool], ScaledRun] = {}
    for index, (k, warmup) in enumerate(plan):
        scaled = config.replace(batch_size=k * config.batch_size, lr=k * config.lr)
        session = prepare(scaled)
        run = runs[(k, warmup)] = ScaledRun(k, scaled.batch_size, scaled.lr, warmup)
        for epoch in _train(session, run, config.epochs, warmup_epochs * len(session.loader)):
            yield Progress(index * config.epochs + epoch, len(plan) * config.epochs, epoch,
                           run.label)
    yield ScalingResult(config.batch_size, config.lr, runs)


def linear_scaling(config: TrainConfig, factors=(1, 2, 4, 8, 16, 32), warmup_factors=(32,),
                   warmup_epochs: int = 2) -> ScalingResult:
    """Train ``config`` with ``k`` times its batch size and ``k`` times its rate, per ``k``.

    Parameters
    ----------
    config
        The base run (k = 1): its batch size and rate are scaled, the rest is kept
        (the same seed, so the same initial weights, and the same epochs).
    factors
        The ``k`` to run without warm-up (1 is always added).
    warmup_factors
        The ``k`` to run again with a linear warm-up: ``LinearLR`` from ``1/k`` of the rate
        to all of it over the first ``warmup_epochs`` epochs (Goyal et al.'s gradual warm-up).

    Returns
    -------
    ScalingResult
        ``.runs[(k, warmup)]`` with the training loss before and after each epoch, and
        ``.deviation(k, warmup)``, the largest relative gap from the base run.

    Raises
    ------
    InputError
        If ``config`` is bad or a ``k`` makes a batch larger than the training set.
    """
    result = None
    for result in iter_linear_scaling(config, factors, warmup_factors, warmup_epochs):  # noqa: B007
        pass
    return result
