"""torch.optim.LBFGS in a sweep: one torch optimizer per learning rate, stepped in a loop.

LBFGS is not an elementwise rule: each step runs up to ``max_iter`` inner iterations
with a two-loop recursion over its own history and, with ``line_search_fn=
"strong_wolfe"``, a line search whose number of function evaluations differs from
run to run. It cannot be batched over rates, so each run keeps its own
``torch.optim.LBFGS``, given a closure that evaluates the surface, and the sweep
records how many evaluations each step made (:attr:`evaluations`).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from explorer.descent.optim_base import BatchedOptimizer
from explorer.inputs import OptionSpec

SPECS: dict[str, tuple[OptionSpec, ...]] = {
    "LBFGS": (
        OptionSpec("max_iter", "int", 20, 1, 1000, "Inner iterations per optimizer step."),
        OptionSpec("max_eval", "int", 0, 0, 10_000, "Most function evaluations per step "
                   "(0: torch's None, max_iter * 5 / 4)."),
        OptionSpec("tolerance_grad", "float", 1e-7, 0.0, 1.0, "Stop a step when the largest "
                   "gradient entry falls below this."),
        OptionSpec("tolerance_change", "float", 1e-9, 0.0, 1.0, "Stop a step when the loss "
                   "or the point changes less than this."),
        OptionSpec("history_size", "int", 100, 1, 1000, "Past steps kept to estimate the "
                   "curvature."),
        OptionSpec("line_search_fn", "choice", "none", description="'strong_wolfe': search "
                   "along each direction for a step that satisfies the Wolfe conditions; "
                   "'none': a fixed step of lr.", choices=("none", "strong_wolfe")),
    ),
}


def torch_options(options: dict) -> dict:
    """The page's LBFGS options as torch's keyword arguments (0 and 'none' are None)."""
    kwargs = dict(options)
    kwargs["max_eval"] = kwargs["max_eval"] or None
    if kwargs["line_search_fn"] == "none":
        kwargs["line_search_fn"] = None
    return kwargs


class LoopedLBFGS(BatchedOptimizer):
    """K runs of ``torch.optim.LBFGS``, one per row; ``function`` is the surface."""

    def __init__(self, options: dict, params: torch.Tensor, function: Callable):
        self.function = function
        self.points = [row.clone().requires_grad_(True) for row in params]
        self.optimizers = [torch.optim.LBFGS([point], lr=1.0, **torch_options(options))
                           for point in self.points]
        self.evaluations = torch.zeros(len(params), dtype=torch.int64)
        super().__init__(options, params)

    def step(self, params, grad, lr, out):
        self.t += 1
        for k, (point, optimizer) in enumerate(zip(self.points, self.optimizers, strict=True)):
            with torch.no_grad():
                point.copy_(params[k])  # the same point unless the sweep changed it
            optimizer.param_groups[0]["lr"] = float(lr[k])
            self.evaluations[k] = self._step(point, optimizer)
            out[k] = point.detach()

    def _step(self, point: torch.Tensor, optimizer: torch.optim.LBFGS) -> int:
        calls = 0

        def closure():
            nonlocal calls
            calls += 1
            optimizer.zero_grad()
            with torch.enable_grad():
                loss = self.function(point)
                loss.backward()
            return loss

        optimizer.step(closure)
        return calls

    def keep(self, rows):
        keep = rows.tolist()
        self.points = [self.points[k] for k in keep]
        self.optimizers = [self.optimizers[k] for k in keep]
        self.evaluations = self.evaluations[rows.cpu()]


CLASSES = {"LBFGS": LoopedLBFGS}
