"""What the user chose on the Descent page, as small frozen JSON-able dataclasses.

The scene holds choices only (surface, optimizer, learning rates, start point,
current step, view options, the LR range test's settings); a change is a new
scene (``dataclasses.replace`` or the ``with_*`` methods, which also apply the
page's rules, e.g. a new surface drops the old one's options and start point).
The numbers come from :mod:`explorer.descent`, asked with :meth:`DescentScene.sweep_arguments`
and :meth:`LRTestOptions.arguments`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from explorer.descent import (
    batched_optim,
    compare,
    lr_finder,
    momentum_map,
    schedules,
    stability,
    surfaces,
)
from explorer.descent.rates import with_rate
from explorer.descent.readings import SLICE_AXES, check_slice_axis
from explorer.descent.reference import measured_reference, reference_lrs
from explorer.descent.sweep import DTYPES
from explorer.errors import InputError
from explorer.inputs import (
    MAX_STEPS,
    check_bool,
    check_lr,
    check_lrs,
    check_name,
    check_start,
    check_steps,
    check_whole,
    fields_of,
)

__all__ = ["DTYPES", "LR_TEST_MODELS", "LR_TEST_MODES", "SLICE_AXES", "CompareOptions",
           "DescentScene", "LRTestOptions", "MomentumOptions", "StabilityOptions", "ViewOptions"]

LR_TEST_MODELS = lr_finder.MODELS
LR_TEST_MODES = lr_finder.MODES


@dataclass(frozen=True)
class ViewOptions:
    """How the page draws: log loss axis, optimizer internals, which parameter the 1-D view cuts."""

    log_loss: bool = True
    show_internals: bool = False
    slice_axis: str = "x"
    speed: float = 20.0  # steps per second during playback

    def validated(self) -> ViewOptions:
        """These options if usable; else InputError naming the field."""
        check_slice_axis(self.slice_axis)
        speed = self.speed
        if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not 1 <= speed <= 1000:
            raise InputError("Playback speed must be between 1 and 1,000 steps per second.",
                             field="speed")
        for name in ("log_loss", "show_internals"):
            check_bool(getattr(self, name), name)
        return self


VIEW_FIELDS = tuple(f.name for f in fields(ViewOptions))


@dataclass(frozen=True)
class LRTestOptions:
    """The LR range test's settings (see ``explorer.descent.lr_range_test``)."""

    model: str = lr_finder.MODELS[0]
    start_lr: float = 1e-5
    end_lr: float = 10.0
    steps: int = 100
    mode: str = lr_finder.MODES[0]
    optimizer: str = lr_finder.FINDER_OPTIMIZERS[0]

    def validated(self) -> LRTestOptions:
        """These options if the range test can run them; else InputError naming the field.

        The same rules as :func:`explorer.descent.lr_finder.lr_range_test` itself.
        """
        check_name(self.model, lr_finder.MODELS, "lr_test_model", "LR range test model")
        check_name(self.mode, lr_finder.MODES, "lr_test_mode", "way for the rate to grow")
        check_lr(self.start_lr, field="lr_test_start")
        check_lr(self.end_lr, field="lr_test_end")
        if self.end_lr <= self.start_lr:
            raise InputError("The end rate must be larger than the start rate.",
                             field="lr_test_end")
        lr_finder.check_steps_of_test(self.steps, field="lr_test_steps")
        check_name(self.optimizer, lr_finder.FINDER_OPTIMIZERS, "lr_test_optimizer",
                   "LR range test optimizer")
        return self

    def arguments(self, device=None) -> dict:
        """Keyword arguments for ``lr_finder.lr_range_test`` / ``iter_lr_range_test``."""
        return {**asdict(self), "device": device}


