"""Smith's learning-rate range test, as fastai's ``lr_find`` and pytorch-lr-finder run it.

The learning rate grows from ``start_lr`` to ``end_lr`` (exponentially or
linearly) over ``steps`` minibatch steps of a real model on real data; the loss
of each minibatch is smoothed with a bias-corrected exponential moving average;
the test stops once the smoothed loss passes ``stop_factor`` times its best or
stops being finite; the model's weights are put back afterwards. The curve of
loss against learning rate falls, flattens, then shoots up: a good rate lies on
the falling part. On a surface (``model="surface"``) there are no minibatches: each rate
runs from the start point instead (:func:`_surface_test`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from explorer import range_test
from explorer.data import load_digits, load_iris
from explorer.devices import resolve
from explorer.errors import InputError
from explorer.inputs import check_lr, check_name, check_seed, check_start, check_whole, is_number

SURFACE = "surface"
"""The range test's "model" that is the surface on show: each rate runs from the start point,
so its suggestion means the same thing as a rate on the map."""
MODELS = (SURFACE, "logistic-regression", "mlp-iris", "mlp-digits")
MODES = ("exp", "linear")
ON_SURFACE = "the surface shown"
MODEL_WORDS = {"logistic-regression": "logistic regression (4 → 3) on Iris",
               "mlp-iris": "an MLP (4 → 16 → 3, ReLU) on Iris",
               "mlp-digits": "an MLP (64 → 32 → 10, ReLU) on the digits"}
FINDER_OPTIMIZERS = ("SGD", "Adam")
MIN_STEPS, MAX_STEPS = 5, 10_000
"""The range test needs a few steps for its moving average; the scene and the tab use these."""


def check_steps_of_test(steps, field: str = "steps") -> int:
    """The range test's step count: a whole number from ``MIN_STEPS`` to ``MAX_STEPS``."""
    return check_whole(steps, field, "The LR range test's steps", MIN_STEPS, MAX_STEPS)


def describe(model: str = "logistic-regression", optimizer: str = "SGD", *,
             optimizer_options=None, surface: str = "quadratic", surface_options=None,
             start=None, batch_size: int = 16, **_) -> str:
    """What a range test with these arguments runs on, in words (any other arguments of
    :func:`lr_range_test` are accepted and do not change it).

    On the surface: ``"the surface shown (quadratic, condition = 10), from (-3, 1.5), SGD
    (momentum = 0.9), 20 steps per rate"``; else the model, data, loss and optimizer.
    """
    from explorer.descent import surfaces

    given = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                      for k, v in sorted((optimizer_options or {}).items()))
    opt = f"{optimizer} ({given})" if given else optimizer
    if model != SURFACE:
        words = MODEL_WORDS.get(model, model)
        return f"{words}, CrossEntropyLoss, shuffled minibatches of {batch_size}, {opt}"
    where = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                      for k, v in sorted((surface_options or {}).items()))
    name = f"{surface}, {where}" if where else surface
    if start is None:
        start = surfaces.info(surface, surface_options).default_start
    run_steps = surface_run_steps(optimizer, optimizer_options)
    return (f"{ON_SURFACE} ({name}), from ({start[0]:g}, {start[1]:g}), {opt}, "
            f"{run_steps} steps per rate")


@dataclass
class Suggestion:
    """A suggested learning rate and why."""

    name: str
    lr: float
    reason: str


@dataclass
class LRFinderResult:
    """The range test's curve (so far) and, once it has enough points, its suggestions."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    stopped_early: bool
    stop_reason: str
    suggestions: list[Suggestion] = field(default_factory=list)
    weights_restored: bool = False
    steps: int = 0
    done: bool = False
    ran_on: str = ""
    """What the test ran on, in words (:func:`describe`): the surface shown, its start and the
    optimizer, or the model and data; a view compares it with what the page now shows."""
    run_steps: int = 0
    """On a surface, the steps each rate ran from the start (0 on a model)."""
    rule: str = ""
    """Which rule gave the suggestions, where it is not the usual steepest fall (momentum)."""

    @property
    def on_surface(self) -> bool:
        """Whether it ran on a surface, so that its rates mean the same on that surface's map."""
        return self.ran_on.startswith(ON_SURFACE)

    @property
    def progress(self) -> float:
        """Fraction of the planned steps taken (1.0 once finished, also when stopped early)."""
        return 1.0 if self.done else len(self.lrs) / max(self.steps, 1)


