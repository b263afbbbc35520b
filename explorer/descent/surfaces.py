"""Two-dimensional objectives for the descent lab: test functions and real loss landscapes.

Every surface maps points ``xy`` of shape ``(..., 2)`` to values ``(...)`` in one
differentiable, broadcast torch computation, so a whole grid (or K optimizer
runs) is evaluated in one call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from explorer import expressions
from explorer.descent import closed_form, landscapes
from explorer.devices import resolve
from explorer.errors import InputError
from explorer.inputs import OptionSpec, check_grid_size, check_name, resolve_options


@dataclass(frozen=True)
class SurfaceInfo:
    """What the page shows about a surface: names, formula, default view and options."""

    name: str
    display_name: str
    formula: str
    description: str
    x_label: str
    y_label: str
    bounds: tuple[float, float, float, float]
    default_start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    options: tuple[OptionSpec, ...] = ()
    log_levels: bool = False


@dataclass
class Grid:
    """A surface sampled on a regular grid: ``z[i, j]`` is the value at ``(xs[j], ys[i])``."""

    name: str
    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray
    bounds: tuple[float, float, float, float]
    log_levels: bool = False
    options: dict = field(default_factory=dict)


def _quadratic(xy: torch.Tensor, condition: float, rotation: float) -> torch.Tensor:
    # Coordinates along the Hessian's eigenvectors: u (curvature 1), v (curvature `condition`).
    c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    x, y = xy[..., 0], xy[..., 1]
    u, v = c * x + s * y, -s * x + c * y
    return 0.5 * (u * u + condition * v * v)


def _rosenbrock(xy: torch.Tensor) -> torch.Tensor:
    x, y = xy[..., 0], xy[..., 1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _himmelblau(xy: torch.Tensor) -> torch.Tensor:
    x, y = xy[..., 0], xy[..., 1]
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _saddle(xy: torch.Tensor) -> torch.Tensor:
    x, y = xy[..., 0], xy[..., 1]
    return 0.5 * x * x - 0.5 * y * y + 0.125 * y**4


def _rastrigin(xy: torch.Tensor) -> torch.Tensor:
    two_pi = 2 * math.pi
    x, y = xy[..., 0], xy[..., 1]
    return 20 + x * x - 10 * torch.cos(two_pi * x) + y * y - 10 * torch.cos(two_pi * y)


def _custom(xy: torch.Tensor, expression: str, x_min: float, x_max: float, y_min: float,
            y_max: float) -> torch.Tensor:
    """The user's own f(x, y) (checked by :mod:`explorer.expressions`); the view is not used."""
    return expressions.parse(expression, CUSTOM_VARIABLES)(x=xy[..., 0], y=xy[..., 1])


CUSTOM = "custom"
CUSTOM_VARIABLES = ("x", "y")
_VIEW_LIMIT = 1e6


def _view(name: str, default: float, description: str) -> OptionSpec:
    return OptionSpec(name, "float", default, -_VIEW_LIMIT, _VIEW_LIMIT, description)


_CUSTOM_OPTIONS = (
    OptionSpec("expression", "expression", "x**2 + 10*y**2",
               description="Your f(x, y): numbers, x, y, + - * / **, comparisons, where(c, a, b) "
               "and abs exp log log1p sqrt sin cos tanh sigmoid softplus relu clamp min max.",
               variables=CUSTOM_VARIABLES),
    _view("x_min", -3.0, "The left edge of the map."),
    _view("x_max", 3.0, "The right edge of the map."),
    _view("y_min", -3.0, "The bottom edge of the map."),
    _view("y_max", 3.0, "The top edge of the map."),
)

_QUADRATIC_OPTIONS = (
    OptionSpec("condition", "float", 10.0, 1.0, 1000.0,
               "Ratio of the largest to the smallest curvature (lambda_max / lambda_min)."),
    OptionSpec("rotation", "float", 30.0, -90.0, 90.0,
               "Angle of the valley against the x axis, in degrees."),
)
_LINREG_OPTIONS = (
    OptionSpec("loss", "choice", "MSELoss", description="Regression loss averaged over the data.",
               choices=landscapes.REGRESSION_LOSSES),
    OptionSpec("delta", "float", 1.0, 1e-3, 100.0,
               "HuberLoss delta / SmoothL1Loss beta: where the loss turns from square to linear."),
)
_LOGREG_OPTIONS = (
    OptionSpec("loss", "choice", "BCEWithLogitsLoss",
               description="Classification loss averaged over the flowers.",
               choices=landscapes.CLASSIFICATION_LOSSES),
)

