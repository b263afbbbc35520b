"""What the user chose on the Batch lab page: a training set-up, an experiment and its settings.

The scene is plain data that saves to JSON. ``from_dict`` checks every value
and raises :class:`~explorer.errors.InputError` naming the field, so a
hand-edited or stale file gives a message instead of a crash. The parsers read
what the user types (``"16, 16"``); :func:`train_live` is the page's training
generator (epochs with decision regions computed beside the training).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from explorer import data
from explorer.errors import InputError
from explorer.training import loop as training
from explorer.training.config import ACTIVATIONS, OPTIMIZERS, TrainConfig

DATASETS = data.DATASETS
TWO_D_DATASETS = ("moons", "spirals")
MODES = ("train", "eval")
EXPERIMENTS = (
    "training",
    "gradient_noise",
    "batch_timing",
    "shuffle",
    "batch_sizes",
    "batch_norm",
    "bn_inside",
    "percentiles",
)
MAX_WIDTH = 4096
MAX_LAYERS = 12


def parse_widths(text: str) -> tuple[int, ...]:
    """Read hidden-layer widths typed as ``"16, 16"`` (commas or spaces).

    Raises
    ------
    InputError
        For an empty list, a width that is not a whole number, or one
        outside 1 to 4096 (``field="hidden"``).
    """
    return _parse_ints(text, "hidden", "hidden widths", low=1, high=MAX_WIDTH, most=MAX_LAYERS)


def format_widths(widths: tuple[int, ...]) -> str:
    """The text form of ``widths`` that :func:`parse_widths` reads back."""
    return ", ".join(str(w) for w in widths)


def parse_batch_sizes(text: str, field_name: str = "batch_sizes") -> tuple[int, ...]:
    """Read a list of batch sizes (``"1, 2, 4, 8"``), sorted, without repeats.

    Raises
    ------
    InputError
        For an empty list or a size that is not a whole number of at least 1.
    """
    sizes = _parse_ints(text, field_name, "batch sizes", low=1, high=1_000_000, most=32)
    return tuple(sorted(set(sizes)))


def parse_learning_rates(text: str, field_name: str = "lrs") -> tuple[float, ...]:
    """Read a list of learning rates (``"0.01, 0.1, 1"``), each positive and finite.

    Raises
    ------
    InputError
        For an empty list or a rate that is not a positive finite number.
    """
    parts = _split(text)
    if not parts:
        raise InputError("Type at least one learning rate, e.g. 0.01, 0.1, 1.", field=field_name)
    if len(parts) > 8:
        raise InputError(
            "Use at most 8 learning rates so the plot stays readable.", field=field_name
        )
    return tuple(_positive_float(p, field_name, "learning rate") for p in parts)


def format_numbers(values) -> str:
    """Numbers as ``"0.01, 0.1, 1"`` (``%g``), the form the parsers read back."""
    return ", ".join(f"{v:g}" for v in values)


@dataclass
class BatchScene:
    """The Batch lab's state: the TrainConfig fields plus the chosen experiment.

    ``experiment`` is the tab on show (``"training"`` or an experiment). ``large_batch``
    ``None`` means the whole training set. ``shuffle_preset`` / ``bn_preset`` run those
    comparisons on their demonstration settings instead of the page's. ``gamma`` /
    ``beta`` are the user's edits of the inspected BN unit; ``None`` means the layer's own.
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
    experiment: str = "training"
    noise_batch_sizes: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64)
    timing_batch_sizes: tuple[int, ...] = (8, 16, 24, 32, 48, 64, 100, 120)
    shuffle_preset: bool = True
    small_batch: int = 8
    large_batch: int | None = None
    bn_preset: bool = True
    bn_lrs: tuple[float, ...] = (0.01, 0.1, 1.0)
    bn_layer: int = 0
    bn_unit: int = 0
    bn_mode: str = "train"
    gamma: float | None = None
    beta: float | None = None
    percentile_preset: bool = True

    def validate(self) -> None:
        """Check every field; raise :class:`InputError` naming the first bad one."""
        _choice(self.dataset, DATASETS, "dataset")
        _choice(self.activation, ACTIVATIONS, "activation")
        _choice(self.optimizer, OPTIMIZERS, "optimizer")
        _choice(self.experiment, EXPERIMENTS, "experiment")
        _choice(self.bn_mode, MODES, "bn_mode")
        parse_widths(format_widths(self.hidden))
        _int_at_least(self.batch_size, 1, "batch_size", "Batch size")
        _int_at_least(self.epochs, 1, "epochs", "Epochs")
        _int_at_least(self.seed, 0, "seed", "Seed")
        _int_at_least(self.small_batch, 1, "small_batch", "Small batch")
        if self.large_batch is not None:
            _int_at_least(self.large_batch, 1, "large_batch", "Large batch")
        _int_at_least(self.bn_layer, 0, "bn_layer", "Layer")
        _int_at_least(self.bn_unit, 0, "bn_unit", "Unit")
        _positive_float(self.lr, "lr", "learning rate")
        for name in ("noise_batch_sizes", "timing_batch_sizes"):
            parse_batch_sizes(format_widths(getattr(self, name)), name)
        parse_learning_rates(format_numbers(self.bn_lrs), "bn_lrs")
        self._validate_links()

    def _validate_links(self) -> None:
        if self.large_batch is not None and self.small_batch >= self.large_batch:
            raise InputError(
                "The small batch must be smaller than the large one.", field="small_batch"
            )
        if self.bn_layer >= len(self.hidden):
            raise InputError(
                f"Layer {self.bn_layer} does not exist: the network has {len(self.hidden)} "
                f"hidden layer(s) (0 to {len(self.hidden) - 1}).",
                field="bn_layer",
            )
        width = self.hidden[self.bn_layer]
        if self.bn_unit >= width:
            raise InputError(
                f"Unit {self.bn_unit} does not exist: hidden layer {self.bn_layer} has "
                f"{width} units (0 to {width - 1}).",
                field="bn_unit",
            )
        for name in ("gamma", "beta"):
            value = getattr(self, name)
            if value is not None and not _is_finite_number(value):
                raise InputError(f"{name} must be a finite number.", field=name)

    def to_dict(self) -> dict:
        """Plain JSON-able values (tuples become lists)."""
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_dict(cls, data: dict) -> BatchScene:
        """Rebuild a scene from :meth:`to_dict` output, checking every value.

        Missing keys take their defaults; unknown keys are an error so typos show.
        """
        if not isinstance(data, dict):
            raise InputError("A Batch lab scene must be a JSON object.", field="scene")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(
                f"Unknown Batch lab setting(s): {', '.join(unknown)}.", field=unknown[0]
            )
        scene = cls(**{k: _coerce(k, v) for k, v in data.items()})
        scene.validate()
        return scene

    def with_changes(self, **changes) -> BatchScene:
        """A copy with ``changes`` applied (not validated)."""
        return replace(self, **changes)

    def train_config(self, device: str = "cpu", **overrides) -> TrainConfig:
        """The :class:`explorer.training.TrainConfig` for this scene's training set-up."""
        values = {f: getattr(self, f) for f in TRAIN_FIELDS}
        values.update(overrides)
        return TrainConfig(device=str(device), **values)

    def is_two_d(self) -> bool:
        """Whether the data set has two features, so decision regions can be drawn."""
        return self.dataset in TWO_D_DATASETS


