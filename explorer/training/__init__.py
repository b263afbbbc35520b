"""The Batch lab's core: train a small network with a chosen batch size, and the experiments.

The public face: :class:`TrainConfig` and :func:`run` (one record per epoch).
Minibatch experiments are in :mod:`explorer.training.batches` (also reachable
as ``explorer.batches``), batch normalization's in :mod:`explorer.training.batchnorm`,
the LR range test on the lab's network in :mod:`explorer.training.lr_range`,
the lab's scene in :mod:`explorer.training.scene` (its typed lists in
:mod:`explorer.training.typed`, its edits in :mod:`explorer.training.edits`) and the page's
training generator in :mod:`explorer.training.live`.
"""

from explorer.training.config import (
    ACTIVATIONS,
    BN_NEEDS_TWO,
    MAX_EPOCHS,
    MAX_WIDTH,
    OPTIMIZERS,
    TrainConfig,
    parse_hidden,
)
from explorer.training.loop import (
    DIVERGED,
    TRAIN_EVAL_ROWS,
    EpochRecord,
    Progress,
    Session,
    build_model,
    decision_regions,
    evaluate,
    make_loader,
    make_optimizer,
    prepare,
    run,
    train_step,
)

__all__ = [
    "ACTIVATIONS", "BN_NEEDS_TWO", "DIVERGED", "MAX_EPOCHS", "MAX_WIDTH", "OPTIMIZERS",
    "TRAIN_EVAL_ROWS", "EpochRecord", "Progress", "Session", "TrainConfig", "build_model",
    "decision_regions", "evaluate", "make_loader", "make_optimizer", "parse_hidden", "prepare",
    "run", "train_step",
]
