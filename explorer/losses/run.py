"""Running one loss through torch: the result types, the call, the gradients.

Shared by :mod:`explorer.losses` (single losses) and
:mod:`explorer.losses.composite` (weighted sums).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import torch

from explorer.errors import InputError
from explorer.losses import adapters, own
from explorer.losses.catalog import ORDER, SPECS
from explorer.losses.custom import CUSTOM
from explorer.losses.pitfalls import Pitfall
from explorer.losses.specs import LossSpec

COMPOSITE = "Composite"


@dataclass
class TermResult:
    """One term of a Composite loss: its loss, its weight and its own value."""

    loss: str
    weight: float
    value: torch.Tensor


@dataclass
class LossResult:
    """What one evaluation produced.

    Attributes
    ----------
    value
        The loss: 0-d, or per element / per sample with ``reduction="none"``.
    grads
        Input name -> gradient of the loss (of its sum, for ``"none"``), for
        every input that takes one.
    code
        Standalone Python that prints the same value.
    output
        Exactly what that code prints, e.g. ``"output:  tensor(1.2850, grad_fn=<...>)"``.
    warnings
        The pitfalls' messages.
    pitfalls
        Likely mistakes in the inputs or settings, each with a fix.
    terms
        For Composite, each term's loss, weight and value; else empty.
    """

    value: torch.Tensor
    grads: dict[str, torch.Tensor]
    code: str
    output: str
    warnings: list[str] = field(default_factory=list)
    pitfalls: list[Pitfall] = field(default_factory=list)
    terms: list[TermResult] = field(default_factory=list)


def spec(name: str) -> LossSpec:
    """The :class:`LossSpec` of ``name``; InputError for an unknown name."""
    try:
        return SPECS[name]
    except (KeyError, TypeError):
        raise InputError(f"there is no loss '{name}'; choose one of {', '.join(ORDER)}.",
                         field="loss") from None


def compatible(a: str, b: str) -> bool:
    """Whether losses ``a`` and ``b`` take the same inputs (so they can be summed)."""
    def signature(name):
        return [(s.name, s.shape, s.dtype) for s in spec(name).inputs]
    return signature(a) == signature(b)


def leaves(loss: LossSpec, inputs: dict, device: torch.device) -> dict[str, torch.Tensor]:
    leaves = {}
    for s in loss.inputs:
        t = torch.as_tensor(inputs[s.name]).detach().to(device).clone()
        if s.dtype == "long":
            t = t.long()
        leaves[s.name] = t.requires_grad_(s.requires_grad)
    return leaves


def call(loss: LossSpec, leaves: dict, reduction: str, options: dict) -> torch.Tensor:
    """Run the loss itself (the same call the snippet makes)."""
    floats = next(t for t in leaves.values() if t.is_floating_point())
    kwargs = {}
    for key, value in adapters.torch_kwargs(loss.name, options).items():
        kwargs[key] = (torch.tensor(value, dtype=floats.dtype, device=floats.device)
                       if isinstance(value, list) else value)
    args = [leaves[s.name] for s in loss.inputs]
    if loss.name in CUSTOM:
        return CUSTOM[loss.name](*args, reduction=reduction, **kwargs)
    if loss.name == own.NAME:
        return own.own_loss(*args, reduction=reduction, **kwargs)
    with warnings.catch_warnings():
        # KLDivLoss warns about reduction='mean' on every call; the pitfall says it once, plainly.
        warnings.filterwarnings("ignore", "reduction: 'mean' divides", UserWarning)
        module = getattr(torch.nn, loss.name)(reduction=reduction, **kwargs)
        return module(*adapters.torch_args(loss.name, args))


def safe_call(loss, leaves, reduction, options) -> tuple[torch.Tensor | None, str]:
    try:
        return call(loss, leaves, reduction, options), ""
    except (RuntimeError, ValueError, IndexError, TypeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return None, f"{type(exc).__name__}: {first_line}"


def grads(loss: LossSpec, leaves: dict, value: torch.Tensor) -> dict[str, torch.Tensor]:
    """The gradient of ``value`` (its sum, if not a scalar) for each input that takes one."""
    if value.requires_grad:
        try:
            (value.sum() if value.dim() else value).backward()
        except RuntimeError as exc:
            raise InputError(f"{loss.name} cannot differentiate these inputs: "
                             f"{str(exc).strip().splitlines()[0]}", field="input") from None
    grads = {}
    for s in loss.inputs:
        if s.requires_grad:
            g = leaves[s.name].grad
            grads[s.name] = torch.zeros_like(leaves[s.name]) if g is None else g.detach()
    return grads


def failed(loss, leaves, error: str, pitfalls, code: str) -> LossResult:
    """A result for inputs torch refuses but a pitfall explains (e.g. BCELoss on logits)."""
    nan = torch.tensor(float("nan"), device=next(iter(leaves.values())).device)
    grads = {s.name: torch.full_like(leaves[s.name].detach(), float("nan"))
             for s in loss.inputs if s.requires_grad}
    return LossResult(nan, grads, code, error, [p.message for p in pitfalls], pitfalls)