@dataclass(frozen=True)
class StabilityOptions:
    """The Edge-of-stability tab's settings (see ``explorer.descent.edge_of_stability``)."""

    lrs: tuple[float, ...] = (0.1, 0.2, 0.4)
    steps: int = 3000
    every: int = 50

    def validated(self) -> StabilityOptions:
        """These settings, rates as a tuple, if the run can use them; else InputError naming
        the field (``stability_lrs``, ``stability_steps``, ``stability_every``).

        The same rule as the run itself: :func:`explorer.descent.stability.check_settings`.
        """
        lrs, steps, _, every = stability.check_settings(self.lrs, self.steps, 0, self.every,
                                                        prefix="stability_")
        return replace(self, lrs=tuple(lrs), steps=steps, every=every)

    def arguments(self, device=None) -> dict:
        """Keyword arguments for ``edge_of_stability`` / ``iter_edge_of_stability``."""
        return {"lrs": self.lrs, "steps": self.steps, "seed": 0, "every": self.every,
                "device": device}


@dataclass(frozen=True)
class CompareOptions:
    """The "Optimizers side by side" tab's settings: each optimizer with its own rate and
    options (see ``explorer.descent.compare``), and the steps every run takes."""

    runs: tuple[compare.CompareRun, ...] = compare.DEFAULT_RUNS
    steps: int = 100
    tuned_for: str = field(default_factory=compare.default_tuned_for)
    """The surface the rates were chosen for (``compare.surface_key``): the tab says so when
    the page shows another."""

    def validated(self) -> CompareOptions:
        """These settings if usable (runs as CompareRuns, each with its colour); else
        InputError naming the field (``compare_runs``, ``compare_steps``,
        ``compare_tuned_for``)."""
        if not isinstance(self.tuned_for, str):
            raise InputError("The surface the rates were tuned for must be a text.",
                             field="compare_tuned_for")
        return replace(self, runs=compare.check_runs(self.runs),
                       steps=check_steps(self.steps, field="compare_steps"))


@dataclass(frozen=True)
class MomentumOptions:
    """The "Momentum's stability region" tab's settings (see ``explorer.descent.momentum_map``):
    cells per axis, and the largest rate on the map (None: past every stable rate)."""

    resolution: int = 160
    lr_max: float | None = None

    def validated(self) -> MomentumOptions:
        """These settings if usable; else InputError naming ``momentum_resolution`` or
        ``momentum_lr_max``."""
        resolution = momentum_map.check_resolution(self.resolution)
        lr_max = None if self.lr_max is None else check_lr(self.lr_max, field="momentum_lr_max")
        return replace(self, resolution=resolution, lr_max=lr_max)


