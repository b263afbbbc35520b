"""Running batch normalization in training mode without moving its running statistics."""

from __future__ import annotations

from contextlib import contextmanager

from torch import nn


@contextmanager
def frozen_running_stats(model: nn.Module):
    """Let BN layers run in training mode without moving their running statistics."""
    layers = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [(m.momentum, m.num_batches_tracked.clone()) for m in layers]
    for m in layers:
        m.momentum = 0.0  # running = (1 - 0) * running + 0 * batch
    try:
        yield
    finally:
        for m, (momentum, tracked) in zip(layers, saved, strict=True):
            m.momentum = momentum
            m.num_batches_tracked.copy_(tracked)
