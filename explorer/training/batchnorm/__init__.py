"""Batch normalization experiments, one module each: on vs off (:mod:`.compare`), inside one
BN layer (:mod:`.inside`) and activations over training (:mod:`.percentiles`)."""

from explorer.training.batchnorm.compare import (
    MODES_WHY,
    BatchNormComparison,
    ValidationModes,
    compare_batch_norm,
    deep_sigmoid_config,
    iter_compare_batch_norm,
    validation_modes,
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
    "MODES_WHY", "ActivationPercentiles", "BatchNormComparison", "ValidationModes",
    "validation_modes", "BNInside", "activation_percentiles", "bn_inside",
    "compare_batch_norm", "deep_sigmoid_config", "frozen_running_stats",
    "iter_activation_percentiles", "iter_compare_batch_norm", "percentiles_demo_config",
]
