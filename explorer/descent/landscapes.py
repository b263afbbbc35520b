"""Real loss landscapes: a model with two parameters on a shipped data set.

``linear-regression``: prediction ``w * x + b`` on ``resources/linreg.csv``
(30 points, two of them outliers, so MSE, L1 and Huber disagree visibly).

``logistic-regression``: logit ``w1 * petal length + w2 * petal width``
(standardized) separating Iris versicolor from virginica. The two species
overlap, so the loss has a finite minimum.

Each landscape maps parameters ``(..., 2)`` to the mean loss over the data
``(...)`` in one broadcast computation: no Python loop over points.
"""

from __future__ import annotations

import csv
from functools import cache, lru_cache

import torch
import torch.nn.functional as F

from explorer import RESOURCES
from explorer.data import load_iris

REGRESSION_LOSSES = ("MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss")
CLASSIFICATION_LOSSES = ("BCEWithLogitsLoss", "SoftMarginLoss", "hinge", "MSELoss")


@cache
def linreg_data() -> tuple[torch.Tensor, torch.Tensor]:
    """``(x, y)`` of ``resources/linreg.csv`` as float64 tensors."""
    with open(RESOURCES / "linreg.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    values = torch.tensor([[float(a), float(b)] for a, b in rows], dtype=torch.float64)
    return values[:, 0], values[:, 1]


@cache
def logreg_data() -> tuple[torch.Tensor, torch.Tensor]:
    """Standardized (petal length, petal width) ``(N, 2)`` and 0/1 targets (1 = virginica)."""
    table = load_iris()
    keep = table.labels >= 1
    features = table.features[keep][:, 2:4].to(torch.float64)
    features = (features - features.mean(0)) / features.std(0)
    target = (table.labels[keep] == 2).to(torch.float64)
    return features, target


@lru_cache(maxsize=32)
def _on(device: torch.device, dtype: torch.dtype, which: str) -> tuple[torch.Tensor, ...]:
    data = linreg_data() if which == "linreg" else logreg_data()
    return tuple(t.to(device=device, dtype=dtype) for t in data)


def linear_regression(xy: torch.Tensor, loss: str = "MSELoss", delta: float = 1.0) -> torch.Tensor:
    """Mean regression loss of ``w * x + b`` with ``(w, b) = xy[..., 0], xy[..., 1]``."""
    x, y = _on(xy.device, xy.dtype, "linreg")
    prediction = xy[..., 0:1] * x + xy[..., 1:2]
    target = y.expand_as(prediction)
    if loss == "MSELoss":
        per_point = F.mse_loss(prediction, target, reduction="none")
    elif loss == "L1Loss":
        per_point = F.l1_loss(prediction, target, reduction="none")
    elif loss == "HuberLoss":
        per_point = F.huber_loss(prediction, target, reduction="none", delta=delta)
    else:
        per_point = F.smooth_l1_loss(prediction, target, reduction="none", beta=delta)
    return per_point.mean(-1)


def logistic_regression(xy: torch.Tensor, loss: str = "BCEWithLogitsLoss") -> torch.Tensor:
    """Mean classification loss of the logit ``xy[..., 0] * x1 + xy[..., 1] * x2``."""
    features, target = _on(xy.device, xy.dtype, "logreg")
    logit = xy[..., 0:1] * features[:, 0] + xy[..., 1:2] * features[:, 1]
    target = target.expand_as(logit)
    if loss == "BCEWithLogitsLoss":
        per_point = F.binary_cross_entropy_with_logits(logit, target, reduction="none")
    elif loss == "SoftMarginLoss":
        per_point = F.soft_margin_loss(logit, 2 * target - 1, reduction="none")
    elif loss == "hinge":
        # torch has no plain binary hinge loss; max(0, 1 - t z) with t = ±1.
        per_point = F.relu(1 - (2 * target - 1) * logit)
    else:
        per_point = F.mse_loss(torch.sigmoid(logit), target, reduction="none")
    return per_point.mean(-1)


@cache
def linreg_least_squares() -> tuple[float, float]:
    """The MSE minimum ``(w, b)`` of the linear regression, by least squares."""
    x, y = linreg_data()
    design = torch.stack([x, torch.ones_like(x)], dim=1)
    solution = torch.linalg.lstsq(design, y.unsqueeze(1)).solution.squeeze(1)
    return float(solution[0]), float(solution[1])


@cache
def logreg_minimum() -> tuple[float, float]:
    """The BCEWithLogitsLoss minimum ``(w1, w2)``, by Newton's method (convex problem).

    Gradient ``X^T (p - y) / N`` and Hessian ``X^T diag(p (1 - p)) X / N`` are written
    out: this runs at import, and autograd's Hessian would cost a noticeable start-up.
    """
    features, target = logreg_data()
    w = torch.zeros(2, dtype=torch.float64)
    for _ in range(50):
        p = torch.sigmoid(features @ w)
        gradient = features.T @ (p - target) / len(target)
        if float(gradient.norm()) < 1e-13:
            break
        hessian = (features.T * (p * (1 - p))) @ features / len(target)
        w = w - torch.linalg.solve(hessian, gradient)
    return float(w[0]), float(w[1])
