"""Train a small network on real data with ``torch.optim`` and a ``DataLoader``.

``run(config)`` is a generator: it yields one :class:`EpochRecord` per epoch (and,
when asked, :class:`Progress` between them), so a caller can draw curves live and
cancel between steps. Per-step work is only what a bare torch loop does, plus
keeping the (detached) loss tensor: nothing waits for the device until an epoch ends.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
)

from explorer import data, devices
from explorer.errors import InputError
from explorer.inputs import MAX_STEPS, check_grid_size, check_whole, is_number
from explorer.training.config import (
    BN_NEEDS_TWO,
    TrainConfig,
    check_config,
)

_ACTIVATION_MODULES = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
TRAIN_EVAL_ROWS = 256
"""Fewest training rows measured at each epoch's end (all of them for smaller sets)."""
DIVERGED = "Training diverged: the loss is no longer a finite number. Lower the learning rate."
# Seeding borrows torch's global generator; runs prepared on two threads at once take turns.
_SEEDED_INIT = threading.Lock()


@dataclass(frozen=True)
class Progress:
    """How far a long computation is: ``step`` of ``total`` (and the epoch, for training)."""

    step: int
    total: int
    epoch: int = 0
    message: str = ""

    @property
    def fraction(self) -> float:
        return self.step / self.total if self.total else 1.0


@dataclass(frozen=True)
class EpochRecord:
    """What one epoch of training did.

    ``train_loss`` is the mean minibatch loss seen during the epoch (what the optimizer
    followed); ``val_loss``/``val_accuracy`` are measured on the whole validation part and
    ``train_eval_loss``/``train_accuracy`` on the training part (all of it, or for large sets
    a fixed sample as large as the validation part) at the epoch's end, in evaluation mode.
    ``steps`` counts optimizer steps since the start of the run. ``note`` says what was
    adjusted (e.g. a dropped one-sample batch). ``model`` is the live network (not copied).
    """

    epoch: int
    train_loss: float
    val_loss: float
    val_accuracy: float
    train_accuracy: float
    train_eval_loss: float
    seconds: float
    steps: int
    note: str = ""
    model: nn.Module | None = field(default=None, repr=False, compare=False)

    @property
    def gap(self) -> float:
        """Generalization gap: validation loss minus training loss, both in evaluation mode."""
        return self.val_loss - self.train_eval_loss

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("model")
        return out


@dataclass
class Session:
    """Everything a run needs, built from a config: data on the device, model, optimizer, loader."""

    config: TrainConfig
    device: torch.device
    data: data.Split
    model: nn.Sequential
    optimizer: torch.optim.Optimizer
    loss_fn: nn.CrossEntropyLoss
    loader: DataLoader
    note: str = ""
    eval_cache: tuple | None = field(default=None, repr=False)


def build_model(config: TrainConfig, n_features: int, n_classes: int) -> nn.Sequential:
    """``Linear -> [BatchNorm1d] -> activation`` per hidden width (``Linear -> activation ->
    BatchNorm1d`` when ``config.bn_position`` is ``"after"``), then ``Linear`` to the classes.

    The weights come from torch's default initialisation under the global RNG; use
    :func:`prepare` for weights fixed by ``config.seed``.
    """
    layers: list[nn.Module] = []
    width_in = n_features
    for width in config.hidden:
        layers.append(nn.Linear(width_in, width))
        block = [_ACTIVATION_MODULES[config.activation]()]
        if config.batch_norm:
            bn = nn.BatchNorm1d(width)
            block = [*block, bn] if config.bn_position == "after" else [bn, *block]
        layers.extend(block)
        width_in = width
    layers.append(nn.Linear(width_in, n_classes))
    return nn.Sequential(*layers)


