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