_INFOS = (
    SurfaceInfo(
        "quadratic", "Quadratic bowl",
        r"f(x, y) = \tfrac{1}{2}\left(u^2 + \kappa\, v^2\right),\ (u, v) = R_\theta (x, y)",
        "A tilted elliptic bowl. Plain gradient descent converges exactly when "
        "lr < 2 / lambda_max; the condition number kappa sets how elongated the valley is.",
        "x", "y", (-4.0, 4.0, -4.0, 4.0), (-3.0, 2.5), ((0.0, 0.0),), _QUADRATIC_OPTIONS),
    SurfaceInfo(
        "rosenbrock", "Rosenbrock valley", r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        "A narrow curved valley: easy to fall into, slow to follow to the minimum at (1, 1).",
        "x", "y", (-2.0, 2.0, -1.0, 3.0), (-1.5, 2.0), ((1.0, 1.0),), (), True),
    SurfaceInfo(
        "himmelblau", "Himmelblau", r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        "Four equally deep minima: where a run ends depends on the start and the learning rate.",
        "x", "y", (-5.0, 5.0, -5.0, 5.0), (0.0, 0.0),
        ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
        (), True),
    SurfaceInfo(
        "saddle", "Saddle point", r"f(x, y) = \tfrac{1}{2}x^2 - \tfrac{1}{2}y^2 + \tfrac{1}{8}y^4",
        "A saddle at the origin between two minima at (0, ±sqrt 2): the gradient vanishes at "
        "the saddle, so a run that starts near y = 0 lingers there before it escapes.",
        "x", "y", (-2.5, 2.5, -2.5, 2.5), (-2.0, 0.01),
        ((0.0, math.sqrt(2)), (0.0, -math.sqrt(2)))),
    SurfaceInfo(
        "rastrigin", "Rastrigin",
        r"f(x, y) = 20 + \sum_{t \in \{x, y\}} \left(t^2 - 10 \cos 2\pi t\right)",
        "Many local minima on a bowl: small steps get stuck in the nearest dip.",
        "x", "y", (-5.12, 5.12, -5.12, 5.12), (-3.3, 2.7), ((0.0, 0.0),)),
    SurfaceInfo(
        "linear-regression", "Linear regression (w, b)",
        r"L(w, b) = \frac{1}{N}\sum_i \ell(w x_i + b,\ y_i)",
        "The real loss of a line w x + b fitted to 30 shipped points (two are outliers), with "
        "the chosen torch.nn regression loss. The minimum shown is the least-squares one (MSE).",
        "w (slope)", "b (intercept)", (-2.0, 4.0, -3.0, 4.0), (-1.5, 3.5),
        (landscapes.linreg_least_squares(),), _LINREG_OPTIONS, True),
    SurfaceInfo(
        "logistic-regression", "Logistic regression on Iris (w1, w2)",
        r"L(w_1, w_2) = \frac{1}{N}\sum_i \ell(w_1 x_{i1} + w_2 x_{i2},\ y_i)",
        "The real loss of a linear classifier telling Iris versicolor from virginica by "
        "standardized petal length and width, with the chosen classification loss. "
        "The minimum shown is the BCEWithLogitsLoss one.",
        "w1 (petal length)", "w2 (petal width)", (-4.0, 10.0, -4.0, 10.0), (-3.0, 8.0),
        (landscapes.logreg_minimum(),), _LOGREG_OPTIONS, True),
    SurfaceInfo(
        CUSTOM, "Your own f(x, y)", r"f(x, y) = x^{2} + 10 \cdot y^{2}",
        "Type any f(x, y) and its view: every optimizer, schedule and the playback run on it, "
        "with gradients from autograd. E.g. sin(3*x)*cos(3*y) + 0.1*(x**2 + y**2).",
        "x", "y", (-3.0, 3.0, -3.0, 3.0), (-2.4, 2.4), (), _CUSTOM_OPTIONS),
)
INFO = {info.name: info for info in _INFOS}

