"""The gradient noise scale and the critical batch size (McCandlish et al., 2018).

``B_simple = tr(Σ) / |G|²`` compares the spread of the per-example gradients (``Σ``, their
covariance) with the size of their mean ``G``: below about ``B_simple`` a bigger batch
buys a proportionally better step, above it the returns fall away. The per-example
gradients come from ``torch.func.vmap(torch.func.grad(...))`` over the training set.

The trade-off it predicts is measured too: the optimizer steps ``S`` needed to reach a
training loss, at several batch sizes, fitted by ``S(B) = S_min (1 + B_noise / B)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.func import functional_call, grad, vmap

from explorer import data
from explorer.errors import InputError
from explorer.inputs import (
    check_lrs,
    check_positive,
    check_whole,
    format_numbers,
    is_whole,
    parse_ints,
    split_text,
)
from explorer.training.config import MAX_EPOCHS, TrainConfig, check_config
from explorer.training.loop import Progress, Session, prepare, train_step
from explorer.training.typed import check_batch_sizes, check_sizes_fit, parse_batch_sizes

MAX_MEASURES = 32
"""The most epochs at which one run measures the noise scale."""
EPOCHS = (0, 1, 2, 5)
"""The default epochs to measure at: the initial weights, then as the loss falls."""
MAX_FIT_STEPS = 20_000
"""The most optimizer steps one batch size of the fit may take to reach its target."""


def per_example_gradients(model: nn.Module, loss_fn: nn.Module, x: torch.Tensor,
                          y: torch.Tensor) -> torch.Tensor:
    """Each example's gradient of ``loss_fn`` with respect to the parameters, one row each
    (N × number of parameters), by ``vmap`` of ``grad``. Batch normalization, if any, uses
    its running statistics (evaluation mode): one example has no batch statistics."""
    params = {k: p.detach() for k, p in model.named_parameters()}
    buffers = {k: b.detach() for k, b in model.named_buffers()}
    was_training = model.training
    model.eval()

    def loss(p, xi, yi):
        return loss_fn(functional_call(model, (p, buffers), (xi.unsqueeze(0),)), yi.unsqueeze(0))

    try:
        grads = vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)
    finally:
        model.train(was_training)
    return torch.cat([g.reshape(len(x), -1) for g in grads.values()], dim=1)


@dataclass(frozen=True)
class NoiseReading:
    """One measurement: ``B_simple`` with its parts, after ``epoch`` epochs of training."""

    epoch: int
    b_simple: float
    trace_sigma: float
    gradient_norm2: float
    train_loss: float


def simple_noise_scale(grads: torch.Tensor) -> tuple[float, float, float]:
    """``(B_simple, tr Σ, |G|²)`` from per-example gradients (one row each): ``G`` is their
    mean and ``Σ`` their covariance (unbiased, ``N - 1``)."""
    mean = grads.mean(dim=0)
    trace = (grads - mean).pow(2).sum(dim=1).sum() / max(len(grads) - 1, 1)
    norm2 = mean.pow(2).sum()
    trace, norm2 = trace.item(), norm2.item()
    return (trace / norm2 if norm2 > 0 else math.inf), trace, norm2


def _measure(session: Session, epoch: int) -> NoiseReading:
    x, y = session.data.x_train, session.data.y_train
    grads = per_example_gradients(session.model, session.loss_fn, x, y)
    b_simple, trace, norm2 = simple_noise_scale(grads)
    with torch.no_grad():
        session.model.eval()
        loss = session.loss_fn(session.model(x), y).item()
        session.model.train()
    return NoiseReading(epoch, b_simple, trace, norm2, loss)


def parse_epochs(text: str, field: str = "epochs") -> tuple[int, ...]:
    """The epochs to measure at, typed as ``"0, 1, 2, 5"``: sorted, without repeats."""
    values = parse_ints(text, field, "epochs to measure at", low=0, high=MAX_EPOCHS,
                        most=MAX_MEASURES)
    return tuple(sorted(set(values)))


def check_epochs(epochs: object, field: str = "epochs") -> tuple[int, ...]:
    """The epochs to measure at as a scene or a call holds them (one number is one epoch),
    checked by :func:`parse_epochs`'s rule, with its messages."""
    if is_whole(epochs):
        epochs = [epochs]
    if not (isinstance(epochs, tuple | list) and all(is_whole(e) for e in epochs)):
        raise InputError(f"Give the epochs as a list of whole numbers, e.g. 0, 1, 2, 5; got "
                         f"{str(epochs)[:40]!r}.", field=field)
    return parse_epochs(format_numbers(int(e) for e in epochs), field)


def parse_fit_sizes(text: str, field: str = "fit_batch_sizes") -> tuple[int, ...] | None:
    """The batch sizes of the S(B) fit typed as ``"1, 4, 16, 64"``; blank text is ``None``,
    :func:`fit_batch_sizes`' choice for the training set."""
    if not split_text(text, field, "The batch sizes"):
        return None
    return _two_or_more(parse_batch_sizes(text, field), field)


