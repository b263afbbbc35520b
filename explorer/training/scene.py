"""What the user chose on the Batch lab page: a training set-up, an experiment and its settings.

The scene holds the page's :class:`~explorer.training.config.TrainConfig` and the
experiments' settings; it is frozen (a change is a new scene) and saves to JSON as
``{"config": {...TrainConfig without the device...}, "experiment": ..., ...}``. Files
saved before the scene held a config (the training fields flat beside the others) still
open. One check, :meth:`BatchScene.problems`, runs when a value is edited, when the
scene is saved and when it is opened, so what is accepted anywhere saves and opens.

A scene on the user's CSV file (``dataset="csv:" + path`` and its ``label``) saves the
file's short content hash as ``csv_hash``: a scene whose file has gone is refused, one
whose file changed opens and says so (:meth:`BatchScene.data_note`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, make_dataclass, replace
from pathlib import Path

from explorer import data
from explorer.errors import InputError
from explorer.inputs import (
    MAX_LAYERS,
    MAX_WIDTH,
    check_bool,
    check_lrs,
    check_name,
    check_whole,
    fields_of,
    is_number,
    is_whole,
)
from explorer.training import linear_scaling, noise_scale, smoothness
from explorer.training.batches import BUDGETS
from explorer.training.config import TrainConfig
from explorer.training.lr_range import check_range_settings
from explorer.training.typed import (
    MAX_BN_LRS,
    check_batch_sizes,
    check_gamma_beta,
    check_sizes_fit,
)

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
    "noise_scale",
    "linear_scaling",
    "bn_smoothness",
    "lr_range",
)
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
    "label",
    "optimizer_options",
    "momentum",
    "bn_position",
)
"""The training fields the page's controls edit (and that old scene files hold flat)."""
CONFIG_FIELDS = tuple(f.name for f in fields(TrainConfig) if f.name != "device")
"""What a scene saves of its config: everything but the device, which the window chooses."""
NOISE_FIELDS = {"epochs": "noise_epochs", "fit_batch_sizes": "noise_fit_sizes"}
SCALING_FIELDS = {"factors": "scaling_factors", "warmup_factors": "scaling_warmup_factors",
                  "warmup_epochs": "scaling_warmup_epochs", "batch_size": "scaling_batch",
                  "lr": "scaling_lr"}
SMOOTHNESS_FIELDS = {"init": "smoothness_init", "step_sizes": "smoothness_etas",
                     "depth": "smoothness_depth", "width": "smoothness_width",
                     "hidden": "smoothness_width"}
"""The research experiments' InputError fields -> the scene fields of their settings."""
_SCALING = linear_scaling.scaling_demo_config()
_SMOOTHNESS = smoothness.smoothness_config()


