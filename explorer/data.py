"""Data sets shipped in ``resources/`` (never downloaded).

Both tables keep their rows sorted by class, as many real files are: that is
what makes "minibatches must be drawn at random" visible when shuffling is off.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from functools import cache, lru_cache

import torch

from explorer import RESOURCES
from explorer.errors import InputError
from explorer.inputs import check_seed, check_whole, is_number


@dataclass(frozen=True)
class Table:
    """A labelled data set: ``features`` (N × D, float32) and ``labels`` (N, int64)."""

    name: str
    features: torch.Tensor
    labels: torch.Tensor
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]


@cache
def load_iris() -> Table:
    """Fisher's Iris data: 150 flowers × 4 measurements (cm), 3 species, sorted by species."""
    with open(RESOURCES / "iris.csv", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    classes = tuple(dict.fromkeys(r[-1] for r in body))
    features = torch.tensor([[float(v) for v in r[:-1]] for r in body], dtype=torch.float32)
    labels = torch.tensor([classes.index(r[-1]) for r in body], dtype=torch.int64)
    return Table("iris", features, labels, tuple(header[:-1]), classes)


@cache
def load_digits() -> Table:
    """UCI handwritten digits at 8×8 (1,797 images, pixel values 0–16), sorted by digit."""
    with gzip.open(RESOURCES / "digits.csv.gz", "rt", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    features = torch.tensor([[float(v) for v in r[:-1]] for r in body], dtype=torch.float32)
    labels = torch.tensor([int(r[-1]) for r in body], dtype=torch.int64)
    return Table("digits", features, labels, tuple(header[:-1]), tuple(str(d) for d in range(10)))


DATASETS = ("iris", "digits", "moons", "spirals")
"""Names accepted by :func:`load`."""
SHAPES = {"iris": (4, 3), "digits": (64, 10), "moons": (2, 2), "spirals": (2, 3)}
"""Data set -> (features, classes), known without loading it (to size a network)."""
MAX_POINTS = 100_000
"""The most points :func:`make_moons` and :func:`make_spirals` generate."""


@dataclass(frozen=True)
class Split:
    """A fixed train/validation split, standardised with training statistics.

    ``x_train``/``x_val`` are float32 (N × D), ``y_train``/``y_val`` int64 (N).
    The training part keeps the stored class-sorted order, so training without
    shuffling really sees one class after another.
    """

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    mean: torch.Tensor
    std: torch.Tensor

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def to(self, device: torch.device | str) -> Split:
        """The same split with its tensors on ``device``."""
        move = {k: getattr(self, k).to(device) for k in ("x_train", "y_train", "x_val", "y_val")}
        return Split(
            self.name,
            **move,
            feature_names=self.feature_names,
            class_names=self.class_names,
            mean=self.mean,
            std=self.std,
        )


def split(table: Table, val_fraction: float = 0.2, seed: int = 0) -> Split:
    """Split ``table`` into training and validation parts, stratified by class.

    Parameters
    ----------
    table
        Class-sorted data.
    val_fraction
        Share of each class held out for validation (0 < val_fraction < 1).
    seed
        Seed of the random choice of validation rows; the same seed gives the same split.

    Returns
    -------
    Split
        Both parts in the stored (class-sorted) order; features standardised with the
        training mean and standard deviation (a constant feature keeps std 1).
    """
    if not (is_number(val_fraction) and 0.0 < val_fraction < 1.0):
        raise InputError("val_fraction must be between 0 and 1 (e.g. 0.2).", field="val_fraction")
    generator = torch.Generator().manual_seed(check_seed(seed, "data_seed", "The data seed"))
    is_val = torch.zeros(len(table.labels), dtype=torch.bool)
    for c in range(len(table.class_names)):
        rows = torch.nonzero(table.labels == c).flatten()
        n_val = int(round(val_fraction * len(rows)))
        picked = rows[torch.randperm(len(rows), generator=generator)[:n_val]]
        is_val[picked] = True
    x_train, x_val = table.features[~is_val], table.features[is_val]
    mean = x_train.mean(dim=0)
    std = x_train.std(dim=0)
    std = torch.where(std > 0, std, torch.ones_like(std))  # digits has all-zero pixels
    return Split(
        table.name,
        (x_train - mean) / std,
        table.labels[~is_val],
        (x_val - mean) / std,
        table.labels[is_val],
        table.feature_names,
        table.class_names,
        mean,
        std,
    )


def make_moons(n: int = 400, noise: float = 0.15, seed: int = 0) -> Table:
    """Two interleaving half circles in 2-D, generated from ``seed``, sorted by class."""
    n, noise, generator = _generated(n, 2, noise, seed)
    half = n // 2
    t = torch.rand(2, half, generator=generator) * torch.pi
    upper = torch.stack([torch.cos(t[0]), torch.sin(t[0])], dim=1)
    lower = torch.stack([1 - torch.cos(t[1]), 0.5 - torch.sin(t[1])], dim=1)
    features = torch.cat([upper, lower]) + noise * torch.randn(2 * half, 2, generator=generator)
    labels = torch.arange(2).repeat_interleave(half)
    return Table("moons", features, labels, ("x1", "x2"), ("upper moon", "lower moon"))


def make_spirals(n: int = 450, classes: int = 3, noise: float = 0.2, seed: int = 0) -> Table:
    """``classes`` interleaved spiral arms in 2-D, generated from ``seed``, sorted by class."""
    classes = check_whole(classes, "classes", "The number of arms", 2, 32)
    n, noise, generator = _generated(n, classes, noise, seed)
    per = n // classes
    radius = torch.linspace(0.05, 1.0, per).repeat(classes)
    labels = torch.arange(classes).repeat_interleave(per)
    angle = (
        labels * 2 * torch.pi / classes
        + radius * 4.0
        + noise * torch.randn(per * classes, generator=generator)
    )
    features = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    names = tuple(f"arm {c + 1}" for c in range(classes))
    return Table("spirals", features, labels, ("x1", "x2"), names)


def _generated(n, classes: int, noise, seed) -> tuple[int, float, torch.Generator]:
    """The checked size and noise of a generated set, and its seeded generator."""
    n = check_whole(n, "n", "The number of points", classes, MAX_POINTS)
    if not (is_number(noise) and 0 <= noise <= 10):
        raise InputError(f"The noise must be a number from 0 to 10; got {noise!r}.",
                         field="noise")
    seed = check_seed(seed, "data_seed", "The data seed")
    return n, float(noise), torch.Generator().manual_seed(seed)


def load(name: str = "iris", seed: int = 0) -> Split:
    """A named data set, split for training and validation (cached per name and seed).

    Parameters
    ----------
    name
        ``"iris"``, ``"digits"``, ``"moons"`` or ``"spirals"`` (the last two are
        generated 2-D sets, drawn from ``seed``).
    seed
        Seed of the validation rows (and of the points, for the generated sets): a whole
        number from 0 to ``explorer.inputs.MAX_SEED``.

    Raises
    ------
    InputError
        If ``name`` is not one of :data:`DATASETS` or ``seed`` is not a seed.
    """
    if not isinstance(name, str) or name not in DATASETS:
        raise InputError(
            f"Unknown data set '{name}'; choose one of {', '.join(DATASETS)}.", field="dataset"
        )
    return _load(name, check_seed(seed, "data_seed", "The data seed"))


@lru_cache(maxsize=32)
def _load(name: str, seed: int) -> Split:
    tables = {
        "iris": load_iris,
        "digits": load_digits,
        "moons": lambda: make_moons(seed=seed),
        "spirals": lambda: make_spirals(seed=seed),
    }
    return split(tables[name](), seed=seed)
