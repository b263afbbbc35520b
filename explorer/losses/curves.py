"""Loss curves: ``L(z, y)`` and ``dL/dz`` against one prediction ``z`` (or margin ``y·z``).

Each point is one sample pushed through the real torch loss with
``reduction="none"``; autograd gives the derivative. ``compare_curves`` draws
the slides' chart of classic losses on one margin axis; ``marker`` is the value
and slope at one prediction (the selected cell). Axis and legend text are the
UI's (``ui.loss.labels``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn

from explorer.devices import resolve
from explorer.errors import InputError
from explorer.inputs import check_mapping, is_number, is_whole
from explorer.losses import own
from explorer.losses.adapters import PROGRAM_OPTIONS
from explorer.losses.custom import focal_loss

CURVE_RANGE = (-3.0, 3.0)


@dataclass
class Curve:
    """A sampled loss curve: ``loss`` and ``grad`` (dL/dz) at each ``z``.

    ``name`` is the loss (or, for ``compare_curves``, the classic curve's key);
    ``target`` the truth ``y`` the curve was drawn for (``None`` on the margin axis);
    ``title`` what to look for in it, as a teacher would say it (:func:`curve_title`).
    """

    z: torch.Tensor
    loss: torch.Tensor
    grad: torch.Tensor
    name: str
    target: float | None = None
    title: str = ""
    overlay: list[Curve] = field(default_factory=list)
    """Curves drawn in its place on their own axis: FocalLoss's :func:`focal_overlay`."""
    axis: str = ""
    """The loss whose z axis the curve is drawn on, where it is not ``name``: a composite's
    first term."""


@dataclass(frozen=True)
class Marker:
    """The loss and its slope dL/dz at one prediction ``z``."""

    z: float
    value: float
    slope: float


def _full(z, value):
    return torch.full_like(z.detach(), float(value))


def _two_class(z):
    """Logits of two classes whose difference (true − other) is ``z``."""
    return torch.stack([z, torch.zeros_like(z)], dim=1), torch.zeros(len(z), dtype=torch.long,
                                                                     device=z.device)


def _regression(cls):
    def run(z, y, o):
        return cls(reduction="none", **o)(z, _full(z, y))
    return run, 0.0


def _margin_classifier(fn):
    def run(z, y, o):
        logits, target = _two_class(z)
        return fn(logits, target, o)
    return run, 1.0


_CURVES = {
    "L1Loss": _regression(nn.L1Loss),
    "MSELoss": _regression(nn.MSELoss),
    "SmoothL1Loss": _regression(nn.SmoothL1Loss),
    "HuberLoss": _regression(nn.HuberLoss),
    "PoissonNLLLoss": (lambda z, y, o: nn.PoissonNLLLoss(reduction="none", **o)(z, _full(z, y)),
                       2.0),
    "GaussianNLLLoss": (lambda z, y, o: nn.GaussianNLLLoss(reduction="none", **o)(
        z, _full(z, y), _full(z, 1.0)), 0.0),
    "BCEWithLogitsLoss": (lambda z, y, o: nn.BCEWithLogitsLoss(reduction="none", **o)(
        z, _full(z, y)), 1.0),
    "BCELoss": (lambda z, y, o: nn.BCELoss(reduction="none", **o)(z, _full(z, y)), 1.0),
    "SoftMarginLoss": (lambda z, y, o: nn.SoftMarginLoss(reduction="none")(z, _full(z, y)),
                       1.0),
    "HingeEmbeddingLoss": (lambda z, y, o: nn.HingeEmbeddingLoss(reduction="none", **o)(
        z, _full(z, y)), -1.0),
    "MarginRankingLoss": (lambda z, y, o: nn.MarginRankingLoss(reduction="none", **o)(
        z, torch.zeros_like(z), _full(z, y)), 1.0),
    "CrossEntropyLoss": _margin_classifier(
        lambda x, t, o: nn.CrossEntropyLoss(reduction="none", **o)(x, t)),
    "MultiMarginLoss": _margin_classifier(
        lambda x, t, o: nn.MultiMarginLoss(reduction="none", **o)(x, t)),
    "MultiLabelSoftMarginLoss": (lambda z, y, o: nn.MultiLabelSoftMarginLoss(reduction="none")(
        z.unsqueeze(1), _full(z, y).unsqueeze(1)), 1.0),
    "FocalLoss": _margin_classifier(lambda x, t, o: focal_loss(x, t, reduction="none", **o)),
    own.NAME: (lambda z, y, o: own.elementwise(o.get("expression", own.DEFAULT))(
        z, _full(z, y)), 1.0),
}


_STEEP = "Steep curve, strong push: big errors pull hardest"
_CONFIDENT = "Confident and right: almost flat; confident and wrong: steep"
_TITLES = {
    # What the shape teaches: one sentence per loss, said over the curve.
    "L1Loss": "Constant slope: every error pushes equally hard",
    "MSELoss": _STEEP,
    "SmoothL1Loss": "Squared near the target, straight beyond beta: outliers push no harder",
    "HuberLoss": "Squared inside delta, straight outside: a big error's push is capped",
    "PoissonNLLLoss": "Predicting too many costs exponentially; too few, only linearly",
    "GaussianNLLLoss": "A parabola around the target: with variance 1, half the squared error",
    "BCEWithLogitsLoss": _CONFIDENT,
    "BCELoss": "Near 0 for the true class the loss shoots up: a sure mistake costs the most",
    "SoftMarginLoss": _CONFIDENT,  # log(1 + e^(-yz)), as BCEWithLogits and 2-class CE
    "HingeEmbeddingLoss": "Flat past the margin: nothing to learn there",
    "MarginRankingLoss": "Ranked the right way round by the margin: flat, no push",
    "CrossEntropyLoss": _CONFIDENT,
    "MultiMarginLoss": "True class ahead by the margin: flat; behind: a constant push",
    "MultiLabelSoftMarginLoss": _CONFIDENT,  # one class's term: BCEWithLogits' curve
    "FocalLoss": "Larger γ: easy examples fade, the push goes to the hard ones",
    own.NAME: "Your loss: where it is steep, training pushes hardest",
}


def curve_title(name: str) -> str:
    """What to look for in the curve of loss ``name``: a short sentence for its title."""
    if name not in _TITLES:
        raise InputError(f"{name} has no one-dimensional curve; curves exist for "
                         f"{', '.join(_CURVES)}.", field="loss")
    return _TITLES[name]


_NO_CURVE = {
    "NLLLoss": "It takes a whole row of log-probabilities and picks the target's entry.",
    "KLDivLoss": "It compares two whole distributions, row by row.",
    "MultiLabelMarginLoss": "Each row's loss compares every true class's score with every "
                            "other class's.",
    "CosineEmbeddingLoss": "It depends on the angle between two whole rows.",
    "TripletMarginLoss": "It compares two distances between whole rows (anchor to positive, "
                         "anchor to negative).",
    "TripletMarginWithDistanceLoss": "It compares two distances between whole rows (anchor to "
                                     "positive, anchor to negative).",
    "DiceLoss": "It measures the overlap of a whole mask with the true mask.",
    "CTCLoss": "It sums over every alignment of the whole sequence: no single value has a "
               "curve of its own.",
}


def no_curve_reason(name: str) -> str:
    """Why loss ``name`` has no one-dimensional curve, in a sentence ("" if it has one)."""
    if name in _CURVES:
        return ""
    return _NO_CURVE.get(name) or "Its loss depends on whole rows, not on one value."


def curve_names() -> list[str]:
    """The losses that have a one-dimensional curve."""
    return list(_CURVES)


_MAX_Z = 1e6
"""The widest range a curve is drawn over: ±this."""


def _sample(fn, lo, hi, n, device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    if not (is_number(lo) and is_number(hi) and -_MAX_Z <= lo < hi <= _MAX_Z
            and is_whole(n) and 2 <= n <= 100_000):
        raise InputError("the curve needs finite lo < hi (within ±1,000,000) and 2 to 100000 "
                         "points.", field="range")
    z = torch.linspace(lo, hi, int(n), device=device).requires_grad_(True)
    loss = fn(z)
    loss.sum().backward()  # each point is its own sample, so this is dL/dz pointwise
    return z.detach(), loss.detach(), z.grad.detach()


def _loss_of(name: str, target: float | None, options: dict | None):
    """The one-sample loss ``z -> L(z, y)`` of ``name``, and the ``y`` it uses."""
    if not isinstance(name, str) or name not in _CURVES:
        raise InputError(f"{name} has no one-dimensional curve; curves exist for "
                         f"{', '.join(_CURVES)}.", field="loss")
    run, default = _CURVES[name]
    if target is not None and not is_number(target):
        raise InputError(f"the target must be a finite number; got {target!r}.", field="target")
    y = default if target is None else float(target)
    opts = {k: v for k, v in check_mapping(options, name).items()  # what torch takes
            if v is not None and not isinstance(v, list) and k not in PROGRAM_OPTIONS}
    return (lambda z: run(z, y, opts)), y


def _torch_errors(name: str, compute):
    try:
        return compute()
    except (TypeError, ValueError, RuntimeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{name} cannot draw its curve with these options: {exc}",
                         field="options") from None


def curve(name: str, target: float | None = None, options: dict | None = None,
          lo: float = -3.0, hi: float = 3.0, n: int = 401, device=None) -> Curve:
    """``L(z, y)`` and ``dL/dz`` for loss ``name`` over ``n`` points of ``z`` in [lo, hi].

    ``target`` is the truth ``y`` (each loss has a sensible default, e.g. 0 for
    regression, 1 for logits); ``options`` are the loss's own (``delta``,
    ``margin``, ``gamma``, ...; vectors such as class weights are left out). For
    BCELoss, ``z`` is a probability, so the range is clipped to (0, 1).
    """
    fn, y = _loss_of(name, target, options)
    if name == "BCELoss":
        lo, hi = max(lo, 1e-3), min(hi, 1 - 1e-3)
    z, loss, grad = _torch_errors(name, lambda: _sample(fn, lo, hi, n, resolve(device)))
    drawn = Curve(z, loss, grad, name, y, _TITLES[name])
    if name == "FocalLoss":
        opts = check_mapping(options, name)
        drawn.overlay = _torch_errors(name, lambda: focal_overlay(
            gamma=opts.get("gamma", 2.0), alpha=opts.get("alpha"), device=device))
    return drawn


FOCAL_GAMMAS = (0.0, 0.5, 1.0, 2.0, 5.0)
"""The γ of Lin et al.'s figure 1 (γ = 0 is cross-entropy)."""
FOCAL_TITLE = "Larger γ: easy examples (p > 0.5) cost almost nothing"
FOCAL_SETTING = "your setting"
"""The name of the overlay's curve for the chosen γ and α."""
_P_RANGE = (0.01, 0.999)


def _focal_of_p(gamma, alpha):
    """The focal loss of one sample whose true class has softmax probability ``p``: the
    two-class logits (log p, log(1 - p)) through :func:`focal_loss`."""
    def run(p):
        logits = torch.stack([p.log(), torch.log1p(-p)], dim=1)
        target = torch.zeros(len(p), dtype=torch.long, device=p.device)
        return focal_loss(logits, target, gamma=gamma, alpha=alpha, reduction="none")
    return run


def focal_overlay(gammas=FOCAL_GAMMAS, gamma: float | None = None, alpha: float | None = None,
                  n: int = 300, device=None) -> list[Curve]:
    """Focal loss against the probability ``p`` of the true class, one curve per γ of
    ``gammas`` (Lin et al. 2017, fig. 1: γ = 0 is cross-entropy, -log p), then the
    user's ``gamma`` and ``alpha`` (if given) as the curve named ``FOCAL_SETTING``.

    Each curve's ``z`` is ``p`` in [0.01, 0.999] and ``grad`` is dL/dp (autograd);
    ``title`` is what to look for (``FOCAL_TITLE``).
    """
    settings = [(f"γ = {g:g}" + (" (cross-entropy)" if g == 0 else ""), g, None)
                for g in gammas]
    if gamma is not None or alpha is not None:
        g = 2.0 if gamma is None else gamma
        settings.append((FOCAL_SETTING, g, alpha))
    out = []
    for label, g, a in settings:
        if not (is_number(g) and g >= 0) or (a is not None and not (is_number(a) and 0 <= a <= 1)):
            raise InputError(f"the focal curves need γ ≥ 0 and α in [0, 1]; got γ = {g!r}, "
                             f"α = {a!r}.", field="gamma" if a is None else "alpha")
        p, loss, grad = _sample(_focal_of_p(float(g), a), *_P_RANGE, n, resolve(device))
        title = FOCAL_TITLE if label != FOCAL_SETTING else (
            f"γ = {float(g):g}" + ("" if a is None or a == 1 else f", α = {float(a):g}"))
        out.append(Curve(p, loss, grad, label, None, title))
    return out


def marker(name: str, z: float, target: float | None = None, options: dict | None = None,
           device=None) -> Marker:
    """The value ``L(z, y)`` and slope ``dL/dz`` of loss ``name`` at prediction ``z``.

    The same one-sample torch loss as :func:`curve`, differentiated by autograd.
    """
    fn, _ = _loss_of(name, target, options)
    if not is_number(z):
        raise InputError(f"the prediction must be finite; got {z}.", field="input")

    def compute():
        point = torch.tensor([float(z)], device=resolve(device), requires_grad=True)
        value = fn(point)
        value.sum().backward()
        return Marker(float(z), float(value.detach()[0]), float(point.grad[0]))

    return _torch_errors(name, compute)


def span(z: float | None) -> tuple[float, float]:
    """The range of ``z`` a curve is drawn over: ``CURVE_RANGE``, widened to show ``z`` ± 1."""
    lo, hi = CURVE_RANGE
    if z is None:
        return lo, hi
    return min(lo, z - 1.0), max(hi, z + 1.0)


def elementwise(loss) -> bool:
    """Whether loss ``loss`` (a ``LossSpec``) is a sum over elements of one curve
    ``L(z, y)``: it has a curve and ``input`` and ``target`` of the same shape, so
    each cell of ``input`` is one point on that curve."""
    shapes = {spec.name: spec.shape for spec in loss.inputs}
    return loss.name in _CURVES and "input" in shapes and shapes.get("target") == shapes["input"]


def point_of(loss, inputs: dict[str, torch.Tensor], index: tuple) -> tuple[float, float] | None:
    """(prediction z, target y) of cell ``index`` where ``loss`` is element-wise, else None."""
    if not elementwise(loss) or "input" not in inputs or "target" not in inputs:
        return None
    z, y = inputs["input"], inputs["target"]
    if z.shape != y.shape or len(index) != z.dim():
        return None
    return float(z[index]), float(y[index])


_COMPARE = {
    # Every curve is a torch loss of the margin m = y·z with y = ±1.
    "square": lambda m: nn.MSELoss(reduction="none")(m, torch.ones_like(m)),
    "absolute": lambda m: nn.L1Loss(reduction="none")(m, torch.ones_like(m)),
    "hinge": lambda m: nn.MarginRankingLoss(margin=1.0, reduction="none")(
        m, torch.zeros_like(m), torch.ones_like(m)),
    "logistic": lambda m: nn.SoftMarginLoss(reduction="none")(m, torch.ones_like(m)),
    # Cross-entropy of sigmoid(z) measured in bits: the logistic loss over ln 2, so it
    # passes through 1 at margin 0 as the hinge does (the usual textbook scaling).
    "cross-entropy": lambda m: nn.BCEWithLogitsLoss(reduction="none")(
        m, torch.ones_like(m)) / math.log(2),
}
COMPARE_NAMES = tuple(_COMPARE)
COMPARE_TITLE = "Square loss punishes both sides: the wrong one, and right past 1"
COMPARE_VIEW = ((-2.0, 3.0), (0.0, 3.5))
"""The classic figure's frame: margins -2..3, losses 0..3.5 (the square's 9 at -2 is off it)."""

# Where an element-wise loss is one of the classic curves of the margin m = y·z:
# with y = ±1, (y - z)² = (1 - y·z)² and |y - z| = |1 - y·z|; BCEWithLogits' y in {0, 1}
# is the sign (2y - 1).
_ON_COMPARE = {
    "MSELoss": ("square", (-1.0, 1.0)),
    "L1Loss": ("absolute", (-1.0, 1.0)),
    "SoftMarginLoss": ("logistic", (-1.0, 1.0)),
    "BCEWithLogitsLoss": ("logistic", (0.0, 1.0)),
}


def compare_marker(name: str, z: float | None, y: float | None) -> tuple[str, Marker] | None:
    """The current example on the compare chart: which classic curve loss ``name`` is at
    prediction ``z`` and target ``y``, and its value and slope there at the margin y·z.

    ``None`` where the loss is not one of those curves for this ``y`` (e.g. MSE with
    y = 0.3, cross-entropy over whole rows).
    """
    if name not in _ON_COMPARE or not (is_number(z) and is_number(y)):
        return None
    key, labels = _ON_COMPARE[name]
    if float(y) not in labels:
        return None
    sign = 1.0 if float(y) == labels[1] else -1.0
    margin = sign * float(z)
    point = torch.tensor([margin], requires_grad=True)
    value = _COMPARE[key](point)
    value.sum().backward()
    return key, Marker(margin, float(value.detach()[0]), float(point.grad[0]))
OWN_CURVE = "your loss"
"""The compare chart's name for the user's own loss (drawn from ``expression``)."""


def _own_margin(expression):
    """The user's loss on the margin axis: ``L(m, 1)``, since with y = 1 the margin is z."""
    formula = own.elementwise(own.DEFAULT if expression is None else expression)
    return lambda m: formula(m, torch.ones_like(m))


def compare_curves(names=COMPARE_NAMES, lo: float = -2.0, hi: float = 3.0, n: int = 401,
                   device=None, expression: str | None = None) -> list[Curve]:
    """The slides' chart: classic classification losses against the margin ``y·z``.

    ``names`` may also hold ``OWN_CURVE``: the user's loss ``expression`` (a formula of
    ``z`` and ``y``, :mod:`explorer.losses.own`) drawn as ``L(m, 1)``.
    """
    device = resolve(device)
    known = (*_COMPARE, OWN_CURVE)
    if isinstance(names, str) or not isinstance(names, list | tuple):
        raise InputError(f"curves must be a list of names from {', '.join(known)}.",
                         field="curves")
    curves = []
    for key in names:
        if not isinstance(key, str) or key not in known:
            raise InputError(f"there is no curve '{key}'; choose from {', '.join(known)}.",
                             field="curves")
        fn = _own_margin(expression) if key == OWN_CURVE else _COMPARE[key]
        z, loss, grad = _torch_errors(key, lambda fn=fn: _sample(fn, lo, hi, n, device))
        curves.append(Curve(z, loss, grad, key))
    return curves
