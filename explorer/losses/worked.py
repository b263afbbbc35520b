"""The slides' cross-entropy worked by hand on three Iris flowers.

The slide's table lists petal width and sepal width as 0.04, 0.42 (setosa),
1.0, 0.54 (virginica) and 0.50, 0.37 (versicolor). Those are the real Iris
measurements min–max scaled over all 150 flowers (petal width 0.1–2.5 cm,
sepal width 2.0–4.4 cm):

* setosa, row 1 (the 2nd flower): petal 0.2 cm, sepal 3.0 cm -> 0.0417, 0.4167
* virginica, row 100 (the first virginica): petal 2.5 cm, sepal 3.3 cm -> 1.0, 0.5417
* versicolor, row 58: petal 1.3 cm, sepal 2.9 cm -> 0.5, 0.37

The slide scaled the file's decimals in float64, where 2.9 - 2.0 is
0.8999999999999999, so versicolor's sepal width is 0.37499999999999994 and
rounds to 0.37; the same sum in float32 (2.9 is stored as 2.9000001) gives
0.37500003, which rounds to 0.38. The features are therefore scaled here as the
slide did, from the measurements to one decimal (as the file writes them) in
float64; the classifier computes with them in float32, as torch does.

A softmax classifier ``logits = W x + b`` with the two-decimal weights below
gives the true classes the probabilities 0.5686, 0.5800, 0.5218 (0.57, 0.58,
0.52 to two decimals), so ``-log p`` = 0.5645, 0.5448, 0.6505 (0.56, 0.54,
0.65) and the total is 1.7598 ≈ 1.76; adding the rounded terms gives the
slide's 1.75. The weights were found by fitting those probabilities and
rounding to two decimals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from explorer.data import load_iris
from explorer.devices import resolve
from explorer.errors import InputError
from explorer.inputs import is_number

ROWS = (1, 100, 58)  # setosa, virginica, versicolor: the slide's order
DEFAULT_WEIGHTS = ((-2.93, 0.71), (0.0, 0.0), (2.26, -0.35))  # classes x (petal, sepal)
DEFAULT_BIAS = (0.27, 0.0, -1.65)
SLIDE_P = (0.57, 0.58, 0.52)  # the slide's table, to two decimals
SLIDE_NEG_LOG_P = (0.56, 0.54, 0.65)
SLIDE_TOTAL = 1.75  # the slide adds the rounded terms


@dataclass
class WorkedRow:
    """One flower of the table: scaled features, species, p of the true class, -log p."""

    petal_width: float
    sepal_width: float
    species: str
    p: float
    neg_log_p: float
    index: int = -1
    petal_width_cm: float = float("nan")
    sepal_width_cm: float = float("nan")


@dataclass
class WorkedExample:
    """The table, the total cross-entropy and the sum of the rounded terms (the slide's)."""

    rows: list[WorkedRow]
    total: float
    total_of_rounded: float
    weights: torch.Tensor
    bias: torch.Tensor
    problem: str | None = None  # why the total is not finite, naming the flower

    def matches_slide(self) -> bool:
        """Whether the table, as shown to two decimals, is the slide's own."""
        return (tuple(round(r.p, 2) for r in self.rows) == SLIDE_P
                and tuple(round(r.neg_log_p, 2) for r in self.rows) == SLIDE_NEG_LOG_P
                and self.total_of_rounded == SLIDE_TOTAL)


def flowers(device=None) -> tuple[torch.Tensor, torch.Tensor, list[int], torch.Tensor]:
    """The three flowers: scaled (petal width, sepal width), true classes, rows, raw cm."""
    table = load_iris()
    raw = table.features[:, [3, 1]]  # petal width, sepal width (cm)
    scaled = scale_as_the_slide(raw)
    rows = list(ROWS)
    device = resolve(device)
    return scaled[rows].to(device), table.labels[rows].to(device), rows, raw[rows]


def scale_as_the_slide(raw: torch.Tensor) -> torch.Tensor:
    """Min-max scale each column as the slide did: the file's one-decimal values, in float64."""
    decimals = torch.round(raw.double() * 10) / 10
    low, high = decimals.min(0).values, decimals.max(0).values
    return (decimals - low) / (high - low)


def _param(value, default, shape: tuple[int, ...], name: str, device) -> torch.Tensor:
    if value is None:
        t = torch.tensor(default)
    else:
        try:
            if isinstance(value, str | bytes):
                raise TypeError
            t = torch.as_tensor(value, dtype=torch.float32)
        except (TypeError, ValueError, RuntimeError):
            raise InputError(f"{name} must be numbers of shape {shape}.", field=name) from None
    if tuple(t.shape) != shape:
        raise InputError(f"{name} must have shape {shape}, not {tuple(t.shape)}.", field=name)
    if not torch.isfinite(t).all():
        raise InputError(f"{name} must hold finite numbers.", field=name)
    return t.to(device=device, dtype=torch.float32)


def check_probabilities(probabilities: object, field: str = "probabilities") -> list[float]:
    """The true-class probability of each of the three flowers, each in (0, 1].

    Raises
    ------
    InputError
        (with ``field``) for anything but three numbers above 0 and at most 1.
    """
    if not isinstance(probabilities, list | tuple) or len(probabilities) != 3:
        raise InputError("give one probability per flower, 3 in all.", field=field)
    for i, p in enumerate(probabilities):
        if not is_number(p):
            raise InputError(f"p of flower {i} must be a number.", field=field, cell=(i,))
        if not 0 < p <= 1:
            raise InputError(f"p of flower {i} is {p:g}; a probability must be in (0, 1].",
                             field=field, cell=(i,))
    return [float(p) for p in probabilities]


def _probabilities(probabilities, device) -> torch.Tensor:
    return torch.tensor(check_probabilities(probabilities), device=device)


def cross_entropy_example(weights=None, bias=None, probabilities: list[float] | None = None,
                          device=None) -> WorkedExample:
    """The slides' table: three flowers, their true-class probability and ``-log p``.

    Parameters
    ----------
    weights, bias
        The softmax classifier, shapes (3, 2) and (3,); classes setosa,
        versicolor, virginica; features scaled petal width, sepal width.
    probabilities
        If given, the true-class probability of each flower directly (the user
        edits p), and the classifier is not used.
    device
        Where to compute (default CPU).

    Returns
    -------
    WorkedExample
        ``total`` is the exact sum of ``-log p`` (``CrossEntropyLoss`` with
        ``reduction="sum"`` when the classifier is used); ``total_of_rounded``
        adds the terms rounded to two decimals, as the slide does.
    """
    device = resolve(device)
    x, labels, rows, raw = flowers(device)
    W = _param(weights, DEFAULT_WEIGHTS, (3, 2), "weights", device)
    b = _param(bias, DEFAULT_BIAS, (3,), "bias", device)
    if probabilities is None:
        logits = x.float() @ W.T + b
        p = torch.softmax(logits, dim=1).gather(1, labels[:, None]).squeeze(1)
        terms = torch.nn.CrossEntropyLoss(reduction="none")(logits, labels)
    else:
        p = _probabilities(probabilities, device)
        terms = 0.0 - torch.log(p)  # 0 - log 1 is 0, where -log 1 is -0 ("-0.00")
    names = load_iris().class_names
    table = [
        WorkedRow(float(x[i, 0]), float(x[i, 1]), names[int(labels[i])], float(p[i]),
                  float(terms[i]), rows[i], float(raw[i, 0]), float(raw[i, 1]))
        for i in range(3)
    ]
    rounded = sum(round(r.neg_log_p, 2) for r in table)
    return WorkedExample(table, float(terms.sum()), round(rounded, 2), W.cpu(), b.cpu(),
                         _problem(table, probabilities))


def _problem(table: list[WorkedRow], given) -> str | None:
    """Why the total is infinite (or nan), naming the first flower that makes it so."""
    for i, row in enumerate(table):
        if math.isfinite(row.neg_log_p):
            continue
        flower = f"flower {i} ({row.species})"
        if given is not None and row.p == 0:
            return (f"−log p of {flower} is infinite: p = {given[i]:g} is too small for "
                    "float32 (the smallest it holds is 1.4e-45), so it is stored as 0, "
                    "and −log 0 = ∞.")
        if row.p == 0:
            return (f"−log p of {flower} is infinite: the classifier gives it p = 0 in "
                    "float32 (the logits are too far apart), and −log 0 = ∞.")
        return f"−log p of {flower} is {row.neg_log_p}: the weights overflow float32."
    return None
