"""What one training run of the Batch lab is: :class:`TrainConfig`, checked for the user."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from explorer import data, devices
from explorer.errors import InputError
from explorer.inputs import (
    MAX_SEED,  # noqa: F401 (re-exported: the one seed rule lives in explorer.inputs)
    MAX_WIDTH,  # noqa: F401 (re-exported: the one cap lives in explorer.inputs)
    OptionSpec,
    check_bool,
    check_lr,
    check_name,
    check_option,
    check_parameters,
    check_seed,
    check_whole,
    check_widths,
    fields_of,
    is_whole,
    parse_widths,
)
from explorer.optimizers import OPTIMIZERS, torch_kwargs

ACTIVATIONS = ("relu", "sigmoid", "tanh")
BN_POSITIONS = ("before", "after")
"""Where each hidden layer's ``nn.BatchNorm1d`` goes: before its activation (Ioffe & Szegedy's
``Linear -> BN -> activation``) or after it (``Linear -> activation -> BN``)."""
MAX_EPOCHS = 10_000
"""Epochs of one run, from 1: the scene and the Batch page's spin box take this range."""
MAX_BATCH_SIZE = 100_000
"""The largest batch size anywhere (the spin box's maximum); a run's batch is also at most
its training set's size."""

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
    ``dataset`` is a shipped set's name or ``"csv:" + path``, the user's CSV file, whose
    label column ``label`` names (``None`` for a shipped set); its rows keep the file's order.
    ``optimizer_options`` holds the optimizer's other settings by torch's names (``nesterov``,
    ``weight_decay``, ``beta1``, ...; the forms of :func:`explorer.optimizers.optimizer_options`)
    as sorted ``(name, value)`` pairs (a dict is accepted); ``momentum`` is SGD's and RMSprop's.
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
    label: str | None = None
    optimizer_options: tuple = ()
    bn_position: str = "before"

    def __post_init__(self):
        # A scene file or a typed value may hold 20.0 for 20: keep whole numbers as ints.
        for name in _WHOLE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, float) and value.is_integer():
                object.__setattr__(self, name, int(value))
        if isinstance(self.hidden, list):
            object.__setattr__(self, "hidden", tuple(self.hidden))
        options = self.optimizer_options
        if isinstance(options, dict) or (isinstance(options, list | tuple) and all(
                isinstance(pair, list | tuple) and len(pair) == 2 for pair in options)):
            pairs = options.items() if isinstance(options, dict) else options
            # Sorted pairs: the config stays hashable and equal whatever the order typed.
            object.__setattr__(self, "optimizer_options",
                               tuple(sorted((str(k), v) for k, v in pairs)))

    def optimizer_kwargs(self) -> dict:
        """Keywords for ``torch.optim.<optimizer>(params, lr=lr, **kwargs)``, every setting
        (torch's defaults for those not given); InputError for a bad one."""
        given = dict(self.optimizer_options) if isinstance(self.optimizer_options, tuple) else (
            self.optimizer_options)
        if self.optimizer in ("SGD", "RMSprop") and isinstance(given, dict):
            given.setdefault("momentum", self.momentum)
        return torch_kwargs(self.optimizer, given)

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
        for error in self._errors():
            raise error

    def problems(self) -> dict[str, str]:
        """Every bad field at once: field name -> what to change (empty when all is well)."""
        found: dict[str, str] = {}
        for error in self._errors():
            found.setdefault(error.field or "config", str(error))
        return found

    def _errors(self):
        """Each field's check in turn, yielding the InputError of every one that fails."""
        checks = [
            ("dataset", lambda: data.check_dataset(self.dataset, self.label)),
            *((name, lambda name=name: check_bool(getattr(self, name), name))
              for name in ("batch_norm", "shuffle", "drop_last_single")),
            ("hidden", lambda: self._check_network()),
            ("activation",
             lambda: check_name(self.activation, ACTIVATIONS, "activation", "activation")),
            ("bn_position", lambda: check_name(self.bn_position, BN_POSITIONS, "bn_position",
                                               "batch norm position")),
            ("optimizer", lambda: check_name(self.optimizer, OPTIMIZERS, "optimizer", "optimizer")),
            ("lr", lambda: check_lr(self.lr, "lr")),
            ("momentum", lambda: check_option(MOMENTUM, self.momentum)),
            ("optimizer_options", lambda: self._check_optimizer_options()),
            ("epochs", lambda: check_whole(self.epochs, "epochs", "The number of epochs", 1,
                                           MAX_EPOCHS)),
            ("seed", lambda: check_seed(self.seed)),
            ("data_seed", lambda: check_seed(self.data_seed, "data_seed", "The data seed")),
            ("device", lambda: _check_device(self.device)),
        ]
        for _name, check in checks:
            try:
                check()
            except InputError as error:
                yield error
        try:
            self._validate_batch_size()
        except InputError as error:
            yield error

    def _check_optimizer_options(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            return  # the optimizer's own problem
        if not isinstance(self.optimizer_options, tuple):
            raise InputError("The optimizer's settings must be a mapping of names to values, "
                             f"e.g. {{'nesterov': true}}; got {self.optimizer_options!r}.",
                             field="optimizer_options")
        try:
            self.optimizer_kwargs()
        except InputError as error:  # one field for the form: its message names the setting
            raise InputError(str(error), field="optimizer_options") from None

    def _n_train(self) -> int | None:
        """Rows of the training set; None while the data set or its seed is itself bad."""
        try:
            return len(data.load(self.dataset, self.data_seed, self.label).y_train)
        except InputError:
            return None  # reported as the data set's or data seed's problem

    def _check_network(self) -> None:
        """The widths, then the size: at most ``MAX_PARAMETERS`` weights and biases."""
        widths = check_widths(self.hidden)
        try:
            shape = data.shape(self.dataset, self.label)
        except InputError:
            return  # the data set's own problem; its size is checked once it is known
        count = parameter_count(widths, *shape, self.batch_norm is True)
        check_parameters(count)

    def _validate_batch_size(self) -> None:
        n_train = self._n_train()
        if n_train is None:
            return
        if not (is_whole(self.batch_size) and 1 <= self.batch_size <= min(n_train,
                                                                           MAX_BATCH_SIZE)):
            raise InputError(f"The batch size must be a whole number from 1 to {n_train} (the "
                             f"training set of {data.display_name(self.dataset)} has {n_train} "
                             f"samples); got {self.batch_size!r}.", field="batch_size")
        if self.batch_norm is not True:
            return
        if self.batch_size == 1:
            raise InputError(f"{BN_NEEDS_TWO} Choose a batch size of 2 or more, or turn batch "
                             "normalization off.", field="batch_size")
        if n_train % self.batch_size == 1 and not self.drop_last_single:
            raise InputError(f"With {n_train} training samples and batches of {self.batch_size}"
                             f" the last batch has 1 sample. {BN_NEEDS_TWO} Drop that batch or "
                             "choose another batch size.", field="batch_size")

    def to_dict(self) -> dict:
        """A JSON-able dict (``hidden`` as a list)."""
        out = asdict(self)
        out["hidden"] = list(self.hidden)
        out["optimizer_options"] = dict(self.optimizer_options)
        return out

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """Rebuild a config saved by :meth:`to_dict`; raise :class:`InputError` if it is bad."""
        values = fields_of(cls, values, "training configuration")
        if isinstance(values.get("hidden"), str):
            values["hidden"] = parse_widths(values["hidden"])
        config = cls(**values)
        config.validate()
        return config


MOMENTUM = OptionSpec("momentum", "float", 0.0, 0.0, 1.0, "SGD's momentum", below_maximum=True)
_WHOLE_FIELDS = ("batch_size", "epochs", "seed", "data_seed")


def check_config(config: object) -> TrainConfig:
    """``config`` if it is a valid :class:`TrainConfig`; else InputError naming the field."""
    if not isinstance(config, TrainConfig):
        raise InputError(f"Give a TrainConfig; got {type(config).__name__}.", field="config")
    config.validate()
    return config


def parameter_count(hidden: tuple[int, ...], n_features: int, n_classes: int,
                    batch_norm: bool = False) -> int:
    """Weights and biases of the network :func:`~explorer.training.loop.build_model` builds
    (``gamma`` and ``beta`` of each batch norm too)."""
    count, width_in = 0, n_features
    for width in hidden:
        count += (width_in + 1) * width + (2 * width if batch_norm else 0)
        width_in = width
    return count + (width_in + 1) * n_classes


def parse_hidden(text: str) -> tuple[int, ...]:
    """Hidden widths typed as ``"32, 32"``: :func:`explorer.inputs.parse_widths`."""
    return parse_widths(text)


def _check_device(device) -> None:
    if not isinstance(device, str):
        raise InputError(f"The device must be a name such as 'cpu' or 'cuda:0'; got "
                         f"{device!r}.", field="device")
    devices.resolve(device)
