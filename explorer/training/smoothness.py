"""Batch normalization smooths the loss landscape (Santurkar et al., NeurIPS 2018, fig. 4).

At every measured training step, take the minibatch's gradient ``g`` and look along it: at
each step size ``η`` of a range, (a) the loss ``L(w - η g)`` on the same minibatch, (b) how
far the gradient there is from ``g``, ``‖∇L(w - η g) - g‖``, and (c) the effective
β-smoothness, the largest ``‖∇L(w - η g) - g‖ / ‖η g‖`` over the range. BN stays in training
mode for the probes, as in the paper (batch statistics of the probe minibatch); its running
statistics do not learn from them. With batch normalization the bands of (a) and (b) are much
narrower than without: the landscape is smoother and the gradient more predictive, the
paper's explanation of why BN helps (rather than "internal covariate shift").

The comparison only means something between two networks that both train: a network that
does not move has a trivially flat landscape. The default here is the BN experiment's deep
network (digits, 6 hidden layers of 32, batch 32, SGD at rate 0.1, the same for both) with
ReLU and He initialization (``nn.init.kaiming_normal_``, as VGG's), looked along at 0.5-4 times
the rate (η from 0.05 to 0.4, the paper's cap of 0.4). Measured over 200 steps, every 10th
(BN off / on, seeds 0, 1, 2): mean loss range 0.74 / 0.14, 1.41 / 0.19, 1.66 / 0.17; mean
largest gradient change 6.4 / 2.9, 9.2 / 2.5, 10.0 / 2.5; both train (from ln 10 = 2.30 to a
minibatch loss over the last 10 steps of 0.22 / 0.31, 0.11 / 0.38, 0.14 / 0.24). The
effective β-smoothness is about the same (15.0 / 15.4, 16.3 / 12.8, 17.5 / 14.1). At rate
0.2 (same multiples) the loss bands are 16-26 times narrower with BN, the gradient bands
4-6 times, and β lower too (9.4 / 8.0, 9.5 / 7.9, 10.0 / 8.1); at rate 0.05, 1.6-3.8 and
1.7-3.5 times narrower.

What does not reproduce it: torch's default initialization. The same ReLU network without BN
then does not train in 200 steps (training loss stays 2.30 = ln 10), so its bands are
trivially narrow (loss range 0.014 / 0.13, gradient change 0.024 / 3.8, seed 0); likewise the
BN tab's deep sigmoid network (0.076 / 0.14 and 0.20 / 1.55; without BN its gradients
vanish). ``init="torch"`` shows that case.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.func import functional_call, grad_and_value

from explorer.errors import InputError
from explorer.inputs import MAX_LAYERS, MAX_WIDTH, check_lrs, check_name, check_whole, parse_lrs
from explorer.training.config import TrainConfig, check_config
from explorer.training.loop import Progress, Session, prepare, train_step

STEP_MULTIPLES = (0.5, 1.0, 2.0, 4.0)
"""The step sizes looked along, as multiples of the training rate (0.05-0.4 at rate 0.1)."""
MAX_STEP_SIZES = 16
"""The most step sizes one band spans."""

INITS = ("he", "torch")
"""The initializations: He's (``kaiming_normal_``, zero biases) or torch's default."""


def smoothness_config(depth: int = 6, width: int = 32) -> TrainConfig:
    """The BN experiment's deep network (digits, ``depth`` hidden layers of ``width``, batch 32,
    SGD at 0.1) with ReLU; not validated (:func:`check_network`)."""
    from explorer.training.batchnorm import deep_sigmoid_config

    return deep_sigmoid_config().replace(activation="relu", hidden=(width,) * depth)


STEP_SIZES = tuple(m * smoothness_config().lr for m in STEP_MULTIPLES)
"""The default step sizes η: :data:`STEP_MULTIPLES` of the network's rate, 0.05 to 0.4."""


def check_network(depth: object, width: object, fields=("depth", "width")) -> TrainConfig:
    """:func:`smoothness_config` of ``depth`` layers of ``width`` units, checked (a whole
    number of layers up to ``MAX_LAYERS``, of units up to ``MAX_WIDTH``, and at most
    ``MAX_PARAMETERS`` in all); else InputError naming ``fields[0]`` or ``fields[1]``."""
    depth = check_whole(depth, fields[0], "The number of hidden layers", 1, MAX_LAYERS)
    width = check_whole(width, fields[1], "The width of each hidden layer", 1, MAX_WIDTH)
    try:
        return check_config(smoothness_config(depth, width))
    except InputError as error:  # too many weights in all: the width is what to change
        raise InputError(str(error), field=fields[1]) from None


