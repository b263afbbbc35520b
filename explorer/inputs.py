"""Option descriptions and input checks shared by the descent lab's core.

Every check raises :class:`explorer.errors.InputError` with the ``field`` of
the control that holds the bad value and a message that says what to change.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from explorer.errors import InputError

MAX_STEPS = 100_000
MAX_LRS = 256


@dataclass(frozen=True)
class OptionSpec:
    """One setting of a surface, optimizer or schedule, as a control shows it.

    ``kind`` is ``"float"``, ``"int"``, ``"bool"`` or ``"choice"``; ``choices``
    lists the allowed values of a choice. ``below_maximum`` means the maximum
    itself is not allowed (momentum and betas live in [0, 1)).
    """

    name: str
    kind: str
    default: object
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    choices: tuple[str, ...] = ()
    below_maximum: bool = False


def resolve_options(
    specs: Iterable[OptionSpec], given: Mapping[str, object] | None, owner: str
) -> dict[str, object]:
    """Check ``given`` against ``specs`` and fill in the defaults.

    Raises
    ------
    InputError
        For an unknown option name or a value outside its allowed range.
    """
    specs = {spec.name: spec for spec in specs}
    given = dict(given or {})
    unknown = sorted(set(given) - set(specs))
    if unknown:
        allowed = ", ".join(specs) or "none"
        raise InputError(
            f"{owner} has no option '{unknown[0]}'; its options are: {allowed}.",
            field=unknown[0],
        )
    return {name: check_option(spec, given.get(name, spec.default)) for name, spec in specs.items()}


def check_option(spec: OptionSpec, value: object) -> object:
    """Return ``value`` converted to the option's kind, or raise InputError."""
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise InputError(f"{spec.name} must be true or false.", field=spec.name)
        return value
    if spec.kind == "choice":
        if value not in spec.choices:
            raise InputError(
                f"{spec.name} must be one of {', '.join(spec.choices)}; got '{value}'.",
                field=spec.name,
            )
        return value
    number = _as_number(value, spec.name)
    if spec.kind == "int":
        if number != int(number):
            raise InputError(f"{spec.name} must be a whole number; got {value}.", field=spec.name)
        number = int(number)
    _check_range(spec, number)
    return number


def _as_number(value: object, field: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{field} must be a number; got '{value}'.", field=field) from None
    if not math.isfinite(number):
        raise InputError(f"{field} must be a finite number; got {value}.", field=field)
    return number


def _check_range(spec: OptionSpec, number: float) -> None:
    low, high = spec.minimum, spec.maximum
    too_low = low is not None and number < low
    too_high = high is not None and (number >= high if spec.below_maximum else number > high)
    if not (too_low or too_high):
        return
    if low is not None and high is not None:
        bracket = ")" if spec.below_maximum else "]"
        allowed = f"in [{low:g}, {high:g}{bracket}"
    elif low is not None:
        allowed = f"at least {low:g}"
    else:
        allowed = f"at most {high:g}"
    raise InputError(f"{spec.name} must be {allowed}; got {number:g}.", field=spec.name)


def check_lrs(lrs: object) -> list[float]:
    """The learning rates as floats: 1 to 256 positive finite numbers."""
    if isinstance(lrs, (int, float)):
        lrs = [lrs]
    try:
        values = list(lrs)  # type: ignore[arg-type]
    except TypeError:
        raise InputError("Learning rates must be a list of numbers.", field="lrs") from None
    if not values:
        raise InputError("Enter at least one learning rate.", field="lrs")
    if len(values) > MAX_LRS:
        raise InputError(
            f"At most {MAX_LRS} learning rates at once; got {len(values)}. Remove some.",
            field="lrs",
        )
    result = []
    for index, value in enumerate(values):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not (math.isfinite(number) and number > 0):
            raise InputError(
                f"Learning rate {index + 1} ('{value}') must be a positive finite number, "
                "e.g. 0.01.",
                field="lrs",
                cell=(index,),
            )
        result.append(number)
    return result


def check_steps(steps: object) -> int:
    """The step count: a whole number from 1 to 100,000."""
    number = _as_number(steps, "steps")
    if number != int(number) or not 1 <= number <= MAX_STEPS:
        raise InputError(
            f"steps must be a whole number from 1 to {MAX_STEPS:,}; got {steps}.", field="steps"
        )
    return int(number)


def check_start(start: object) -> tuple[float, float]:
    """The start point: two finite numbers (x, y)."""
    try:
        x, y = (float(v) for v in start)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise InputError("The start point must be two numbers (x, y).", field="start") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError(
            f"The start point must be finite; got ({x:g}, {y:g}). Click on the map to set it.",
            field="start",
        )
    return x, y


def check_name(name: object, allowed: Iterable[str], field: str, what: str) -> str:
    """``name`` if it is one of ``allowed``; else InputError listing them."""
    allowed = tuple(allowed)
    if name not in allowed:
        raise InputError(
            f"Unknown {what} '{name}'; choose one of {', '.join(allowed)}.", field=field
        )
    return name  # type: ignore[return-value]
