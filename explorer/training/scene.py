"""What the user chose on the Batch lab page: a training set-up, an experiment and its settings.

The scene is plain data that saves to JSON. ``from_dict`` checks every value
and raises :class:`~explorer.errors.InputError` naming the field, so a
hand-edited or stale file gives a message instead of a crash. The parsers read
what the user types (``"16, 16"``); :func:`train_live` is the page's training
generator (epochs with decision regions computed beside the training).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

from explorer import data
from explorer.errors import InputError
from explorer.inputs import (
    MAX_LAYERS,
    MAX_WIDTH,
    check_lrs,
    check_name,
    check_whole,
    fields_of,
    format_numbers,
    parse_ints,
    parse_lrs,
    parse_widths,  # noqa: F401 (the page reads widths through this module)
)
from explorer.training import loop as training
from explorer.training.config import TrainConfig

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
MAX_BN_LRS = 8
"""The BN on/off comparison draws one pair of curves per rate: at most 8 stay readable."""
MAX_SIZES = 32
MAX_BATCH = 1_000_000


def format_widths(widths: tuple[int, ...]) -> str:
    """The text form of ``widths`` that :func:`parse_widths` reads back."""
    return format_numbers(widths)


def parse_batch_sizes(text: str, field_name: str = "batch_sizes") -> tuple[int, ...]:
    """Read a list of batch sizes (``"1, 2, 4, 8"``), sorted, without repeats."""
    sizes = parse_ints(text, field_name, "batch sizes", low=1, high=MAX_BATCH, most=MAX_SIZES)
    return tuple(sorted(set(sizes)))


def parse_learning_rates(text: str, field_name: str = "lrs") -> tuple[float, ...]:
    """Read the BN comparison's learning rates (``"0.01, 0.1, 1"``): at most ``MAX_BN_LRS``."""
    return parse_lrs(text, MAX_BN_LRS, field_name)


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
        """Check every field; raise :class:`InputError` naming the first bad one.

        The training set-up is checked by :class:`TrainConfig` itself (so a scene accepts
        exactly the runs that can be trained: epochs, widths, a batch size that fits the
        data set), the rest by :mod:`explorer.inputs`. The same check runs when a value is
        edited, when the scene is saved and when it is opened.
        """
        for name in ("experiment", "bn_mode"):
            check_name(getattr(self, name), {"experiment": EXPERIMENTS, "bn_mode": MODES}[name],
                       name, name.replace("_", " "))
        self.train_config().validate()
        n_train = len(data.load(self.dataset).y_train)
        check_whole(self.small_batch, "small_batch", "The small batch", 1, n_train)
        if self.large_batch is not None:
            check_whole(self.large_batch, "large_batch", "The large batch", 1, n_train)
        check_whole(self.bn_layer, "bn_layer", "The layer", 0, MAX_LAYERS)
        check_whole(self.bn_unit, "bn_unit", "The unit", 0, MAX_WIDTH)
        for name in ("noise_batch_sizes", "timing_batch_sizes"):
            parse_batch_sizes(format_numbers(getattr(self, name)), name)
        check_lrs(self.bn_lrs, MAX_BN_LRS, "bn_lrs")
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
        """Plain JSON-able values (tuples become lists); a scene that cannot open is refused.

        Raises
        ------
        InputError
            If the scene is not valid: what is saved always opens again.
        """
        self.validate()
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_dict(cls, data: dict) -> BatchScene:
        """Rebuild a scene from :meth:`to_dict` output, checking every value.

        Missing keys take their defaults; unknown keys are an error so typos show.
        """
        values = fields_of(cls, data, "Batch lab scene")
        scene = cls(**{k: _coerce(k, v) for k, v in values.items()})
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


def _is_finite_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


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
