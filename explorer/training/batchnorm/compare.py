"""Batch normalization on vs off: the same network trained with and without BN at several rates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from explorer.errors import InputError
from explorer.inputs import check_lrs
from explorer.training.batches import iter_runs, last
from explorer.training.config import check_config
from explorer.training.loop import EpochRecord, Progress, TrainConfig
from explorer.training.typed import MAX_BN_LRS


def deep_sigmoid_config() -> TrainConfig:
    """A 6-layer sigmoid network on the digits where plain SGD barely moves in a few epochs
    (vanishing gradients, Ioffe & Szegedy 2015) and the same network with BN learns."""
    return TrainConfig(dataset="digits", hidden=(32,) * 6, activation="sigmoid", batch_norm=False,
                       batch_size=32, optimizer="SGD", lr=0.1, epochs=3)


def iter_compare_batch_norm(config: TrainConfig, lrs: Iterable[float]) -> Iterator[Progress | dict]:
    """Generator form of :func:`compare_batch_norm`."""
    check_config(config)
    lrs = list(dict.fromkeys(check_lrs(lrs, MAX_BN_LRS, "lrs")))
    configs = {(bn, lr): config.replace(batch_norm=bn, lr=lr) for lr in lrs for bn in (False, True)}
    for config_ in configs.values():
        try:
            config_.validate()
        except InputError as exc:
            raise InputError(str(exc), field="lrs" if exc.field == "lr" else exc.field) from None
    yield from iter_runs(configs)


def compare_batch_norm(config: TrainConfig, lrs: Iterable[float],
                       ) -> dict[tuple[bool, float], list[EpochRecord]]:
    """Train ``config`` with batch normalization off and on at each learning rate.

    Returns
    -------
    dict
        ``(batch_norm, lr) -> [EpochRecord, ...]``. With :func:`deep_sigmoid_config` the
        runs without BN stay near chance while those with BN learn.
    """
    return last(iter_compare_batch_norm(config, lrs))


