"""Edge of stability (Cohen et al., ICLR 2021): full-batch gradient descent on a small network.

The sharpness (the largest eigenvalue of the training loss's Hessian) rises while the network
trains until it reaches ``2/η``, the largest curvature plain gradient descent with step ``η``
can follow on a quadratic, and then hovers there while the loss keeps falling, not
monotonically. The set-up is the paper's fig. 1 in small: a 2-64-64-1 tanh MLP regressing
512 points with the square loss ``½ (f - y)²`` (half of ``MSELoss``). The sharpness is
found by power iteration on Hessian-vector products (``torch.func.vjp`` of
``torch.func.grad``), warm-started from the last estimate.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.func import functional_call, grad, vjp

from explorer.devices import resolve
from explorer.errors import InputError
from explorer.inputs import MAX_STEPS, check_lrs, check_seed, check_steps, check_whole

N_POINTS = 512
WIDTH = 64
POWER_ITERATIONS = 20
MAX_RATES = 8
"""The most learning rates of one run (each is a separate training)."""


@dataclass
class StabilityRecord:
    """One learning rate's run: the logged step numbers and, at each, sharpness and loss."""

    lr: float
    steps: list[int] = field(default_factory=list)
    sharpness: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    diverged_at: int | None = None

    @property
    def threshold(self) -> float:
        """``2/η``: the sharpness at which gradient descent stops being stable."""
        return 2.0 / self.lr

    def to_dict(self) -> dict:
        return {"lr": self.lr, "steps": self.steps, "sharpness": self.sharpness,
                "loss": self.loss, "diverged_at": self.diverged_at}


@dataclass(frozen=True)
class StabilityProgress:
    """How far the run is: ``step`` of ``total`` steps over all rates, and the partial records."""

    step: int
    total: int
    records: dict = field(repr=False, default_factory=dict)
    message: str = ""

    @property
    def fraction(self) -> float:
        return self.step / self.total if self.total else 1.0


def problem(seed: int = 0, device: torch.device | None = None):
    """The data and the fresh network: 512 points in 2-D with a smooth target, and the MLP.

    Returns ``(x, y, model)``; ``seed`` fixes the points and the initial weights.
    """
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(N_POINTS, 2, generator=generator)
    y = (torch.sin(2.0 * x[:, :1]) * torch.cos(1.5 * x[:, 1:]) + 0.5 * x[:, :1]).contiguous()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(2, WIDTH), nn.Tanh(), nn.Linear(WIDTH, WIDTH), nn.Tanh(),
                              nn.Linear(WIDTH, 1))
    device = device or torch.device("cpu")
    return x.to(device), y.to(device), model.to(device)


def loss_of(model: nn.Module, x: torch.Tensor, y: torch.Tensor):
    """The training loss as a function of a parameter dict (for ``torch.func``)."""
    def loss(params: dict) -> torch.Tensor:
        return half_mse(functional_call(model, params, (x,)), y)
    return loss