_FUNCTIONS: dict[str, Callable[..., torch.Tensor]] = {
    "quadratic": _quadratic,
    "rosenbrock": _rosenbrock,
    "himmelblau": _himmelblau,
    "saddle": _saddle,
    "rastrigin": _rastrigin,
    "linear-regression": landscapes.linear_regression,
    "logistic-regression": landscapes.logistic_regression,
    CUSTOM: _custom,
}


def names() -> list[str]:
    """The surfaces, in the order the page lists them."""
    return list(INFO)


def info(name: str, options: Mapping[str, object] | None = None) -> SurfaceInfo:
    """The description of surface ``name``; InputError if there is none.

    The user's own surface (``"custom"``) takes its formula, view and start from
    ``options``; every other surface's description is the same whatever the options.
    """
    found = INFO[check_name(name, INFO, "surface", "surface")]
    if name != CUSTOM or not options:
        return found
    resolved = resolve_surface_options(name, options)
    bounds = tuple(resolved[k] for k in ("x_min", "x_max", "y_min", "y_max"))
    xmin, xmax, ymin, ymax = bounds
    return replace(found, formula="f(x, y) = " + expressions.parse(
        resolved["expression"], CUSTOM_VARIABLES).latex(), bounds=bounds,
        default_start=(xmin + 0.1 * (xmax - xmin), ymax - 0.1 * (ymax - ymin)))


def resolve_surface_options(name: str, options: Mapping[str, object] | None) -> dict:
    """``options`` checked against the surface's option specs, defaults filled in."""
    found = INFO[check_name(name, INFO, "surface", "surface")]
    resolved = resolve_options(found.options, options, f"Surface '{name}'", "surface_options")
    if name == CUSTOM:
        for low, high in (("x_min", "x_max"), ("y_min", "y_max")):
            if not resolved[low] < resolved[high]:
                raise InputError(f"The view needs {low} < {high}; got {resolved[low]:g} and "
                                 f"{resolved[high]:g}.", field=high)
    return resolved


def objective(name: str, options: Mapping[str, object] | None = None) -> Callable:
    """The surface as a function ``xy (..., 2) -> (...)`` with its options bound (checked once)."""
    resolved = resolve_surface_options(name, options)
    function = _FUNCTIONS[name]
    return lambda xy: function(xy, **resolved)


def closed_form_gradient(name: str, options: Mapping[str, object] | None = None
                         ) -> Callable | None:
    """The surface's gradient as a function ``xy (..., 2) -> (..., 2)``, or None.

    None for the surfaces whose gradient comes from autograd (the model landscapes and
    the user's own expression). The function does no input checks: it is the batched
    sweep's inner loop.
    """
    resolved = resolve_surface_options(name, options)
    make = closed_form.GRADIENTS.get(name)
    return None if make is None else make(**resolved)


def evaluate(name: str, xy: torch.Tensor, options: Mapping[str, object] | None = None):
    """The surface's value at each point.

    Parameters
    ----------
    name
        One of :func:`names`.
    xy
        Points, shape ``(..., 2)``; gradients flow back to it.
    options
        The surface's options (see ``info(name).options``); defaults where missing.

    Returns
    -------
    torch.Tensor
        Shape ``xy.shape[:-1]``, same dtype and device as ``xy`` (whole-number points, and
        numbers given as lists, are computed in float64).

    Raises
    ------
    InputError
        For an unknown surface or option, points that are not numbers of shape ``(..., 2)``,
        or more than ``MAX_POINTS`` points.
    """
    function = objective(name, options)
    return function(check_points(xy))


MAX_POINTS = 65_536
"""The most points one :func:`evaluate` takes (a model landscape holds every point's loss on
every data row, with its graph: about 150 MB here; :func:`grid` computes in blocks instead)."""