def make_loader(x: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool,
                seed: int, drop_last: bool = False) -> DataLoader:
    """A ``DataLoader`` giving the same batches as ``DataLoader(TensorDataset(x, y), batch_size,
    shuffle, generator=torch.Generator().manual_seed(seed))``, but indexing each batch at once.

    The per-sample fetch-and-stack of the default loader costs more than a step of a small
    network; a ``BatchSampler`` with ``batch_size=None`` gathers each batch with one index.
    """
    dataset = TensorDataset(x, y)
    generator = torch.Generator().manual_seed(int(seed))
    order = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
    # The loader draws a base seed per epoch from ``generator`` too: giving it ours keeps the
    # global RNG untouched and the batches identical to the plain shuffled loader's.
    return DataLoader(dataset, sampler=BatchSampler(order, batch_size, drop_last), batch_size=None,
                      generator=generator)


def make_optimizer(config: TrainConfig, params) -> torch.optim.Optimizer:
    """The ``torch.optim`` class named by ``config.optimizer`` with ``lr`` and its settings
    (:meth:`TrainConfig.optimizer_kwargs`)."""
    return getattr(torch.optim, config.optimizer)(params, lr=config.lr,
                                                  **config.optimizer_kwargs())


def prepare(config: TrainConfig) -> Session:
    """Validate ``config`` and build its data, model, optimizer and loader.

    Raises
    ------
    InputError
        If a field of ``config`` is bad (see :meth:`TrainConfig.validate`).
    """
    check_config(config)
    device = devices.resolve(config.device)
    split = data.load(config.dataset, config.data_seed, config.label).to(device)
    with _SEEDED_INIT, torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model = build_model(config, split.n_features, split.n_classes).to(device)
    n_train = len(split.y_train)
    drop = config.batch_norm and n_train % config.batch_size == 1
    note = (f"The last batch of each epoch would hold 1 sample, so it is dropped. {BN_NEEDS_TWO}"
            if drop else "")
    loader = make_loader(split.x_train, split.y_train, config.batch_size, config.shuffle,
                         config.seed, drop_last=drop)
    return Session(config, device, split, model, make_optimizer(config, model.parameters()),
                   nn.CrossEntropyLoss(), loader, note)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
             loss_fn: nn.Module | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Loss and accuracy of ``model`` on ``(x, y)`` in evaluation mode, as device tensors."""
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model(x)
        result = loss_fn(logits, y), (logits.argmax(dim=1) == y).float().mean()
    model.train(was_training)
    return result


def run(config: TrainConfig, cancel: Callable[[], bool] | None = None, progress: bool = False,
        progress_every: int | None = None, session: Session | None = None,
        ) -> Iterator[EpochRecord | Progress]:
    """Train as ``config`` says, yielding one :class:`EpochRecord` per epoch.

    Parameters
    ----------
    config
        The run; validated first.
    cancel
        Called before every optimizer step; when it returns True the run stops (nothing
        more is yielded). Simply not asking for the next item also stops it.
    progress
        Also yield :class:`Progress` every ``progress_every`` steps (default: about 100
        updates per run), for a progress bar.
    session
        A :func:`prepare` result to continue from, instead of building a fresh one.

    Raises
    ------
    InputError
        If ``config`` is bad, or batch normalization meets a one-sample batch.
    """
    session = session or prepare(config)
    if progress_every is not None:
        check_whole(progress_every, "progress_every", "progress_every", 1, MAX_STEPS * 100)
    loader, steps_per_epoch = session.loader, len(session.loader)
    total = config.epochs * steps_per_epoch
    every = progress_every or max(1, total // 100)
    step = 0
    for epoch in range(1, config.epochs + 1):
        started, paused, losses = time.perf_counter(), 0.0, []
        for xb, yb in loader:
            if cancel is not None and cancel():
                return
            losses.append(train_step(session, xb, yb))
            step += 1
            if progress and step % every == 0:
                waited = time.perf_counter()
                yield Progress(step, total, epoch)
                paused += time.perf_counter() - waited
        yield _finish_epoch(session, epoch, step, losses, time.perf_counter() - started - paused)


def train_step(session: Session, xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
    """One optimizer step on the batch ``(xb, yb)``; returns the detached loss (no sync)."""
    session.optimizer.zero_grad()
    try:
        loss = session.loss_fn(session.model(xb), yb)
    except ValueError as exc:  # BatchNorm1d on a one-sample batch in training mode
        if "more than 1 value per channel" in str(exc):
            raise InputError(BN_NEEDS_TWO, field="batch_size") from exc
        raise
    loss.backward()
    session.optimizer.step()
    return loss.detach()


def _finish_epoch(session: Session, epoch: int, step: int, losses: list[torch.Tensor],
                  seconds: float) -> EpochRecord:
    weights, x_all, y_all, n_train = _epoch_constants(session)
    train_loss = torch.stack(losses) @ weights  # batches weighted by their sizes
    model = session.model
    model.eval()
    with torch.no_grad():  # one forward over train and validation rows (eval mode: row by row)
        logits = model(x_all)
        hits = (logits.argmax(dim=1) == y_all).float()
        train_eval = session.loss_fn(logits[:n_train], y_all[:n_train])
        val_loss = session.loss_fn(logits[n_train:], y_all[n_train:])
    model.train()
    # One transfer per epoch: the only point where the host waits for the device.
    numbers = torch.stack([train_loss, val_loss, hits[n_train:].mean(), hits[:n_train].mean(),
                           train_eval]).tolist()
    note = session.note
    if not all(math.isfinite(v) for v in numbers):
        note = " ".join(filter(None, [DIVERGED, note]))
    return EpochRecord(epoch, *numbers, seconds=seconds, steps=step, note=note, model=model)


def _epoch_constants(session: Session) -> tuple:
    """Batch weights and the stacked evaluation rows, built once per session.

    The training part is measured on a fixed sample as large as the validation part (at
    least :data:`TRAIN_EVAL_ROWS` rows, at most all): both numbers then have the same
    precision, and the epoch's end costs a small share of the epoch.
    """
    if session.eval_cache is None:
        sizes = torch.tensor(_batch_sizes(session), dtype=torch.float32, device=session.device)
        split = session.data
        n_train = len(split.y_train)
        n_rows = min(n_train, max(len(split.y_val), TRAIN_EVAL_ROWS))
        picked = torch.randperm(n_train, generator=torch.Generator().manual_seed(0))[:n_rows]
        rows = picked.sort().values.to(session.device)
        session.eval_cache = (sizes / sizes.sum(), torch.cat([split.x_train[rows], split.x_val]),
                              torch.cat([split.y_train[rows], split.y_val]), n_rows)
    return session.eval_cache


def _batch_sizes(session: Session) -> list[int]:
    # Computed, not read from the sampler: iterating it would draw from its generator.
    n, size = len(session.data.y_train), session.config.batch_size
    sizes = [size] * (n // size)
    if n % size and not session.loader.sampler.drop_last:
        sizes.append(n % size)
    return sizes


_REGION_BLOCK = 4096
"""Grid points per forward pass of :func:`decision_regions`."""


def decision_regions(model: nn.Module, split: data.Split, n: int = 100, margin: float = 0.5,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The class ``model`` predicts on an ``n`` × ``n`` grid over a 2-D data set.

    Returns
    -------
    xs, ys, classes
        Grid coordinates (standardised feature units, length ``n`` each) and the
        predicted class at each point, ``classes[i, j]`` at ``(xs[j], ys[i])``.

    Raises
    ------
    InputError
        If the data set does not have exactly 2 features.
    """
    n = check_grid_size(n)
    if not (is_number(margin) and 0 <= margin <= 100):
        raise InputError(f"The margin must be a number from 0 to 100; got {margin!r}.",
                         field="margin")
    if split.n_features != 2:
        raise InputError(f"Decision regions need a 2-D data set (moons, spirals or a CSV file "
                         f"with two features); {split.name} has {split.n_features} features.",
                         field="dataset")
    points = torch.cat([split.x_train, split.x_val]).cpu()
    low, high = points.min(dim=0).values - margin, points.max(dim=0).values + margin
    xs, ys = torch.linspace(low[0], high[0], n), torch.linspace(low[1], high[1], n)
    grid = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), dim=-1).reshape(-1, 2)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    with torch.no_grad():  # in blocks: a wide network's activations stay small
        classes = torch.cat([model(block.to(device)).argmax(dim=1)
                             for block in grid.split(_REGION_BLOCK)]).reshape(n, n)
    model.train(was_training)
    return xs.numpy(), ys.numpy(), classes.cpu().numpy()
