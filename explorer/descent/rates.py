"""Lists of learning rates: spread on a log scale, or one more merged into a list.

The Descent page never computes a learning rate itself; its rate chooser and the
LR range test's "Use this rate" come here.
"""

from __future__ import annotations

import numpy as np

from explorer.errors import InputError
from explorer.inputs import MAX_LRS, check_lr, check_whole, parse_lrs


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


def with_rate(lrs, lr: float) -> tuple[float, ...]:
    """``lrs`` with ``lr`` added (once), sorted; past ``MAX_LRS`` the smallest ones go.

    Raises
    ------
    InputError
        (field ``"lrs"``) if ``lr`` is not a positive finite number.
    """
    lr = check_lr(lr)
    merged = tuple(lrs) if lr in lrs else (*lrs, lr)
    return tuple(sorted(merged)[-MAX_LRS:])


FAN = (0.25, 0.5, 1.0, 2.0, 4.0)
"""The multiples of the slider's rate that a fan runs: ×1/4, ×1/2, ×1, ×2, ×4."""


def fan(center, factors=FAN) -> tuple[float, ...]:
    """The rates ``center × factor`` for each factor (a fan around one rate).

    Raises
    ------
    InputError
        (field ``"lrs"``) if ``center`` or one of the rates is not a usable learning rate.
    """
    center = check_lr(center)
    return tuple(check_lr(float(f"{center * f:.6g}")) for f in factors)


def replace_rate(lrs, index: int, lr) -> tuple[float, ...]:
    """``lrs`` with run ``index``'s rate set to ``lr`` (the others, and the order, kept).

    Raises
    ------
    InputError
        (field ``"lrs"``) for an index outside the list or a bad rate.
    """
    lrs = tuple(lrs)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(lrs):
        raise InputError(f"There is no run {index} among {len(lrs)} rates.", field="lrs")
    return (*lrs[:index], check_lr(float(f"{float(lr):.6g}")), *lrs[index + 1:])
