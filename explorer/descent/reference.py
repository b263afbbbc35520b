"""Reference learning rates from curvature: exact for the quadratic, local elsewhere.

On a quadratic with Hessian eigenvalues ``lambda_min <= lambda_max`` plain
gradient descent multiplies the error along each eigenvector by ``1 - lr * lambda``
per step, so it converges exactly when ``lr < 2 / lambda_max`` and converges
fastest (in the worst direction) at ``lr = 2 / (lambda_min + lambda_max)``. On
any other surface the same numbers come from the Hessian at the start point and
only describe the first steps.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
import torch

from explorer.descent import batched_optim, surfaces
from explorer.descent.divergence import sweep_diverging_at
from explorer.descent.sweep import sweep
from explorer.errors import InputError
from explorer.inputs import MAX_LR, check_lr, check_name, check_start, check_steps

TOO_SMALL = 1 / 20  # of the optimal rate: crawls
# "too large" sits this far from the optimal rate towards the critical one: it converges but
# zig-zags. (A fixed fraction of the critical rate fell below the optimal one once kappa > 19.)
TOO_LARGE = 0.75
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
    summary: str = ""
    """The explanation in a sentence or two, where it is long (measured presets); else ""."""


def _presets(critical: float, optimal: float, converges: bool = True) -> dict[str, float]:
    """Ordered too small < good < too large < diverging; no "good" where no rate converges."""
    presets = {
        "too small": optimal * TOO_SMALL,
        "good": optimal,
        "too large": optimal + TOO_LARGE * (critical - optimal),
        "diverging": critical * DIVERGING,
    }
    if not converges:
        del presets["good"]
    return presets


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
                        _presets(critical, optimal, converges=not note), False, explanation)


# -- presets measured where the curvature is not constant ----------------------------

MEASURE_GRID = 56  # rates of the first sweep, on a log scale around the local critical rate
MEASURE_BELOW, MEASURE_ABOVE = 400.0, 1e3  # it spans critical / BELOW to critical × ABOVE
EDGE_GRID = 12  # rates of the second sweep, between the last converging and first diverging
BEYOND_GRID = 24  # rates from critical × ABOVE to MAX_LR, when none of the first diverged
GOOD_MARGIN = 1.1  # "good" stays at least this factor below "too large"
GOOD_SHARE = 1e-3  # "good" is the smallest rate whose loss is this close to the lowest
WORSE_SHARE = 1e-6  # "too large" ends above "good" by at least this share of its drop
TAIL = 0.1  # the loss read is the mean over this last share of the steps (chaos averages out)
_MEASURED: dict[tuple, ReferenceLRs] = {}
_MEASURED_MOST = 64  # results kept (the oldest is dropped first)
_MEASURED_LOCK = threading.Lock()


def _measure_key(surface, start, surface_options, steps) -> tuple:
    options = surfaces.resolve_surface_options(surface, surface_options)
    return surface, tuple(sorted(options.items())), tuple(check_start(start)), check_steps(steps)


def cached_measured_reference(surface: str, start, surface_options=None,
                              steps: int = 100) -> ReferenceLRs | None:
    """The result of :func:`measured_reference` for these arguments if it has been computed
    (or needs no measuring), else None; never computes a sweep (for the GUI thread)."""
    _key, kept = _kept(surface, start, surface_options, steps)
    if kept is not None:
        return kept
    local = reference_lrs(surface, start, surface_options)
    return local if local.exact else None


def _kept(surface: str, start, surface_options, steps: int) -> tuple[tuple, ReferenceLRs | None]:
    """The checked arguments' key in :data:`_MEASURED`, and the result kept for it (None:
    not measured yet)."""
    check_name(surface, surfaces.names(), "surface", "surface")
    key = _measure_key(surface, start, surface_options, steps)
    return key, _MEASURED.get(key)


def measured_reference(surface: str, start, surface_options=None,
                       steps: int = 100) -> ReferenceLRs:
    """:func:`reference_lrs` with presets that are true by measurement over ``steps`` steps.

    Where the curvature is constant (``exact``) the closed-form presets are kept. Elsewhere
    the local ones can be wrong (on Rosenbrock the local "diverging" rate converges), so one
    batched plain-gradient-descent sweep of :data:`MEASURE_GRID` rates around the local
    critical rate (one of :data:`BEYOND_GRID` more up to ``MAX_LR`` if none diverged, and
    one of :data:`EDGE_GRID` between the last rate that converges and the first that
    diverges, by :class:`explorer.descent.divergence.DivergenceRule`) finds: "diverging", a
    rate seen diverging; "good", the rate whose loss (the mean over the last :data:`TAIL` of
    the steps) ends lowest, the left end of a plateau of such rates; "too large", the
    largest rate at least :data:`GOOD_MARGIN` × "good" that ends higher without diverging
    (none where the fastest rates sit at the edge, as on Rosenbrock: the text says so);
    "too small", about a twentieth of "good". Results are kept per arguments. It takes
    about 15 to 30 ms for the analytic surfaces at 100 steps and seconds for a model
    landscape (autograd), so the page measures on its worker.
    """
    key, kept = _kept(surface, start, surface_options, steps)
    if kept is not None:
        return kept
    local = reference_lrs(surface, start, surface_options)
    result = local if local.exact else _measured_presets(surface, key[1], key[2], key[3], local)
    with _MEASURED_LOCK:  # a page's worker and its GUI thread (headless export) may both add
        if len(_MEASURED) >= _MEASURED_MOST:
            del _MEASURED[next(iter(_MEASURED))]
        _MEASURED[key] = result
    return result


def _plain_gd(surface, options, start, steps, lrs):
    """Per rate of one plain-GD sweep: the step it is diverging at (or None) and its mean loss
    over the last :data:`TAIL` of the steps; and the loss at the start."""
    result = sweep(surface, "SGD", lrs, steps, start, None, dict(options))
    diverging = sweep_diverging_at(result)
    losses = result.loss[:, -_tail(steps):].mean(dim=1).tolist()
    return diverging, losses, float(result.loss[0, 0])


def _tail(steps: int) -> int:
    """How many of the last steps the loss read is the mean of."""
    return max(1, round(TAIL * steps))


def _measured_presets(surface, options, start, steps, local: ReferenceLRs) -> ReferenceLRs:
    lrs = np.geomspace(local.critical / MEASURE_BELOW, min(MAX_LR, local.critical * MEASURE_ABOVE),
                       MEASURE_GRID).tolist()
    diverging, losses, start_loss = _plain_gd(surface, options, start, steps, lrs)
    if diverging[-1] is None and lrs[-1] < MAX_LR:  # e.g. logistic regression: look further
        more = np.geomspace(lrs[-1], MAX_LR, BEYOND_GRID + 1)[1:].tolist()
        more_diverging, more_losses, _ = _plain_gd(surface, options, start, steps, more)
        lrs, diverging, losses = lrs + more, diverging + more_diverging, losses + more_losses
    first = next((i for i, at in enumerate(diverging) if at is not None), None)
    if first == 0:
        local.explanation += (f" Measured over {steps} steps of plain gradient descent: even "
                              f"lr = {lrs[0]:.4g} diverges, so no preset is offered.")
        local.presets = {}
        return local
    if first is None:
        edge = f"no rate up to {lrs[-1]:.4g} diverged"
        fine, fine_losses = [], []
    else:
        between = np.geomspace(lrs[first - 1], lrs[first], EDGE_GRID)[1:-1].tolist()
        fine_diverging, fine_losses, _ = _plain_gd(surface, options, start, steps, between)
        cut = next((i for i, at in enumerate(fine_diverging) if at is not None), len(between))
        fine, fine_losses = between[:cut], fine_losses[:cut]
        edge_low = fine[-1] if fine else lrs[first - 1]
        edge_high = lrs[first] if cut == len(between) else between[cut]
        edge = (f"lr = {edge_low:.4g} is the largest rate seen not diverging and "
                f"{edge_high:.4g} the smallest seen diverging")
        # Not the very last rate seen converging: a rate rounded for the page stays inside.
        fine, fine_losses = fine[:-1], fine_losses[:-1]
    swept = len(lrs) + (0 if first is None else EDGE_GRID - 2)
    stop = len(lrs) if first is None else first - (0 if fine else 1)
    rates, tails = lrs[:stop] + fine, losses[:stop] + fine_losses
    presets: dict[str, float] = {}
    good = min(range(len(rates)), key=lambda i: tails[i]) if rates else None
    if good is not None:  # the smallest rate as good as the best (a plateau: its left end)
        good = next(i for i in range(len(rates))
                    if tails[i] <= tails[good] + GOOD_SHARE * abs(tails[good]) + 1e-12)
        step = lrs[1] / lrs[0]
        small = rates[max(good - round(math.log(20) / math.log(step)), 0)]
        if small < rates[good]:
            presets["too small"] = small
        presets["good"] = rates[good]
        worse = [i for i in range(good + 1, len(rates)) if rates[i] >= GOOD_MARGIN * rates[good]
                 and tails[i] - tails[good] > WORSE_SHARE * abs(start_loss - tails[good])]
        if worse:
            presets["too large"] = rates[worse[-1]]
    if first is not None:
        after = first + 1 if first + 1 < len(lrs) and diverging[first + 1] is not None else first
        presets["diverging"] = lrs[after]
    explanation = (
        f"{local.explanation} The presets are measured instead, on {steps} steps of plain "
        f"gradient descent at {swept} rates from {lrs[0]:.3g} to "
        f"{lrs[-1]:.3g} (batched sweeps): {edge}.")
    if good is not None:
        explanation += (f" \"good\" = {rates[good]:.4g} ends lowest (the mean loss over the "
                        f"last {_tail(steps)} steps)")
        explanation += (f"; \"too large\" = {presets['too large']:.4g} does not diverge but "
                        f"ends higher." if "too large" in presets else
                        "; no larger rate ends higher without diverging, so there is no "
                        "\"too large\" here: the fastest rates sit at the edge.")
    if "diverging" in presets:
        explanation += f" \"diverging\" = {presets['diverging']:.4g} diverges."
    summary = (f"Presets measured on {steps} steps of plain gradient descent at {swept} rates"
               + (f": it diverges from about {edge_high:.3g} on." if first is not None else
                  f": none up to {lrs[-1]:.3g} diverged."))
    if good is not None and "too large" not in presets:
        summary += " No \"too large\": every faster rate that converges ends lower."
    return ReferenceLRs(local.lambda_min, local.lambda_max, local.critical, local.optimal,
                        presets, False, explanation, summary)


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


# -- the bound of the optimizer chosen -----------------------------------------------

BOUND_GRID = 16  # learning rates per round of the measured boundary's search
BOUND_ROUNDS = 3  # rounds; each narrows the bracket to one cell of the last grid
BOUND_SPAN = 1e4  # the first search runs from critical / SPAN to critical × SPAN


@dataclass(frozen=True)
class StabilityBound:
    """Where ``optimizer`` stops converging on the surface: a closed form, or measured.

    ``lr`` is the boundary (None where none is known yet or none was found); ``closed_form``
    says it comes from a formula (exact on the quadratic, local elsewhere); ``best`` is the
    fastest rate where a formula gives one (plain gradient descent on a quadratic), else None.
    A measured boundary lies in ``bracket`` = (largest rate seen converging, smallest seen
    diverging) within ``steps`` steps.
    """

    optimizer: str
    lr: float | None
    closed_form: bool
    best: float | None
    text: str
    bracket: tuple[float, float] | None = None
    steps: int | None = None


def _momentum_terms(optimizer: str, options: dict) -> tuple[float, float, bool] | None:
    """(beta, dampening, nesterov) of SGD; None for any other optimizer."""
    if optimizer != "SGD":
        return None
    return float(options["momentum"]), float(options["dampening"]), bool(options["nesterov"])


def nesterov_factor(beta: float) -> float:
    """``lr * lambda`` below which torch's Nesterov SGD converges on a quadratic.

    Along an eigenvector with eigenvalue ``lambda`` (``h = lr * lambda``), torch's update
    ``b = beta b + g``, ``x -= lr (g + beta b)`` maps ``(x, lr b)`` by the matrix
    ``[[1 - h (1 + beta), -beta^2], [h, beta]]``: trace ``T = 1 + beta - h (1 + beta)``,
    determinant ``D = beta (1 - h)``. Both eigenvalues lie inside the unit circle iff
    ``|D| < 1`` and ``|T| < 1 + D`` (Jury's test), that is ``0 < h < 2 (1 + beta) /
    (1 + 2 beta)``; ``|D| < 1`` then holds for every ``beta`` in ``[0, 1)``.
    """
    return 2 * (1 + beta) / (1 + 2 * beta)


def stability_bound(surface: str, optimizer: str, start, optimizer_options=None,
                    surface_options=None) -> StabilityBound:
    """The learning-rate bound that matches ``optimizer``, where a closed form exists.

    Plain gradient descent (SGD, no momentum) on a quadratic converges iff
    ``lr < 2 / lambda_max``; heavy-ball momentum ``beta`` (torch's SGD ``momentum``, its
    velocity ``v = beta v + (1 - dampening) g``) iff ``lr (1 - dampening) < 2 (1 + beta) /
    lambda_max``; Nesterov momentum (torch's form, dampening 0) iff ``lr < 2 (1 + beta) /
    ((1 + 2 beta) lambda_max)`` (:func:`nesterov_factor`); ``weight_decay`` adds to every
    eigenvalue. The adaptive optimizers get ``lr=None`` and a text saying so: measure them
    with :func:`iter_measured_bound`.

    Raises
    ------
    InputError
        For an unknown surface or optimizer, bad options or start.
    """
    options = batched_optim.resolve_optimizer_options(optimizer, optimizer_options)
    reference = reference_lrs(surface, start, surface_options)
    where = "exactly" if reference.exact else "near the start (the curvature changes later)"
    terms = _momentum_terms(optimizer, options)
    if terms is None or terms[1] >= 1:
        what = "SGD with dampening 1 (it ignores the gradient)" if terms else optimizer
        return StabilityBound(optimizer, None, False, None,
                              f"No closed-form bound like lr < 2 / lambda_max holds for {what}; "
                              f"its boundary is measured instead.")
    beta, dampening, nesterov = terms
    lambda_max = reference.lambda_max + float(options["weight_decay"])
    lambda_min = reference.lambda_min + float(options["weight_decay"])
    if nesterov:  # torch allows Nesterov only with dampening 0
        bound = nesterov_factor(beta) / lambda_max
        text = (f"Nesterov momentum beta = {beta:g} converges {where} when lr < 2 (1 + beta) / "
                f"((1 + 2 beta) lambda_max) = {bound:.4g}.")
        return StabilityBound(optimizer, bound, True, None, text)
    bound = 2 * (1 + beta) / ((1 - dampening) * lambda_max)
    if beta == 0:
        best = 2 / ((lambda_min + lambda_max) * (1 - dampening)) if reference.exact else None
        text = (f"Plain gradient descent converges {where} when lr < 2 / lambda_max = "
                f"{bound:.4g}.")
        if best is not None:
            text += f" The fastest rate is 2 / (lambda_min + lambda_max) = {best:.4g}."
    else:
        best = None
        text = (f"Heavy-ball momentum beta = {beta:g} converges {where} when lr < 2 (1 + beta) "
                f"/ lambda_max = {bound:.4g}" + (f" (÷ (1 - dampening) = ÷ {1 - dampening:g})"
                                                  if dampening else "") + ".")
    return StabilityBound(optimizer, bound, True, best, text)


def iter_measured_bound(surface: str, optimizer: str, start, steps: int, optimizer_options=None,
                        surface_options=None, schedule=None, schedule_options=None,
                        low: float | None = None, high: float | None = None, rule=None,
                        device=None):
    """Measure where ``optimizer`` starts diverging by bisection over batched sweeps.

    Each round runs :data:`BOUND_GRID` rates spread on a log scale over the bracket as one
    sweep of ``steps`` steps and keeps the cell between the largest rate that still
    converges and the smallest that diverges (by
    :class:`explorer.descent.divergence.DivergenceRule`); :data:`BOUND_ROUNDS` rounds.

    Yields
    ------
    StabilityBound
        After every round, the boundary so far (``lr`` is the bracket's geometric middle;
        None when no rate in ``[low, high]`` diverged, or the smallest already did).
    """
    steps = check_steps(steps)
    if low is None or high is None:
        critical = reference_lrs(surface, start, surface_options).critical
        low = critical / BOUND_SPAN if low is None else low
        high = min(MAX_LR, critical * BOUND_SPAN) if high is None else high
    low, high = check_lr(low, "bound_low"), check_lr(high, "bound_high")
    if high <= low:
        raise InputError("The search for the boundary needs high > low.", field="bound_high")

    def rounds():
        lo, hi = low, high
        for done in range(1, BOUND_ROUNDS + 1):
            lrs = np.geomspace(lo, hi, BOUND_GRID).tolist()
            result = sweep(surface, optimizer, lrs, steps, start, optimizer_options,
                           surface_options, device, schedule=schedule,
                           schedule_options=schedule_options)
            diverging = [at is not None for at in sweep_diverging_at(result, rule)]
            if not any(diverging) or diverging[0]:
                yield _unbracketed(optimizer, steps, lo, hi, none=not any(diverging))
                return
            first = diverging.index(True)
            lo, hi = lrs[first - 1], lrs[first]
            yield _measured(optimizer, steps, lo, hi, done == BOUND_ROUNDS)

    return rounds()


def measured_bound(*args, **kwargs) -> StabilityBound:
    """The last result of :func:`iter_measured_bound` (same arguments)."""
    *_, last = iter_measured_bound(*args, **kwargs)
    return last


def _measured(optimizer: str, steps: int, lo: float, hi: float, final: bool) -> StabilityBound:
    middle = math.sqrt(lo * hi)
    text = (f"Measured by bisection on batched sweeps: within {steps} steps, lr = {lo:.4g} still "
            f"converges and lr = {hi:.4g} diverges" + ("." if final else " (narrowing…)."))
    return StabilityBound(optimizer, middle, False, None, text, (lo, hi), steps)


def _unbracketed(optimizer: str, steps: int, lo: float, hi: float, none: bool) -> StabilityBound:
    if none:
        text = f"No rate from {lo:.4g} to {hi:.4g} diverged within {steps} steps."
    else:
        text = f"Even lr = {lo:.4g} diverges within {steps} steps."
    return StabilityBound(optimizer, None, False, None, text, None, steps)