def lr_at(step: int, steps: int, start_lr: float, end_lr: float, mode: str) -> float:
    """The learning rate of step ``step`` (0-based) of ``steps``."""
    fraction = step / max(steps - 1, 1)
    if mode == "exp":
        return start_lr * (end_lr / start_lr) ** fraction
    return start_lr + (end_lr - start_lr) * fraction


def _check(start_lr, end_lr, steps, mode, smoothing, stop_factor, optimizer):
    check_lr(start_lr, "start_lr")
    check_lr(end_lr, "end_lr")
    if end_lr <= start_lr:
        raise InputError("end_lr must be larger than start_lr.", field="end_lr")
    check_steps_of_test(steps)
    check_name(mode, MODES, "mode", "mode")
    if not (is_number(smoothing) and 0 < smoothing <= 1):
        raise InputError("smoothing must be in (0, 1]; 1 means no smoothing.", field="smoothing")
    if not (is_number(stop_factor) and stop_factor > 1):
        raise InputError("stop_factor must be a number above 1.", field="stop_factor")
    check_name(optimizer, FINDER_OPTIMIZERS, "optimizer", "optimizer")


def _batches(loader: DataLoader) -> Iterator:
    while True:  # as many epochs as the test needs
        yield from loader


def iter_range_test(model: nn.Module, loader: DataLoader, loss_fn, start_lr: float = 1e-5,
                    end_lr: float = 10.0, steps: int = 100, mode: str = "exp",
                    smoothing: float = 0.05, stop_factor: float = 4.0, optimizer: str = "SGD",
                    device=None, every: int = 10) -> Iterator[LRFinderResult]:
    """Run the range test on any ``model`` and ``loader``; yield every ``every`` steps.

    The model's weights are restored when the test ends, also when the caller stops
    the generator early. The last result yielded has ``done=True`` and suggestions.
    Bad settings raise InputError at the call, before any training.
    """
    _check(start_lr, end_lr, steps, mode, smoothing, stop_factor, optimizer)
    check_whole(every, "every", "every (steps between partial results)", 1, MAX_STEPS)
    device = resolve(device)
    settings = (start_lr, end_lr, steps, mode)
    return _run(model, loader, loss_fn, settings, _Curve(smoothing, stop_factor, steps),
                optimizer, device, every)


def _run(model, loader, loss_fn, settings, curve, optimizer, device, every):
    start_lr, end_lr, steps, mode = settings
    model.to(device)
    saved = copy.deepcopy(model.state_dict())
    opt = getattr(torch.optim, optimizer)(model.parameters(), lr=start_lr)
    try:
        model.train()
        for step, (inputs, target) in zip(range(steps), _batches(loader), strict=False):
            for group in opt.param_groups:
                group["lr"] = lr_at(step, steps, start_lr, end_lr, mode)
            opt.zero_grad()
            loss = loss_fn(model(inputs.to(device)), target.to(device))
            if curve.add(opt.param_groups[0]["lr"], loss.item()):
                break
            loss.backward()
            opt.step()
            if (step + 1) % every == 0 and step + 1 < steps:
                yield curve.result()
    finally:
        model.load_state_dict(saved)
    restored = all(torch.equal(value, saved[name]) for name, value in model.state_dict().items())
    yield curve.result(done=True, restored=restored)


class _Curve:
    """The recorded losses, their smoothed version and the stopping rule."""

    def __init__(self, smoothing: float, stop_factor: float, steps: int):
        self.beta, self.stop_factor, self.steps = 1 - smoothing, stop_factor, steps
        self.lrs, self.losses, self.smoothed = [], [], []
        self.average, self.best, self.reason = 0.0, math.inf, ""

    def add(self, lr: float, loss: float) -> bool:
        """Record one step; True when the test must stop here."""
        self.average = self.beta * self.average + (1 - self.beta) * loss
        smoothed = self.average / (1 - self.beta ** (len(self.losses) + 1))
        self.lrs.append(lr)
        self.losses.append(loss)
        self.smoothed.append(smoothed)
        if not math.isfinite(smoothed):
            self.reason = f"The loss stopped being finite at lr = {lr:.3g}."
            return True
        # stop_factor x the best for a loss (never negative); a surface may go below zero, and
        # there the same rise above the best, (stop_factor - 1) x its size, stops the test.
        if smoothed > self.best + (self.stop_factor - 1) * abs(self.best):
            self.reason = (f"The smoothed loss passed {self.stop_factor:g} × its best "
                           f"({self.best:.3g}) at lr = {lr:.3g}.")
            return True
        self.best = min(self.best, smoothed)
        return False

    def result(self, done: bool = False, restored: bool = False) -> LRFinderResult:
        lrs, smoothed = np.array(self.lrs), np.array(self.smoothed)
        reason = self.reason or ("Reached end_lr." if done else "")
        suggestions = suggest(lrs, smoothed, 1 - self.beta) if done else []
        return LRFinderResult(lrs, np.array(self.losses), smoothed, bool(self.reason), reason,
                              suggestions, restored, self.steps, done)


