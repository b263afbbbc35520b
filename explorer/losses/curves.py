"""Loss curves: ``L(z, y)`` and ``dL/dz`` against one prediction ``z`` (or margin ``y·z``).

Each point is one sample pushed through the real torch loss with
``reduction="none"``; autograd gives the derivative. ``compare_curves`` draws
the slides' chart of classic losses on one margin axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn

from explorer.devices import resolve
from explorer.errors import InputError
from explorer.losses.custom import focal_loss

MARGIN = "margin y·z"


@dataclass
class Curve:
    """A sampled loss curve: ``loss`` and ``grad`` (dL/dz) at each ``z``."""

    z: torch.Tensor
    loss: torch.Tensor
    grad: torch.Tensor
    x_label: str
    y_label: str
    label: str


def _full(z, value):
    return torch.full_like(z.detach(), float(value))


def _two_class(z):
    """Logits of two classes whose difference (true − other) is ``z``."""
    return torch.stack([z, torch.zeros_like(z)], dim=1), torch.zeros(len(z), dtype=torch.long,
                                                                     device=z.device)


def _regression(cls):
    def run(z, y, o):
        return cls(reduction="none", **o)(z, _full(z, y))
    return run, 0.0, "prediction z (target y = {y:g})"


def _margin_classifier(fn):
    def run(z, y, o):
        logits, target = _two_class(z)
        return fn(logits, target, o)
    return run, 1.0, "margin z (true-class score − other score)"


_CURVES = {
    "L1Loss": _regression(nn.L1Loss),
    "MSELoss": _regression(nn.MSELoss),
    "SmoothL1Loss": _regression(nn.SmoothL1Loss),
    "HuberLoss": _regression(nn.HuberLoss),
    "PoissonNLLLoss": (lambda z, y, o: nn.PoissonNLLLoss(reduction="none", **o)(z, _full(z, y)),
                       2.0, "predicted log-rate z (count y = {y:g})"),
    "GaussianNLLLoss": (lambda z, y, o: nn.GaussianNLLLoss(reduction="none", **o)(
        z, _full(z, y), _full(z, 1.0)), 0.0, "prediction z (target y = {y:g}, variance 1)"),
    "BCEWithLogitsLoss": (lambda z, y, o: nn.BCEWithLogitsLoss(reduction="none", **o)(
        z, _full(z, y)), 1.0, "logit z (target y = {y:g})"),
    "BCELoss": (lambda z, y, o: nn.BCELoss(reduction="none", **o)(z, _full(z, y)), 1.0,
                "predicted probability z (target y = {y:g})"),
    "SoftMarginLoss": (lambda z, y, o: nn.SoftMarginLoss(reduction="none")(z, _full(z, y)),
                       1.0, "prediction z (target y = {y:g})"),
    "HingeEmbeddingLoss": (lambda z, y, o: nn.HingeEmbeddingLoss(reduction="none", **o)(
        z, _full(z, y)), -1.0, "input z, a distance (target y = {y:g})"),
    "MarginRankingLoss": (lambda z, y, o: nn.MarginRankingLoss(reduction="none", **o)(
        z, torch.zeros_like(z), _full(z, y)), 1.0, "score difference z = x1 − x2 (y = {y:g})"),
    "CrossEntropyLoss": _margin_classifier(
        lambda x, t, o: nn.CrossEntropyLoss(reduction="none", **o)(x, t)),
    "MultiMarginLoss": _margin_classifier(
        lambda x, t, o: nn.MultiMarginLoss(reduction="none", **o)(x, t)),
    "FocalLoss": _margin_classifier(lambda x, t, o: focal_loss(x, t, reduction="none", **o)),
}


def curve_names() -> list[str]:
    """The losses that have a one-dimensional curve."""
    return list(_CURVES)


def _sample(fn, lo, hi, n, device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi) or not 2 <= int(n) <= 100_000:
        raise InputError("the curve needs finite lo < hi and 2 to 100000 points.", field="range")
    z = torch.linspace(lo, hi, int(n), device=device).requires_grad_(True)
    loss = fn(z)
    loss.sum().backward()  # each point is its own sample, so this is dL/dz pointwise
    return z.detach(), loss.detach(), z.grad.detach()


def curve(name: str, target: float | None = None, options: dict | None = None,
          lo: float = -3.0, hi: float = 3.0, n: int = 401, device=None) -> Curve:
    """``L(z, y)`` and ``dL/dz`` for loss ``name`` over ``n`` points of ``z`` in [lo, hi].

    ``target`` is the truth ``y`` (each loss has a sensible default, e.g. 0 for
    regression, 1 for logits); ``options`` are the loss's own (``delta``,
    ``margin``, ``gamma``, ...). For BCELoss, ``z`` is a probability, so the range
    is clipped to (0, 1).
    """
    if name not in _CURVES:
        raise InputError(f"{name} has no one-dimensional curve; curves exist for "
                         f"{', '.join(_CURVES)}.", field="loss")
    run, default, x_label = _CURVES[name]
    y = default if target is None else float(target)
    opts = {k: v for k, v in (options or {}).items() if v is not None}
    if name == "BCELoss":
        lo, hi = max(lo, 1e-3), min(hi, 1 - 1e-3)
    try:
        z, loss, grad = _sample(lambda z: run(z, y, opts), lo, hi, n, resolve(device))
    except (TypeError, ValueError, RuntimeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{name} cannot draw its curve with these options: {exc}",
                         field="options") from None
    return Curve(z, loss, grad, x_label.format(y=y), "loss L(z, y)", name)


_COMPARE = {
    # Every curve is a torch loss of the margin m = y·z with y = ±1.
    "square": (lambda m: nn.MSELoss(reduction="none")(m, torch.ones_like(m)),
               "square (1 − y·z)²"),
    "absolute": (lambda m: nn.L1Loss(reduction="none")(m, torch.ones_like(m)),
                 "absolute |1 − y·z|"),
    "hinge": (lambda m: nn.MarginRankingLoss(margin=1.0, reduction="none")(
        m, torch.zeros_like(m), torch.ones_like(m)), "hinge max(0, 1 − y·z)"),
    "logistic": (lambda m: nn.SoftMarginLoss(reduction="none")(m, torch.ones_like(m)),
                 "logistic log(1 + e^(−y·z))"),
    # Cross-entropy of sigmoid(z) measured in bits: the logistic loss over ln 2, so it
    # passes through 1 at margin 0 as the hinge does (the usual textbook scaling).
    "cross-entropy": (lambda m: nn.BCEWithLogitsLoss(reduction="none")(
        m, torch.ones_like(m)) / math.log(2), "cross-entropy (bits) log₂(1 + e^(−y·z))"),
}


def compare_curves(names=("square", "absolute", "hinge", "logistic", "cross-entropy"),
                   lo: float = -2.0, hi: float = 3.0, n: int = 401, device=None) -> list[Curve]:
    """The slides' chart: classic classification losses against the margin ``y·z``."""
    device = resolve(device)
    curves = []
    for key in names:
        if key not in _COMPARE:
            raise InputError(f"there is no curve '{key}'; choose from {', '.join(_COMPARE)}.",
                             field="curves")
        fn, label = _COMPARE[key]
        z, loss, grad = _sample(fn, lo, hi, n, device)
        curves.append(Curve(z, loss, grad, MARGIN, "loss", label))
    return curves
