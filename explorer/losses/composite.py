"""Composite losses: a weighted sum of registered losses over the same inputs."""

from __future__ import annotations

import torch

from explorer.devices import resolve
from explorer.errors import InputError
from explorer.inputs import check_mapping
from explorer.losses.checks import check_inputs, check_options, check_reduction
from explorer.losses.code import build_code
from explorer.losses.limits import check_terms, check_weight
from explorer.losses.pitfalls import find_pitfalls
from explorer.losses.run import (
    COMPOSITE,
    LossResult,
    TermResult,
    call,
    compatible,
    failed,
    grads,
    leaves,
    spec,
)
from explorer.losses.specs import LossSpec


def composite_spec(terms: list[dict]) -> LossSpec:
    """The spec of a Composite over ``terms``: the first term's inputs and dims,
    the reductions every term accepts, no options of its own."""
    losses = term_specs(terms)
    first = losses[0]
    reductions = tuple(r for r in first.reductions if all(r in s.reductions for s in losses))
    default = first.default_reduction if first.default_reduction in reductions else "mean"
    return LossSpec(
        COMPOSITE, "Composite (weighted sum)", first.family,
        r"\ell = \sum_k w_k \, \ell_k",
        "Several goals at once: a weighted sum of losses.",
        "Each term is a registered loss evaluated on the same inputs; the total is their "
        "weighted sum, and its gradient the weighted sum of theirs.",
        first.inputs, first.dims, (), reductions, default)


def term_specs(terms) -> list[LossSpec]:
    """The spec of each term (at most ``MAX_TERMS``), all taking the first one's inputs."""
    if not terms:
        raise InputError("a Composite loss needs at least one term.", field="terms")
    terms = check_terms(terms)
    losses = []
    for i, term in enumerate(terms):
        if "loss" not in term:
            raise InputError(f"Term {i + 1} must name its loss.", field="terms")
        losses.append(spec(term["loss"]))
        if not compatible(losses[0].name, losses[-1].name):
            raise InputError(f"term {i + 1} ({term['loss']}) takes other inputs than "
                             f"{losses[0].name}; a Composite sums losses over the same inputs.",
                             field="terms")
    return losses


def _weights(terms) -> list[float]:
    return [check_weight(term.get("weight", 1.0), i) for i, term in enumerate(terms)]


def _check_same_shape(losses: list[LossSpec], parts: list[torch.Tensor]):
    """With reduction='none' the terms must give the same shape; broadcasting would lie."""
    for loss, part in zip(losses[1:], parts[1:], strict=True):
        if part.shape != parts[0].shape:
            raise InputError(
                f"with reduction='none' {losses[0].name} gives shape {tuple(parts[0].shape)} "
                f"but {loss.name} gives {tuple(part.shape)}; choose mean or sum to add them.",
                field="reduction")


def evaluate_composite(inputs, reduction="mean", options=None, device=None) -> LossResult:
    """Evaluate ``sum_k weight_k * loss_k(inputs)`` with one backward pass.

    ``options["terms"]`` lists ``{"loss": name, "weight": float, "options": {...}}``;
    every term uses ``reduction``. Each term's value is in ``.terms``.
    """
    options = check_mapping(options, COMPOSITE)
    unknown = sorted(str(key) for key in set(options) - {"terms"})
    if unknown:
        raise InputError(f"{COMPOSITE} has no option '{unknown[0]}'; its one option is terms.",
                         field=unknown[0])
    terms = options.get("terms")
    losses = term_specs(terms)
    weights = _weights(terms)
    reduction = check_reduction(composite_spec(terms), reduction)
    dims = {}
    values = []
    for loss, term in zip(losses, terms, strict=True):
        term_options = check_mapping(term.get("options"), f"term {len(values) + 1} ({loss.name})",
                                     "terms")
        dims = check_inputs(loss, inputs, term_options)
        values.append(check_options(loss, term_options, dims))
    device = resolve(device)
    first = losses[0]
    tensors = leaves(first, inputs, device)
    detached = {k: t.detach() for k, t in tensors.items()}
    pitfalls = []
    for loss, opts in zip(losses, values, strict=True):
        seen = {p.code for p in pitfalls}
        pitfalls += [p for p in find_pitfalls(loss.name, detached, reduction, opts)
                     if p.code not in seen]
    code = build_code(list(zip(losses, values, strict=True)), detached, reduction, device,
                      weights)
    try:
        parts = [call(loss, tensors, reduction, opts)
                 for loss, opts in zip(losses, values, strict=True)]
        _check_same_shape(losses, parts)
        total = weights[0] * parts[0]
        for w, part in zip(weights[1:], parts[1:], strict=True):
            total = total + w * part
    except (RuntimeError, ValueError, IndexError, TypeError) as exc:
        message = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"
        if pitfalls:
            return failed(first, tensors, message, pitfalls, code)
        raise InputError(f"these losses cannot be summed on these inputs: {message}",
                         field="terms") from None
    result = LossResult(total.detach(), grads(first, tensors, total), code,
                        f"output:  {total!s}", [p.message for p in pitfalls], pitfalls)
    result.terms = [TermResult(loss.name, w, part.detach())
                    for loss, w, part in zip(losses, weights, parts, strict=True)]
    return result
