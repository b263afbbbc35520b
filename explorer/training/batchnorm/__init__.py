"""Batch normalization experiments, one module each: on vs off (:mod:`.compare`), inside one
BN layer (:mod:`.inside`) and activations over training (:mod:`.percentiles`)."""

from explorer.training.batchnorm.compare import (
    compare_batch_norm,
    deep_sigmoid_config,
    iter_compare_batch_norm,
)
from explorer.training.batchnorm.inside import BNInside, bn_inside
from explorer.training.batchnorm.percentiles import (
    ActivationPercentiles,
    activation_percentiles,
    iter_activation_percentiles,
    percentiles_demo_config,
)
from explorer.training.batchnorm.running import frozen_running_stats

__all__ = [
    "ActivationPercentiles", "BNInside", "activation_percentiles", "bn_inside",
    "compare_batch_norm", "deep_sigmoid_config", "frozen_running_stats",
    "iter_activation_percentiles", "iter_compare_batch_norm", "percentiles_demo_config",
]
