"""The Descent lab's core: optimizers from ``torch.optim`` on 2-D surfaces, many rates at once.

The public face: :func:`sweep` (and :func:`iter_sweep`), the reference learning
rates of a surface, the LR range test, and the edge-of-stability
experiment (:func:`edge_of_stability`). Surfaces are in
:mod:`explorer.descent.surfaces` (also reachable as ``explorer.surfaces``).
"""

from explorer.descent.batched_optim import OPTIMIZERS
from explorer.descent.lr_finder import (
    LRFinderResult,
    Suggestion,
    iter_lr_range_test,
    lr_range_test,
)
from explorer.descent.reference import ReferenceLRs, reference_lrs
from explorer.descent.stability import (
    StabilityRecord,
    edge_of_stability,
    iter_edge_of_stability,
)
from explorer.descent.sweep import (
    INTERNALS_AUTO_LIMIT,
    Sweep,
    check_dtype,
    iter_sweep,
    optimizer_options,
    schedule_options,
    sweep,
)

__all__ = [
    "INTERNALS_AUTO_LIMIT", "OPTIMIZERS", "LRFinderResult", "ReferenceLRs", "Suggestion", "Sweep",
    "check_dtype", "iter_lr_range_test", "iter_sweep", "lr_range_test", "optimizer_options",
    "reference_lrs", "schedule_options", "sweep",
    "StabilityRecord", "edge_of_stability", "iter_edge_of_stability",
]
