"""The one home of every rule for what a user types or a scene file holds.

Learning rates, step counts, start points, whole numbers in a range, lists of
widths or batch sizes typed as text, names chosen from a list, and the options
of a surface, optimizer, schedule or loss (:class:`OptionSpec`). Every lab's
scene, core function and control checks through these, so a value is accepted
everywhere or refused everywhere, with the same message.

Every check raises :class:`explorer.errors.InputError` with the ``field`` of
the control that holds the bad value and a message that says what to change.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from explorer.errors import InputError

MAX_STEPS = 100_000
MAX_LRS = 256
MAX_WIDTH = 4096
MAX_LAYERS = 12
MAX_SEED = 2**31 - 1
"""Every seed anywhere (a randomize, the weights, the data, the LR range test) is a whole
number from 0 to this: what a spin box holds and every torch generator takes."""
MAX_LR = 1e6
"""The largest learning rate: far above any that trains, far below where float32 overflows."""

# One size budget: each call that allocates checks its size against these first, so no
# input makes a call take more than a few hundred MB or a few seconds.
MAX_ELEMENTS = 1_000_000
"""Numbers in one tensor a user gives (a loss input, a batch of points)."""
MAX_TEXT = 1_000_000
"""Characters of one pasted or typed text."""
MAX_GRID = 512
"""Points along each side of a grid (a surface's contour map, a decision-region map)."""
MAX_PARAMETERS = 2_000_000
"""Weights and biases of one network."""
_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class OptionSpec:
    """One setting of a surface, optimizer or schedule, as a control shows it.

    ``kind`` is ``"float"``, ``"int"``, ``"bool"``, ``"choice"``, ``"vector"`` or
    ``"expression"`` (a formula of ``variables``, checked by :mod:`explorer.expressions`);
    ``choices`` lists the allowed values of a choice. ``below_maximum`` means the
    maximum itself is not allowed (momentum and betas live in [0, 1)). A vector
    (a loss's per-class weights) has the length of the symbolic dim named by
    ``dim``; its ``default`` ``None`` means absent.
    """

    name: str
    kind: str
    default: object
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    choices: tuple[str, ...] = ()
    below_maximum: bool = False
    dim: str | None = None
    variables: tuple[str, ...] = ()
    """The variables of an ``"expression"`` option (a formula, :mod:`explorer.expressions`)."""


def resolve_options(
    specs: Iterable[OptionSpec], given: Mapping[str, object] | None, owner: str,
    field: str = "options",
) -> dict[str, object]:
    """Check ``given`` against ``specs`` and fill in the defaults.

    Raises
    ------
    InputError
        For options that are not a mapping (``field``), an unknown option name or a
        value outside its allowed range.
    """
    specs = {spec.name: spec for spec in specs}
    given = check_mapping(given, owner, field)
    unknown = sorted(set(given) - set(specs))
    if unknown:
        allowed = ", ".join(specs) or "none"
        raise InputError(
            f"{owner} has no option '{unknown[0]}'; its options are: {allowed}.",
            field=unknown[0],
        )
    return {name: check_option(spec, given.get(name, spec.default)) for name, spec in specs.items()}


def check_mapping(given: object, owner: str, field: str = "options") -> dict:
    """Options as a dict (``None`` is none given); anything else (a list, text) is refused."""
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise InputError(
            f"The options of {owner} must be a mapping of option names to values, e.g. "
            f"{{'name': value}}; got {type(given).__name__} {_short(given)}.",
            field=field,
        )
    return dict(given)


def _short(value: object, most: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= most else text[: most - 3] + "..."


def check_option(spec: OptionSpec, value: object) -> object:
    """Return ``value`` converted to the option's kind, or raise InputError."""
    if spec.kind == "bool":
        return check_bool(value, spec.name)
    if spec.kind == "choice":
        if value not in spec.choices:
            raise InputError(
                f"{spec.name} must be one of {', '.join(spec.choices)}; got '{value}'.",
                field=spec.name,
            )
        return value
    if spec.kind == "vector":
        return _check_vector(spec, value)
    if spec.kind == "expression":
        from explorer.expressions import parse  # imported late: it brings torch

        return parse(value, spec.variables, field=spec.name).text
    number = _as_number(value, spec.name)
    if spec.kind == "int":
        if number != int(number):
            raise InputError(f"{spec.name} must be a whole number; got {value}.", field=spec.name)
        number = int(number)
    _check_range(spec, number)
    return number


def _check_vector(spec: OptionSpec, value: object) -> list[float] | None:
    """A vector option: numbers typed as ``"1, 2, 0.5"`` or given as a list; empty is ``None``.

    Its length is checked where the dim is known (by the loss that takes it).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parts = split_text(value, spec.name, spec.name) if isinstance(value, str) else value
    if not isinstance(parts, list | tuple):
        raise InputError(
            f"{spec.name} must be numbers separated by commas, e.g. 1, 2, 0.5; got {value!r}.",
            field=spec.name,
        )
    check_elements(len(parts), spec.name, spec.name)
    numbers = []
    for index, part in enumerate(parts):
        number = _as_number(part, f"{spec.name}[{index}]", spec.name)
        _check_range(spec, number, f"{spec.name}[{index}]")
        numbers.append(int(number) if isinstance(part, int) else number)
    return numbers


def _as_number(value: object, field: str, control: str | None = None) -> float:
    control = control or field
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = None
    if isinstance(value, bool) or number is None:
        raise InputError(f"{field} must be a number; got '{value}'.", field=control)
    if not math.isfinite(number):
        raise InputError(f"{field} must be a finite number; got {value}.", field=control)
    return number


def _check_range(spec: OptionSpec, number: float, where: str | None = None) -> None:
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
    raise InputError(f"{where or spec.name} must be {allowed}; got {number:g}.", field=spec.name)


def check_bool(value: object, field: str) -> bool:
    """A switch: ``True`` or ``False`` only (not 1, not "yes"; typed words are read elsewhere)."""
    if not isinstance(value, bool):
        raise InputError(f"'{field}' must be true or false; got {value!r}.", field=field)
    return value


def is_number(value: object) -> bool:
    """A real, finite int or float (``True`` is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_whole(value: object) -> bool:
    """An int, or a float with no fractional part (``True`` is not one)."""
    return is_number(value) and float(value).is_integer()  # type: ignore[arg-type]


def check_whole(value: object, field: str, what: str, low: int, high: int) -> int:
    """``value`` as an int from ``low`` to ``high``, else InputError naming ``what``."""
    if not (is_whole(value) and low <= value <= high):  # type: ignore[operator]
        raise InputError(
            f"{what} must be a whole number from {low:,} to {high:,}; got {value!r}.", field=field
        )
    return int(value)  # type: ignore[arg-type]


def check_positive(value: object, field: str, what: str, cell: tuple | None = None) -> float:
    """``value`` (a number, not text: text is read by the ``parse_*`` functions) as a
    positive finite float, else InputError naming ``what``."""
    if not (_is_real(value) and math.isfinite(float(value)) and float(value) > 0):
        raise InputError(
            f"{what} must be a positive finite number, e.g. 0.01; got {value!r}.",
            field=field, cell=cell,
        )
    return float(value)  # type: ignore[arg-type]


def _is_real(value: object) -> bool:
    """An int or float of any kind (numpy scalars too), but not a bool, text or a tensor."""
    if isinstance(value, bool | str | bytes) or value is None:
        return False
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return not hasattr(value, "__len__")


def check_lr(value: object, field: str = "lrs", cell: tuple | None = None,
             what: str = "A learning rate") -> float:
    """One learning rate: a positive finite number up to ``MAX_LR``."""
    lr = check_positive(value, field, what, cell)
    if lr > MAX_LR:
        raise InputError(
            f"{what} must be at most {MAX_LR:g}: learning rates above it only overflow; "
            f"got {value!r}.", field=field, cell=cell,
        )
    return lr


def check_lrs(lrs: object, most: int = MAX_LRS, field: str = "lrs") -> list[float]:
    """Learning rates as floats: 1 to ``most`` positive finite numbers up to ``MAX_LR``
    (a number is one rate)."""
    if isinstance(lrs, int | float) and not isinstance(lrs, bool):
        lrs = [lrs]
    if isinstance(lrs, str | bytes):
        raise InputError("Learning rates must be a list of numbers.", field=field)
    try:
        values = list(lrs)  # type: ignore[arg-type]
    except TypeError:
        raise InputError("Learning rates must be a list of numbers.", field=field) from None
    _check_count(len(values), most, field, "learning rate")
    return [check_lr(value, field, (index,), _nth_rate(index, len(values)))
            for index, value in enumerate(values)]


def split_text(text: object, field: str = "text", what: str = "The text") -> list[str]:
    """The values of a typed list: commas, semicolons and spaces all separate.

    At most ``MAX_TEXT`` characters are read (InputError naming ``field`` beyond).
    """
    return [part for part in _SEPARATORS.split(check_text(text, field, what).strip()) if part]


def parse_lrs(text: str, most: int = MAX_LRS, field: str = "lrs") -> tuple[float, ...]:
    """Learning rates typed as text, e.g. ``"0.001, 0.01, 0.1"`` (``1e-3`` is fine)."""
    parts = split_text(text, field, "The learning rates")
    _check_count(len(parts), most, field, "learning rate")
    values = []
    for index, part in enumerate(parts):
        try:
            value = float(part)
        except ValueError:
            raise InputError(
                f"'{part}' is not a number; type learning rates like 0.01, 1e-3.",
                field=field, cell=(index,),
            ) from None
        values.append(check_lr(value, field, (index,), _nth_rate(index, len(parts))))
    return tuple(values)


def parse_ints(text: str, field: str, what: str, *, low: int, high: int, most: int
               ) -> tuple[int, ...]:
    """Whole numbers typed as ``"16, 16"``: at most ``most``, each from ``low`` to ``high``."""
    parts = split_text(text, field, f"The {what}")
    if not parts:
        raise InputError(f"Type at least one of the {what}, e.g. 16, 16.", field=field)
    if len(parts) > most:
        raise InputError(f"Use at most {most} {what}; got {len(parts)}.", field=field)
    values = []
    for index, part in enumerate(parts):
        try:
            value = int(part)
        except ValueError:
            raise InputError(
                f"'{part}' is not a whole number; type the {what} as whole numbers, e.g. 16, 16.",
                field=field, cell=(index,),
            ) from None
        if not low <= value <= high:
            raise InputError(
                f"Each of the {what} must be from {low:,} to {high:,}; got {value:,}.",
                field=field, cell=(index,),
            )
        values.append(value)
    return tuple(values)


def check_widths(hidden: object, field: str = "hidden") -> tuple[int, ...]:
    """Hidden-layer widths: 1 to ``MAX_LAYERS`` whole numbers from 1 to ``MAX_WIDTH``."""
    if not isinstance(hidden, tuple | list) or not hidden:
        raise InputError("Give at least one hidden layer width, e.g. 16 or 32, 32.", field=field)
    if len(hidden) > MAX_LAYERS:
        raise InputError(
            f"Use at most {MAX_LAYERS} hidden widths; got {len(hidden)}.", field=field
        )
    return tuple(
        check_whole(width, field, f"Hidden layer {index + 1}'s width", 1, MAX_WIDTH)
        for index, width in enumerate(hidden)
    )


def parse_widths(text: str, field: str = "hidden") -> tuple[int, ...]:
    """Hidden-layer widths typed as ``"16, 16"``."""
    return parse_ints(text, field, "hidden widths", low=1, high=MAX_WIDTH, most=MAX_LAYERS)


def format_numbers(values: Iterable[float]) -> str:
    """Numbers as ``"0.001, 0.01, 0.1"``, the form the parsers above read back."""
    return ", ".join(f"{float(value):.6g}" if not isinstance(value, int) else str(value)
                     for value in values)


def check_steps(steps: object, field: str = "steps") -> int:
    """The step count: a whole number from 1 to 100,000."""
    return check_whole(steps, field, "The number of steps", 1, MAX_STEPS)


def check_start(start: object, field: str = "start") -> tuple[float, float]:
    """The start point: two finite numbers (x, y); text is not a point, nor are true/false."""
    try:
        if isinstance(start, str | bytes) or any(isinstance(v, bool) for v in start):
            raise TypeError
        x, y = (float(v) for v in start)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise InputError("The start point must be two numbers (x, y).", field=field) from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError(
            f"The start point must be finite; got ({x:g}, {y:g}). Click on the map to set it.",
            field=field,
        )
    return x, y


def check_seed(seed: object, field: str = "seed", what: str = "The seed") -> int:
    """A seed: a whole number from 0 to ``MAX_SEED`` (every seed of every lab)."""
    return check_whole(seed, field, what, 0, MAX_SEED)


def check_elements(count: int, field: str, what: str) -> int:
    """``count`` numbers in one tensor, at most ``MAX_ELEMENTS``; else InputError."""
    if count > MAX_ELEMENTS:
        raise InputError(
            f"{what} would hold {count:,} numbers; at most {MAX_ELEMENTS:,} fit "
            "(MAX_ELEMENTS). Use a smaller one.", field=field,
        )
    return count


def check_text(text: object, field: str, what: str) -> str:
    """Typed or pasted text of at most ``MAX_TEXT`` characters (anything else: its ``str``)."""
    text = text if isinstance(text, str) else str(text)
    if len(text) > MAX_TEXT:
        raise InputError(
            f"{what} is {len(text):,} characters long; at most {MAX_TEXT:,} are read "
            "(MAX_TEXT). Paste a smaller block.", field=field,
        )
    return text


def check_grid_size(n: object, field: str = "n", low: int = 2) -> int:
    """Points along each side of a grid: a whole number from ``low`` to ``MAX_GRID``."""
    return check_whole(n, field, "The grid size", low, MAX_GRID)


def check_parameters(count: int, field: str = "hidden") -> int:
    """The size of a network: at most ``MAX_PARAMETERS`` weights and biases."""
    if count > MAX_PARAMETERS:
        raise InputError(
            f"This network would have {count:,} weights and biases; at most "
            f"{MAX_PARAMETERS:,} fit (MAX_PARAMETERS). Use fewer or narrower hidden layers.",
            field=field,
        )
    return count


def _nth_rate(index: int, count: int) -> str:
    return "The learning rate" if count == 1 else f"Learning rate {index + 1}"


def _check_count(count: int, most: int, field: str, what: str) -> None:
    if count == 0:
        raise InputError(f"Type at least one {what}, e.g. 0.01, 0.1.", field=field)
    if count > most:
        raise InputError(f"Use at most {most} {what}s at once; got {count}. Remove some.",
                         field=field)


def check_name(name: object, allowed: Iterable[str], field: str, what: str) -> str:
    """``name`` if it is one of ``allowed``; else InputError listing them."""
    allowed = tuple(allowed)
    if name not in allowed:
        raise InputError(
            f"Unknown {what} '{name}'; choose one of {', '.join(allowed)}.", field=field
        )
    return name  # type: ignore[return-value]


def fields_of(cls: type, data: object, what: str, field: str = "scene") -> dict:
    """The entries of ``data`` (a JSON object) for dataclass ``cls``: every ``from_dict``'s start.

    Lists become tuples, since scene dataclasses are frozen and hold tuples.
    Every lab's ``from_dict`` calls this, then checks the values with its own rules.

    Raises
    ------
    InputError
        (with ``field``, ``"scene"`` unless a part of one) if ``data`` is not an object
        or names an entry ``cls`` has not.
    """
    if not isinstance(data, dict):
        raise InputError(f"A {what} must be a JSON object.", field=field)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(str(key) for key in set(data) - known)
    if unknown:
        raise InputError(
            f"Unknown {what} entries: {', '.join(unknown)}; "
            f"known ones are {', '.join(sorted(known))}.",
            field=field,
        )
    return {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}
