"""What the Descent page reads off a surface and a run besides the paths themselves.

The 1-D view's cut through the surface (:func:`slice_line`) and the optimizer's
internals at one step of one run (:func:`internals_at`), as numbers; the page
writes them as text and arrows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from explorer.descent import surfaces
from explorer.errors import InputError
from explorer.inputs import check_grid_size, check_start

SLICE_AXES = ("x", "y")
STATE_NAMES = ("velocity", "exp_avg", "scale")
"""The optimizer state a sweep may record, in the order the page lists it."""


def check_slice_axis(axis: object) -> str:
    """``"x"`` or ``"y"``: the parameter the 1-D view varies."""
    if axis not in SLICE_AXES:
        raise InputError("The 1-D view cuts along 'x' or 'y'.", field="slice_axis")
    return axis  # type: ignore[return-value]


def slice_span(surface: str, axis: str, options: dict | None = None) -> tuple[float, float]:
    """The range of the varied parameter that the surface's map shows."""
    bounds = surfaces.info(surface, options).bounds
    return tuple(bounds[0:2]) if check_slice_axis(axis) == "x" else tuple(bounds[2:4])


def slice_line(surface: str, through: tuple[float, float], axis: str,
               span: tuple[float, float] | None = None, options: dict | None = None,
               n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """The loss along one parameter, the other held at ``through`` (the 1-D view's curve).

    Parameters
    ----------
    surface
        A surface name (``explorer.descent.surfaces.names()``).
    through
        The point the line passes through, ``(x, y)``.
    axis
        ``"x"`` to vary the first parameter, ``"y"`` the second.
    span
        The range of the varied parameter, ``(low, high)``; default :func:`slice_span`.
    options
        The surface's options.
    n
        How many points.

    Returns
    -------
    tuple of ndarray
        The varied parameter's values ``(n,)`` and the loss there ``(n,)``.
    """
    check_slice_axis(axis)
    span = slice_span(surface, axis, options) if span is None else span
    x, y = check_start(through)
    try:
        low, high = check_start(span, "span")
    except InputError:
        raise InputError("The span must be two finite numbers (low, high).",
                         field="span") from None
    n = check_grid_size(n)
    t = torch.linspace(low, high, n, dtype=torch.float64)
    fixed = torch.full_like(t, y if axis == "x" else x)
    xy = torch.stack([t, fixed] if axis == "x" else [fixed, t], dim=-1)
    with torch.no_grad():
        loss = surfaces.evaluate(surface, xy, options)
    return t.numpy(), loss.numpy()


@dataclass(frozen=True)
class StepInternals:
    """What the optimizer works with at one step of one run, for the map's overlay.

    ``arrows`` maps a label to a displacement ``(dx, dy)`` drawn from ``point``;
    ``gradient`` is the gradient there and ``state`` the optimizer's recorded state
    after the step (``"velocity"``, ``"exp_avg"``, ``"scale"``: the adaptive
    denominator), each a pair of numbers.
    """

    point: tuple[float, float]
    arrows: dict
    gradient: tuple[float, float]
    state: dict


def internals_at(sweep, k: int, t: int) -> StepInternals | None:
    """The gradient, momentum and adaptive scale of run ``k`` at step ``t`` of ``sweep``.

    Arrows are scaled by the run's learning rate so they share the map's units:
    ``-lr·gradient`` is where plain gradient descent would go, ``step taken`` is
    where the optimizer went. None where the step does not exist or was not recorded.
    """
    if not 0 <= t <= sweep.steps_done or "grad" not in sweep.internals:
        return None
    point = sweep.path[k, t].tolist()
    if not all(math.isfinite(v) for v in point):
        return None
    lr = float(sweep.lrs[k])
    grad = sweep.internals["grad"][k, t]
    arrows = {"-lr·gradient": tuple((-lr * grad).tolist())}
    if t < sweep.steps_done:
        arrows["step taken"] = tuple((sweep.path[k, t + 1] - sweep.path[k, t]).tolist())
    if "velocity" in sweep.internals:  # SGD's step is exactly -lr·velocity
        arrows["-lr·velocity"] = tuple((-lr * sweep.internals["velocity"][k, t]).tolist())
    state = {name: tuple(sweep.internals[name][k, t].tolist())
             for name in STATE_NAMES if name in sweep.internals}
    arrows = {name: d for name, d in arrows.items() if all(math.isfinite(v) for v in d)}
    return StepInternals(tuple(point), arrows, tuple(grad.tolist()), state)
