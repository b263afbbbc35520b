"""What one training run of the Batch lab is: :class:`TrainConfig`, checked for the user."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from explorer import data, devices
from explorer.errors import InputError

ACTIVATIONS = ("relu", "sigmoid", "tanh")
OPTIMIZERS = ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad")
MAX_WIDTH = 4096
MAX_EPOCHS = 10_000

BN_NEEDS_TWO = (
    "Batch normalization needs at least 2 samples per batch in training mode: it divides by "
    "the batch's own standard deviation, which one sample does not have (torch says "
    "'Expected more than 1 value per channel')."
)


@dataclass(frozen=True)
class TrainConfig:
    """One training run: data set, network, minibatches, optimizer.

    Names follow torch (``optimizer="SGD"``, ``lr``, ``momentum``). ``hidden`` holds the
    hidden layers' widths; ``batch_norm`` puts an ``nn.BatchNorm1d`` after each hidden
    ``nn.Linear``. With ``shuffle=False`` minibatches follow the stored, class-sorted order.
    ``drop_last_single`` drops a last batch of one sample when batch normalization is on
    (otherwise such a batch is an error). ``data_seed`` fixes the validation rows and the
    generated 2-D points; ``seed`` fixes the initial weights and the shuffling.
    """

    dataset: str = "iris"
    hidden: tuple[int, ...] = (16,)
    activation: str = "relu"
    batch_norm: bool = False
    batch_size: int = 16
    shuffle: bool = True
    optimizer: str = "SGD"
    lr: float = 0.1
    epochs: int = 20
    seed: int = 0
    device: str = "cpu"
    momentum: float = 0.0
    drop_last_single: bool = True
    data_seed: int = 0

    def replace(self, **changes) -> TrainConfig:
        """A copy with ``changes`` applied (not validated)."""
        return replace(self, **changes)

    def validate(self) -> None:
        """Check every field; raise :class:`InputError` naming the first bad one.

        Raises
        ------
        InputError
            With ``field`` set to the offending field's name and a message saying what to change.
        """
        _check_choice(self.dataset, data.DATASETS, "dataset", "data set")
        for name in ("batch_norm", "shuffle", "drop_last_single"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(f"'{name}' must be true or false; got {getattr(self, name)!r}.",
                                 field=name)
        _check_hidden(self.hidden)
        _check_choice(self.activation, ACTIVATIONS, "activation", "activation")
        _check_choice(self.optimizer, OPTIMIZERS, "optimizer", "optimizer")
        _check_positive_finite(self.lr, "lr", "The learning rate")
        if not (_is_number(self.momentum) and 0 <= self.momentum < 1):
            raise InputError("Momentum must be a number from 0 up to (not including) 1.",
                             field="momentum")
        _check_int(self.epochs, "epochs", "The number of epochs", 1, MAX_EPOCHS)
        _check_int(self.seed, "seed", "The seed", 0, 2**63 - 1)
        _check_int(self.data_seed, "data_seed", "The data seed", 0, 2**63 - 1)
        self._validate_batch_size()
        if not isinstance(self.device, str):
            raise InputError(f"The device must be a name such as 'cpu' or 'cuda:0'; got "
                             f"{self.device!r}.", field="device")
        devices.resolve(self.device)

    def _validate_batch_size(self) -> None:
        n_train = len(data.load(self.dataset, self.data_seed).y_train)
        _check_int(self.batch_size, "batch_size", "The batch size", 1, n_train,
                   f" (the training set of {self.dataset} has {n_train} samples)")
        if not self.batch_norm:
            return
        if self.batch_size == 1:
            raise InputError(f"{BN_NEEDS_TWO} Choose a batch size of 2 or more, or turn batch "
                             "normalization off.", field="batch_size")
        if n_train % self.batch_size == 1 and not self.drop_last_single:
            raise InputError(f"With {n_train} training samples and batches of {self.batch_size}"
                             f" the last batch has 1 sample. {BN_NEEDS_TWO} Drop that batch or "
                             "choose another batch size.", field="batch_size")

    def label(self) -> str:
        """A short name for a finished run, e.g. ``"BN on · B=32 · lr=0.1"``."""
        text = f"BN {'on' if self.batch_norm else 'off'} · B={self.batch_size} · lr={self.lr:g}"
        return text if self.shuffle else f"{text} · unshuffled"

    def to_dict(self) -> dict:
        """A JSON-able dict (``hidden`` as a list)."""
        out = asdict(self)
        out["hidden"] = list(self.hidden)
        return out

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """Rebuild a config saved by :meth:`to_dict`; raise :class:`InputError` if it is bad."""
        if not isinstance(values, dict):
            raise InputError("A training configuration must be a mapping of field names to values.")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InputError(f"Unknown training setting(s): {', '.join(unknown)}.",
                             field=unknown[0])
        values = dict(values)
        hidden = values.get("hidden", cls.hidden)
        if isinstance(hidden, str):
            values["hidden"] = parse_hidden(hidden)
        elif isinstance(hidden, list | tuple):
            values["hidden"] = tuple(hidden)
        else:
            _check_hidden(hidden)  # raises: not a list of widths
        config = cls(**values)
        config.validate()
        return config


def parse_hidden(text: str) -> tuple[int, ...]:
    """Read hidden widths typed as ``"32, 32"`` (commas or spaces).

    Raises
    ------
    InputError
        With ``field="hidden"`` if the text is empty or holds something that is not a width.
    """
    parts = [p for p in str(text).replace(",", " ").split() if p]
    try:
        widths = tuple(int(p) for p in parts)
    except ValueError:
        raise InputError(f"Hidden widths must be whole numbers separated by commas, e.g. "
                         f"'32, 32'; got '{text}'.", field="hidden") from None
    _check_hidden(widths)
    return widths


def _check_hidden(hidden) -> None:
    if not isinstance(hidden, tuple | list) or len(hidden) == 0:
        raise InputError("Give at least one hidden layer width, e.g. '16' or '32, 32'.",
                         field="hidden")
    for i, width in enumerate(hidden):
        _check_int(width, "hidden", f"Hidden layer {i + 1}'s width", 1, MAX_WIDTH)


def _check_choice(value, allowed, field: str, what: str) -> None:
    if value not in allowed:
        raise InputError(f"Unknown {what} '{value}'; choose one of {', '.join(allowed)}.",
                         field=field)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_positive_finite(value, field: str, what: str) -> None:
    if not (_is_number(value) and value > 0):
        raise InputError(f"{what} must be a positive, finite number (e.g. 0.1); got {value!r}.",
                         field=field)


def _check_int(value, field: str, what: str, low: int, high: int, why: str = "") -> None:
    if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
        raise InputError(f"{what} must be a whole number from {low} to {high}{why}; "
                         f"got {value!r}.", field=field)
