"""Closed-form gradients of the analytic surfaces of :mod:`explorer.descent.surfaces`.

The batched sweep calls these instead of an autograd backward pass, which was two thirds
of the cost of a step on a 2-D surface. Each maker takes the surface's resolved options
and returns a function ``xy (..., 2) -> gradient (..., 2)`` with no input checks (it is
the sweep's inner loop). ``tests/core/descent/test_closed_form.py`` checks every one equal
to autograd's gradient at random points (float64, relative 1e-10).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch


def _on_device(values) -> Callable[[torch.Tensor], torch.Tensor]:
    """``values`` as a tensor of the dtype and device of the points it is asked for with."""
    cached: dict = {}

    def like(xy: torch.Tensor) -> torch.Tensor:
        key = (xy.dtype, xy.device)
        if key not in cached:
            cached[key] = torch.tensor(values, dtype=xy.dtype, device=xy.device)
        return cached[key]

    return like


def quadratic(condition: float, rotation: float) -> Callable:
    # f = 1/2 xy^T H xy with H = R^T diag(1, condition) R symmetric, so the gradient is xy @ H.
    c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    hessian = _on_device(((c * c + condition * s * s, c * s * (1 - condition)),
                          (c * s * (1 - condition), s * s + condition * c * c)))
    return lambda xy: xy @ hessian(xy)


def rosenbrock() -> Callable:
    # With w = y - x^2: (df/dx, df/dy) = (x (2 - 400 w) - 2, 200 w) = (x, 1) * u + (-2, 0) with
    # u = (2, 0) + w (-400, 200): four whole (K, 2) operations (the sweep's inner loop; a
    # stack of the parts and a matrix product cost half as much again).
    base, slope = _on_device((2.0, 0.0)), _on_device((-400.0, 200.0))
    first, one = _on_device((1.0, 0.0)), _on_device((0.0, 1.0))
    offset = _on_device((-2.0, 0.0))

    def gradient(xy: torch.Tensor) -> torch.Tensor:
        x = xy[..., :1]
        w = torch.addcmul(xy[..., 1:], x, x, value=-1)
        u = torch.addcmul(base(xy), w, slope(xy))
        return torch.addcmul(offset(xy), torch.addcmul(one(xy), xy, first(xy)), u)

    return gradient


def himmelblau() -> Callable:
    # With (a, b) = (x^2 + y - 11, x + y^2 - 7): df/dx = 4 x a + 2 b, df/dy = 2 a + 4 y b, i.e.
    # 4 xy * ab + 2 flip(ab), the flips as products with a swap matrix (exact: its entries
    # are 0 and 1), fused with the sums: four operations, half the time of flipping.
    swap = _on_device(((0.0, 1.0), (1.0, 0.0)))
    swap2 = _on_device(((0.0, 2.0), (2.0, 0.0)))
    offsets = _on_device((-11.0, -7.0))

    def gradient(xy: torch.Tensor) -> torch.Tensor:
        if xy.dim() == 2:  # the sweep's (K, 2)
            ab = torch.addmm(offsets(xy), xy, swap(xy)).addcmul_(xy, xy)
            return torch.addmm(xy * ab, ab, swap2(xy), beta=4)
        ab = (xy @ swap(xy) + offsets(xy)).addcmul_(xy, xy)
        return torch.add(ab @ swap2(xy), xy * ab, alpha=4)

    return gradient


def saddle() -> Callable:
    # (df/dx, df/dy) = (x, y^3 / 2 - y) = xy * ((1, -1) + (0, 1/2) xy^2): three whole (K, 2)
    # operations. (Where x^2 overflows, 0 * inf makes df/dx NaN, not x; the loss there is
    # inf, so that run has diverged anyway.)
    constant, quadratic_term = _on_device((1.0, -1.0)), _on_device((0.0, 0.5))

    def gradient(xy: torch.Tensor) -> torch.Tensor:
        return torch.addcmul(constant(xy), quadratic_term(xy), xy * xy).mul_(xy)

    return gradient


def rastrigin() -> Callable:
    two_pi = 2 * math.pi

    def gradient(xy: torch.Tensor) -> torch.Tensor:
        # Separable: d/dt (t^2 - 10 cos 2 pi t) = 2 t + 20 pi sin 2 pi t = 2 (t + 10 pi sin 2 pi t).
        return torch.add(xy, torch.mul(xy, two_pi).sin_(), alpha=5 * two_pi).mul_(2)

    return gradient


GRADIENTS: dict[str, Callable[..., Callable]] = {
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "himmelblau": himmelblau,
    "saddle": saddle,
    "rastrigin": rastrigin,
}
"""The surfaces with a closed-form gradient; the model landscapes and ``custom`` use autograd."""
