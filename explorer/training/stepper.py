"""Training as a process to watch: one minibatch or one epoch at a time, play and pause.

A :class:`Stepper` holds one run's live network, optimizer and loader. It trains exactly as
:func:`explorer.training.run` does (the same batches in the same order, the same epoch
records), but a minibatch at a time, reporting each step's loss and the class mix of its
minibatch. The learning rate and the batch size can change between steps; training goes
on from the current weights. :meth:`Stepper.reset` goes back to the same initial weights.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from explorer.training import loop
from explorer.training.config import TrainConfig, check_config
from explorer.training.loop import EpochRecord, Session, make_loader

PLAY_CHUNK_SECONDS = 0.05
"""While playing, steps are sent to the page in chunks about this long (a frame or three)."""


@dataclass(frozen=True)
class StepRecord:
    """One optimizer step: its number since the start (``step``, from 1), the ``epoch`` it
    belongs to (from 1), its ``loss`` on its minibatch, and ``class_counts``, how many samples
    of each class the minibatch held. ``epoch_end`` is the finished epoch's record when this
    step ended an epoch, else None."""

    step: int
    epoch: int
    loss: float
    class_counts: tuple[int, ...]
    epoch_end: EpochRecord | None = None


class Stepper:
    """One run of ``config`` that trains a minibatch at a time (see the module's text).

    Steps may come from a worker thread; a lock keeps two of them from overlapping.
    """

    def __init__(self, config: TrainConfig):
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.reset(config)

    # ---- state -----------------------------------------------------------------------------
    def reset(self, config: TrainConfig | None = None) -> None:
        """Back to the initial weights of ``config`` (default: the current one, as first
        given: the same seed gives the same network and the same batches)."""
        with self._lock:
            config = check_config(self.initial if config is None else config)
            self.initial = config
            self.session: Session = loop.prepare(config)
            self.step_count, self.epoch = 0, 0
            self._batches: Iterator | None = None
            self._losses: list[torch.Tensor] = []
            self._started = 0.0

    @property
    def config(self) -> TrainConfig:
        return self.session.config

    def set_lr(self, lr: float) -> None:
        """Use learning rate ``lr`` from the next step on, keeping weights and optimizer state."""
        config = self.config.replace(lr=lr)
        config.validate()
        with self._lock:
            for group in self.session.optimizer.param_groups:
                group["lr"] = config.lr
            self.session.config = config

    def set_batch_size(self, batch_size: int) -> None:
        """Draw minibatches of ``batch_size`` from the next step on, keeping the weights: the
        epoch under way is cut short there (without a record) and a new pass over the data
        begins, counted as the next epoch."""
        config = self.config.replace(batch_size=batch_size)
        config.validate()
        with self._lock:
            session = self.session
            n_train = len(session.data.y_train)
            drop = config.batch_norm and n_train % config.batch_size == 1
            session.loader = make_loader(session.data.x_train, session.data.y_train,
                                         config.batch_size, config.shuffle,
                                         config.seed + self.step_count, drop_last=drop)
            session.config, session.eval_cache = config, None
            self._batches = None

    # ---- steps -----------------------------------------------------------------------------
    def step(self) -> StepRecord:
        """One optimizer step on the next minibatch (a new epoch begins when one ends).

        Raises
        ------
        InputError
            If batch normalization meets a one-sample batch.
        """
        with self._lock:
            if self._batches is None:
                self._batches = iter(self.session.loader)
                self.epoch += 1
                self._losses, self._started = [], time.perf_counter()
            xb, yb = next(self._batches)
            loss = loop.train_step(self.session, xb, yb)
            self._losses.append(loss)
            self.step_count += 1
            counts = _class_counts(yb, self.session.data.n_classes)
            end = None
            if len(self._losses) == len(self.session.loader):
                # Run the loader to its end, as a for loop does: the sampler draws from the
                # shared generator on the way out, and the next epoch's order depends on it.
                next(self._batches, None)
                end = loop._finish_epoch(self.session, self.epoch, self.step_count, self._losses,
                                         time.perf_counter() - self._started)
                end = EpochRecord(**{**end.to_dict(), "model": None})
                self._batches = None
            return StepRecord(self.step_count, self.epoch, float(loss), counts, end)

    def steps(self, count: int) -> Iterator[StepRecord]:
        """``count`` steps, one record each (stops early when :meth:`stop` is called)."""
        self._stop.clear()
        for _ in range(count):
            if self._stop.is_set():
                return
            yield self.step()

    def epoch_steps(self) -> Iterator[list[StepRecord]]:
        """Steps up to the end of the epoch under way (a whole one if none is), as one list."""
        self._stop.clear()
        records = [self.step()]
        while records[-1].epoch_end is None and not self._stop.is_set():
            records.append(self.step())
        yield records

    def play(self, chunk_seconds: float = PLAY_CHUNK_SECONDS) -> Iterator[list[StepRecord]]:
        """Step until :meth:`stop` is called or ``config.epochs`` epochs are done, yielding
        the steps in lists about ``chunk_seconds`` long."""
        self._stop.clear()
        while not self._stop.is_set() and not self.done():
            started, records = time.perf_counter(), []
            while (time.perf_counter() - started < chunk_seconds and not self._stop.is_set()
                   and not self.done()):
                records.append(self.step())
            yield records

    def done(self) -> bool:
        """Whether the run's ``epochs`` are trained (a step still trains one more batch)."""
        return self.epoch >= self.config.epochs and self._batches is None

    def stop(self) -> None:
        """Make :meth:`play` (or :meth:`steps`) return after the step under way: a pause."""
        self._stop.set()

    def decision_regions(self, n: int) -> tuple | None:
        """The decision regions of the current weights on an ``n`` × ``n`` grid (see
        :func:`explorer.training.decision_regions`), or None on a set without 2 features.
        Never between the halves of a step (the lock)."""
        with self._lock:
            split = self.session.data
            if split.n_features != 2:
                return None
            return loop.decision_regions(self.session.model, split, n)


def first_batch_counts(config: TrainConfig) -> tuple[int, ...]:
    """How many samples of each class the first minibatch of ``config``'s run holds: what its
    first step trains on (in :class:`Stepper` and :func:`explorer.training.run` alike), in
    the order ``shuffle`` and ``seed`` give.

    Raises
    ------
    InputError
        If ``config`` is bad (see ``TrainConfig.validate``).
    """
    session = loop.prepare(config)
    _x, y = next(iter(session.loader))
    return _class_counts(y, session.data.n_classes)


def _class_counts(labels: torch.Tensor, n_classes: int) -> tuple[int, ...]:
    return tuple(torch.bincount(labels.cpu(), minlength=n_classes).tolist())
