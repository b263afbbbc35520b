"""Composite losses: a weighted sum of registered losses over the same inputs.

A composite is a loss like any other: its value and the gradient of every input
entry (:func:`evaluate_composite`), its runnable code twin, and its curve
(:func:`composite_curve`, the weighted sum of the terms' curves). Which losses
may be summed with the page's loss is one rule, :func:`unfit_reason`.
"""

from __future__ import annotations

import torch

from explorer.devices import resolve
from explorer.errors import InputError
from explorer.inputs import check_mapping, is_number
from explorer.losses import own
from explorer.losses.catalog import ORDER
from explorer.losses.checks import check_inputs, check_options, check_reduction
from explorer.losses.code import build_code
from explorer.losses.curves import Curve, Marker, curve, curve_names, marker
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
from explorer.losses.transforms import apply as apply_transform
from explorer.losses.transforms import check_fit as check_transform_fit
from explorer.losses.transforms import check_transform


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


def evaluate_composite(inputs, reduction="mean", options=None, device=None,
                       transform: str | None = None) -> LossResult:
    """Evaluate ``sum_k weight_k * loss_k(inputs)`` with one backward pass.

    ``options["terms"]`` lists ``{"loss": name, "weight": float, "options": {...}}``;
    every term uses ``reduction``. Each term's value is in ``.terms``. ``transform``
    (see :mod:`explorer.losses.transforms`) is applied to ``input`` once, before every
    term, as for a single loss; the gradients are the raw input's.
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
    transform = check_transform(transform)
    check_transform_fit(first, transform, inputs)
    tensors = leaves(first, inputs, device)
    raw = {k: t.detach() for k, t in tensors.items()}
    fed = tensors  # what the terms receive: the raw leaves, or input through the transform
    if transform is not None:
        fed = {**tensors, "input": apply_transform(transform, tensors["input"])}
    detached = {k: t.detach() for k, t in fed.items()}
    pitfalls = []
    for loss, opts in zip(losses, values, strict=True):
        seen = {p.code for p in pitfalls}
        pitfalls += [p for p in find_pitfalls(loss.name, detached, reduction, opts)
                     if p.code not in seen]
    code = build_code(list(zip(losses, values, strict=True)), raw, reduction, device,
                      weights, transform=transform)
    try:
        parts = [call(loss, fed, reduction, opts)
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


# --- which losses fit the page's tensors -----------------------------------------------------
_KIND_WORDS = {
    "real": "real numbers", "probability": "probabilities in [0, 1]",
    "log_probability": "log-probabilities", "class_index": "class indices",
    "sign": "signs ±1", "binary": "labels 0 or 1", "count": "counts ≥ 0",
    "positive": "numbers ≥ 0", "label_list": "class lists ended by -1",
}


def _shape(s) -> str:
    return f"({', '.join(s.shape)})"


def unfit_reason(first: str, other: str) -> str | None:
    """Why loss ``other`` cannot be a term beside ``first`` on ``first``'s tensors, or None.

    It fits when it takes tensors of the same names, shapes, kinds (what the values
    mean: ``sign`` ±1 is not ``binary`` 0/1) and dtypes, so every tensor that is valid
    for ``first`` is valid for it too and means the same thing.

    Raises InputError for an unknown loss.
    """
    a, b = spec(first).inputs, spec(other).inputs
    if [s.name for s in a] != [s.name for s in b]:
        return (f"{other} takes {', '.join(s.name for s in b)}, not "
                f"{', '.join(s.name for s in a)}")
    for mine, theirs in zip(a, b, strict=True):
        if mine.shape != theirs.shape:
            return f"{other}'s {theirs.name} is {_shape(theirs)}, not {_shape(mine)}"
        if mine.kind != theirs.kind:
            return (f"{other}'s {theirs.name} holds {_KIND_WORDS[theirs.kind]}, not "
                    f"{_KIND_WORDS[mine.kind]}")
        if mine.dtype != theirs.dtype:
            return f"{other}'s {theirs.name} is {theirs.dtype}, not {mine.dtype}"
    return None


def partners(first: str) -> list[str]:
    """The losses a term may use on ``first``'s tensors, ``first`` itself first."""
    return [first, *(n for n in ORDER if n != first and unfit_reason(first, n) is None)]


