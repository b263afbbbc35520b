"""Batch normalization experiments: on vs off, inside one BN layer, activations over training.

``nn.BatchNorm1d`` computes, per unit and over the batch,
``y = gamma * (x - mu_B) / sqrt(sigma_B^2 + eps) + beta`` in training mode and uses its
running mean and variance instead in evaluation mode. Every number here comes from
torch's own layer; the formula is filled in with the numbers it used.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from explorer.errors import InputError
from explorer.training.batches import iter_runs, last
from explorer.training.loop import (
    EpochRecord,
    Progress,
    TrainConfig,
    make_loader,
    prepare,
    run,
)


def deep_sigmoid_config() -> TrainConfig:
    """A 6-layer sigmoid network on the digits where plain SGD barely moves in a few epochs
    (vanishing gradients, Ioffe & Szegedy 2015) and the same network with BN learns."""
    return TrainConfig(dataset="digits", hidden=(32,) * 6, activation="sigmoid", batch_norm=False,
                       batch_size=32, optimizer="SGD", lr=0.1, epochs=3)


def percentiles_demo_config() -> TrainConfig:
    """Ioffe & Szegedy's figure 1 set-up, scaled down: 3 sigmoid layers of 100 on the digits.

    Without BN the last layer's sigmoid inputs drift steadily over 5 epochs; with BN they
    stay centred with a steady spread.
    """
    return TrainConfig(dataset="digits", hidden=(100, 100, 100), activation="sigmoid",
                       batch_size=32, optimizer="SGD", lr=0.5, epochs=5)


def iter_compare_batch_norm(config: TrainConfig, lrs: Iterable[float]) -> Iterator[Progress | dict]:
    """Generator form of :func:`compare_batch_norm`."""
    lrs = list(dict.fromkeys(lrs))
    if not lrs:
        raise InputError("Give at least one learning rate, e.g. 0.01, 0.1, 1.", field="lrs")
    configs = {(bn, lr): config.replace(batch_norm=bn, lr=lr) for lr in lrs for bn in (False, True)}
    for config_ in configs.values():
        try:
            config_.validate()
        except InputError as exc:
            raise InputError(str(exc), field="lrs" if exc.field == "lr" else exc.field) from None
    yield from iter_runs(configs)


def compare_batch_norm(config: TrainConfig, lrs: Iterable[float],
                       ) -> dict[tuple[bool, float], list[EpochRecord]]:
    """Train ``config`` with batch normalization off and on at each learning rate.

    Returns
    -------
    dict
        ``(batch_norm, lr) -> [EpochRecord, ...]``. With :func:`deep_sigmoid_config` the
        runs without BN stay near chance while those with BN learn.
    """
    return last(iter_compare_batch_norm(config, lrs))


@dataclass(frozen=True)
class BNInside:
    """One minibatch through one ``BatchNorm1d`` layer, for one unit.

    ``pre`` are the unit's inputs (the preceding ``Linear``'s outputs), ``normalised`` are
    ``(x - mean) / sqrt(var + eps)``, ``output`` is ``gamma * normalised + beta`` — all computed
    by the torch layer. ``mean``/``var`` are what the mode used: ``mu_B``/``sigma2_B`` (the
    batch's, variance without Bessel's correction) in ``"train"`` mode, the running estimates in
    ``"eval"`` mode. ``unit_means``/``unit_vars`` are every unit's mean and variance of
    ``normalised`` over the batch.
    """

    mode: str
    layer: int
    unit: int
    labels: np.ndarray
    pre: np.ndarray
    normalised: np.ndarray
    output: np.ndarray
    mu_B: float
    sigma2_B: float
    running_mean: float
    running_var: float
    mean: float
    var: float
    eps: float
    gamma: float
    beta: float
    unit_means: np.ndarray
    unit_vars: np.ndarray
    formula: str
    example: str


@contextmanager
def frozen_running_stats(model: nn.Module):
    """Let BN layers run in training mode without moving their running statistics."""
    layers = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [(m.momentum, m.num_batches_tracked.clone()) for m in layers]
    for m in layers:
        m.momentum = 0.0  # running = (1 - 0) * running + 0 * batch
    try:
        yield
    finally:
        for m, (momentum, tracked) in zip(layers, saved, strict=True):
            m.momentum = momentum
            m.num_batches_tracked.copy_(tracked)


def _bn_positions(model: nn.Sequential) -> list[int]:
    return [i for i, m in enumerate(model) if isinstance(m, nn.BatchNorm1d)]


def _check_number(value, field: str) -> float:
    if isinstance(value, bool) or not (isinstance(value, int | float) and math.isfinite(value)):
        raise InputError(f"{field} must be a finite number; got {value!r}.", field=field)
    return float(value)


@lru_cache(maxsize=4)
def _trained_model(config: TrainConfig, train_epochs: int) -> nn.Sequential:
    # Cached: editing gamma, beta, the unit or the mode reuses the trained network
    # (bn_inside works on a copy, so the cached one never changes).
    session = prepare(config.replace(epochs=max(train_epochs, 1)))
    if train_epochs > 0:
        last(run(session.config, session=session))
    return session.model


def bn_inside(config: TrainConfig, unit: int = 0, gamma: float | None = None,
              beta: float | None = None, mode: str = "train", layer: int = 0,
              model: nn.Sequential | None = None, train_epochs: int = 1) -> BNInside:
    """Follow one unit of one BN layer through one minibatch (the first of the epoch).

    Parameters
    ----------
    config
        The network and data; batch normalization is switched on if it is off.
    unit, layer
        Which unit of which BN layer (0 = after the first hidden ``Linear``).
    gamma, beta
        Values to try for that unit's scale and shift (default: the layer's own).
    mode
        ``"train"`` (batch statistics) or ``"eval"`` (running statistics).
    model
        A network built for ``config`` (e.g. ``EpochRecord.model``); default: a fresh one
        trained for ``train_epochs`` epochs so its running statistics mean something.

    Raises
    ------
    InputError
        For a bad config, unit, layer, mode, gamma or beta.
    """
    config = config.replace(batch_norm=True)
    config.validate()
    if mode not in ("train", "eval"):
        raise InputError(f"Mode must be 'train' or 'eval'; got {mode!r}.", field="mode")
    if model is None:
        config = config.replace(hidden=tuple(config.hidden))  # hashable, for the cache
    source = model if model is not None else _trained_model(config, train_epochs)
    positions = _bn_positions(source)
    if not (isinstance(layer, int) and 0 <= layer < len(positions)):
        raise InputError(f"Layer must be from 0 to {len(positions) - 1}; got {layer!r}.",
                         field="layer")
    width = source[positions[layer]].num_features
    if not (isinstance(unit, int) and not isinstance(unit, bool) and 0 <= unit < width):
        raise InputError(f"Unit must be from 0 to {width - 1}; got {unit!r}.", field="unit")
    net = copy.deepcopy(source)  # the caller's model and running statistics stay untouched
    bn = net[positions[layer]]
    with torch.no_grad():
        if gamma is not None:
            bn.weight[unit] = _check_number(gamma, "gamma")
        if beta is not None:
            bn.bias[unit] = _check_number(beta, "beta")
    xb, yb = _first_batch(config, next(net.parameters()).device)
    return _follow_unit(net, positions[layer], layer, unit, mode, xb, yb)


def _first_batch(config: TrainConfig, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    split = prepare(config).data
    loader = make_loader(split.x_train, split.y_train, config.batch_size, config.shuffle,
                         config.seed)
    xb, yb = next(iter(loader))
    return xb.to(device), yb


def _follow_unit(net: nn.Sequential, position: int, layer: int, unit: int, mode: str,
                 xb: torch.Tensor, yb: torch.Tensor) -> BNInside:
    bn = net[position]
    plain = copy.deepcopy(bn)  # gamma = 1, beta = 0: the normalised values alone
    with torch.no_grad():
        plain.weight.fill_(1.0)
        plain.bias.zero_()
        net.train(mode == "train")
        plain.train(mode == "train")
        with frozen_running_stats(net), frozen_running_stats(plain):
            pre = net[:position](xb)
            normalised, output = plain(pre), bn(pre)
    mu, var = pre.mean(dim=0), pre.var(dim=0, unbiased=False)
    stats = {"mu_B": mu[unit].item(), "sigma2_B": var[unit].item(),
             "running_mean": bn.running_mean[unit].item(),
             "running_var": bn.running_var[unit].item()}
    used = (stats["mu_B"], stats["sigma2_B"]) if mode == "train" else (
        stats["running_mean"], stats["running_var"])
    gamma, beta = bn.weight[unit].item(), bn.bias[unit].item()
    column = pre[:, unit].cpu().numpy()
    formula, example = _formulas(mode, used, bn.eps, gamma, beta, float(column[0]),
                                 float(output[0, unit]))
    return BNInside(mode, layer, unit, yb.cpu().numpy(), column, normalised[:, unit].cpu().numpy(),
                    output[:, unit].cpu().numpy(), **stats, mean=used[0], var=used[1], eps=bn.eps,
                    gamma=gamma, beta=beta, unit_means=normalised.mean(dim=0).cpu().numpy(),
                    unit_vars=normalised.var(dim=0, unbiased=False).cpu().numpy(),
                    formula=formula, example=example)


def _formulas(mode: str, used: tuple[float, float], eps: float, gamma: float, beta: float,
              x1: float, y1: float) -> tuple[str, str]:
    mean_name, var_name = ("μ_B", "σ_B²") if mode == "train" else ("running mean", "running var")
    mean, var = used
    general = f"y = γ · (x − {mean_name}) / √({var_name} + ε) + β"
    scale = (f"{_number(gamma)} · ({{x}} − {_operand(mean)}) / √({_number(var)} + {eps:g}) "
             f"+ {_operand(beta)}")
    filled = "y = " + scale.format(x="x")
    example = f"first sample: {scale.format(x=_operand(x1))} = {_number(y1)}"
    return f"{general}\n{filled}", example


def _number(value: float) -> str:
    """A value with 4 significant digits and a real minus sign."""
    return f"{value:.4g}".replace("-", "−")


def _operand(value: float) -> str:
    """A value written after an operator: negative ones in brackets, ``− (−0.23)``."""
    return f"({_number(value)})" if value < 0 else _number(value)


class ActivationPercentiles(dict):
    """``batch_norm -> array (len(steps) × len(percentiles))`` of a sigmoid's input over training.

    Attributes ``steps`` (the optimizer step of each row) and ``percentiles``.
    """

    def __init__(self, values: dict, steps: list[int], percentiles: tuple[float, ...]):
        super().__init__(values)
        self.steps, self.percentiles = np.asarray(steps), tuple(percentiles)


def iter_activation_percentiles(config: TrainConfig, layer: int = -1,
                                percentiles: tuple[float, ...] = (15, 50, 85), unit: int = 0,
                                points: int = 50) -> Iterator[Progress | ActivationPercentiles]:
    """Generator form of :func:`activation_percentiles`."""
    config.validate()
    if not percentiles or not all(isinstance(p, int | float) and 0 <= p <= 100
                                  for p in percentiles):
        raise InputError("Percentiles must be numbers from 0 to 100, e.g. 15, 50, 85.",
                         field="percentiles")
    n_hidden = len(config.hidden)
    if not (isinstance(layer, int) and -n_hidden <= layer < n_hidden):
        raise InputError(f"Layer must be from {-n_hidden} to {n_hidden - 1}.", field="layer")
    if not (isinstance(unit, int) and 0 <= unit < config.hidden[layer]):
        raise InputError(f"Unit must be from 0 to {config.hidden[layer] - 1}.", field="unit")
    results, steps = {}, []
    for index, bn in enumerate((False, True)):
        rows, steps = [], []
        for item in _track_unit(config.replace(batch_norm=bn), layer, unit, percentiles, points):
            if isinstance(item, Progress):
                yield Progress(index * item.total + item.step, 2 * item.total,
                               message=f"BN {'on' if bn else 'off'}")
            else:
                steps.append(item[0])
                rows.append(item[1])
        results[bn] = np.array(rows)
    yield ActivationPercentiles(results, steps, percentiles)


def _track_unit(config: TrainConfig, layer: int, unit: int, percentiles, points: int):
    """Yield ``(step, [percentile values])`` before training and every few steps, and Progress."""
    session = prepare(config)
    model = session.model
    activation = [m for m in model if isinstance(m, nn.ReLU | nn.Sigmoid | nn.Tanh)][layer]
    seen: list[torch.Tensor] = []
    hook = activation.register_forward_hook(lambda _m, inputs, _out: seen.append(inputs[0]))
    q = torch.tensor(percentiles, dtype=torch.float32, device=session.device) / 100
    every = max(1, config.epochs * len(session.loader) // points)

    def measure() -> list[float]:
        seen.clear()
        with torch.no_grad(), frozen_running_stats(model):
            model(session.data.x_train)  # training mode: BN uses the probe's own statistics
        values = torch.quantile(seen[-1][:, unit], q).tolist()
        seen.clear()
        return values

    try:
        yield 0, measure()
        for item in run(config, progress=True, progress_every=every, session=session):
            if isinstance(item, Progress):
                yield item.step, measure()
                yield item
            seen.clear()  # the hook also saw the training steps' forward passes
    finally:
        hook.remove()


def activation_percentiles(config: TrainConfig, layer: int = -1,
                           percentiles: tuple[float, ...] = (15, 50, 85), unit: int = 0,
                           points: int = 50) -> ActivationPercentiles:
    """Percentiles of one unit's input to its activation over training, without and with BN.

    Ioffe & Szegedy (2015), figure 1: without BN the distribution of a sigmoid's input
    drifts as the layers before it change; with BN it stays put. The whole training part
    is passed through the network (in training mode, running statistics untouched) at
    about ``points`` moments of training.

    Returns
    -------
    ActivationPercentiles
        ``{False: array, True: array}``, each ``len(steps) × len(percentiles)``, with ``.steps``.
    """
    return last(iter_activation_percentiles(config, layer, percentiles, unit, points))