@dataclass(frozen=True)
class BatchScene:
    """The Batch lab's state: the training set-up (a TrainConfig) plus the chosen experiment.

    ``experiment`` is the tab on show (``"training"`` or an experiment). ``large_batch``
    ``None`` means the whole training set. ``shuffle_preset`` / ``bn_preset`` run those
    comparisons on their demonstration settings instead of the page's. ``gamma`` /
    ``batch_budget`` gives the small-vs-large comparison equal ``"steps"`` or equal
    ``"epochs"``; ``batch_preset`` / ``timing_preset`` run it and the timing on their
    demonstration settings. ``gamma`` / ``beta`` are the user's edits of the inspected BN
    unit; ``None`` means the layer's own. ``range_start_lr`` / ``range_end_lr`` /
    ``range_steps`` are the LR range test's (:mod:`explorer.training.lr_range`).
    ``csv_hash`` is the content hash of the CSV data set when the scene was saved (``None``
    for a shipped set or a scene not opened from a file).
    """

    config: TrainConfig = field(default_factory=TrainConfig)
    experiment: str = "training"
    noise_batch_sizes: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64)
    timing_batch_sizes: tuple[int, ...] = (16, 24, 32, 48, 64, 96, 120)
    shuffle_preset: bool = True
    small_batch: int = 8
    large_batch: int | None = None
    batch_budget: str = "steps"
    batch_preset: bool = True
    timing_preset: bool = True
    bn_preset: bool = True
    bn_lrs: tuple[float, ...] = (0.01, 0.1, 1.0)
    bn_layer: int = 0
    bn_unit: int = 0
    bn_mode: str = "train"
    gamma: float | None = None
    beta: float | None = None
    percentile_preset: bool = True
    range_start_lr: float = 1e-4
    range_end_lr: float = 10.0
    range_steps: int = 100
    noise_epochs: tuple[int, ...] = noise_scale.EPOCHS
    noise_fit_sizes: tuple[int, ...] | None = None
    scaling_factors: tuple[int, ...] = linear_scaling.FACTORS
    scaling_warmup_factors: tuple[int, ...] = linear_scaling.WARMUP_FACTORS
    scaling_batch: int = _SCALING.batch_size
    scaling_lr: float = _SCALING.lr
    scaling_warmup_epochs: int = linear_scaling.WARMUP_EPOCHS
    smoothness_init: str = smoothness.INITS[0]
    smoothness_etas: tuple[float, ...] = smoothness.STEP_SIZES
    smoothness_depth: int = len(_SMOOTHNESS.hidden)
    smoothness_width: int = _SMOOTHNESS.hidden[0]
    csv_hash: str | None = None

    def __post_init__(self):
        # A scene file may hold 8.0 for 8 and lists for tuples: keep the field types.
        for name in ("small_batch", "large_batch", "bn_layer", "bn_unit", "range_steps",
                     "scaling_batch", "scaling_warmup_epochs", "smoothness_depth",
                     "smoothness_width"):
            if is_whole(getattr(self, name)):
                object.__setattr__(self, name, int(getattr(self, name)))
        for name in ("noise_batch_sizes", "timing_batch_sizes", "bn_lrs", "noise_epochs",
                     "noise_fit_sizes", "scaling_factors", "scaling_warmup_factors",
                     "smoothness_etas"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        if is_number(self.bn_lrs):  # one number is one rate, as check_lrs reads it
            object.__setattr__(self, "bn_lrs", (self.bn_lrs,))

    # ---- the one check ---------------------------------------------------------------------
    def problems(self) -> dict[str, str]:
        """Every bad field at once: field name -> what to change (empty when all is well).

        The training set-up is checked by :meth:`TrainConfig.problems` itself (so a scene
        accepts exactly the runs that can be trained), the rest by :mod:`explorer.inputs`.
        """
        found = self.config.problems()
        for error in self._errors():
            found.setdefault(error.field or "scene", str(error))
        return found

    def validate(self) -> None:
        """Raise :class:`InputError` for the first of :meth:`problems`, naming its field."""
        problems = self.problems()
        if problems:
            name, message = next(iter(problems.items()))
            raise InputError(message, field=name)

    def _errors(self):
        checks = [
            lambda: check_name(self.experiment, EXPERIMENTS, "experiment", "experiment"),
            lambda: check_name(self.bn_mode, MODES, "bn_mode", "bn mode"),
            *(lambda name=name: check_bool(getattr(self, name), name)
              for name in ("shuffle_preset", "bn_preset", "percentile_preset", "batch_preset",
                           "timing_preset")),
            lambda: check_name(self.batch_budget, BUDGETS, "batch_budget", "budget"),
            *(lambda name=name: self._check_sizes(name)
              for name in ("noise_batch_sizes", "timing_batch_sizes")),
            lambda: check_lrs(self.bn_lrs, MAX_BN_LRS, "bn_lrs"),
            lambda: self._check_batches(),
            lambda: self._check_inspected_unit(),
            *(lambda name=name: _check_optional_number(self, name) for name in ("gamma", "beta")),
            lambda: check_range_settings(self.range_start_lr, self.range_end_lr,
                                         self.range_steps),
            lambda: _check_hash(self.csv_hash),
            *self._research_checks(),
        ]
        for check in checks:
            try:
                check()
            except InputError as error:
                yield error

    def _check_sizes(self, name: str) -> None:
        """An experiment's batch sizes, each inside the training set (a batch of one with BN
        is refused when that experiment runs: older scenes hold it)."""
        sizes = check_batch_sizes(getattr(self, name), name)
        n_train = _n_train(self.config)
        if n_train is not None:  # else the data set's own problem
            check_sizes_fit(sizes, n_train, False, name)

    def _research_checks(self):
        """The research tabs' settings, by the rules their experiments run with."""
        n_train = _n_train(self.config)
        return [
            lambda: _renamed(lambda: noise_scale.check_epochs(self.noise_epochs), NOISE_FIELDS),
            lambda: _renamed(lambda: noise_scale.check_fit_sizes(  # BN's batch of one: at run
                self.noise_fit_sizes, n_train, False), NOISE_FIELDS),
            lambda: _renamed(lambda: linear_scaling.check_scaling(
                self.scaling_train_config(), self.scaling_factors, self.scaling_warmup_factors,
                self.scaling_warmup_epochs), SCALING_FIELDS),
            lambda: check_name(self.smoothness_init, smoothness.INITS, "smoothness_init",
                               "initialization"),
            lambda: smoothness.check_step_sizes(self.smoothness_etas, "smoothness_etas"),
            lambda: smoothness.check_network(self.smoothness_depth, self.smoothness_width,
                                             ("smoothness_depth", "smoothness_width")),
        ]

    def _check_batches(self) -> None:
        """The small and large batch of the comparison: inside the training set, small first."""
        n_train = _n_train(self.config)
        if n_train is None:
            return  # the data set's own problem
        check_whole(self.small_batch, "small_batch", "The small batch", 1, n_train)
        if self.large_batch is None:
            return
        check_whole(self.large_batch, "large_batch", "The large batch", 1, n_train)
        if self.small_batch >= self.large_batch:
            raise InputError("The small batch must be smaller than the large one.",
                             field="small_batch")

    def _check_inspected_unit(self) -> None:
        check_whole(self.bn_layer, "bn_layer", "The layer", 0, MAX_LAYERS)
        check_whole(self.bn_unit, "bn_unit", "The unit", 0, MAX_WIDTH)
        hidden = self.config.hidden
        if not (isinstance(hidden, tuple) and hidden and all(is_whole(w) for w in hidden)):
            return  # the widths' own problem
        if self.bn_layer >= len(hidden):
            raise InputError(
                f"Layer {self.bn_layer} does not exist: the network has {len(hidden)} "
                f"hidden layer(s) (0 to {len(hidden) - 1}).", field="bn_layer")
        width = hidden[self.bn_layer]
        if self.bn_unit >= width:
            raise InputError(
                f"Unit {self.bn_unit} does not exist: hidden layer {self.bn_layer} has "
                f"{width} units (0 to {width - 1}).", field="bn_unit")

    # ---- saving and opening ----------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain JSON-able values (tuples become lists); a scene that cannot open is refused.

        Raises
        ------
        InputError
            If the scene is not valid: what is saved always opens again.
        """
        self.validate()
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "config"}
        out = {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}
        config = self.config.to_dict()
        out.pop("csv_hash")
        if data.is_csv(self.config.dataset):  # the hash of the file as it is now, saved with it
            out["csv_hash"] = data.content_hash(self.config.dataset)
        return {"config": {k: config[k] for k in CONFIG_FIELDS}, **out}

    @classmethod
    def from_dict(cls, data: dict) -> BatchScene:
        """Rebuild a scene from :meth:`to_dict` output (or the older flat form), checking every
        value with :meth:`validate`.

        Missing keys take their defaults; unknown keys are an error so typos show.
        """
        values = fields_of(cls, _migrated(data), "Batch lab scene")
        config = fields_of(_SavedConfig, values.pop("config", {}), "training configuration")
        scene = cls(config=TrainConfig(**config), **values)
        _check_csv_there(scene.config.dataset)
        scene.validate()
        return scene

    # ---- use -------------------------------------------------------------------------------
    def with_changes(self, **changes) -> BatchScene:
        """A copy with ``changes`` applied (not validated); training fields go to the config."""
        training = {k: v for k, v in changes.items() if k in CONFIG_FIELDS}
        rest = {k: v for k, v in changes.items() if k not in training}
        if training:
            rest["config"] = self.config.replace(**training)
            if rest["config"].dataset != self.config.dataset:
                rest.setdefault("csv_hash", None)  # a hash saved with another file
        return replace(self, **rest)

    def train_config(self, device: str = "cpu", **overrides) -> TrainConfig:
        """The scene's :class:`TrainConfig` on ``device``, with ``overrides`` applied."""
        return self.config.replace(device=str(device), **overrides)

    def scaling_train_config(self, device: str = "cpu") -> TrainConfig:
        """The linear scaling rule's base run: the demonstration set-up at the scene's base
        batch and rate, seed and ``device``."""
        return _SCALING.replace(batch_size=self.scaling_batch, lr=self.scaling_lr,
                                seed=self.config.seed, device=str(device))

    def smoothness_train_config(self, device: str = "cpu") -> TrainConfig:
        """The BN smoothness experiment's network at the scene's depth and width, seed and
        ``device``."""
        return smoothness.smoothness_config(self.smoothness_depth, self.smoothness_width
                                            ).replace(seed=self.config.seed, device=str(device))

    def is_two_d(self) -> bool:
        """Whether the data set has two features, so decision regions can be drawn."""
        if not data.is_csv(self.config.dataset):
            return self.config.dataset in TWO_D_DATASETS
        try:
            return data.shape(self.config.dataset, self.config.label)[0] == 2
        except InputError:
            return False  # the data set's own problem

    def data_note(self) -> str:
        """What to tell the user about the scene's CSV file: that it changed since the scene
        was saved (its content hash differs), else ``""``."""
        if self.csv_hash is None or not data.is_csv(self.config.dataset):
            return ""
        try:
            now = data.content_hash(self.config.dataset)
        except InputError as error:
            return str(error)
        if now == self.csv_hash:
            return ""
        return (f"The file {data.display_name(self.config.dataset)} changed since the scene "
                f"was saved (content hash {self.csv_hash}, now {now}): runs on it may differ "
                "from those the scene was made with.")


# The entries a saved scene's ``config`` may hold: TrainConfig's, but not the device.
_SavedConfig = make_dataclass("_SavedConfig", CONFIG_FIELDS)


def _migrated(data: object) -> object:
    """A scene saved in the flat form (training fields beside the others) in today's form."""
    if not isinstance(data, dict):
        return data
    flat = {k: v for k, v in data.items() if k in TRAIN_FIELDS}
    if not flat:
        return data
    if "config" in data:
        raise InputError(f"A Batch lab scene holds its training set-up in 'config', not "
                         f"beside it: move {', '.join(flat)} into 'config'.", field="scene")
    rest = {k: v for k, v in data.items() if k not in flat}
    return {"config": flat, **rest}


def _n_train(config: TrainConfig) -> int | None:
    """Rows of the training set, or None while the data set or its seed is itself bad."""
    try:
        return len(data.load(config.dataset, config.data_seed, config.label).y_train)
    except InputError:
        return None


_HASH = re.compile(r"[0-9a-f]{12}")


def _check_hash(value: object) -> None:
    if value is not None and not (isinstance(value, str) and _HASH.fullmatch(value)):
        raise InputError(f"csv_hash must be 12 hex digits (the CSV file's content hash) or "
                         f"null; got {str(value)[:40]!r}.", field="csv_hash")


def _check_csv_there(dataset: object) -> None:
    """Refuse a scene whose CSV file is not where it was saved, saying so in those words."""
    if data.is_csv(dataset) and not Path(data.csv_path(dataset)).is_file():
        raise InputError(f"This scene trains on the CSV file '{data.csv_path(dataset)}', "
                         "which is not there any more: put the file back there (or open the "
                         "scene on another computer that has it), then open the scene again.",
                         field="dataset")


def _renamed(check, fields: dict[str, str]) -> None:
    """Run ``check``; an InputError it raises names the scene's field (``fields``)."""
    try:
        check()
    except InputError as error:
        raise InputError(str(error), field=fields.get(error.field or "", error.field)) from None


def _check_optional_number(scene: BatchScene, name: str) -> None:
    value = getattr(scene, name)
    if value is not None:
        check_gamma_beta(value, name)
