"""What the Descent page writes about a run: legend entries and the optimizer's state.

``explorer.descent`` gives numbers; the words and the number formats for the
screen are chosen here.
"""

from __future__ import annotations

import math

from explorer.descent.divergence import sweep_diverging_at
from explorer.descent.readings import StepInternals

_STATE_WORDS = {"velocity": "velocity", "exp_avg": "exp_avg",
                "scale": "adaptive scale (denominator)"}


_DIVERGING = " — diverging at step "


def run_label(lr: float, diverging_at: int | None) -> str:
    """The legend text of one run: ``"lr = 0.5 — diverging at step 7"``."""
    text = f"lr = {float(lr):g}"
    if diverging_at is not None:
        text += f"{_DIVERGING}{diverging_at}"
    return text


def label_at(label: str, diverging_at: int | None, step: int) -> str:
    """``label`` (a :func:`run_label`) as the legend shows it at playback ``step``: without
    its "diverging at step N" until the step reaches N."""
    if diverging_at is None or step >= diverging_at:
        return label
    return label.partition(_DIVERGING)[0]


def run_labels(sweep, diverging=None) -> list[str]:
    """Every run's legend text (``sweep``: an ``explorer.descent.Sweep``; ``diverging``: the
    step each run is diverging from, default ``explorer.descent.divergence``'s rule)."""
    if diverging is None:
        diverging = sweep_diverging_at(sweep)
    return [run_label(lr, at) for lr, at in zip(sweep.lrs.tolist(), diverging, strict=True)]


def step_text(lr: float, loss: float, diverging_at: int | None, step: int) -> str:
    """A run's cell under the plots at ``step``: its loss, and once there, that it diverges."""
    value = f"{loss:.4g}" if math.isfinite(loss) else "not finite"
    text = f"■ lr = {float(lr):g}: loss {value}"
    if diverging_at is not None and step >= diverging_at:
        text += f", diverging at step {diverging_at}"
    return text


EVALUATIONS_SHOWN = 4  # runs named in the evaluations line (it has room for two lines)


def evaluations_text(lrs, counts, step: int, line_search: bool) -> str:
    """What the step from ``step`` cost an optimizer that evaluates the surface several times
    per step (LBFGS): ``counts`` (one per run) are its function evaluations; a run that has
    diverged (its count None or 0 past the end) reads "–"."""
    why = "its inner iterations and line search" if line_search else "its inner iterations"
    cells = [f"lr = {float(lr):g}: {int(n)}" if n else f"lr = {float(lr):g}: –"
             for lr, n in zip(lrs, counts, strict=True)]
    if len(cells) > EVALUATIONS_SHOWN:
        cells = cells[:EVALUATIONS_SHOWN] + [f"… {len(cells) - EVALUATIONS_SHOWN} more"]
    if len(counts) == 1:
        made = f"{int(counts[0])} function evaluations" if counts[0] else "no step (the end)"
        return f"The step from step {step} made {made} ({why})."
    return (f"Function evaluations in the step from step {step} ({why}): "
            + " · ".join(cells) + ".")


def pair(values) -> str:
    """``(0.1235, -2)``: a 2-D vector as the numbers under the plots show it."""
    return f"({values[0]:.4g}, {values[1]:.4g})"


def internals_lines(details: StepInternals) -> list[str]:
    """The gradient, then each recorded optimizer state, one line each."""
    lines = [f"gradient = {pair(details.gradient)}"]
    lines += [f"{_STATE_WORDS[name]} = {pair(value)}" for name, value in details.state.items()]
    return lines
