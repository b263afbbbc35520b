"""The Batch lab's typed lists and their limits: batch sizes, the BN comparison's rates, one rate.

Each reads what the user types through :mod:`explorer.inputs`; the ``check_*`` forms take
the values a scene holds and give the same messages, so a value typed on the page and the
same value in a scene file are accepted or refused alike.
"""

from __future__ import annotations

from explorer.errors import InputError
from explorer.inputs import format_numbers, is_number, is_whole, parse_ints, parse_lrs, split_text
from explorer.training.config import BN_NEEDS_TWO, MAX_BATCH_SIZE

MAX_BN_LRS = 8
"""The BN on/off comparison draws one pair of curves per rate: at most 8 stay readable."""
MAX_SIZES = 32
MAX_BATCH = MAX_BATCH_SIZE
"""Each typed batch size is at most the largest batch size (TrainConfig's)."""
MAX_GAMMA_BETA = 1e6
"""The largest gamma or beta (in size) to try on a BN unit: far beyond any trained value,
far below where float32 overflows."""


def parse_batch_sizes(text: str, field_name: str = "batch_sizes") -> tuple[int, ...]:
    """Read a list of batch sizes (``"1, 2, 4, 8"``), sorted, without repeats."""
    sizes = parse_ints(text, field_name, "batch sizes", low=1, high=MAX_BATCH, most=MAX_SIZES)
    return tuple(sorted(set(sizes)))


def check_batch_sizes(sizes: object, field_name: str) -> tuple[int, ...]:
    """A scene's list of batch sizes, checked as if typed: :func:`parse_batch_sizes`'s rule."""
    if not isinstance(sizes, tuple | list) or not all(is_whole(size) for size in sizes):
        raise InputError(f"The batch sizes must be whole numbers, e.g. 1, 2, 4, 8; got "
                         f"{sizes!r}.", field=field_name)
    return parse_batch_sizes(format_numbers(int(size) for size in sizes), field_name)


def check_sizes_fit(sizes: tuple[int, ...], n_train: int, batch_norm: bool,
                    field_name: str) -> tuple[int, ...]:
    """Checked batch sizes that the training set can give: each at most ``n_train``, and no
    batch of one with batch normalization (the experiments and the scene use this)."""
    for size in sizes:
        if not size <= n_train:
            raise InputError(f"Batch sizes must be whole numbers from 1 to {n_train} (the "
                             f"training set's size); got {size!r}.", field=field_name)
        if size == 1 and batch_norm:
            raise InputError(f"{BN_NEEDS_TWO} Remove batch size 1 or turn batch normalization "
                             "off.", field=field_name)
    return sizes


def fitted_sizes(sizes: tuple[int, ...], n_train: int, batch_norm: bool) -> tuple[int, ...]:
    """``sizes`` without those the training set cannot give (after a change of data set or of
    batch normalization); the training set's size where none is left."""
    kept = tuple(s for s in sizes if s <= n_train and not (s == 1 and batch_norm))
    return kept or (n_train,)


def parse_learning_rates(text: str, field_name: str = "lrs") -> tuple[float, ...]:
    """Read the BN comparison's learning rates (``"0.01, 0.1, 1"``): at most ``MAX_BN_LRS``."""
    return parse_lrs(text, MAX_BN_LRS, field_name)


def parse_lr(text: str, field_name: str = "lr") -> float:
    """Read the one learning rate of a training run (``"0.1"``, ``"1e-3"``)."""
    if len(split_text(text, field_name, "The learning rate")) != 1:
        raise InputError(f"'{text}' is not a number; type a positive learning rate such as 0.1.",
                         field=field_name)
    return parse_lrs(text, 1, field_name)[0]


def check_gamma_beta(value: object, field: str) -> float:
    """A BN unit's gamma or beta to try: a finite number within ±``MAX_GAMMA_BETA``."""
    if not (is_number(value) and abs(value) <= MAX_GAMMA_BETA):  # type: ignore[arg-type]
        raise InputError(f"{field} must be a finite number from {-MAX_GAMMA_BETA:,g} to "
                         f"{MAX_GAMMA_BETA:,g}; got {value!r}.", field=field)
    return float(value)  # type: ignore[arg-type]