def suggest(lrs: np.ndarray, smoothed: np.ndarray, smoothing: float = 0.05) -> list[Suggestion]:
    """The "steepest" and "min/10" suggestions from a range-test curve.

    "steepest" is the most negative slope of the smoothed loss against log10(lr)
    between the end of the moving average's warm-up (about 1 / smoothing steps,
    whose values are mostly minibatch noise) and the lowest point.
    """
    finite = np.isfinite(smoothed)
    lrs, smoothed = lrs[finite], smoothed[finite]
    if len(lrs) < 3:
        return []
    lowest = int(np.argmin(smoothed))
    steepest = range_test.steepest(lrs, smoothed, smoothing)  # the rule both labs share
    slope = np.gradient(smoothed, np.log10(lrs))  # its value, for the words
    return [
        Suggestion("steepest", float(lrs[steepest]), (
            f"The smoothed loss falls fastest at lr = {lrs[steepest]:.3g} "
            f"({slope[steepest]:.3g} per tenfold increase): training still improves quickly "
            "there and is far from blowing up.")),
        Suggestion("min/10", float(lrs[lowest] / 10), (
            f"The smoothed loss is lowest at lr = {lrs[lowest]:.3g}, where it is about to "
            f"rise; a tenth of that, {lrs[lowest] / 10:.3g}, keeps a safe margin.")),
    ]


def build(model: str, batch_size: int = 16, seed: int = 0):
    """The named model (seeded weights), a shuffled seeded DataLoader and the loss."""
    check_name(model, [m for m in MODELS if m != SURFACE], "model", "model")
    seed = check_seed(seed)
    table = load_digits() if model == "mlp-digits" else load_iris()
    batch_size = check_whole(batch_size, "batch_size", "The batch size", 1, len(table.labels))
    # Raw units (cm; digits scaled to 0-1), as a first notebook would feed them: the
    # curvature they give makes the loss blow up inside the default 1e-5..10 range.
    features = table.features / 16 if model == "mlp-digits" else table.features
    inputs, classes = features.shape[1], len(table.class_names)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if model == "logistic-regression":
            network = nn.Linear(inputs, classes)
        else:
            hidden = 16 if model == "mlp-iris" else 32
            network = nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(),
                                    nn.Linear(hidden, classes))
    loader = DataLoader(TensorDataset(features, table.labels), batch_size=batch_size,
                        shuffle=True, generator=torch.Generator().manual_seed(seed))
    return network, loader, nn.CrossEntropyLoss()


def iter_lr_range_test(model: str = "logistic-regression", start_lr: float = 1e-5,
                       end_lr: float = 10.0, steps: int = 100, mode: str = "exp",
                       smoothing: float = 0.05, stop_factor: float = 4.0, batch_size: int = 16,
                       seed: int = 0, optimizer: str = "SGD", device=None,
                       every: int = 10, surface: str = "quadratic",
                       surface_options: dict | None = None,
                       start=None, optimizer_options: dict | None = None
                       ) -> Iterator[LRFinderResult]:
    """:func:`lr_range_test` as a generator: a partial result every ``every`` steps, then the
    final one (``done=True``). Every result says what it ran on (``ran_on``)."""
    if model == SURFACE:
        # On the surface any optimizer of the trajectories, with its options, so that a rate
        # suggested here means the same thing on the map.
        from explorer.descent import batched_optim

        _check(start_lr, end_lr, steps, mode, smoothing, stop_factor, FINDER_OPTIMIZERS[0])
        batched_optim.check_optimizer(optimizer)
        batched_optim.resolve_optimizer_options(optimizer, optimizer_options)
        results = _surface_test(surface, surface_options, start, start_lr, end_lr, steps, mode,
                                stop_factor, optimizer, device, optimizer_options)
    else:
        if optimizer_options:
            raise InputError("The range test on a model takes no optimizer options.",
                             field="optimizer_options")
        network, loader, loss_fn = build(model, batch_size, seed)
        results = iter_range_test(network, loader, loss_fn, start_lr, end_lr, steps, mode,
                                  smoothing, stop_factor, optimizer, device, every)
    # Described once every setting is known to be good.
    ran_on = describe(model, optimizer, optimizer_options=optimizer_options, surface=surface,
                      surface_options=surface_options, start=start, batch_size=batch_size)
    return _labelled(results, ran_on)


