"""The Batch lab's training generator: epochs with decision regions computed beside the training."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from explorer import data
from explorer.inputs import MAX_STEPS, check_grid_size, check_whole
from explorer.training import loop as training
from explorer.training.stepper import Stepper, StepRecord


@dataclass(frozen=True)
class LiveEpoch:
    """One finished epoch for the page: the record and, on a 2-D set, the decision regions.

    ``regions`` is ``(xs, ys, classes)`` from :func:`explorer.training.decision_regions`,
    computed where the training runs so the page never touches the live network.
    """

    record: training.EpochRecord
    regions: tuple | None = None


LIVE_GRID_SHARE = 2
"""While training, decision regions use a grid this many times coarser per side (a quarter of
the points); the last epoch's are computed on the full grid."""


def train_live(config, regions_grid: int = 80, most_steps_between: int = 20):
    """Run ``config`` with progress, yielding :class:`LiveEpoch` per epoch between ``Progress``.

    Parameters
    ----------
    config
        A :class:`~explorer.training.config.TrainConfig`.
    regions_grid
        Points per side of the decision-region grid (2-D data sets only) at the last epoch;
        the epochs before use ``regions_grid // LIVE_GRID_SHARE`` (at least 2), which keeps
        the page's redraw and the training's pause for it short.
    most_steps_between
        At most this many optimizer steps pass between two yields (about 100 per run
        otherwise), so a consumer that stops asking stops the training soon.

    Raises
    ------
    InputError
        If ``config`` is bad (see ``TrainConfig.validate``).
    """
    session = training.prepare(config)
    regions_grid = check_grid_size(regions_grid, "regions_grid")
    most_steps_between = check_whole(most_steps_between, "most_steps_between",
                                     "most_steps_between", 1, MAX_STEPS)
    total = config.epochs * len(session.loader)
    every = max(1, min(total // 100, most_steps_between))
    split = data.load(config.dataset, config.data_seed, config.label)
    two_d = split.n_features == 2
    for item in training.run(config, progress=True, progress_every=every, session=session):
        if isinstance(item, training.EpochRecord):
            grid = regions_grid if item.epoch == config.epochs else max(
                2, regions_grid // LIVE_GRID_SHARE)
            regions = training.decision_regions(item.model, split, grid) if two_d else None
            # The page gets a copy without the live network, which keeps training.
            yield LiveEpoch(replace(item, model=None), regions)
        else:
            yield item



@dataclass(frozen=True)
class LiveSteps:
    """Steps trained for the page: their records and, on a 2-D set, the decision regions of
    the weights after the last of them (None when none were computed for these steps)."""

    records: tuple[StepRecord, ...]
    regions: tuple | None = None


REGIONS_EVERY_S = 0.15
"""While steps go on, their decision regions are computed at most this often."""


def live_steps(stepper: Stepper, steps: Iterator, regions_grid: int = 80,
               regions_every_s: float = REGIONS_EVERY_S) -> Iterator[LiveSteps]:
    """Run ``steps`` (``stepper.play()``, ``.steps(n)`` or ``.epoch_steps()``: records or
    lists of them), yielding :class:`LiveSteps`: the regions of the current weights at most
    every ``regions_every_s`` on the coarse grid (as :func:`train_live`'s epochs before the
    last), and after the last step, on the full grid, those of the weights it stopped at.

    The grids are computed where the steps run (a worker), never on the page's thread.

    Raises
    ------
    InputError
        If ``regions_grid`` is not a grid size, or a step fails (see :meth:`Stepper.step`).
    """
    regions_grid = check_grid_size(regions_grid, "regions_grid")
    coarse = max(2, regions_grid // LIVE_GRID_SHARE)
    computed_at = time.perf_counter()
    trained = False
    for chunk in steps:
        records = tuple(chunk) if isinstance(chunk, list) else (chunk,)
        trained = trained or bool(records)
        regions = None
        if records and time.perf_counter() - computed_at >= regions_every_s:
            regions, computed_at = stepper.decision_regions(coarse), time.perf_counter()
        yield LiveSteps(records, regions)
    if trained:
        yield LiveSteps((), stepper.decision_regions(regions_grid))
