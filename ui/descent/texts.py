"""What the Descent page writes about a run: legend entries and the optimizer's state.

``explorer.descent`` gives numbers; the words and the number formats for the
screen are chosen here.
"""

from __future__ import annotations

from explorer.descent.readings import StepInternals

_STATE_WORDS = {"velocity": "velocity", "exp_avg": "exp_avg",
                "scale": "adaptive scale (denominator)"}


def run_label(lr: float, diverged_at: int | None) -> str:
    """The legend text of one run: ``"lr = 0.5 — diverged at step 7"``."""
    text = f"lr = {float(lr):g}"
    if diverged_at is not None:
        text += f" — diverged at step {diverged_at}"
    return text


def run_labels(sweep) -> list[str]:
    """Every run's legend text (``sweep``: an ``explorer.descent.Sweep``)."""
    return [run_label(lr, at) for lr, at in zip(sweep.lrs.tolist(), sweep.diverged_at,
                                                 strict=True)]


def pair(values) -> str:
    """``(0.1235, -2)``: a 2-D vector as the numbers under the plots show it."""
    return f"({values[0]:.4g}, {values[1]:.4g})"


def internals_lines(details: StepInternals) -> list[str]:
    """The gradient, then each recorded optimizer state, one line each."""
    lines = [f"gradient = {pair(details.gradient)}"]
    lines += [f"{_STATE_WORDS[name]} = {pair(value)}" for name, value in details.state.items()]
    return lines