def _labelled(results: Iterator[LRFinderResult], ran_on: str) -> Iterator[LRFinderResult]:
    for result in results:
        result.ran_on = ran_on
        yield result


def lr_range_test(model: str = "logistic-regression", start_lr: float = 1e-5,
                  end_lr: float = 10.0, steps: int = 100, mode: str = "exp",
                  smoothing: float = 0.05, stop_factor: float = 4.0, batch_size: int = 16,
                  seed: int = 0, optimizer: str = "SGD", device=None, surface: str = "quadratic",
                  surface_options: dict | None = None, start=None,
                  optimizer_options: dict | None = None) -> LRFinderResult:
    """Run the LR range test on a shipped model and data set, or on a surface.

    Parameters
    ----------
    model
        ``"logistic-regression"`` (Iris, 4 → 3), ``"mlp-iris"`` (4 → 16 → 3) or
        ``"mlp-digits"`` (64 → 32 → 10), with CrossEntropyLoss on standardized features;
        or ``"surface"``: on ``surface`` (with ``surface_options``), each of ``steps`` rates
        runs :data:`SURFACE_RUN_STEPS` steps from ``start`` (its default start if None) and
        the loss where it ends is recorded (see :func:`_surface_test`).
    start_lr, end_lr, steps, mode
        The learning rate goes from ``start_lr`` to ``end_lr`` over ``steps`` minibatch
        steps, exponentially (``"exp"``) or linearly (``"linear"``).
    smoothing
        Weight of the newest loss in the moving average (0.05: fastai's 0.98 decay is 0.02).
    stop_factor
        Stop once the smoothed loss exceeds this multiple of its best value.
    batch_size, seed
        Minibatch size; seed of the weights and of the shuffled DataLoader.
    optimizer, optimizer_options
        ``"SGD"`` or ``"Adam"`` on a model (no options); on a surface any optimizer of
        ``explorer.descent.OPTIMIZERS`` with its options (the trajectories' own, so a rate
        suggested means the same thing on the map).

    Returns
    -------
    LRFinderResult
        The curve, why it stopped, the suggestions, whether the weights were restored, and
        what it ran on (``ran_on``).
    """
    *_, result = iter_lr_range_test(model, start_lr, end_lr, steps, mode, smoothing,
                                    stop_factor, batch_size, seed, optimizer, device,
                                    surface=surface, surface_options=surface_options,
                                    start=start, optimizer_options=optimizer_options)
    return result


SURFACE_RUN_STEPS = 20
"""On a surface, each rate of the test runs this many steps from the start point (times the
momentum's memory, 1 / (1 - momentum), for a momentum optimizer: :func:`surface_run_steps`)."""
MAX_MOMENTUM_RUN_STEPS = 2000
"""The most steps a rate runs for on a surface, however long the momentum's memory."""
MOMENTUM_RULE = (
    "With momentum the run overshoots and swings back, so the loss after a fixed number of "
    "steps rises and falls with the rate long before any rate blows up: the steepest-fall "
    "rule would read that swing as the blow-up and suggest a rate far too small. So each rate "
    "runs {steps} steps (the momentum's memory, 1 / (1 − {beta:g}), times "
    f"{SURFACE_RUN_STEPS}), the test stops only where a run diverges, and it suggests the "
    "rate whose run ends lowest and the measured edge of stability.")


def momentum_of(optimizer: str, optimizer_options=None) -> float:
    """The momentum of ``optimizer`` with these options (torch's ``momentum`` option: SGD's
    heavy ball or Nesterov, RMSprop's), 0 where it has none."""
    from explorer.descent import batched_optim

    options = batched_optim.resolve_optimizer_options(optimizer, optimizer_options)
    return float(options.get("momentum", 0) or 0)


