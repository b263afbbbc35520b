"""Data sets shipped in ``resources/`` (never downloaded).

Both tables keep their rows sorted by class, as many real files are: that is
what makes "minibatches must be drawn at random" visible when shuffling is off.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import torch

from explorer import RESOURCES, csv_data
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
"""The shipped sets' names; :func:`load` also takes ``"csv:" + path``, the user's own file."""
CSV = "csv:"
"""The prefix of a data set that is the user's CSV file: ``"csv:/path/to/file.csv"``."""
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


def load(name: str = "iris", seed: int = 0, label: str | None = None) -> Split:
    """A named data set, split for training and validation (cached per name and seed).

    Parameters
    ----------
    name
        ``"iris"``, ``"digits"``, ``"moons"`` or ``"spirals"`` (the last two are
        generated 2-D sets, drawn from ``seed``), or ``"csv:" + path``: the user's file
        (see :func:`load_csv`).
    seed
        Seed of the validation rows (and of the points, for the generated sets): a whole
        number from 0 to ``explorer.inputs.MAX_SEED``.
    label
        The label column of a CSV file, by its header name; ``None`` for a shipped set.

    Raises
    ------
    InputError
        If ``name`` is not one of :data:`DATASETS` nor a readable CSV with column ``label``,
        a CSV too small to hold out validation rows, or ``seed`` is not a seed.
    """
    check_dataset(name, label)
    seed = check_seed(seed, "data_seed", "The data seed")
    return _csv_split(name, label, seed) if is_csv(name) else _load(name, seed)


def is_csv(name: object) -> bool:
    """Whether data set ``name`` is the user's CSV file (``"csv:" + path``)."""
    return isinstance(name, str) and name.startswith(CSV)


def csv_path(name: str) -> str:
    """The file path of CSV data set ``name``."""
    return name[len(CSV):]


def display_name(name: str) -> str:
    """What a message calls data set ``name``: its own name, or the CSV file's name."""
    return Path(csv_path(name)).name if is_csv(name) else name


def check_dataset(name: object, label: object = None) -> str:
    """``name`` if it is a shipped set (with no label) or a CSV that loads with ``label``.

    Raises
    ------
    InputError
        ``field="dataset"`` for an unknown name or a bad file, ``field="label"`` for a
        label column that does not fit (see :func:`load_csv`).
    """
    if is_csv(name):
        if label is None:
            raise InputError("Choose the label column of the CSV file (which column holds "
                             "the classes).", field="label")
        _csv_split(name, label, 0)  # a file too small to hold out validation rows is refused
        return name
    if not isinstance(name, str) or name not in DATASETS:
        raise InputError(f"Unknown data set '{str(name)[:60]}'; choose one of "
                         f"{', '.join(DATASETS)}, or open a CSV file.", field="dataset")
    if label is not None:
        raise InputError(f"A label column is chosen only for a CSV file; {name} has its own "
                         f"labels (got label {str(label)[:40]!r}).", field="label")
    return name


def shape(name: str, label: str | None = None) -> tuple[int, int]:
    """(features, classes) of data set ``name`` (:data:`SHAPES`, or the CSV file's)."""
    check_dataset(name, label)
    if not is_csv(name):
        return SHAPES[name]
    table = load_csv(csv_path(name), label)
    return len(table.feature_names), len(table.class_names)


def load_csv(path: str, label: str) -> Table:
    """The user's CSV file as a :class:`Table`, rows in the file's order.

    Parameters
    ----------
    path
        A UTF-8 text file with a header row, delimited by commas, semicolons or tabs.
    label
        The header name of the column that holds the classes (text or numbers: classes are
        numbered in order of first appearance and keep their names). Every other column is
        a numeric feature.

    Raises
    ------
    InputError
        For a file that is missing, a folder, too large (more than
        ``csv_data.MAX_CSV_ROWS`` rows or ``MAX_CSV_COLUMNS`` columns), empty, not UTF-8
        text, has fewer than two rows, a non-numeric or missing value, a label column that
        does not exist or holds one class; the message names the line and column. Nothing
        is kept of a refused file.
    """
    text = csv_data.read_csv(path)
    features, labels, feature_names, class_names = csv_data.read_table(path, label)
    return Table(text.name, features, labels, feature_names, class_names)


def class_counts(table: Table) -> dict[str, int]:
    """Rows per class of ``table``, in the classes' order."""
    return csv_data.class_counts(table.labels, table.class_names)


def content_hash(name: str) -> str:
    """A short hash of CSV data set ``name``'s bytes (12 hex digits): it changes with the file."""
    return csv_data.content_hash(csv_path(name) if is_csv(name) else name)


_CSV_SPLITS: dict[tuple, Split] = {}
"""CSV splits by (path, content hash, label, seed): a changed file is split anew."""


def _csv_split(name: str, label: str, seed: int) -> Split:
    table = load_csv(csv_path(name), label)  # checks the label first: it is part of the key
    text = csv_data.read_csv(csv_path(name))
    key = (text.path, text.digest, label, seed)
    if key not in _CSV_SPLITS:
        _CSV_SPLITS[key] = _split_csv(table, seed)
        while len(_CSV_SPLITS) > 16:
            _CSV_SPLITS.pop(next(iter(_CSV_SPLITS)))
    return _CSV_SPLITS[key]


def _split_csv(table: Table, seed: int) -> Split:
    """``table`` split as the shipped sets are; refused if a part would be empty."""
    parts = split(table, seed=seed)
    if len(parts.y_val) == 0:
        counts = ", ".join(f"{k}: {v}" for k, v in list(class_counts(table).items())[:5])
        raise InputError(f"'{table.name}' has too few rows to hold out validation rows "
                         f"({len(table.labels)} rows; {counts}): a class needs at least 3 "
                         "rows for one of them to be held out. Add rows.", field="dataset")
    return parts


@lru_cache(maxsize=32)
def _load(name: str, seed: int) -> Split:
    tables = {
        "iris": load_iris,
        "digits": load_digits,
        "moons": lambda: make_moons(seed=seed),
        "spirals": lambda: make_spirals(seed=seed),
    }
    return split(tables[name](), seed=seed)
