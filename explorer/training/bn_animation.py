"""Inside a BN layer over training: one unit's batch before and after normalising, per epoch.

The frames of the Batch lab's "inside a BN layer" animation: the network trains as the
config says (with batch normalization), and after every epoch the same minibatch (the
first of an epoch, as the Inside-a-BN-layer tab follows) goes through the trained layer
(:func:`explorer.training.batchnorm.bn_inside`, torch's own ``BatchNorm1d``); its values
before BN, once normalised and after ``gamma``, ``beta`` are counted into histograms by
``numpy.histogram`` (the last two on the same bins, to compare). With BN the layer's
inputs drift little; what training moves is mostly ``gamma`` and ``beta``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from explorer.inputs import check_whole
from explorer.training.batchnorm import BNInside, bn_inside
from explorer.training.config import check_config
from explorer.training.loop import EpochRecord, TrainConfig, prepare, run

MAX_BINS = 100


@dataclass(frozen=True)
class Histogram:
    """``counts[i]`` values lie between ``edges[i]`` and ``edges[i + 1]``."""

    edges: np.ndarray
    counts: np.ndarray


@dataclass(frozen=True)
class BNEpoch:
    """One epoch for the animation: the record (without the network), the unit's batch
    through the BN layer, and histograms of its values before BN, once normalised and
    after ``gamma``, ``beta`` (these two on one set of bins)."""

    record: EpochRecord
    inside: BNInside
    before: Histogram
    normalised: Histogram
    output: Histogram


def histogram(values: np.ndarray, bins: int | np.ndarray) -> Histogram:
    """``values`` counted into ``bins`` equal bins spanning them, or into the bins between
    the edges ``bins`` (``numpy.histogram``)."""
    counts, edges = np.histogram(np.asarray(values, dtype=float), bins=bins)
    return Histogram(edges, counts)


def bn_over_training(config: TrainConfig, unit: int = 0, layer: int = 0, bins: int = 12,
                     ) -> Iterator[BNEpoch]:
    """Train ``config`` (batch normalization switched on) and yield a :class:`BNEpoch`
    after every epoch, for unit ``unit`` of BN layer ``layer`` in training mode.

    Raises
    ------
    InputError
        For a bad config, unit, layer or number of bins (1 to ``MAX_BINS``).
    """
    bins = check_whole(bins, "bins", "The number of histogram bins", 1, MAX_BINS)
    config = check_config(config).replace(batch_norm=True)
    config = config.replace(hidden=tuple(config.hidden))
    bn_inside(config, unit, layer=layer, train_epochs=0)  # a bad unit or layer: refused now
    session = prepare(config)
    for item in run(config, session=session):
        inside = bn_inside(config, unit, layer=layer, model=item.model)
        both = np.histogram_bin_edges(np.concatenate([inside.normalised, inside.output]), bins)
        yield BNEpoch(replace(item, model=None), inside, histogram(inside.pre, bins),
                      histogram(inside.normalised, both), histogram(inside.output, both))