def surface_run_steps(optimizer: str, optimizer_options=None) -> int:
    """The steps each rate of a range test on a surface runs: :data:`SURFACE_RUN_STEPS`, or
    that many times the momentum's memory 1 / (1 - momentum) (at most
    :data:`MAX_MOMENTUM_RUN_STEPS`), so that a momentum run has settled where it ends."""
    beta = momentum_of(optimizer, optimizer_options)
    memory = round(SURFACE_RUN_STEPS / (1 - beta), 6)  # 20 / (1 - 0.9) is 200, not 201
    return min(MAX_MOMENTUM_RUN_STEPS, math.ceil(memory))


def _surface_test(surface, surface_options, start, start_lr, end_lr, steps, mode, stop_factor,
                  optimizer, device, optimizer_options=None) -> Iterator[LRFinderResult]:
    """The range test on a surface: ``steps`` rates from ``start_lr`` to ``end_lr``, each run
    :data:`SURFACE_RUN_STEPS` steps from ``start`` (one batched sweep); the loss recorded for
    a rate is where its run ends (infinite once it diverged).

    A surface has no minibatch noise, and one run whose rate grows would sit at the minimum
    by the time the rate gets large, hiding where large rates diverge: so each rate gets a
    run of its own, and the curve is not smoothed.
    """
    from explorer.descent import surfaces
    from explorer.descent.sweep import sweep

    start = (surfaces.info(surface, surface_options).default_start if start is None
             else check_start(start))
    lrs = [lr_at(step, steps, start_lr, end_lr, mode) for step in range(steps)]
    run_steps = surface_run_steps(optimizer, optimizer_options)
    result = sweep(surface, optimizer, lrs, run_steps, start, optimizer_options,
                   surface_options, device=device)
    beta = momentum_of(optimizer, optimizer_options)
    if beta > 0:
        yield _momentum_result(lrs, result, steps, beta, run_steps)
        return
    curve = _Curve(1.0, stop_factor, steps)
    for k, lr in enumerate(lrs):
        end = result.loss[k, -1].item() if result.diverged_at[k] is None else math.inf
        if curve.add(lr, end):
            break
    found = curve.result(done=True, restored=True)
    found.run_steps = run_steps
    yield found


def _momentum_result(lrs, result, steps, beta, run_steps) -> LRFinderResult:
    """The range test of a momentum run: the loss where each rate's run ends, up to the first
    rate whose run diverges (:class:`~explorer.descent.divergence.DivergenceRule`)."""
    from explorer.descent.divergence import DivergenceRule, sweep_diverging_at

    rule = DivergenceRule()
    diverging = sweep_diverging_at(result, rule)
    grown = f"its loss passed {rule.factor:g} × its start + {rule.margin:g}, or was not finite"
    ends = [math.inf if at is not None else result.loss[k, -1].item()
            for k, at in enumerate(diverging)]
    first = next((k for k, at in enumerate(diverging) if at is not None), None)
    if first is None:
        reason = f"Reached end_lr: no run diverged within {run_steps} steps ({grown})."
    else:
        reason = (f"The run at lr = {lrs[first]:.3g} diverged within {run_steps} steps "
                  f"({grown}).")
    kept = len(lrs) if first is None else first + 1
    tried, losses = np.array(lrs[:kept]), np.array(ends[:kept])
    return LRFinderResult(tried, losses, losses.copy(), first is not None, reason,
                          suggest_for_momentum(tried, losses, run_steps), True, steps, True,
                          run_steps=run_steps,
                          rule=MOMENTUM_RULE.format(steps=run_steps, beta=beta))


def suggest_for_momentum(lrs: np.ndarray, ends: np.ndarray, run_steps: int) -> list[Suggestion]:
    """A momentum run's suggestions: "lowest", the rate whose run ends lowest, and "edge", the
    largest rate whose run still converges when a larger one diverges (the measured boundary
    lies between the two). ``ends`` is infinite where a run diverged."""
    finite = np.flatnonzero(np.isfinite(ends))
    if len(finite) == 0:
        return []
    lowest = int(finite[np.argmin(ends[finite])])
    found = [Suggestion("lowest", float(lrs[lowest]), (
        f"After {run_steps} steps the run at lr = {lrs[lowest]:.3g} ends lowest "
        f"(loss {ends[lowest]:.3g}) of the rates tried."))]
    edge = int(finite[-1])
    if edge + 1 < len(lrs):  # a larger rate was tried and diverged
        found.append(Suggestion("edge", float(lrs[edge]), (
            f"lr = {lrs[edge]:.3g} is the largest rate tried whose run still converges; "
            f"lr = {lrs[edge + 1]:.3g} diverges: the edge of stability lies between them. "
            "A rate near the edge swings for long before it settles.")))
    return found