def check_points(xy) -> torch.Tensor:
    """``xy`` as a floating-point tensor of shape ``(..., 2)`` with at most ``MAX_POINTS``.

    A float tensor is used as it is (gradients flow back to it); whole numbers (int or
    bool tensors, nested lists) become float64. Text, complex numbers and other shapes
    are refused.
    """
    if not isinstance(xy, torch.Tensor):
        if isinstance(xy, str | bytes):
            raise InputError(f"Points must be numbers (x, y), e.g. a tensor of shape (K, 2); "
                             f"got the text {xy[:40]!r}.", field="xy")
        try:
            xy = torch.as_tensor(xy, dtype=torch.float64)
        except (TypeError, ValueError, RuntimeError):
            raise InputError("Points must be numbers (x, y), e.g. a tensor of shape (K, 2).",
                             field="xy") from None
    if xy.is_complex():
        raise InputError("Points must be real numbers, not complex ones.", field="xy")
    if xy.shape[-1:] != (2,):
        raise InputError(f"Points must have 2 coordinates in the last dimension; got shape "
                         f"{tuple(xy.shape)}.", field="xy")
    if xy.numel() // 2 > MAX_POINTS:
        raise InputError(f"At most {MAX_POINTS:,} points (MAX_POINTS) are evaluated at once; "
                         f"got {xy.numel() // 2:,}. Use surfaces.grid for a whole map.",
                         field="xy")
    if not xy.is_floating_point():
        xy = xy.to(torch.float64)
    return xy


def grid(name: str, bounds=None, n: int = 256, options=None, device=None,
         dtype: torch.dtype = torch.float64) -> Grid:
    """The surface on an ``n`` × ``n`` grid (``n`` from 2 to ``MAX_GRID``), batched on ``device``.

    ``bounds`` is ``(xmin, xmax, ymin, ymax)``, the surface's default view if None. The
    rows are computed in blocks of about ``GRID_BLOCK`` points, so a model landscape
    (which holds every point's loss on every data row at once) stays small.
    """
    function = objective(name, options)
    bounds = _check_bounds(info(name, options).bounds if bounds is None else bounds)
    n = check_grid_size(n)
    dtype = _check_dtype(dtype)
    device = resolve(device)
    xs = torch.linspace(bounds[0], bounds[1], n, dtype=dtype, device=device)
    ys = torch.linspace(bounds[2], bounds[3], n, dtype=dtype, device=device)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    points = torch.stack([xx, yy], dim=-1)
    rows = max(1, GRID_BLOCK // n)
    with torch.no_grad():
        z = torch.cat([function(points[i:i + rows]) for i in range(0, n, rows)])
    return Grid(name, xs.cpu().numpy(), ys.cpu().numpy(), z.cpu().numpy(), bounds,
                info(name).log_levels, resolve_surface_options(name, options))


GRID_BLOCK = 16_384
"""Points per block of a grid's computation."""


def _check_dtype(dtype) -> torch.dtype:
    if dtype not in (torch.float32, torch.float64):
        raise InputError(f"dtype must be torch.float32 or torch.float64; got {dtype}.",
                         field="dtype")
    return dtype


def _check_bounds(bounds) -> tuple[float, float, float, float]:
    try:
        if isinstance(bounds, str | bytes) or any(isinstance(v, bool) for v in bounds):
            raise TypeError  # "1234" is not four numbers, nor is True one
        xmin, xmax, ymin, ymax = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise InputError("The view must be four numbers: xmin, xmax, ymin, ymax.",
                         field="bounds") from None
    if not all(math.isfinite(v) for v in (xmin, xmax, ymin, ymax)):
        raise InputError("The view's limits must be finite numbers.", field="bounds")
    if not (xmin < xmax and ymin < ymax):
        raise InputError("The view needs xmin < xmax and ymin < ymax.", field="bounds")
    return xmin, xmax, ymin, ymax


def contour_levels(grid: Grid, count: int = 20) -> np.ndarray:
    """``count`` contour levels for ``grid``, log-spaced above the minimum when the range is wide.

    The range counts as wide when the surface asks for it (``log_levels``) or when
    half the grid lies in the lowest 2 % of the range, as in a narrow valley.
    """
    z = grid.z[np.isfinite(grid.z)]
    if z.size == 0 or count < 1:
        return np.empty(0)
    low, high = float(z.min()), float(z.max())
    span = high - low
    if span <= 0:
        return np.array([low])
    wide = grid.log_levels or float(np.median(z) - low) < 0.02 * span
    if wide:
        return low + np.geomspace(span * 1e-5, span, count + 1)[:-1]
    return np.linspace(low, high, count + 2)[1:-1]
