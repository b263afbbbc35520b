"""Reference learning rates from curvature: exact for the quadratic, local elsewhere.

On a quadratic with Hessian eigenvalues ``lambda_min <= lambda_max`` plain
gradient descent multiplies the error along each eigenvector by ``1 - lr * lambda``
per step, so it converges exactly when ``lr < 2 / lambda_max`` and converges
fastest (in the worst direction) at ``lr = 2 / (lambda_min + lambda_max)``. On
any other surface the same numbers come from the Hessian at the start point and
only describe the first steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from explorer.descent import surfaces
from explorer.errors import InputError
from explorer.inputs import check_name, check_start

TOO_SMALL = 1 / 20  # of the optimal rate: crawls
TOO_LARGE = 0.95  # of the critical rate: converges, but zig-zags across the valley
DIVERGING = 1.2  # of the critical rate: each step overshoots by more than it corrects


@dataclass
class ReferenceLRs:
    """Curvature-based learning rates and the presets derived from them."""

    lambda_min: float
    lambda_max: float
    critical: float
    optimal: float
    presets: dict[str, float]
    exact: bool
    explanation: str


def _presets(critical: float, optimal: float) -> dict[str, float]:
    return {
        "too small": optimal * TOO_SMALL,
        "good": optimal,
        "too large": critical * TOO_LARGE,
        "diverging": critical * DIVERGING,
    }


def _quadratic(options: dict) -> ReferenceLRs:
    lambda_min, lambda_max = 1.0, float(options["condition"])
    critical, optimal = 2 / lambda_max, 2 / (lambda_min + lambda_max)
    explanation = (
        f"The Hessian's eigenvalues are lambda_min = {lambda_min:g} and lambda_max = "
        f"{lambda_max:g}. Each step multiplies the distance along an eigenvector by "
        f"(1 - lr × lambda), so plain gradient descent converges exactly when "
        f"lr < 2 / lambda_max = {critical:.4g}, and fastest at lr = 2 / (lambda_min + "
        f"lambda_max) = {optimal:.4g}."
    )
    return ReferenceLRs(lambda_min, lambda_max, critical, optimal,
                        _presets(critical, optimal), True, explanation)


def _local(name: str, options: dict, start: tuple[float, float]) -> ReferenceLRs:
    function = surfaces.objective(name, options)
    point = torch.tensor(start, dtype=torch.float64)
    hessian = torch.autograd.functional.hessian(function, point)
    if not torch.isfinite(hessian).all():
        raise InputError("The curvature at this start point is not finite; choose a start "
                         "nearer the minimum.", field="start")
    eigenvalues = torch.linalg.eigvalsh(hessian).tolist()
    positive = [value for value in eigenvalues if value > 1e-12]
    note = ""
    if positive:
        lambda_min, lambda_max = min(positive), max(positive)
        if len(positive) < len(eigenvalues):
            note = (f" The surface curves downward along one direction here (eigenvalue "
                    f"{min(eigenvalues):.3g}): gradient descent moves away along it at any rate.")
    else:
        # Concave or flat here: no local limit; use the size of the curvature instead.
        lambda_max = max(abs(value) for value in eigenvalues) or 1.0
        lambda_min = lambda_max
        note = " The surface curves downward in every direction here, so no rate converges locally."
    critical, optimal = 2 / lambda_max, 2 / (lambda_min + lambda_max)
    explanation = (
        f"Estimated from the Hessian at the start ({start[0]:g}, {start[1]:g}): eigenvalues "
        f"{', '.join(f'{v:.4g}' for v in eigenvalues)}. Near the start, steps converge for "
        f"lr < 2 / lambda_max = {critical:.4g} and fastest at 2 / (lambda_min + lambda_max) = "
        f"{optimal:.4g}; the curvature changes along the way, so these are a guide, not exact."
        + note
    )
    return ReferenceLRs(lambda_min, lambda_max, critical, optimal,
                        _presets(critical, optimal), False, explanation)


def reference_lrs(surface: str, start, surface_options=None) -> ReferenceLRs:
    """Critical and optimal learning rates of plain gradient descent on ``surface``.

    Parameters
    ----------
    surface
        One of :func:`explorer.descent.surfaces.names`.
    start
        The start point ``(x, y)``; used where the curvature depends on it.
    surface_options
        The surface's options (the quadratic's condition number sets lambda_max).

    Returns
    -------
    ReferenceLRs
        ``exact`` is True where the curvature is the same everywhere: the quadratic and the
        linear regression with MSELoss.
    """
    check_name(surface, surfaces.names(), "surface", "surface")
    start = check_start(start)
    options = surfaces.resolve_surface_options(surface, surface_options)
    if surface == "quadratic":
        return _quadratic(options)
    result = _local(surface, options, start)
    if surface == "linear-regression" and options["loss"] == "MSELoss":
        # The mean squared error of a linear model is itself a quadratic in (w, b).
        result.exact = True
        result.explanation = (
            f"The mean squared error of a line is a quadratic in (w, b), so its Hessian is the "
            f"same everywhere: eigenvalues lambda_min = {result.lambda_min:.4g} and lambda_max = "
            f"{result.lambda_max:.4g}. Plain gradient descent converges exactly when "
            f"lr < 2 / lambda_max = {result.critical:.4g}, fastest at 2 / (lambda_min + "
            f"lambda_max) = {result.optimal:.4g}.")
    return result
