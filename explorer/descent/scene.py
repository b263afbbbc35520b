"""What the user chose on the Descent page, as a small JSON-able dataclass.

The scene holds choices only (surface, optimizer, learning rates, start point,
current step, view options); the numbers come from :mod:`explorer.descent`.
The learning-rate text helpers live here too, so the page never parses or
computes a learning rate itself.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from explorer.descent import lr_finder
from explorer.errors import InputError
from explorer.inputs import (
    MAX_LRS,
    MAX_STEPS,
    check_lr,
    check_lrs,
    check_name,
    check_start,
    check_steps,
    check_whole,
    fields_of,
    parse_lrs,
)

DTYPES = ("float64", "float32")
SLICE_AXES = ("x", "y")
LR_TEST_MODELS = lr_finder.MODELS
LR_TEST_MODES = lr_finder.MODES



def log_range(low, high, count: int) -> tuple[float, ...]:
    """``count`` learning rates spaced evenly on a log scale from ``low`` to ``high``.

    Parameters
    ----------
    low, high
        The smallest and largest learning rate (positive, ``low <= high``), as numbers
        or as typed text.
    count
        How many (1 to ``MAX_LRS``); with 1 only ``low`` is returned.

    Raises
    ------
    InputError
        (field ``"lr_min"``, ``"lr_max"`` or ``"lr_count"``) for a value that
        cannot be used.
    """
    low = _one_rate(low, "lr_min")
    high = _one_rate(high, "lr_max")
    if high < low:
        raise InputError(
            f"The largest rate ({high:g}) is below the smallest ({low:g}); swap them.",
            field="lr_max",
        )
    count = check_whole(count, "lr_count", "The number of learning rates", 1, MAX_LRS)
    if count == 1:
        return (low,)
    values = np.geomspace(low, high, count)
    return tuple(float(f"{v:.6g}") for v in values)


def _one_rate(value, field: str) -> float:
    if isinstance(value, str):
        return parse_lrs(value, 1, field)[0]
    return check_lr(value, field)


@dataclass
class ViewOptions:
    """How the page draws: log loss axis, optimizer internals, which parameter the 1-D view cuts."""

    log_loss: bool = True
    show_internals: bool = False
    slice_axis: str = "x"
    speed: float = 20.0  # steps per second during playback


@dataclass
class LRTestOptions:
    """The LR range test's settings (see ``explorer.descent.lr_range_test``)."""

    model: str = "logistic-regression"
    start_lr: float = 1e-5
    end_lr: float = 10.0
    steps: int = 100
    mode: str = "exp"
    optimizer: str = "SGD"

    def validated(self) -> LRTestOptions:
        """These options if the range test can run them; else InputError naming the field."""
        _check_lr_test(self)
        return self


@dataclass
class DescentScene:
    """Everything the user chose on the Descent page.

    ``start`` None means the surface's default start point. ``current_step``
    is the playback position; it survives a re-run so changing a learning rate
    keeps the picture at the same step.
    """

    surface: str = "quadratic"
    # The steep direction along x, from a start off the valley floor: the 1-D view along x
    # then reads like the slide (too small crawls, right, too large overshoots/diverges).
    surface_options: dict = field(default_factory=lambda: {"rotation": 90.0})
    optimizer: str = "SGD"
    optimizer_options: dict = field(default_factory=dict)
    schedule: str = "none"
    schedule_options: dict = field(default_factory=dict)
    lrs: tuple[float, ...] = (0.01, 0.05, 0.18, 0.21)
    steps: int = 100
    start: tuple[float, float] | None = (-3.0, 1.5)
    dtype: str = "float64"
    current_step: int = 0
    view: ViewOptions = field(default_factory=ViewOptions)
    lr_test: LRTestOptions = field(default_factory=LRTestOptions)

    def to_dict(self) -> dict:
        """A JSON-able dict (tuples become lists)."""
        data = asdict(self)
        data["lrs"] = list(self.lrs)
        data["start"] = None if self.start is None else list(self.start)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> DescentScene:
        """Rebuild a scene from :meth:`to_dict` output, validating every value.

        Raises
        ------
        InputError
            For an unknown key, surface, optimizer, schedule or dtype, or a bad
            learning rate, step count, start point or view option.
        """
        data = fields_of(cls, data, "descent scene")
        data["view"] = _sub(ViewOptions, data.get("view", {}), "view")
        data["lr_test"] = _sub(LRTestOptions, data.get("lr_test", {}), "lr_test")
        return cls(**data).validated()

    def validated(self) -> DescentScene:
        """Return this scene if every value is usable; raise InputError naming the field if not."""
        _check_name(self.surface, "surface")
        _check_name(self.optimizer, "optimizer")
        _check_name(self.schedule, "schedule")
        for name in ("surface_options", "optimizer_options", "schedule_options"):
            if not isinstance(getattr(self, name), dict):
                raise InputError(f"{name} must be a mapping of option names to values.", field=name)
        _check_options(self)
        lrs = tuple(check_lrs(self.lrs))
        steps = check_steps(self.steps)
        if self.dtype not in DTYPES:
            raise InputError(f"dtype must be one of {', '.join(DTYPES)}.", field="dtype")
        step = check_whole(self.current_step, "current_step", "The current step", 0, MAX_STEPS)
        _check_view(self.view)
        self.lr_test.validated()
        start = None if self.start is None else check_start(self.start)
        return replace(self, lrs=lrs, steps=steps, start=start, current_step=min(step, steps))


