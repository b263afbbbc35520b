"""Data sets shipped in ``resources/`` (never downloaded).

Both tables keep their rows sorted by class, as many real files are: that is
what makes "minibatches must be drawn at random" visible when shuffling is off.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from functools import lru_cache

import torch

from explorer import RESOURCES


@dataclass(frozen=True)
class Table:
    """A labelled data set: ``features`` (N × D, float32) and ``labels`` (N, int64)."""

    name: str
    features: torch.Tensor
    labels: torch.Tensor
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]


@lru_cache(maxsize=None)
def load_iris() -> Table:
    """Fisher's Iris data: 150 flowers × 4 measurements (cm), 3 species, sorted by species."""
    with open(RESOURCES / "iris.csv", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    classes = tuple(dict.fromkeys(r[-1] for r in body))
    features = torch.tensor([[float(v) for v in r[:-1]] for r in body], dtype=torch.float32)
    labels = torch.tensor([classes.index(r[-1]) for r in body], dtype=torch.int64)
    return Table("iris", features, labels, tuple(header[:-1]), classes)


@lru_cache(maxsize=None)
def load_digits() -> Table:
    """UCI handwritten digits at 8×8 (1,797 images, pixel values 0–16), sorted by digit."""
    with gzip.open(RESOURCES / "digits.csv.gz", "rt", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    features = torch.tensor([[float(v) for v in r[:-1]] for r in body], dtype=torch.float32)
    labels = torch.tensor([int(r[-1]) for r in body], dtype=torch.int64)
    return Table("digits", features, labels, tuple(header[:-1]), tuple(str(d) for d in range(10)))
