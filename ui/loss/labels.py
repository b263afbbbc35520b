"""What the Loss page's curve plots say: axis titles and legend text (explorer gives numbers)."""

from __future__ import annotations

import html

MARGIN = "margin y·z"
LOSS_AXIS = "loss L(z, y)"

_PREDICTION = "prediction z (target y = {y:g})"
_MARGIN_CLASSIFIER = "margin z (true-class score − other score)"
_X_AXES = {
    "L1Loss": _PREDICTION,
    "MSELoss": _PREDICTION,
    "SmoothL1Loss": _PREDICTION,
    "HuberLoss": _PREDICTION,
    "PoissonNLLLoss": "predicted log-rate z (count y = {y:g})",
    "GaussianNLLLoss": "prediction z (target y = {y:g}, variance 1)",
    "BCEWithLogitsLoss": "logit z (target y = {y:g})",
    "MultiLabelSoftMarginLoss": "logit z (target y = {y:g})",
    "BCELoss": "predicted probability z (target y = {y:g})",
    "SoftMarginLoss": _PREDICTION,
    "HingeEmbeddingLoss": "input z, a distance (target y = {y:g})",
    "MarginRankingLoss": "score difference z = x1 − x2 (y = {y:g})",
    "CrossEntropyLoss": _MARGIN_CLASSIFIER,
    "MultiMarginLoss": _MARGIN_CLASSIFIER,
    "FocalLoss": _MARGIN_CLASSIFIER,
}
_LEGENDS = {
    "square": "square (1 − y·z)²",
    "absolute": "absolute |1 − y·z|",
    "hinge": "hinge max(0, 1 − y·z)",
    "logistic": "logistic (= cross-entropy in bits × ln 2)",
    "cross-entropy": "cross-entropy in bits (= logistic ÷ ln 2)",
}


def x_axis(curve) -> str:
    """The bottom axis of ``curve`` (an ``explorer.losses.Curve``): what z is, and y."""
    if curve.target is None:
        return MARGIN
    return _X_AXES.get(curve.axis or curve.name, _PREDICTION).format(y=curve.target)


def y_axis(curve) -> str:
    """The left axis of ``curve``."""
    return "loss" if curve.target is None else LOSS_AXIS


def legend(curve) -> str:
    """The legend entry of ``curve``: a classic curve with its formula, or the loss's name."""
    return _LEGENDS.get(curve.name, curve.name)


def own_legend(formula: str) -> str:
    """The compare chart's legend for the user's loss ``formula`` (its display text), escaped:
    pyqtgraph reads legend text as HTML, and a formula holds ``<``."""
    return f"your loss {html.escape(formula)} (y = 1)"
