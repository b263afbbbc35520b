"""Inside one BN layer: one unit's values through one minibatch, with the numbers torch used.

``nn.BatchNorm1d`` computes, per unit and over the batch,
``y = gamma * (x - mu_B) / sqrt(sigma_B^2 + eps) + beta`` in training mode and uses its
running mean and variance instead in evaluation mode. Every number here comes from
torch's own layer; the formula is filled in with the numbers it used.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from explorer.errors import InputError
from explorer.inputs import check_whole
from explorer.training.batches import last
from explorer.training.batchnorm.running import frozen_running_stats
from explorer.training.config import MAX_EPOCHS, check_config
from explorer.training.loop import TrainConfig, make_loader, prepare, run
from explorer.training.typed import check_gamma_beta


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


def _bn_positions(model: nn.Sequential) -> list[int]:
    return [i for i, m in enumerate(model) if isinstance(m, nn.BatchNorm1d)]


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
    config = check_config(config).replace(batch_norm=True)
    config.validate()
    if mode not in ("train", "eval"):
        raise InputError(f"Mode must be 'train' or 'eval'; got {mode!r}.", field="mode")
    train_epochs = check_whole(train_epochs, "train_epochs", "The training epochs", 0, MAX_EPOCHS)
    if model is not None and not isinstance(model, nn.Sequential):
        raise InputError("model must be a network built for this config (an nn.Sequential).",
                         field="model")
    if model is None:
        config = config.replace(hidden=tuple(config.hidden))  # hashable, for the cache
    source = model if model is not None else _trained_model(config, train_epochs)
    positions = _bn_positions(source)
    if not (isinstance(layer, int) and not isinstance(layer, bool)
            and 0 <= layer < len(positions)):
        raise InputError(f"Layer must be from 0 to {len(positions) - 1}; got {layer!r}.",
                         field="layer")
    width = source[positions[layer]].num_features
    if not (isinstance(unit, int) and not isinstance(unit, bool) and 0 <= unit < width):
        raise InputError(f"Unit must be from 0 to {width - 1}; got {unit!r}.", field="unit")
    net = copy.deepcopy(source)  # the caller's model and running statistics stay untouched
    bn = net[positions[layer]]
    with torch.no_grad():
        if gamma is not None:
            bn.weight[unit] = check_gamma_beta(gamma, "gamma")
        if beta is not None:
            bn.bias[unit] = check_gamma_beta(beta, "beta")
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
