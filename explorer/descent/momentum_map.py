"""Momentum's stability region on a quadratic: the (lr, beta) plane by convergence rate.

Heavy-ball momentum as ``torch.optim.SGD(momentum=beta)`` runs it (``v <- beta v + g``,
``x <- x - lr v``) on ``f = ½ Σ lambda_i u_i²`` moves each eigen-direction by the 2 × 2
iteration matrix ``[[1 - lr lambda, -lr beta], [lambda, beta]]`` acting on ``(u, v)``. Its
eigenvalues solve ``z² - (1 + beta - lr lambda) z + beta = 0``; the larger modulus is the
factor the error shrinks by per step in that direction, and the run's rate is the worst of
the two directions. It is below 1 exactly when ``0 < lr < 2 (1 + beta) / lambda_max``
(for 0 <= beta < 1). Goh, "Why Momentum Really Works", Distill 2017, draws the same plane.

Nesterov momentum as torch runs it (``nesterov=True``: ``b <- beta b + g``,
``x <- x - lr (g + beta b)``) has the matrix ``[[1 - h (1 + beta), -beta²], [h, beta]]`` on
``(u, lr b)`` with ``h = lr lambda``: trace ``1 + beta - h (1 + beta)``, determinant
``beta (1 - h)``; its region is ``lr < 2 (1 + beta) / ((1 + 2 beta) lambda_max)``
(:func:`explorer.descent.reference.nesterov_factor`), narrower than heavy-ball's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.descent.reference import nesterov_factor, reference_lrs
from explorer.errors import InputError
from explorer.inputs import check_lr, check_whole, is_number

MIN_RESOLUTION, MAX_RESOLUTION = 20, 400
"""Cells per axis of the map."""
BETA_MAX = 0.99
"""The map's beta axis runs from 0 to this (at beta = 1 nothing converges)."""


def spectral_radius(lr, beta, lam, nesterov: bool = False) -> np.ndarray:
    """The larger modulus of the iteration matrix's eigenvalues (broadcasting): heavy-ball's,
    or with ``nesterov`` torch's Nesterov form's.

    The closed form of the roots of ``z² - T z + D`` (heavy-ball: ``T = 1 + beta - lr lam``,
    ``D = beta``; Nesterov: ``T = (1 + beta)(1 - lr lam)``, ``D = beta (1 - lr lam)``):
    complex roots (negative discriminant) both have modulus ``sqrt(D)``.
    """
    lr, beta, lam = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (lr, beta, lam)))
    h = lr * lam
    if nesterov:
        trace, det = (1 + beta) * (1 - h), beta * (1 - h)
    else:
        trace, det = 1 + beta - h, beta
    disc = trace * trace - 4 * det
    root = np.sqrt(np.abs(disc))
    real = np.maximum(np.abs(trace + root), np.abs(trace - root)) / 2
    return np.where(disc < 0, np.sqrt(np.abs(det)), real)


def convergence_rate(lr, beta, lambdas, nesterov: bool = False) -> np.ndarray:
    """The worst per-step contraction over the Hessian's eigenvalues ``lambdas`` (< 1:
    converges; 1 or more: does not)."""
    return np.max([spectral_radius(lr, beta, lam, nesterov) for lam in lambdas], axis=0)


def stable_lr(beta, lambda_max: float, nesterov: bool = False) -> np.ndarray:
    """The largest stable rate for momentum ``beta``: ``2 (1 + beta) / lambda_max``, or
    Nesterov's ``2 (1 + beta) / ((1 + 2 beta) lambda_max)``."""
    beta = np.asarray(beta, dtype=float)
    return (nesterov_factor(beta) if nesterov else 2 * (1 + beta)) / lambda_max


@dataclass
class MomentumMap:
    """The convergence rate over a grid: ``rate[i, j]`` at ``betas[i]``, ``lrs[j]``.

    ``boundary`` is :func:`stable_lr` at each beta; ``best`` the fastest cell
    ``(lr, beta, rate)``; ``nesterov``: the map is of Nesterov momentum, not heavy-ball.
    """

    lrs: np.ndarray
    betas: np.ndarray
    rate: np.ndarray
    lambda_min: float
    lambda_max: float
    boundary: np.ndarray
    best: tuple[float, float, float]
    nesterov: bool = False

    def rate_at(self, lr: float, beta: float) -> float:
        """The exact rate at one point (not read off the grid)."""
        return float(convergence_rate(lr, beta, (self.lambda_min, self.lambda_max),
                                      self.nesterov))


def quadratic_eigenvalues(surface_options=None) -> tuple[float, float]:
    """(lambda_min, lambda_max) of the quadratic bowl with these options (its condition)."""
    reference = reference_lrs("quadratic", (0.0, 0.0), surface_options)
    return reference.lambda_min, reference.lambda_max


def check_resolution(resolution, field: str = "momentum_resolution") -> int:
    """The map's cells per axis, :data:`MIN_RESOLUTION` to :data:`MAX_RESOLUTION`."""
    return check_whole(resolution, field, "The momentum map's cells per axis", MIN_RESOLUTION,
                       MAX_RESOLUTION)


def momentum_map(surface_options=None, resolution: int = 160,
                 lr_max: float | None = None, nesterov: bool = False) -> MomentumMap:
    """The convergence rate of heavy-ball (or ``nesterov``) momentum over the (lr, beta)
    plane of the quadratic.

    Parameters
    ----------
    surface_options
        The quadratic's options (its ``condition`` sets lambda_max; lambda_min is 1).
    resolution
        Cells per axis.
    lr_max
        The rate axis runs from 0 to this; default 1.1 × 4 / lambda_max (Nesterov: 1.1 × 2 /
        lambda_max), past the largest stable rate of any beta < 1.
    nesterov
        Nesterov momentum (torch's form) instead of heavy-ball.

    Returns
    -------
    MomentumMap

    Raises
    ------
    InputError
        For bad quadratic options, resolution or ``lr_max``.
    """
    lambda_min, lambda_max = quadratic_eigenvalues(surface_options)
    n = check_resolution(resolution)
    if lr_max is None:
        lr_max = 1.1 * (2 if nesterov else 4) / lambda_max
    elif not is_number(lr_max):
        raise InputError("The momentum map's largest rate must be a number.",
                         field="momentum_lr_max")
    lr_max = check_lr(lr_max, field="momentum_lr_max")
    # Cell centres, so no cell sits on lr = 0 where nothing moves.
    lrs = (np.arange(n) + 0.5) * lr_max / n
    betas = (np.arange(n) + 0.5) * BETA_MAX / n
    rate = convergence_rate(lrs[None, :], betas[:, None], (lambda_min, lambda_max), nesterov)
    i, j = np.unravel_index(int(np.argmin(rate)), rate.shape)
    return MomentumMap(lrs, betas, rate, lambda_min, lambda_max,
                       stable_lr(betas, lambda_max, nesterov),
                       (float(lrs[j]), float(betas[i]), float(rate[i, j])), bool(nesterov))