def check_partners(first: str, terms, field: str = "terms") -> None:
    """Refuse (InputError naming the term and why) a term whose loss does not fit ``first``."""
    for index, term in enumerate(check_terms(terms, field)):
        why = unfit_reason(first, term.get("loss"))
        if why is not None:
            raise InputError(f"Term {index + 1} ({term.get('loss')}) cannot be summed with "
                             f"{first} on its tensors: {why}. Choose one of "
                             f"{', '.join(partners(first))}.", field=field)


def terms_on_page(loss: str, options: dict, terms) -> list[dict]:
    """``terms`` as the page computes them: a term of the page's ``loss`` takes the page's
    ``options`` (the own loss keeps its term's formula); the others keep their own."""
    return [{**term, "options": dict(options)} if term["loss"] == loss != own.NAME
            else dict(term) for term in terms]


# --- the curve of the weighted sum -----------------------------------------------------------
CURVE_TITLE = "The sum's slope is the weighted sum of the terms' slopes"


def label(terms) -> str:
    """The weighted sum as a user reads it: ``MSELoss + 0.5 × L1Loss``."""
    parts = []
    for i, (loss, w) in enumerate(zip((t["loss"] for t in terms), _weights(terms), strict=True)):
        sign = "−" if w < 0 else "+"
        factor = "" if abs(w) == 1 else f"{abs(w):g} × "
        head = ("−" if w < 0 else "") if i == 0 else f" {sign} "
        parts.append(f"{head}{factor}{loss}")
    return "".join(parts)


def curve_problem(terms) -> str | None:
    """Why the composite has no 1-D curve (a term's loss has none), or None."""
    names = curve_names()
    for loss in term_specs(terms):  # refuses bad terms with the engine's message
        if loss.name not in names:
            return f"{loss.name} has no 1-D curve"
    return None


def _curve_options(term) -> dict:
    return check_mapping(term.get("options"), term["loss"], "terms")


def composite_curve(terms, target: float | None = None, lo: float = -3.0, hi: float = 3.0,
                    n: int = 401, device=None) -> Curve:
    """``sum_k w_k L_k(z, y)`` and its slope over ``n`` points of ``z`` in [lo, hi].

    Each term's curve is :func:`explorer.losses.curve` of its loss at the same
    ``y`` (the first term's default when ``target`` is None).

    Raises
    ------
    InputError
        For bad terms, or a term whose loss has no 1-D curve.
    """
    why = curve_problem(terms)
    if why is not None:
        raise InputError(f"No 1-D curve for this composite: {why}.", field="terms")
    weights = _weights(terms)
    first = curve(terms[0]["loss"], target, _curve_options(terms[0]), lo, hi, n, device)
    loss, grad = weights[0] * first.loss, weights[0] * first.grad
    for w, term in zip(weights[1:], terms[1:], strict=True):
        part = curve(term["loss"], first.target, _curve_options(term), lo, hi, n, device)
        loss, grad = loss + w * part.loss, grad + w * part.grad
    return Curve(first.z, loss, grad, label(terms), first.target, CURVE_TITLE,
                 axis=terms[0]["loss"])


def composite_marker(terms, z: float, target: float, device=None) -> Marker:
    """The composite's value and slope at prediction ``z`` and target ``target``: the
    weighted sum of the terms' (:func:`explorer.losses.marker`)."""
    why = curve_problem(terms)
    if why is not None:
        raise InputError(f"No 1-D curve for this composite: {why}.", field="terms")
    if not is_number(z):
        raise InputError(f"the prediction must be finite; got {z}.", field="input")
    value = slope = 0.0
    for w, term in zip(_weights(terms), terms, strict=True):
        point = marker(term["loss"], z, target, _curve_options(term), device)
        value, slope = value + w * point.value, slope + w * point.slope
    return Marker(float(z), value, slope)
