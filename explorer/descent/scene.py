"""What the user chose on the Descent page, as a small JSON-able dataclass.

The scene holds choices only (surface, optimizer, learning rates, start point,
current step, view options); the numbers come from :mod:`explorer.descent`.
The learning-rate text helpers live here too, so the page never parses or
computes a learning rate itself.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np

from explorer.errors import InputError
from explorer.inputs import MAX_LRS, MAX_STEPS

DTYPES = ("float64", "float32")
SLICE_AXES = ("x", "y")
LR_TEST_MODELS = ("logistic-regression", "mlp-iris", "mlp-digits")
LR_TEST_MODES = ("exp", "linear")

_SEPARATORS = re.compile(r"[,;\s]+")


def parse_lrs(text: str) -> tuple[float, ...]:
    """Read learning rates typed as text, e.g. ``"0.001, 0.01, 0.1"``.

    Commas, semicolons and spaces all separate values; ``1e-3`` is allowed.

    Parameters
    ----------
    text
        What the user typed.

    Returns
    -------
    tuple of float
        The learning rates in the order typed.

    Raises
    ------
    InputError
        (field ``"lrs"``) if the text is empty, a value is not a number, not
        positive and finite, or there are more than ``MAX_LRS`` values.
    """
    parts = [p for p in _SEPARATORS.split(text.strip()) if p]
    if not parts:
        raise InputError("Type at least one learning rate, e.g. 0.01, 0.1.", field="lrs")
    if len(parts) > MAX_LRS:
        raise InputError(
            f"{len(parts)} learning rates is too many; use at most {MAX_LRS}.", field="lrs"
        )
    lrs = []
    for i, part in enumerate(parts):
        try:
            value = float(part)
        except ValueError:
            raise InputError(
                f"'{part}' is not a number; type learning rates like 0.01, 1e-3.",
                field="lrs", cell=(i,),
            ) from None
        lrs.append(check_lr(value, cell=(i,)))
    return tuple(lrs)


def check_lr(value: float, field: str = "lrs", cell: tuple | None = None) -> float:
    """Return ``value`` as a float if it is a usable learning rate, else raise InputError."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise InputError(f"'{value}' is not a number.", field=field, cell=cell) from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(
            f"A learning rate must be a positive finite number, not {value:g}.",
            field=field, cell=cell,
        )
    return value


def format_lrs(lrs) -> str:
    """The text form of learning rates, ``"0.001, 0.01, 0.1"`` (round-trips through parse_lrs)."""
    return ", ".join(f"{float(lr):.6g}" for lr in lrs)


def log_range(low: float, high: float, count: int) -> tuple[float, ...]:
    """``count`` learning rates spaced evenly on a log scale from ``low`` to ``high``.

    Parameters
    ----------
    low, high
        The smallest and largest learning rate (positive, ``low <= high``).
    count
        How many (1 to ``MAX_LRS``); with 1 only ``low`` is returned.

    Raises
    ------
    InputError
        (field ``"lr_min"``, ``"lr_max"`` or ``"lr_count"``) for a value that
        cannot be used.
    """
    low = check_lr(low, field="lr_min")
    high = check_lr(high, field="lr_max")
    if high < low:
        raise InputError(
            f"The largest rate ({high:g}) is below the smallest ({low:g}); swap them.",
            field="lr_max",
        )
    if not _is_whole(count) or not 1 <= count <= MAX_LRS:
        raise InputError(f"Choose between 1 and {MAX_LRS} learning rates.", field="lr_count")
    if count == 1:
        return (low,)
    values = np.geomspace(low, high, int(count))
    return tuple(float(f"{v:.6g}") for v in values)


def check_steps(steps, field: str = "steps") -> int:
    """Return ``steps`` as an int in 1..MAX_STEPS, else raise InputError."""
    if not _is_whole(steps):
        raise InputError(f"The number of steps must be a whole number, not {steps}.", field=field)
    if not 1 <= steps <= MAX_STEPS:
        raise InputError(f"Choose between 1 and {MAX_STEPS:,} steps, not {steps:,}.", field=field)
    return int(steps)