def parse_step_sizes(text: str, field: str = "step_sizes") -> tuple[float, ...]:
    """The step sizes η looked along, typed as ``"0.05, 0.1, 0.2, 0.4"``."""
    return check_step_sizes(parse_lrs(text, MAX_STEP_SIZES, field), field)


def check_step_sizes(sizes: object, field: str = "step_sizes") -> tuple[float, ...]:
    """Step sizes η as a scene or a call holds them: 2 to ``MAX_STEP_SIZES`` different
    positive rates (a band spans two or more), sorted."""
    values = tuple(sorted(set(check_lrs(sizes, MAX_STEP_SIZES, field))))
    if len(values) < 2:
        raise InputError("A band spans two step sizes or more: type at least two, e.g. 0.05, "
                         "0.4.", field=field)
    return values


def he_initialize(model: nn.Module, seed: int) -> None:
    """He initialization of every ``nn.Linear`` (``kaiming_normal_`` for ReLU, zero bias),
    drawn from a generator seeded with ``seed`` (torch's global one is left alone)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Linear):
                weight = torch.empty(module.weight.shape)
                nn.init.kaiming_normal_(weight, nonlinearity="relu", generator=generator)
                module.weight.copy_(weight)
                nn.init.zeros_(module.bias)


@dataclass
class SmoothnessRun:
    """One network (BN on or off): at each measured step, the bands of loss and gradient
    change over the step sizes and the effective β-smoothness."""

    batch_norm: bool
    steps: list[int] = field(default_factory=list)
    loss_low: list[float] = field(default_factory=list)
    loss_high: list[float] = field(default_factory=list)
    grad_low: list[float] = field(default_factory=list)
    grad_high: list[float] = field(default_factory=list)
    beta: list[float] = field(default_factory=list)
    final_loss: float = math.nan
    """The training loss of the last minibatch steps (mean of the last ``every``)."""

    def mean_loss_range(self) -> float:
        return _mean([h - lo for lo, h in zip(self.loss_low, self.loss_high, strict=True)])

    def mean_grad_change(self) -> float:
        return _mean(self.grad_high)

    def mean_beta(self) -> float:
        return _mean(self.beta)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def landscape_along_gradient(session: Session, xb: torch.Tensor, yb: torch.Tensor,
                             step_sizes: Iterable[float],
                             ) -> tuple[list[float], list[float], float]:
    """Loss and gradient change at ``w - η g`` for each ``η`` (``g``: the batch's gradient at
    the current weights ``w``), and ``‖g‖``; the model, its running statistics included, is
    unchanged. BN runs in the model's mode (training mode during training)."""
    model = session.model
    params = {k: p.detach() for k, p in model.named_parameters()}
    buffers = {k: b.detach() for k, b in model.named_buffers()}

    def loss(p):
        # A copy of the buffers: BN's running statistics must not learn from the probes.
        copies = {k: b.clone() for k, b in buffers.items()}
        return session.loss_fn(functional_call(model, (p, copies), (xb,)), yb)

    value_and_grad = grad_and_value(loss)
    g, _ = value_and_grad(params)
    losses, changes = [], []
    for eta in step_sizes:
        moved = {k: p - eta * g[k] for k, p in params.items()}
        g_eta, value = value_and_grad(moved)
        losses.append(value.item())
        changes.append(torch.sqrt(sum((g_eta[k] - g[k]).pow(2).sum() for k in g)).item())
    g_norm = torch.sqrt(sum(v.pow(2).sum() for v in g.values())).item()
    return losses, changes, g_norm


def smoothness_verdict(runs: dict[bool, SmoothnessRun], n_classes: int = 10) -> str:
    """What the measured bands say, in words: narrower with BN (as in the paper), not, or not
    comparable because the network without BN did not learn (its final loss is still above
    0.9 ln ``n_classes``, about a uniform guess)."""
    off, on = runs[False], runs[True]
    if not off.final_loss < 0.9 * math.log(n_classes):
        return ("the network without BN does not train here, so its landscape is trivially "
                "flat: the comparison needs two networks that learn")
    if on.mean_loss_range() < off.mean_loss_range() and \
            on.mean_grad_change() < off.mean_grad_change():
        return "both bands narrower with BN, as in the paper"
    return "the bands are not narrower with BN here, unlike the paper"


