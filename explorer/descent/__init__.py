"""The Descent lab's core: optimizers from ``torch.optim`` on 2-D surfaces, many rates at once.

The public face: :func:`sweep` (and :func:`iter_sweep`), the reference learning
rates of a surface, the LR range test, the edge-of-stability
experiment (:func:`edge_of_stability`), optimizers side by side
(:func:`compare_optimizers`) and momentum's stability region
(:func:`explorer.descent.momentum_map.momentum_map`; the module keeps the name). Surfaces are in
:mod:`explorer.descent.surfaces` (also reachable as ``explorer.surfaces``).
"""

from explorer.descent.batched_optim import OPTIMIZERS
from explorer.descent.compare import CompareRun, Comparison, compare_optimizers, iter_compare
from explorer.descent.lr_finder import (
    LRFinderResult,
    Suggestion,
    iter_lr_range_test,
    lr_range_test,
)
from explorer.descent.momentum_map import MomentumMap
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
    "CompareRun", "Comparison", "compare_optimizers", "iter_compare", "MomentumMap",
]
