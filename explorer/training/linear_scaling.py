"""The linear scaling rule and warm-up (Goyal et al., 2017).

Multiply the batch size by ``k`` and the learning rate by ``k``: the loss per epoch follows
the same curve, until the batch nears the critical size (the noise scale), where the curves
spread. At large ``k`` the first steps at ``k`` times the rate can overshoot; a linear
warm-up (``torch.optim.lr_scheduler.LinearLR`` from ``1/k`` of the rate) rescues them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from explorer import data
from explorer.errors import InputError
from explorer.inputs import check_whole, format_numbers, is_whole, parse_ints, split_text
from explorer.training.config import MAX_BATCH_SIZE, TrainConfig, check_config
from explorer.training.loop import Progress, Session, evaluate, prepare, train_step

MAX_FACTORS = 12
FACTORS = (1, 2, 4, 8, 16, 32)
"""The default ``k``: the runs overlap up to 4 on the demonstration set-up, then spread."""
WARMUP_FACTORS = (32,)
"""The default ``k`` run again with warm-up: the one that diverges without it."""
WARMUP_EPOCHS = 2


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


def parse_factors(text: str, field: str = "factors", warmup: bool = False) -> tuple[int, ...]:
    """Scaling factors typed as ``"1, 2, 4, 8"``, sorted, without repeats; for the warm-up
    runs (``warmup``) blank text is none."""
    if warmup and not split_text(text, field, "The warm-up factors"):
        return ()
    what = "warm-up factors k" if warmup else "scaling factors k"
    values = parse_ints(text, field, what, low=1, high=MAX_BATCH_SIZE, most=MAX_FACTORS)
    return tuple(sorted(set(values)))


def check_scaling(config: TrainConfig, factors, warmup_factors, warmup_epochs,
                  ) -> tuple[TrainConfig, list[int], list[int], int]:
    """The base run and the rule's settings checked: ``factors`` and ``warmup_factors`` by
    :func:`parse_factors`' rule (fields ``"factors"``, ``"warmup_factors"``), each ``k``
    times the base batch inside the training set and ``k`` times its rate a valid rate,
    ``warmup_epochs`` from 1 to the run's epochs. The factors come back with 1 (the base run)
    added."""
    config = check_config(config)
    n_train = len(data.load(config.dataset, config.data_seed, config.label).y_train)
    factors = _check_factor_list(factors, "factors", False)
    warmup_factors = _check_factor_list(warmup_factors, "warmup_factors", True)
    for k, where in [*((k, "factors") for k in factors),
                     *((k, "warmup_factors") for k in warmup_factors)]:
        _check_scaled(config, k, n_train, where)
    warmup_epochs = check_whole(warmup_epochs, "warmup_epochs", "The warm-up epochs", 1,
                                config.epochs)
    return config, sorted({1, *factors}), list(warmup_factors), warmup_epochs


def _check_factor_list(values, field: str, warmup: bool) -> tuple[int, ...]:
    if not (isinstance(values, tuple | list) and all(is_whole(k) for k in values)):
        raise InputError(f"Give the {'warm-up' if warmup else 'scaling'} factors as a list of "
                         f"whole numbers, e.g. 1, 2, 4, 8; got {str(values)[:40]!r}.",
                         field=field)
    return parse_factors(format_numbers(int(k) for k in values), field, warmup)


def _check_scaled(config: TrainConfig, k: int, n_train: int, field: str) -> None:
    if k * config.batch_size > n_train:
        raise InputError(f"k = {k} makes batches of {k * config.batch_size}, more than the "
                         f"{n_train} training samples; use k ≤ {n_train // config.batch_size}.",
                         field=field)
    try:
        check_config(config.replace(batch_size=k * config.batch_size, lr=k * config.lr))
    except InputError as error:
        raise InputError(f"k = {k}: {error}", field=field) from None


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


def iter_linear_scaling(config: TrainConfig, factors=FACTORS, warmup_factors=WARMUP_FACTORS,
                        warmup_epochs: int = WARMUP_EPOCHS,
                        ) -> Iterator[Progress | ScalingResult]:
    """Generator form of :func:`linear_scaling`: Progress per epoch of every run, then
    the result."""
    config, factors, warmup_factors, warmup_epochs = check_scaling(
        config, factors, warmup_factors, warmup_epochs)
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


def linear_scaling(config: TrainConfig, factors=FACTORS, warmup_factors=WARMUP_FACTORS,
                   warmup_epochs: int = WARMUP_EPOCHS) -> ScalingResult:
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
        If ``config`` is bad, a ``k`` makes a batch larger than the training set (or a rate
        too large), or ``warmup_epochs`` is not from 1 to ``config.epochs``.
    """
    result = None
    for result in iter_linear_scaling(config, factors, warmup_factors, warmup_epochs):  # noqa: B007
        pass
    return result
