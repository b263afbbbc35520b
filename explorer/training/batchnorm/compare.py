"""Batch normalization on vs off: the same network trained with and without BN at several rates,
and the BN runs' validation accuracy measured in ``model.eval()`` and in ``model.train()``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import torch
from torch import nn

from explorer import data
from explorer.errors import InputError
from explorer.inputs import check_lrs
from explorer.training.batches import iter_runs, last
from explorer.training.batchnorm.running import frozen_running_stats
from explorer.training.config import check_config
from explorer.training.loop import Progress, TrainConfig
from explorer.training.typed import MAX_BN_LRS

MODES_WHY = ("model.eval() normalizes with the running mean and variance gathered during "
             "training, model.train() with the validation set's own batch mean and variance, "
             "so the same weights score differently.")
"""The one sentence that explains :class:`ValidationModes`' difference."""


@dataclass(frozen=True)
class ValidationModes:
    """Accuracy of one trained network on the validation part in both of torch's modes."""

    eval_accuracy: float
    train_accuracy: float

    @property
    def difference(self) -> float:
        """``eval_accuracy - train_accuracy`` (fractions, as the accuracies)."""
        return self.eval_accuracy - self.train_accuracy


class BatchNormComparison(dict):
    """``(batch_norm, lr) -> [EpochRecord, ...]``, with :attr:`modes`: ``lr ->``
    :class:`ValidationModes` of the BN run at that rate after its last epoch."""

    def __init__(self, runs: dict, modes: dict[float, ValidationModes]):
        super().__init__(runs)
        self.modes = modes


def validation_modes(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> ValidationModes:
    """Accuracy of ``model`` on ``(x, y)`` after ``model.eval()`` and after ``model.train()``
    (the whole of ``x`` as one batch); its running statistics and mode are left as they were."""
    was_training = model.training
    accuracies = []
    with torch.no_grad(), frozen_running_stats(model):
        for training in (False, True):
            model.train(training)
            accuracies.append((model(x).argmax(dim=1) == y).float().mean().item())
    model.train(was_training)
    return ValidationModes(*accuracies)


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
    for item in iter_runs(configs):
        yield item if isinstance(item, Progress) else BatchNormComparison(item,
                                                                          _modes(item, config))


def _modes(runs: dict, config: TrainConfig) -> dict[float, ValidationModes]:
    split = data.load(config.dataset, config.data_seed, config.label)
    modes = {}
    for (bn, lr), records in runs.items():
        if bn and records:
            model = records[-1].model
            device = next(model.parameters()).device
            modes[lr] = validation_modes(model, split.x_val.to(device), split.y_val.to(device))
    return modes


def compare_batch_norm(config: TrainConfig, lrs: Iterable[float]) -> BatchNormComparison:
    """Train ``config`` with batch normalization off and on at each learning rate.

    Returns
    -------
    BatchNormComparison
        ``(batch_norm, lr) -> [EpochRecord, ...]``. With :func:`deep_sigmoid_config` the
        runs without BN stay near chance while those with BN learn. ``.modes`` holds each BN
        run's validation accuracy in evaluation and in training mode (:data:`MODES_WHY`).
    """
    return last(iter_compare_batch_norm(config, lrs))