TRAIN_FIELDS = (
    "dataset",
    "hidden",
    "activation",
    "batch_norm",
    "batch_size",
    "shuffle",
    "optimizer",
    "lr",
    "epochs",
    "seed",
)
_TUPLE_INT = ("hidden", "noise_batch_sizes", "timing_batch_sizes")
_BOOL = ("batch_norm", "shuffle", "shuffle_preset", "bn_preset", "percentile_preset")
_FLOAT = ("lr",)
_OPTIONAL_FLOAT = ("gamma", "beta")


def _coerce(name: str, value):
    """Turn a JSON value into the field's type, or raise InputError naming the field."""
    try:
        if name in _TUPLE_INT:
            return tuple(_strict_int(v) for v in value)
        if name == "bn_lrs":
            return tuple(float(v) for v in value)
        if name in _BOOL:
            if not isinstance(value, bool):
                raise TypeError
            return value
        if name in _FLOAT:
            return float(value)
        if name == "large_batch":
            return None if value is None else _strict_int(value)
        if name in _OPTIONAL_FLOAT:
            return None if value is None else float(value)
        if name in ("dataset", "activation", "optimizer", "experiment", "bn_mode"):
            if not isinstance(value, str):
                raise TypeError
            return value
        return _strict_int(value)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"The saved value {value!r} for '{name}' has the wrong type.", field=name
        ) from exc


