"""The base of the batched update rules and the option specs they share.

Every rule holds its state as tensors of shape ``(K, 2)``, one row per run of a
sweep, and writes the parameters after a step into a preallocated ``out``.
"""

from __future__ import annotations

import torch

from explorer.optimizers import EPS, WEIGHT_DECAY, eps, nonneg, unit

__all__ = ["EPS", "WEIGHT_DECAY", "BatchedOptimizer", "eps", "nonneg", "unit"]


class BatchedOptimizer:
    """Base of the batched rules: state tensors of shape (K, 2), one row per run."""

    def __init__(self, options: dict, params: torch.Tensor):
        self.options = dict(options)  # a schedule may cycle the momentum in here
        self.t = 0
        self.state: dict[str, torch.Tensor] = {}
        self._init_state(params)

    def _init_state(self, params: torch.Tensor) -> None:
        pass

    def step(self, params: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor,
             out: torch.Tensor) -> None:
        """Write the parameters after one step into ``out``; ``lr`` has shape (K, 1).

        ``grad`` is left as it is (the sweep records it); ``out`` is not ``params``.
        """
        raise NotImplementedError

    def internals(self) -> dict[str, torch.Tensor]:
        """The state a teacher points at: momentum / running means / adaptive scale."""
        return {}

    momentum_option = ""
    """The option a cycling schedule (OneCycleLR) overrides each step; "" if none."""

    evaluations: torch.Tensor | None = None
    """Function evaluations of each run in the last step, where a step makes several (LBFGS)."""

    def set_momentum(self, value: float) -> None:
        """Use ``value`` as momentum / beta1 from the next step on, as a scheduler would."""
        self.options[self.momentum_option] = value

    def keep(self, rows: torch.Tensor) -> None:
        """Drop the runs not in ``rows`` (those that diverged) from the state."""
        self.state = {key: value[rows] for key, value in self.state.items()}
