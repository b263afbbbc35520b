"""The Loss lab's limits, each written once: the scene, the engine and the controls use these.

A seed, a dim's size, a composite term's weight and the number of terms are
accepted by all of them or refused by all of them, with the same message.
The generic checks are :mod:`explorer.inputs`' (``check_whole``, ``is_number``); the seed
rule is its ``check_seed`` / ``MAX_SEED``, the same for every lab, re-exported here.
"""

from __future__ import annotations

from explorer.errors import InputError
from explorer.inputs import MAX_SEED, check_seed, check_whole, is_number

__all__ = ["MAX_CELLS", "MAX_SEED", "MAX_TERMS", "MAX_WEIGHT", "check_dims", "check_seed",
           "check_terms", "check_weight", "next_seed"]

MAX_TERMS = 8
MAX_WEIGHT = 1000.0
MAX_CELLS = 4096


def next_seed(seed: int) -> int:
    """The seed Randomize draws after ``seed`` (it wraps round after ``MAX_SEED``)."""
    return (int(seed) + 1) % (MAX_SEED + 1)


def check_dims(loss, dims: object, field: str | None = "dims") -> dict[str, int]:
    """``dims`` (symbolic dim -> size) checked against ``loss.dims``' ranges.

    ``field`` names the control in the error; ``None`` names the dim itself.
    """
    if not isinstance(dims, dict):
        raise InputError("dims must map a dim name such as 'N' to a size.", field=field or "dims")
    checked = {}
    for dim, size in dims.items():
        if dim not in loss.dims:
            raise InputError(f"{loss.name} has no dim '{dim}'; its dims are "
                             f"{', '.join(loss.dims)}.", field=field or str(dim))
        _, low, high = loss.dims[dim]
        checked[dim] = check_whole(size, field or dim, dim, low, high)
    return checked


def check_terms(terms: object, field: str = "terms") -> tuple[dict, ...]:
    """The terms of a composite loss: a list of at most ``MAX_TERMS`` objects."""
    if not isinstance(terms, list | tuple):
        raise InputError("The terms of a composite loss must be a list.", field=field)
    if len(terms) > MAX_TERMS:
        raise InputError(f"A composite loss has at most {MAX_TERMS} terms; got {len(terms)}.",
                         field=field)
    for index, term in enumerate(terms):
        if not isinstance(term, dict):
            raise InputError(f"Term {index + 1} must name its loss.", field=field)
    return tuple(terms)


def check_weight(weight: object, index: int, field: str = "terms") -> float:
    """Term ``index``'s weight (0-based; messages count from 1): a number within ±``MAX_WEIGHT``."""
    if not (is_number(weight) and abs(weight) <= MAX_WEIGHT):  # type: ignore[arg-type]
        raise InputError(
            f"The weight of term {index + 1} must be a finite number from {-MAX_WEIGHT:,g} "
            f"to {MAX_WEIGHT:,g}; got {weight!r}.", field=field)
    return float(weight)  # type: ignore[arg-type]
