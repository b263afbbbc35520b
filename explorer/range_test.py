"""The LR range test's curve rules, for every lab that runs the test: the smoothing of the
minibatch losses, the stopping factor and the "steepest" suggestion.

Plain numpy, no torch model: the Descent lab (``explorer.descent.lr_finder``) and the Batch
lab (``explorer.training.lr_range``) may both import it, as the lab packages may not import
each other.
"""

from __future__ import annotations

import numpy as np

SMOOTHING = 0.05
"""Weight of the newest minibatch loss in the moving average (fastai's 0.98 decay is 0.02)."""
STOP_FACTOR = 4.0
"""The test stops once the smoothed loss exceeds this multiple of its best."""


def smoothed_losses(losses, smoothing: float = SMOOTHING) -> np.ndarray:
    """The bias-corrected exponential moving average of ``losses`` (as fastai's and the
    Descent lab's range test): at step t, ``sum_i w^i x_{t-i} / sum_i w^i`` with
    ``w = 1 - smoothing``."""
    beta, average, out = 1 - smoothing, 0.0, []
    for t, loss in enumerate(losses, start=1):
        average = beta * average + (1 - beta) * loss
        out.append(average / (1 - beta**t))
    return np.array(out, dtype=float)


def steepest(lrs: np.ndarray, smoothed: np.ndarray, smoothing: float = SMOOTHING) -> int | None:
    """Index of the steepest fall of ``smoothed`` against log10(``lrs``), from the end of the
    moving average's warm-up (about 1 / smoothing steps) to the lowest point; None with fewer
    than three finite points."""
    finite = np.flatnonzero(np.isfinite(smoothed))
    if len(finite) < 3:
        return None
    lrs, smoothed = lrs[finite], smoothed[finite]
    lowest = int(np.argmin(smoothed))
    slope = np.gradient(smoothed, np.log10(lrs))
    begin = min(round(1 / smoothing), len(lrs) // 4, max(lowest - 2, 0))
    return int(finite[begin + int(np.argmin(slope[begin:lowest + 1]))])
