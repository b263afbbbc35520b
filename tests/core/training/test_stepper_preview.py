"""The class mix of a run's first minibatch, shown before the first step."""

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from explorer import data
from explorer.errors import InputError
from explorer.training import TrainConfig
from explorer.training.stepper import Stepper, first_batch_counts


@pytest.mark.parametrize("config", [
    TrainConfig(batch_size=30, shuffle=False),
    TrainConfig(batch_size=16, seed=3),
    TrainConfig(dataset="spirals", batch_size=50, seed=1, batch_norm=True),
])
def test_first_batch_counts_are_what_the_first_step_trains_on(config):
    counts = first_batch_counts(config)
    assert counts == Stepper(config).step().class_counts
    split = data.load(config.dataset, config.data_seed)
    loader = DataLoader(TensorDataset(split.x_train, split.y_train), config.batch_size,
                        shuffle=config.shuffle,
                        generator=torch.Generator().manual_seed(config.seed))
    _x, y = next(iter(loader))  # torch's own loader, the plain way
    assert counts == tuple(torch.bincount(y, minlength=split.n_classes).tolist())


def test_the_class_sorted_order_starts_with_one_class_only():
    assert first_batch_counts(TrainConfig(batch_size=30, shuffle=False)) == (30, 0, 0)
    assert min(first_batch_counts(TrainConfig(batch_size=60, shuffle=True))) > 0


def test_a_bad_config_is_refused_with_what_to_change():
    with pytest.raises(InputError, match="batch"):
        first_batch_counts(TrainConfig(batch_size=0))
