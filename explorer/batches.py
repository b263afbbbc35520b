"""The minibatch experiments of the Batch lab, under the name the public entry points use.

Everything of :mod:`explorer.training.batches` (``explorer.batches.gradient_noise()`` and
the rest, as documented) and the research experiments beside it: the gradient noise scale
and the steps-vs-batch-size fit (:mod:`explorer.training.noise_scale`), and the LR range
test on the lab's own network (:mod:`explorer.training.lr_range`).
"""

from explorer.training import batches as _module
from explorer.training.batches import *  # noqa: F403 (this name is that module's public face)
from explorer.training.linear_scaling import (  # noqa: F401 (re-exported)
    ScalingResult,
    iter_linear_scaling,
    linear_scaling,
    scaling_demo_config,
)
from explorer.training.lr_range import (  # noqa: F401 (re-exported)
    RangeCurve,
    iter_lr_range,
    lr_range,
)
from explorer.training.noise_scale import (  # noqa: F401 (re-exported)
    NoiseReading,
    NoiseStudy,
    StepsFit,
    fit_batch_sizes,
    iter_noise_scale,
    iter_noise_study,
    iter_steps_to_target,
    noise_scale,
    per_example_gradients,
    steps_to_target,
)
from explorer.training.smoothness import (  # noqa: F401 (re-exported)
    SmoothnessRun,
    bn_smoothness,
    iter_bn_smoothness,
)


def __getattr__(name: str):
    # The module's helpers too (``last``, ``MAX_REPEATS``), as when this name was an alias.
    return getattr(_module, name)