def half_mse(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The paper's square loss, ``½ (f - y)²`` averaged: half of ``MSELoss``."""
    return 0.5 * nn.functional.mse_loss(prediction, target)


def hvp(loss, params: dict, vector: dict) -> dict:
    """The Hessian of ``loss`` at ``params`` times ``vector`` (reverse-over-reverse: the
    Hessian is symmetric, so the vector-Jacobian product of the gradient is ``H v``)."""
    return vjp(grad(loss), params)[1](vector)[0]


def sharpness(loss, params: dict, start: dict | None = None, iterations: int = POWER_ITERATIONS,
              generator: torch.Generator | None = None) -> tuple[float, dict]:
    """The largest-magnitude Hessian eigenvalue of ``loss`` at ``params``, by power iteration.

    Returns the eigenvalue (the Rayleigh quotient of the last vector) and the unit vector,
    to warm-start the next call with ``start``.
    """
    if start is None:
        start = {k: torch.randn(p.shape, generator=generator).to(p) for k, p in params.items()}
    vector = _normalised(start)
    value = 0.0
    for _ in range(iterations):
        product = hvp(loss, params, vector)
        value = sum((product[k] * vector[k]).sum() for k in vector).item()
        vector = _normalised(product)
    return value, vector


def _normalised(vector: dict) -> dict:
    norm = torch.sqrt(sum(v.pow(2).sum() for v in vector.values()))
    return {k: v / norm for k, v in vector.items()}


def check_settings(lrs, steps, seed=0, every=50, prefix: str = ""):
    """The run's rates, step count, seed and logging interval, checked; the one rule for the
    tab's controls, a saved scene (``prefix`` ``"stability_"`` names its fields) and the run.

    Returns ``(lrs, steps, seed, every)``; raises InputError naming the bad field.
    """
    lrs = check_lrs(lrs, MAX_RATES, f"{prefix}lrs")
    steps = check_steps(steps, f"{prefix}steps")
    seed = check_seed(seed, f"{prefix}seed")
    every = check_whole(every, f"{prefix}every", "Measure the sharpness every", 1, MAX_STEPS)
    if every > steps:
        raise InputError(f"Measure the sharpness at most every {steps} steps (the run's "
                         f"length); got every {every}.", field=f"{prefix}every")
    return lrs, steps, seed, every


def iter_edge_of_stability(lrs=(0.1, 0.2, 0.4), steps: int = 3000, seed: int = 0,
                           every: int = 50, device=None,
                           ) -> Iterator[StabilityProgress | dict[float, StabilityRecord]]:
    """Generator form of :func:`edge_of_stability`: a :class:`StabilityProgress` at every
    logged step, then the result."""
    lrs, steps, seed, every = check_settings(lrs, steps, seed, every)
    device = resolve(device)
    records = {lr: StabilityRecord(lr) for lr in lrs}
    total = len(lrs) * steps
    for index, lr in enumerate(lrs):
        for step in _train(records[lr], steps, seed, every, device):
            yield StabilityProgress(index * steps + step, total, records, f"η = {lr:g}")
    yield records


def _train(record: StabilityRecord, steps: int, seed: int, every: int, device) -> Iterator[int]:
    """Full-batch gradient descent at ``record.lr``, filling ``record``; yields each logged step."""
    x, y, model = problem(seed, device)
    optimizer = torch.optim.SGD(model.parameters(), lr=record.lr)
    loss = loss_of(model, x, y)
    vector = None
    generator = torch.Generator().manual_seed(seed)
    for step in range(steps + 1):
        optimizer.zero_grad()
        value = half_mse(model(x), y)
        if step % every == 0 or step == steps:
            params = {k: p.detach() for k, p in model.named_parameters()}
            top, vector = sharpness(loss, params, vector, generator=generator)
            record.steps.append(step)
            record.sharpness.append(top)
            record.loss.append(value.item())
            if not (math.isfinite(record.loss[-1]) and math.isfinite(top)):
                record.diverged_at = step
                yield step
                return
            yield step
        if step < steps:  # a plain module step: torch.func's grad costs ~10x more per step
            value.backward()
            optimizer.step()


def edge_of_stability(lrs=(0.1, 0.2, 0.4), steps: int = 3000, seed: int = 0, every: int = 50,
                      device=None) -> dict[float, StabilityRecord]:
    """Train the same network by full-batch gradient descent at each rate, logging sharpness.

    Parameters
    ----------
    lrs
        Learning rates ``η`` (1 to 8), each a separate run from the same initial weights.
    steps
        Gradient-descent steps per rate.
    seed
        Fixes the 512 points, the initial weights and the power iteration's first vector.
    every
        Log the loss and measure the sharpness (20 Hessian-vector products) every ``every``
        steps, and at the last.
    device
        Where to compute (``None``: the CPU).

    Returns
    -------
    dict
        Learning rate -> :class:`StabilityRecord` with ``.steps``, ``.sharpness``, ``.loss``
        (one value per logged step), ``.threshold`` (``2/η``) and ``.diverged_at`` (the
        logged step whose loss was not finite, else None).

    Raises
    ------
    InputError
        If a rate, the step count, the seed or ``every`` is bad.
    """
    result = None
    for result in iter_edge_of_stability(lrs, steps, seed, every, device):  # noqa: B007
        pass
    return result