def _is_whole(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def check_start(start) -> tuple[float, float] | None:
    """Return the start point as two finite floats (or None for the surface's default)."""
    if start is None:
        return None
    try:
        x, y = (float(v) for v in start)
    except (TypeError, ValueError):
        raise InputError("The start point must be two numbers, x and y.", field="start") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError("The start point must be finite; pick a point on the map.", field="start")
    return (x, y)


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
        if not isinstance(data, dict):
            raise InputError("A descent scene must be a JSON object.", field="scene")
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise InputError(f"Unknown scene entries: {', '.join(sorted(unknown))}.", field="scene")
        data = dict(data)
        data["view"] = _sub(ViewOptions, data.get("view", {}), "view")
        data["lr_test"] = _sub(LRTestOptions, data.get("lr_test", {}), "lr_test")
        for key in ("lrs", "start"):
            if isinstance(data.get(key), list):
                data[key] = tuple(data[key])
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
        if not self.lrs:
            raise InputError("Choose at least one learning rate.", field="lrs")
        if len(self.lrs) > MAX_LRS:
            raise InputError(f"Use at most {MAX_LRS} learning rates.", field="lrs")
        lrs = tuple(check_lr(lr, cell=(i,)) for i, lr in enumerate(self.lrs))
        steps = check_steps(self.steps)
        if self.dtype not in DTYPES:
            raise InputError(f"dtype must be one of {', '.join(DTYPES)}.", field="dtype")
        step = self.current_step
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise InputError("The current step must be a whole number >= 0.", field="current_step")
        _check_view(self.view)
        _check_lr_test(self.lr_test)
        return replace(self, lrs=lrs, steps=steps, start=check_start(self.start),
                       current_step=min(int(step), steps))


def _sub(cls, value, name):
    if isinstance(value, cls):
        return value
    if not isinstance(value, dict):
        raise InputError(f"'{name}' must be a JSON object.", field=name)
    unknown = set(value) - {f.name for f in fields(cls)}
    if unknown:
        raise InputError(f"Unknown {name} entries: {', '.join(sorted(unknown))}.", field=name)
    return cls(**value)


def _known(kind: str) -> tuple[str, ...]:
    # Imported here so the scene module stays light and the core can grow freely.
    from explorer.descent import batched_optim, schedules, surfaces

    return {
        "surface": tuple(surfaces.names()),
        "optimizer": tuple(batched_optim.OPTIMIZERS),
        "schedule": tuple(schedules.SCHEDULES),
    }[kind]


def _check_name(value, kind: str) -> None:
    known = _known(kind)
    if value not in known:
        raise InputError(f"Unknown {kind} '{value}'; choose one of {', '.join(known)}.", field=kind)


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
    if options.model not in LR_TEST_MODELS:
        raise InputError(f"The LR range test runs on {', '.join(LR_TEST_MODELS)}.",
                         field="lr_test_model")
    if options.mode not in LR_TEST_MODES:
        raise InputError("The learning rate grows 'exp' or 'linear'.", field="lr_test_mode")
    check_lr(options.start_lr, field="lr_test_start")
    check_lr(options.end_lr, field="lr_test_end")
    if options.end_lr <= options.start_lr:
        raise InputError("The end rate must be larger than the start rate.", field="lr_test_end")
    check_steps(options.steps, field="lr_test_steps")
    if options.optimizer not in ("SGD", "Adam"):
        raise InputError("The LR range test runs SGD or Adam.", field="lr_test_optimizer")


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


def heat_values(z: np.ndarray, log: bool) -> np.ndarray:
    """What the map colours: the loss, or ``log10`` of its height above the minimum when
    the range is wide (so a narrow valley is not one flat colour)."""
    z = np.asarray(z, dtype=np.float64)
    if not log:
        return z
    finite = z[np.isfinite(z)]
    low = finite.min() if finite.size else 0.0
    span = (finite.max() - low) if finite.size else 1.0
    return np.log10(z - low + max(span, 1e-300) * 1e-6)


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
