"""The loss engine: every registered loss evaluated by torch, with gradients and code.

>>> from explorer import losses
>>> result = losses.evaluate("L1Loss", losses.example("L1Loss"))
>>> print(result.output)
output:  tensor(1.2850, grad_fn=<MeanBackward0>)

Torch's own modules (``torch.nn.L1Loss`` ...) do the work, with autograd for
the gradients; focal and Dice losses are a few lines of torch
(:mod:`explorer.losses.custom`), and "CustomLoss" is the user's own formula of
``z`` and ``y`` (:mod:`explorer.losses.own`). "Composite" is a weighted sum of registered
losses over the same inputs.
"""

from __future__ import annotations

import torch

from explorer.devices import resolve
from explorer.errors import InputError
from explorer.losses import own
from explorer.losses.catalog import ORDER, variant
from explorer.losses.checks import check_inputs, check_options, check_reduction, not_finite
from explorer.losses.code import build_code
from explorer.losses.composite import composite_spec, evaluate_composite
from explorer.losses.curves import Curve, Marker, compare_curves, curve, curve_names, marker
from explorer.losses.examples import (
    example,
    is_slide_example,
    slide_lines,
    slide_note,
    slide_transform,
)
from explorer.losses.pitfalls import Pitfall, apply_fix, find_pitfalls
from explorer.losses.run import (
    COMPOSITE,
    LossResult,
    TermResult,
    compatible,
    failed,
    grads,
    leaves,
    safe_call,
    spec,
)
from explorer.losses.specs import FAMILIES, InputSpec, LossSpec, OptionSpec
from explorer.losses.transforms import TRANSFORMS, check_transform, pipeline
from explorer.losses.transforms import apply as apply_transform
from explorer.losses.transforms import check_fit as check_transform_fit

__all__ = [
    "COMPOSITE", "FAMILIES", "Curve", "InputSpec", "LossResult", "LossSpec", "Marker",
    "OptionSpec", "Pitfall", "TRANSFORMS", "TermResult", "apply_fix", "check_transform",
    "compare_curves", "compatible", "composite_spec", "curve", "curve_names", "evaluate",
    "example", "formula", "marker", "names", "pipeline", "slide_note", "slide_transform",
    "spec",
]

def formula(name: str, options: dict | None = None) -> str:
    """The LaTeX formula of loss ``name`` with ``options`` (CrossEntropyLoss's probability
    targets have their own); for ``CustomLoss`` the typed ``expression``'s.

    Raises InputError for an unknown loss or a bad expression.
    """
    loss = variant(spec(name), options)
    if name != own.NAME:
        return loss.formula
    return own.latex((options or {}).get("expression") or own.DEFAULT)


def names() -> list[str]:
    """Every registered loss, the slides' seven first (Composite is not listed)."""
    return list(ORDER)


def evaluate(name: str, inputs: dict[str, torch.Tensor], reduction: str = "mean",
             options: dict | None = None, device=None,
             transform: str | None = None) -> LossResult:
    """Evaluate loss ``name`` on ``inputs`` with torch, and differentiate it.

    Parameters
    ----------
    name
        A registered loss, or ``"Composite"`` with ``options={"terms": [{"loss":
        "MSELoss", "weight": 1.0, "options": {...}}, ...]}``.
    inputs
        Input name -> tensor, named as in the spec (``input``, ``target``, ...).
    reduction
        One of the loss's ``reductions``.
    options
        Option name -> value (vectors as lists or tensors); omitted ones take
        torch's defaults.
    device
        Where to compute (default CPU).
    transform
        A step applied to the tensor named ``input`` before the loss, as the
        slides write it: ``None``, ``"log_softmax"`` (``nn.LogSoftmax(dim=1)``),
        ``"softmax"`` (``nn.Softmax(dim=1)``) or ``"sigmoid"``. The gradient is
        the raw input's (the leaf), as ``backward()`` gives it on the slide;
        the pitfalls look at what the loss receives. A composite applies it
        once, before every term.

    Returns
    -------
    LossResult

    Raises
    ------
    InputError
        For an unknown loss, reduction or option, or inputs the loss cannot take;
        no other exception escapes for bad input.
    """
    transform = check_transform(transform)
    if name == COMPOSITE:
        return evaluate_composite(inputs, reduction, options, device, transform)
    loss = variant(spec(name), options)
    reduction = check_reduction(loss, reduction)
    check_transform_fit(loss, transform, inputs)
    dims = check_inputs(loss, inputs, options)
    values = check_options(loss, options, dims)
    device = resolve(device)
    tensors = leaves(loss, inputs, device)
    detached = {k: t.detach() for k, t in tensors.items()}
    slide = slide_lines(name) if is_slide_example(name, detached) else None
    code = build_code([(loss, values)], detached, reduction, device, transform=transform,
                      tensor_lines=slide)
    fed = tensors  # what the loss receives: the raw leaves, or input through the transform
    if transform is not None:
        fed = {**tensors, "input": apply_transform(transform, tensors["input"])}
        detached = {k: t.detach() for k, t in fed.items()}
    pitfalls = find_pitfalls(name, detached, reduction, values)
    value, error = safe_call(loss, fed, reduction, values)
    if value is None:
        if pitfalls:
            return failed(loss, tensors, error, pitfalls, code)
        raise InputError(f"{name} cannot use these inputs: {error}", field="input")
    output = f"output:  {value!s}"
    gradients = grads(loss, tensors, value)
    if not pitfalls:  # a pitfall found already says why (the KL slide's nan, a rate <= 0)
        why = not_finite(loss, detached, reduction, values, value.detach(), gradients)
        if why is not None:  # an infinite or NaN value names the entry that caused it
            pitfalls = [why]
    messages = [p.message for p in pitfalls]
    return LossResult(value.detach(), gradients, code, output, messages, pitfalls)