def _strict_int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise TypeError(value)
    return int(value)


def _split(text: str) -> list[str]:
    return [p for p in str(text).replace(",", " ").replace(";", " ").split() if p]


def _parse_ints(text: str, field_name: str, what: str, *, low: int, high: int, most: int):
    parts = _split(text)
    if not parts:
        raise InputError(f"Type at least one of the {what}, e.g. 16, 16.", field=field_name)
    if len(parts) > most:
        raise InputError(f"Use at most {most} {what}.", field=field_name)
    values = []
    for part in parts:
        try:
            value = int(part)
        except ValueError:
            raise InputError(
                f"'{part}' is not a whole number; type the {what} as whole numbers, e.g. 16, 16.",
                field=field_name,
            ) from None
        if not low <= value <= high:
            raise InputError(
                f"Each of the {what} must be between {low} and {high}, not {value}.",
                field=field_name,
            )
        values.append(value)
    return tuple(values)


def _is_finite_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _positive_float(value, field_name: str, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"'{value}' is not a number; type a positive {what}.", field=field_name
        ) from None
    if not math.isfinite(number) or number <= 0:
        raise InputError(
            f"The {what} must be a positive finite number, not {value}.", field=field_name
        )
    return number


def _int_at_least(value, low: int, field_name: str, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InputError(
            f"{what} must be a whole number of at least {low}, not {value!r}.", field=field_name
        )


def _choice(value, allowed: tuple[str, ...], field_name: str) -> None:
    if value not in allowed:
        raise InputError(f"'{value}' is not one of {', '.join(allowed)}.", field=field_name)


@dataclass(frozen=True)
class LiveEpoch:
    """One finished epoch for the page: the record and, on a 2-D set, the decision regions.

    ``regions`` is ``(xs, ys, classes)`` from :func:`explorer.training.decision_regions`,
    computed where the training runs so the page never touches the live network.
    """

    record: training.EpochRecord
    regions: tuple | None = None


def train_live(config, regions_grid: int = 80, most_steps_between: int = 20):
    """Run ``config`` with progress, yielding :class:`LiveEpoch` per epoch between ``Progress``.

    Parameters
    ----------
    config
        A :class:`~explorer.training.config.TrainConfig`.
    regions_grid
        Points per side of the decision-region grid (2-D data sets only).
    most_steps_between
        At most this many optimizer steps pass between two yields (about 100 per run
        otherwise), so a consumer that stops asking stops the training soon.

    Raises
    ------
    InputError
        If ``config`` is bad (see ``TrainConfig.validate``).
    """
    session = training.prepare(config)
    total = config.epochs * len(session.loader)
    every = max(1, min(total // 100, most_steps_between))
    split = data.load(config.dataset, config.data_seed)
    two_d = split.n_features == 2
    for item in training.run(config, progress=True, progress_every=every, session=session):
        if isinstance(item, training.EpochRecord):
            regions = training.decision_regions(item.model, split, regions_grid) if two_d else None
            # The page gets a copy without the live network, which keeps training.
            yield LiveEpoch(replace(item, model=None), regions)
        else:
            yield item


def fit_inspected_unit(scene: BatchScene) -> BatchScene:
    """``scene`` with the inspected BN layer and unit moved inside the hidden widths."""
    layer = min(scene.bn_layer, len(scene.hidden) - 1)
    unit = min(scene.bn_unit, scene.hidden[layer] - 1)
    if (layer, unit) == (scene.bn_layer, scene.bn_unit):
        return scene
    return replace(scene, bn_layer=layer, bn_unit=unit)