def _run(config: TrainConfig, batch_norm: bool, steps: int, every: int, sizes, init: str,
         ) -> Iterator[SmoothnessRun]:
    session = prepare(config.replace(batch_norm=batch_norm))
    if init == "he":
        he_initialize(session.model, config.seed)
    run = SmoothnessRun(batch_norm)
    recent: list[torch.Tensor] = []
    step = 0
    while step < steps:
        for xb, yb in session.loader:
            if step % every == 0:
                losses, changes, g_norm = landscape_along_gradient(session, xb, yb, sizes)
                run.steps.append(step)
                run.loss_low.append(min(losses))
                run.loss_high.append(max(losses))
                run.grad_low.append(min(changes))
                run.grad_high.append(max(changes))
                run.beta.append(max(c / (eta * g_norm) if g_norm > 0 else 0.0
                                    for c, eta in zip(changes, sizes, strict=True)))
            recent = [*recent, train_step(session, xb, yb)][-every:]
            step += 1
            if step % every == 0:
                yield run
            if step >= steps:
                break
    run.final_loss = torch.stack(recent).mean().item()
    yield run


def iter_bn_smoothness(config: TrainConfig | None = None, steps: int = 200, every: int = 10,
                       multiples=STEP_MULTIPLES, init: str = "he", step_sizes=None,
                       ) -> Iterator[Progress | dict[bool, SmoothnessRun]]:
    """Generator form of :func:`bn_smoothness`: Progress at each measured step, then the result."""
    config = check_config(config or smoothness_config())
    steps = check_whole(steps, "steps", "The training steps", 1, 100_000)
    every = check_whole(every, "every", "Measure every", 1, steps)
    if step_sizes is None:
        multiples = check_step_sizes(multiples, "multiples")
        step_sizes = [m * config.lr for m in multiples]
    sizes = check_step_sizes(step_sizes)
    init = check_name(init, INITS, "init", "initialization")
    runs: dict[bool, SmoothnessRun] = {}
    measures = -(-steps // every)
    for index, batch_norm in enumerate((False, True)):
        for run in _run(config, batch_norm, steps, every, sizes, init):
            runs[batch_norm] = run
            yield Progress(index * measures + min(len(run.steps), measures), 2 * measures,
                           message=f"BN {'on' if batch_norm else 'off'}")
    yield runs


def bn_smoothness(config: TrainConfig | None = None, steps: int = 200, every: int = 10,
                  multiples=STEP_MULTIPLES, init: str = "he", step_sizes=None,
                  ) -> dict[bool, SmoothnessRun]:
    """The loss, the gradient change and the effective β-smoothness along the gradient, with
    and without batch normalization (Santurkar et al. 2018, fig. 4).

    Parameters
    ----------
    config
        The network and training (default: :func:`smoothness_config`, the BN experiment's
        deep network with ReLU); trained with ``batch_norm`` off and on from the same seed
        at the same rate.
    steps, every
        Train ``steps`` optimizer steps; measure before every ``every``-th.
    multiples
        The step sizes looked along, as multiples of ``config.lr`` (two or more).
    step_sizes
        The step sizes η themselves (two or more), instead of ``multiples``.
    init
        ``"he"``: He initialization of the linear layers (:func:`he_initialize`, seeded by
        ``config.seed``), with which the network without BN trains too; ``"torch"``: torch's
        default, with which the deep network without BN does not train (a flat landscape).

    Returns
    -------
    dict
        ``False`` / ``True`` (BN off / on) -> :class:`SmoothnessRun` with, per measured step,
        the lowest and highest loss and gradient change over the step sizes, the effective
        β-smoothness, and the training loss at the end.

    Raises
    ------
    InputError
        If ``config``, ``steps``, ``every``, a multiple, a step size or ``init`` is bad.
    """
    result = None
    for result in iter_bn_smoothness(config, steps, every, multiples,  # noqa: B007
                                     init, step_sizes):
        pass
    return result