@dataclass(frozen=True)
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
    stability: StabilityOptions = field(default_factory=StabilityOptions)
    compare: CompareOptions = field(default_factory=CompareOptions)
    momentum: MomentumOptions = field(default_factory=MomentumOptions)

    # -- saving and opening ------------------------------------------------
    def to_dict(self) -> dict:
        """A JSON-able dict (tuples become lists)."""
        data = asdict(self)
        data["lrs"] = list(self.lrs)
        data["start"] = None if self.start is None else list(self.start)
        data["stability"]["lrs"] = list(self.stability.lrs)
        data["compare"]["runs"] = [dict(run, options=dict(run["options"]))
                                   for run in data["compare"]["runs"]]
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
        data["view"] = _part(ViewOptions, data.get("view", {}), "view")
        data["lr_test"] = _part(LRTestOptions, data.get("lr_test", {}), "lr_test")
        # Scenes saved before the Edge-of-stability tab saved its settings open with its defaults.
        data["stability"] = _part(StabilityOptions, data.get("stability", {}), "stability")
        data["compare"] = _part(CompareOptions, data.get("compare", {}), "compare")
        data["momentum"] = _part(MomentumOptions, data.get("momentum", {}), "momentum")
        return cls(**data).validated()

    def validated(self) -> DescentScene:
        """Return this scene if every value is usable; raise InputError naming the field if not."""
        check_name(self.surface, surfaces.names(), "surface", "surface")
        check_name(self.optimizer, batched_optim.OPTIMIZERS, "optimizer", "optimizer")
        check_name(self.schedule, schedules.SCHEDULES, "schedule", "schedule")
        for name in ("surface_options", "optimizer_options", "schedule_options"):
            if not isinstance(getattr(self, name), dict):
                raise InputError(f"{name} must be a mapping of option names to values.", field=name)
        # The core checks each option against its spec; the scene keeps them as given.
        surfaces.resolve_surface_options(self.surface, self.surface_options)
        batched_optim.resolve_optimizer_options(self.optimizer, self.optimizer_options)
        lrs = tuple(check_lrs(self.lrs))
        steps = check_steps(self.steps)
        schedules.resolve_schedule_options(self.schedule, self.schedule_options,
                                           self.optimizer, steps)
        if self.dtype not in DTYPES:
            raise InputError(f"dtype must be one of {', '.join(DTYPES)}.", field="dtype")
        step = check_whole(self.current_step, "current_step", "The current step", 0, MAX_STEPS)
        self.view.validated()
        self.lr_test.validated()
        stable = self.stability.validated()
        side_by_side, momentum = self.compare.validated(), self.momentum.validated()
        start = None if self.start is None else check_start(self.start)
        return replace(self, lrs=lrs, steps=steps, start=start, current_step=min(step, steps),
                       stability=stable, compare=side_by_side, momentum=momentum)

    # -- changes -----------------------------------------------------------
    def with_surface(self, surface: str, measure: bool = True) -> DescentScene:
        """Another surface: its own default options, start and preset rates (the old ones
        belong to the old surface, where they may all diverge or all crawl here).

        The presets are measured over this scene's steps (``reference.measured_reference``);
        ``measure=False`` takes the local curvature's instead, at once (a page then measures
        on its worker and offers the measured ones when they come)."""
        return replace(self, surface=surface, surface_options={}, start=None,
                       lrs=surface_presets(surface, self.lrs, self.steps if measure else None))

    def with_optimizer(self, optimizer: str) -> DescentScene:
        """Another optimizer, with its own default hyper-parameters.

        A schedule that cycled the old optimizer's momentum stops cycling when the new one
        has none to cycle (Adagrad): that choice belonged to the old optimizer.
        """
        schedule_options = dict(self.schedule_options)
        if (schedule_options.get("cycle_momentum") and optimizer in batched_optim.OPTIMIZERS
                and not batched_optim.has_momentum(optimizer)):
            schedule_options["cycle_momentum"] = False
        return replace(self, optimizer=optimizer, optimizer_options={},
                       schedule_options=schedule_options)

    def with_schedule(self, schedule: str) -> DescentScene:
        """Another learning-rate schedule, with its own default options."""
        return replace(self, schedule=schedule, schedule_options={})

    def with_view(self, **changes) -> DescentScene:
        """The same run drawn differently (``ViewOptions`` fields)."""
        return replace(self, view=replace(self.view, **changes))

    def with_rate(self, lr: float) -> DescentScene:
        """One more learning rate (e.g. one the LR range test suggests), kept sorted."""
        return replace(self, lrs=with_rate(self.lrs, lr))

    def edited(self, name: str, value) -> DescentScene:
        """The scene after the user set field ``name`` (or a view option) to ``value``.

        Not validated: call :meth:`validated` on the result.
        """
        special = {"surface": self.with_surface, "optimizer": self.with_optimizer,
                   "schedule": self.with_schedule}
        if name in special:
            return special[name](value)
        if name in VIEW_FIELDS:
            return self.with_view(**{name: value})
        if name not in {f.name for f in fields(self)}:
            raise InputError(f"A descent scene has no setting '{name}'.", field="scene")
        return replace(self, **{name: value})

    # -- what to compute ---------------------------------------------------
    def start_point(self) -> tuple[float, float]:
        """Where the runs start: ``start``, or the surface's default start point."""
        return self.start or surfaces.info(self.surface, self.surface_options).default_start

    def lr_test_arguments(self, device=None) -> dict:
        """Keyword arguments for ``lr_finder.lr_range_test``: the test's settings and, for the
        ``"surface"`` model, the surface on show from the run's start point with the
        trajectories' own optimizer and options (so a rate it suggests means the same thing
        on the map; the test's own optimizer setting is for the models)."""
        arguments = {**self.lr_test.arguments(device), "surface": self.surface,
                     "surface_options": self.surface_options, "start": self.start_point()}
        if self.lr_test.model == lr_finder.SURFACE:
            arguments.update(optimizer=self.optimizer, optimizer_options=self.optimizer_options)
        return arguments

    def lr_test_target(self) -> str:
        """What the range test would run on now, in words (``lr_finder.describe``): a result
        whose ``ran_on`` differs is of another surface, start, optimizer or model."""
        return lr_finder.describe(**self.lr_test_arguments())

    def compare_arguments(self, device=None) -> dict:
        """Keyword arguments for ``compare.compare_optimizers`` / ``iter_compare``: the tab's
        runs on the surface shown, from the runs' start point."""
        return {"surface": self.surface, "start": self.start_point(),
                "runs": self.compare.runs, "steps": self.compare.steps,
                "surface_options": self.surface_options, "device": device}

    def momentum_arguments(self) -> dict:
        """Keyword arguments for ``momentum_map.momentum_map``: the quadratic shown (its
        condition number), else the default bowl; the tab's resolution and rate axis; the
        map of Nesterov momentum where the page runs it."""
        options = self.surface_options if self.surface == "quadratic" else None
        return {"surface_options": options, "resolution": self.momentum.resolution,
                "lr_max": self.momentum.lr_max, "nesterov": self.momentum_marks()[2]}

    def momentum_choice(self) -> tuple[tuple[float, ...], float | None]:
        """The page's rates and heavy-ball beta (None where the optimizer is not heavy-ball
        SGD: Nesterov or another optimizer has no point on the heavy-ball map)."""
        lrs, beta, nesterov = self.momentum_marks()
        return lrs, None if nesterov else beta

    def momentum_marks(self) -> tuple[tuple[float, ...], float | None, bool]:
        """The page's rates, its SGD momentum beta and whether it is Nesterov's: the point on
        the momentum map of that form (beta None for another optimizer, dampening or weight
        decay, which neither map draws)."""
        if self.optimizer != "SGD":
            return self.lrs, None, False
        options = batched_optim.resolve_optimizer_options("SGD", self.optimizer_options)
        if options["dampening"] or options["weight_decay"]:
            return self.lrs, None, False
        return self.lrs, float(options["momentum"]), bool(options["nesterov"])

    def sweep_arguments(self, device=None) -> dict:
        """Keyword arguments for ``explorer.descent.sweep`` / ``iter_sweep`` of this scene."""
        return dict(surface=self.surface, optimizer=self.optimizer, lrs=list(self.lrs),
                    steps=self.steps, start=self.start_point(),
                    optimizer_options=self.optimizer_options,
                    surface_options=self.surface_options, device=device, dtype=self.dtype,
                    schedule=self.schedule, schedule_options=self.schedule_options)

    def run_differs(self, other: DescentScene) -> bool:
        """Whether ``other`` needs a new sweep (not just a new picture of this one)."""
        return self.sweep_arguments() != other.sweep_arguments()


def surface_presets(surface: str, fallback: tuple[float, ...],
                    steps: int | None = None) -> tuple[float, ...]:
    """The reference presets of ``surface`` at its default start, in order (see
    :func:`preset_rates`): measured over ``steps`` steps, or the local curvature's when None;
    ``fallback`` where the surface has none (e.g. the curvature there is not finite)."""
    try:
        start = surfaces.info(surface).default_start
        reference = (reference_lrs(surface, start) if steps is None
                     else measured_reference(surface, start, None, steps))
    except InputError:
        return tuple(fallback)
    return preset_rates(reference.presets) or tuple(fallback)


def preset_rates(presets: dict[str, float]) -> tuple[float, ...]:
    """The preset rates to 4 significant digits, in their order (the measured ones keep
    their behaviour when rounded so)."""
    return tuple(float(f"{lr:.4g}") for lr in presets.values())


def _part(cls, value, name):
    if isinstance(value, cls):
        return value
    return cls(**fields_of(cls, value, f"descent scene's {name}", field=name))
