"""Activations over training: percentiles of one unit's input to its sigmoid, without and with BN.

Ioffe & Szegedy (2015), figure 1, scaled down to the digits.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch import nn

from explorer.errors import InputError
from explorer.inputs import MAX_STEPS, check_whole, is_number
from explorer.training.batches import last
from explorer.training.batchnorm.running import frozen_running_stats
from explorer.training.config import check_config
from explorer.training.loop import Progress, TrainConfig, prepare, run

MAX_PERCENTILES = 9
"""The most percentile lines one plot draws."""


def percentiles_demo_config() -> TrainConfig:
    """Ioffe & Szegedy's figure 1 set-up, scaled down: 3 sigmoid layers of 100 on the digits.

    Without BN the last layer's sigmoid inputs drift steadily over 5 epochs; with BN they
    stay centred with a steady spread.
    """
    return TrainConfig(dataset="digits", hidden=(100, 100, 100), activation="sigmoid",
                       batch_size=32, optimizer="SGD", lr=0.5, epochs=5)


class ActivationPercentiles(dict):
    """``batch_norm -> array (len(steps) × len(percentiles))`` of a sigmoid's input over training.

    Attributes ``steps`` (the optimizer step of each row), ``percentiles`` and ``bn_position``
    (the BN run's placement: with ``"after"`` the activation's input is a Linear layer's output,
    not BN's).
    """

    def __init__(self, values: dict, steps: list[int], percentiles: tuple[float, ...],
                 bn_position: str = "before"):
        super().__init__(values)
        self.steps, self.percentiles = np.asarray(steps), tuple(percentiles)
        self.bn_position = bn_position


def iter_activation_percentiles(config: TrainConfig, layer: int = -1,
                                percentiles: tuple[float, ...] = (15, 50, 85), unit: int = 0,
                                points: int = 50) -> Iterator[Progress | ActivationPercentiles]:
    """Generator form of :func:`activation_percentiles`."""
    check_config(config)
    if not (isinstance(percentiles, tuple | list) and 0 < len(percentiles) <= MAX_PERCENTILES
            and all(is_number(p) and 0 <= p <= 100 for p in percentiles)):
        raise InputError(f"Percentiles must be 1 to {MAX_PERCENTILES} numbers from 0 to 100, "
                         "e.g. 15, 50, 85.", field="percentiles")
    percentiles = tuple(float(p) for p in percentiles)
    n_hidden = len(config.hidden)
    if not (isinstance(layer, int) and not isinstance(layer, bool)
            and -n_hidden <= layer < n_hidden):
        raise InputError(f"Layer must be from {-n_hidden} to {n_hidden - 1}.", field="layer")
    if not (isinstance(unit, int) and not isinstance(unit, bool)
            and 0 <= unit < config.hidden[layer]):
        raise InputError(f"Unit must be from 0 to {config.hidden[layer] - 1}.", field="unit")
    points = check_whole(points, "points", "The number of measuring points", 1, MAX_STEPS)
    results, steps = {}, []
    for index, bn in enumerate((False, True)):
        rows, steps = [], []
        for item in _track_unit(config.replace(batch_norm=bn), layer, unit, percentiles, points):
            if isinstance(item, Progress):
                yield Progress(index * item.total + item.step, 2 * item.total,
                               message=f"BN {'on' if bn else 'off'}")
            else:
                steps.append(item[0])
                rows.append(item[1])
        results[bn] = np.array(rows)
    yield ActivationPercentiles(results, steps, percentiles, config.bn_position)


def _track_unit(config: TrainConfig, layer: int, unit: int, percentiles, points: int):
    """Yield ``(step, [percentile values])`` before training and every few steps, and Progress."""
    session = prepare(config)
    model = session.model
    activation = [m for m in model if isinstance(m, nn.ReLU | nn.Sigmoid | nn.Tanh)][layer]
    seen: list[torch.Tensor] = []
    hook = activation.register_forward_hook(lambda _m, inputs, _out: seen.append(inputs[0]))
    q = torch.tensor(percentiles, dtype=torch.float32, device=session.device) / 100
    every = max(1, config.epochs * len(session.loader) // points)

    def measure() -> list[float]:
        seen.clear()
        with torch.no_grad(), frozen_running_stats(model):
            model(session.data.x_train)  # training mode: BN uses the probe's own statistics
        values = torch.quantile(seen[-1][:, unit], q).tolist()
        seen.clear()
        return values

    try:
        yield 0, measure()
        for item in run(config, progress=True, progress_every=every, session=session):
            if isinstance(item, Progress):
                yield item.step, measure()
                yield item
            seen.clear()  # the hook also saw the training steps' forward passes
    finally:
        hook.remove()


def activation_percentiles(config: TrainConfig, layer: int = -1,
                           percentiles: tuple[float, ...] = (15, 50, 85), unit: int = 0,
                           points: int = 50) -> ActivationPercentiles:
    """Percentiles of one unit's input to its activation over training, without and with BN.

    Ioffe & Szegedy (2015), figure 1: without BN the distribution of a sigmoid's input
    drifts as the layers before it change; with BN it stays put. The whole training part
    is passed through the network (in training mode, running statistics untouched) at
    about ``points`` moments of training.

    Returns
    -------
    ActivationPercentiles
        ``{False: array, True: array}``, each ``len(steps) × len(percentiles)``, with ``.steps``.
    """
    return last(iter_activation_percentiles(config, layer, percentiles, unit, points))