def _sub(cls, value, name):
    if isinstance(value, cls):
        return value
    return cls(**fields_of(cls, value, f"descent scene's {name}", field=name))


def _known(kind: str) -> tuple[str, ...]:
    # Imported here so the scene module stays light and the core can grow freely.
    from explorer.descent import batched_optim, schedules, surfaces

    return {
        "surface": tuple(surfaces.names()),
        "optimizer": tuple(batched_optim.OPTIMIZERS),
        "schedule": tuple(schedules.SCHEDULES),
    }[kind]


def _check_name(value, kind: str) -> None:
    check_name(value, _known(kind), kind, kind)


def _check_options(scene: DescentScene) -> None:
    # The core checks each option against its spec; the scene keeps them as given.
    from explorer.descent import batched_optim, schedules, surfaces

    surfaces.resolve_surface_options(scene.surface, scene.surface_options)
    batched_optim.resolve_optimizer_options(scene.optimizer, scene.optimizer_options)
    schedules.resolve_schedule_options(scene.schedule, scene.schedule_options)


def _check_view(view: ViewOptions) -> None:
    if view.slice_axis not in SLICE_AXES:
        raise InputError("The 1-D view cuts along 'x' or 'y'.", field="slice_axis")
    speed = view.speed
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not 1 <= speed <= 1000:
        raise InputError("Playback speed must be between 1 and 1,000 steps per second.",
                         field="speed")
    for name in ("log_loss", "show_internals"):
        if not isinstance(getattr(view, name), bool):
            raise InputError(f"'{name}' must be true or false.", field=name)


def _check_lr_test(options: LRTestOptions) -> None:
    """The same rules as :func:`explorer.descent.lr_finder.lr_range_test` itself."""
    check_name(options.model, lr_finder.MODELS, "lr_test_model", "LR range test model")
    check_name(options.mode, lr_finder.MODES, "lr_test_mode", "way for the rate to grow")
    check_lr(options.start_lr, field="lr_test_start")
    check_lr(options.end_lr, field="lr_test_end")
    if options.end_lr <= options.start_lr:
        raise InputError("The end rate must be larger than the start rate.", field="lr_test_end")
    lr_finder.check_steps_of_test(options.steps, field="lr_test_steps")
    check_name(options.optimizer, lr_finder.FINDER_OPTIMIZERS, "lr_test_optimizer",
               "LR range test optimizer")


def slice_line(surface: str, through: tuple[float, float], axis: str,
               span: tuple[float, float], options: dict | None = None,
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
        The range of the varied parameter, ``(low, high)``.
    options
        The surface's options.
    n
        How many points.

    Returns
    -------
    tuple of ndarray
        The varied parameter's values ``(n,)`` and the loss there ``(n,)``.
    """
    import torch

    from explorer.descent import surfaces

    if axis not in SLICE_AXES:
        raise InputError("The 1-D view cuts along 'x' or 'y'.", field="slice_axis")
    x, y = check_start(through)
    t = torch.linspace(float(span[0]), float(span[1]), n, dtype=torch.float64)
    fixed = torch.full_like(t, y if axis == "x" else x)
    xy = torch.stack([t, fixed] if axis == "x" else [fixed, t], dim=-1)
    with torch.no_grad():
        loss = surfaces.evaluate(surface, xy, options)
    return t.numpy(), loss.numpy()


@dataclass(frozen=True)
class StepInternals:
    """What the optimizer works with at one step of one run, for the map's overlay.

    ``arrows`` maps a label to a displacement ``(dx, dy)`` drawn from ``point``;
    ``lines`` are the same numbers as text.
    """

    point: tuple[float, float]
    arrows: dict
    lines: tuple[str, ...]


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
    lines = [f"gradient = ({grad[0]:.4g}, {grad[1]:.4g})"]
    if t < sweep.steps_done:
        arrows["step taken"] = tuple((sweep.path[k, t + 1] - sweep.path[k, t]).tolist())
    for name in ("velocity", "exp_avg"):
        if name in sweep.internals:
            value = sweep.internals[name][k, t]
            lines.append(f"{name} = ({value[0]:.4g}, {value[1]:.4g})")
    if "velocity" in sweep.internals:  # SGD's step is exactly -lr·velocity
        arrows["-lr·velocity"] = tuple((-lr * sweep.internals["velocity"][k, t]).tolist())
    if "scale" in sweep.internals:
        s = sweep.internals["scale"][k, t]
        lines.append(f"adaptive scale (denominator) = ({s[0]:.4g}, {s[1]:.4g})")
    arrows = {name: d for name, d in arrows.items() if all(math.isfinite(v) for v in d)}
    return StepInternals(tuple(point), arrows, tuple(lines))
