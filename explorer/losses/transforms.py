"""An input transform as a step in the pipeline: ``input -> transform -> loss``.

The slides feed raw scores through ``nn.LogSoftmax(dim=1)`` before ``NLLLoss``
and call ``backward()`` on the result, so the gradient is the raw scores'.
Here the transform is applied to the tensor named ``input`` with torch's own
module, and the gradient is taken with respect to the raw input (the leaf).
"""

from __future__ import annotations

import torch

from explorer.errors import InputError

TRANSFORMS = ("log_softmax", "softmax", "sigmoid")
"""The transforms there are (``None`` is none)."""

_MODULES = {
    "log_softmax": ("LogSoftmax", "dim=1"),
    "softmax": ("Softmax", "dim=1"),
    "sigmoid": ("Sigmoid", ""),
}
_ON_ROWS = ("log_softmax", "softmax")


def check_transform(transform) -> str | None:
    """``transform`` itself if it is one of :data:`TRANSFORMS` or None; InputError otherwise."""
    if transform is None or (isinstance(transform, str) and transform in TRANSFORMS):
        return transform
    raise InputError(f"transform {transform!r} is not possible; choose none (None), "
                     f"{', '.join(repr(t) for t in TRANSFORMS)}.", field="transform")


def module_text(transform: str) -> str:
    """The torch module as code, e.g. ``nn.LogSoftmax(dim=1)``."""
    cls, args = _MODULES[transform]
    return f"nn.{cls}({args})"


def label(transform: str | None) -> str:
    """The step as the page names it, e.g. ``LogSoftmax(dim=1)``; ``""`` for none."""
    return "" if transform is None else module_text(transform).removeprefix("nn.")


def pipeline(loss_name: str, transform: str | None) -> str:
    """``input → LogSoftmax(dim=1) → NLLLoss``; ``input → NLLLoss`` without a transform."""
    steps = ["input", *([label(transform)] if transform else []), loss_name]
    return " → ".join(steps)


def check_fit(loss, transform: str | None, inputs: dict | None = None) -> None:
    """InputError (field ``transform``) when ``loss`` has no ``input`` or the step cannot
    apply to it (softmax over dim 1 of a 1-D input)."""
    if transform is None:
        return
    if all(s.name != "input" for s in loss.inputs):
        names = ", ".join(s.name for s in loss.inputs)
        raise InputError(f"{loss.name} has no tensor named input (it takes {names}), so there "
                         f"is nothing to apply {label(transform)} to; choose no transform.",
                         field="transform")
    x = (inputs or {}).get("input")
    dims = len(loss.input("input").shape) if x is None else torch.as_tensor(x).dim()
    if transform in _ON_ROWS and dims < 2:
        raise InputError(f"{label(transform)} normalizes over dim 1, but {loss.name}'s input "
                         "is 1-D (one value per sample): there is no dim 1 to take it over. "
                         "Use Sigmoid, or no transform.", field="transform")


def apply(transform: str | None, x: torch.Tensor) -> torch.Tensor:
    """``x`` through torch's own module (the very call the code twin makes)."""
    if transform is None:
        return x
    cls, _ = _MODULES[transform]
    module = getattr(torch.nn, cls)(dim=1) if transform in _ON_ROWS else getattr(torch.nn, cls)()
    return module(x)