def check_fit_sizes(sizes: object, n_train: int | None, batch_norm: bool,
                    field: str = "fit_batch_sizes") -> tuple[int, ...] | None:
    """The fit's batch sizes as a scene or a call holds them (``None``: automatic), by
    :func:`parse_fit_sizes`' rule, each inside the training set of ``n_train`` samples (when
    known) and none of one with batch normalization."""
    if sizes is None:
        return None
    sizes = _two_or_more(check_batch_sizes(sizes, field), field)
    return sizes if n_train is None else check_sizes_fit(sizes, n_train, batch_norm, field)


def _two_or_more(sizes: tuple[int, ...], field: str) -> tuple[int, ...]:
    if len(sizes) < 2:
        raise InputError("The fit S(B) = S_min (1 + B_noise / B) needs two batch sizes or "
                         "more, e.g. 1, 4, 16, 64.", field=field)
    return sizes


def iter_noise_scale(config: TrainConfig, epochs=EPOCHS,
                     ) -> Iterator[Progress | dict[int, NoiseReading]]:
    """Generator form of :func:`noise_scale` (with the readings' parts): Progress per
    epoch trained or measured, then ``{epoch: NoiseReading}``."""
    config = check_config(config)
    epochs = check_epochs(epochs)
    session = prepare(config)
    readings: dict[int, NoiseReading] = {}
    total, done = epochs[-1] + len(epochs), 0
    for epoch in range(epochs[-1] + 1):
        if epoch > 0:
            for xb, yb in session.loader:
                train_step(session, xb, yb)
            done += 1
            yield Progress(done, total, epoch, f"epoch {epoch}")
        if epoch in epochs:
            readings[epoch] = _measure(session, epoch)
            done += 1
            yield Progress(done, total, epoch, f"B_simple after {epoch} epochs")
    yield readings


def noise_scale(config: TrainConfig, epochs=EPOCHS) -> dict[int, float]:
    """The simple gradient noise scale ``B_simple = tr(Σ) / |G|²`` as ``config`` trains.

    Parameters
    ----------
    config
        The training run (its data set, network, optimizer, batch size and seed).
    epochs
        After how many epochs of training to measure (0: the initial weights).

    Returns
    -------
    dict
        Epoch -> ``B_simple`` over the training set's per-example gradients of the mean
        ``CrossEntropyLoss``. McCandlish et al. find it grows as the loss falls.

    Raises
    ------
    InputError
        If ``config`` is bad or an epoch is not a whole number from 0 to ``MAX_EPOCHS``.
    """
    readings = None
    for readings in iter_noise_scale(config, epochs):  # noqa: B007
        pass
    return {epoch: reading.b_simple for epoch, reading in readings.items()}


FIT_LRS = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
"""The learning rates tried at each batch size of the fit; the fewest steps count."""


@dataclass
class StepsFit:
    """Steps to reach ``target`` per batch size (at its best rate) and the fit
    ``S(B) = S_min (1 + B_noise / B)``."""

    target: float
    batch_sizes: list[int]
    steps: list[int | None]
    best_lrs: list[float | None]
    s_min: float = math.nan
    b_noise: float = math.nan
    unreached: list[int] = field(default_factory=list)

    def predicted(self, batch_size: float) -> float:
        return self.s_min * (1 + self.b_noise / batch_size)


def fit_steps(batch_sizes: Iterable[float], steps: Iterable[float]) -> tuple[float, float]:
    """``(S_min, B_noise)`` of ``S = S_min (1 + B_noise / B)``: least squares of the line
    ``S = a + b / B`` (``torch.linalg.lstsq``), ``S_min = a``, ``B_noise = b / a``."""
    b = torch.tensor(list(batch_sizes), dtype=torch.float64)
    s = torch.tensor(list(steps), dtype=torch.float64)
    if len(b) < 2:
        raise InputError("The fit needs steps at two batch sizes or more.", field="batch_sizes")
    design = torch.stack([torch.ones_like(b), 1 / b], dim=1)
    a, slope = torch.linalg.lstsq(design, s.unsqueeze(1)).solution.squeeze(1).tolist()
    return a, (slope / a if a else math.inf)


def _steps_to(config: TrainConfig, target: float, max_steps: int) -> int | None:
    """Steps until the whole training set's loss is at most ``target`` (None: not within
    ``max_steps``, or the loss stopped being finite)."""
    session = prepare(config)
    x, y = session.data.x_train, session.data.y_train
    step = 0
    while step < max_steps:
        for xb, yb in session.loader:
            train_step(session, xb, yb)
            step += 1
            with torch.no_grad():
                loss = session.loss_fn(session.model(x), y).item()
            if loss <= target:
                return step
            if step >= max_steps or not math.isfinite(loss):
                return None
    return None


def _check_fit(config, batch_sizes, target, lrs, max_steps):
    config = check_config(config)
    target = check_positive(target, "target", "The target training loss")
    lrs = check_lrs(lrs, 16, "fit_lrs")
    max_steps = check_whole(max_steps, "max_steps", "The most steps per batch size", 1,
                            MAX_FIT_STEPS)
    if batch_sizes is None or isinstance(batch_sizes, str | bytes) \
            or not isinstance(batch_sizes, Iterable):
        raise InputError("Give the fit's batch sizes as a list of whole numbers, e.g. 1, 4, "
                         "16.", field="fit_batch_sizes")
    sizes = list(check_fit_sizes(list(batch_sizes), _n_train(config), config.batch_norm))
    return config, sizes, target, lrs, max_steps


def _n_train(config: TrainConfig) -> int:
    return len(data.load(config.dataset, config.data_seed, config.label).y_train)


def iter_steps_to_target(config: TrainConfig, batch_sizes: Iterable[int], target: float = 0.2,
                         lrs=FIT_LRS, max_steps: int = 2000) -> Iterator[Progress | StepsFit]:
    """Generator form of :func:`steps_to_target`: Progress per run, then the fit."""
    config, sizes, target, lrs, max_steps = _check_fit(config, batch_sizes, target, lrs,
                                                       max_steps)
    steps, best_lrs = [], []
    for index, size in enumerate(sizes):
        best, best_lr = None, None
        for j, lr in enumerate(lrs):
            # A run that cannot beat the best so far stops there: the fit wants the fewest.
            found = _steps_to(config.replace(batch_size=size, lr=lr), target,
                              max_steps if best is None else best - 1)
            if found is not None:
                best, best_lr = found, lr
            yield Progress(index * len(lrs) + j + 1, len(sizes) * len(lrs),
                           message=f"batch size {size}, lr {lr:g}")
        steps.append(best)
        best_lrs.append(best_lr)
    reached = [(b, s) for b, s in zip(sizes, steps, strict=True) if s is not None]
    result = StepsFit(target, sizes, steps, best_lrs,
                      unreached=[b for b, s in zip(sizes, steps, strict=True) if s is None])
    if len(reached) >= 2:
        result.s_min, result.b_noise = fit_steps(*zip(*reached, strict=True))
    yield result


def steps_to_target(config: TrainConfig, batch_sizes: Iterable[int], target: float = 0.2,
                    lrs=FIT_LRS, max_steps: int = 2000) -> StepsFit:
    """Optimizer steps until the full training loss falls to ``target``, per batch size.

    Each batch size trains ``config`` from the start (same seed) at each rate of ``lrs``
    and keeps the fewest steps, as the paper tunes the rate per batch size; the training
    loss over the whole training set is checked after every step. The steps are fitted by
    ``S(B) = S_min (1 + B_noise / B)``, McCandlish et al.'s trade-off, whose ``B_noise``
    is comparable with :func:`noise_scale`'s ``B_simple``.

    Returns
    -------
    StepsFit
        ``.steps`` and ``.best_lrs`` per batch size (None where no rate reached the target
        within ``max_steps``), ``.s_min`` and ``.b_noise`` (NaN with fewer than two sizes).

    Raises
    ------
    InputError
        If ``config``, a batch size, ``target``, a rate or ``max_steps`` is bad.
    """
    result = None
    for result in iter_steps_to_target(config, batch_sizes, target, lrs, max_steps):  # noqa: B007
        pass
    return result


@dataclass
class NoiseStudy:
    """The noise scale as training proceeds and the steps-vs-batch-size fit, for one config."""

    readings: dict[int, NoiseReading]
    fit: StepsFit


def fit_batch_sizes(n_train: int, batch_norm: bool = False) -> list[int]:
    """Batch sizes for the fit: powers of four from 1 (2 with batch normalization) below the
    training set's size, and the whole set."""
    sizes = [4**k for k in range(8) if 4**k < n_train]
    if batch_norm:
        sizes = [2] + [b for b in sizes if b > 2]
    return sorted({*sizes, n_train})


def iter_noise_study(config: TrainConfig, epochs=EPOCHS, target: float = 0.2,
                     lrs=FIT_LRS, max_steps: int = 2000, batch_sizes: Iterable[int] | None = None,
                     ) -> Iterator[Progress | NoiseStudy]:
    """:func:`iter_noise_scale` then :func:`iter_steps_to_target` at ``batch_sizes``
    (``None``: :func:`fit_batch_sizes`), Progress over both; then a :class:`NoiseStudy`."""
    config = check_config(config)
    epochs = check_epochs(epochs)
    if batch_sizes is None:
        batch_sizes = fit_batch_sizes(_n_train(config), config.batch_norm)
    _check_fit(config, batch_sizes, target, lrs, max_steps)  # before any training
    readings = fit = None
    for item in iter_noise_scale(config, epochs):
        if isinstance(item, Progress):
            yield Progress(item.step, 2 * item.total, item.epoch, item.message)
        else:
            readings = item
    for item in iter_steps_to_target(config, batch_sizes, target, lrs, max_steps):
        if isinstance(item, Progress):
            yield Progress(item.total + item.step, 2 * item.total, message=item.message)
        else:
            fit = item
    yield NoiseStudy(readings, fit)
