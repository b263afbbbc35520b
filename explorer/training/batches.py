"""Minibatch experiments: gradient noise, time per epoch, shuffling, small vs large batches.

Each experiment ``x(config, ...)`` returns the data of one plot. Its generator twin
``iter_x(config, ...)`` yields :class:`~explorer.training.loop.Progress` while it works and,
as its last item, the same result, so a UI can show a bar and cancel by no longer asking.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import torch

from explorer import data
from explorer.errors import InputError
from explorer.inputs import check_name, check_whole
from explorer.training.config import MAX_EPOCHS, check_config
from explorer.training.loop import (
    EpochRecord,
    Progress,
    Session,
    TrainConfig,
    prepare,
    run,
    train_step,
)
from explorer.training.typed import MAX_SIZES, check_batch_sizes, check_sizes_fit

MAX_REPEATS = 1000
"""The most random minibatches per size (gradient noise) or timed epochs per size."""


def last(items: Iterator):
    """The last item of an ``iter_...`` generator: its result."""
    result = None
    for result in items:  # noqa: B007  (only the last one is wanted)
        pass
    return result


class GradientNoise(dict):
    """Batch size -> mean squared distance of a minibatch gradient from the full-batch gradient.

    Attributes
    ----------
    reference
        Batch size -> the ``1/B`` line through the smallest batch size's value.
    corrected
        Batch size -> ``1/B`` with the finite-population correction ``(N - B)/(N - 1)``
        (minibatches are drawn without replacement), through the same point; what
        sampling theory predicts. It reaches 0 at ``B = N``.
    n_train, repeats
        Training-set size ``N`` and the number of random minibatches per size.
    full_gradient_norm2
        Squared length of the full-batch gradient, for scale.
    """

    def __init__(self, values: dict[int, float], n_train: int, repeats: int, full_norm2: float):
        super().__init__(values)
        self.n_train, self.repeats, self.full_gradient_norm2 = n_train, repeats, full_norm2
        smallest = min(values)
        anchor = values[smallest] * smallest
        self.reference = {b: anchor / b for b in values}
        fpc = (n_train - smallest) / (n_train - 1)
        self.corrected = {b: (anchor / fpc / b * (n_train - b) / (n_train - 1) if fpc > 0 else 0.0)
                          for b in values}


def suggested_batch_sizes(n_train: int, others: bool = False) -> list[int]:
    """Powers of two below the training-set size ``n_train`` (with ``others``: also 3·2^k,
    sizes that are not powers of two, to see whether the hardware prefers some sizes)."""
    sizes = {2**k for k in range(12) if 2**k < n_train}
    if others:
        sizes |= {3 * 2**k for k in range(2, 10) if 3 * 2**k < n_train}
    return sorted(sizes)


def _check_sizes(batch_sizes: Iterable[int], config: TrainConfig, field: str) -> list[int]:
    """The batch sizes as :func:`~explorer.training.typed.check_batch_sizes` reads them (any
    iterable of whole numbers), each at most the training set's size; checked before any
    network is built, so a bad list is refused at once."""
    if isinstance(batch_sizes, Iterable) and not isinstance(batch_sizes, str | bytes | Mapping):
        batch_sizes = tuple(itertools.islice(batch_sizes, MAX_SIZES + 1))
        if not batch_sizes:
            raise InputError("Give at least one batch size, e.g. 1, 4, 16, 64.", field=field)
    sizes = check_batch_sizes(batch_sizes, field)
    config = check_config(config)
    n_train = len(data.load(config.dataset, config.data_seed, config.label).y_train)
    return list(check_sizes_fit(sizes, n_train, config.batch_norm, field))


def _flat_gradient(session: Session, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    session.model.zero_grad()
    session.loss_fn(session.model(x), y).backward()
    return torch.cat([p.grad.flatten() for p in session.model.parameters()])


def iter_gradient_noise(config: TrainConfig, batch_sizes: Iterable[int], repeats: int = 30,
                        ) -> Iterator[Progress | GradientNoise]:
    """Generator form of :func:`gradient_noise`: Progress per batch size, then the result."""
    sizes = _check_sizes(batch_sizes, config, "batch_sizes")
    repeats = check_whole(repeats, "repeats", "Repeats", 1, MAX_REPEATS)
    session = prepare(config)
    x, y = session.data.x_train, session.data.y_train
    full = _flat_gradient(session, x, y)
    generator = torch.Generator().manual_seed(config.seed)
    sums = []
    for done, b in enumerate(sizes, start=1):
        total = torch.zeros((), device=session.device)
        for _ in range(repeats):
            rows = torch.randperm(len(y), generator=generator)[:b].to(session.device)
            total += (_flat_gradient(session, x[rows], y[rows]) - full).pow(2).sum()
        sums.append(total / repeats)
        yield Progress(done, len(sizes), message=f"batch size {b}")
    values = torch.stack(sums).tolist()
    yield GradientNoise(dict(zip(sizes, values, strict=True)), len(y), repeats,
                        full.pow(2).sum().item())


def gradient_noise(config: TrainConfig, batch_sizes: Iterable[int], repeats: int = 30,
                   ) -> GradientNoise:
    """How far a random minibatch's gradient is from the full-batch gradient, per batch size.

    At the initial weights (from ``config.seed``) the full-batch gradient of the mean
    ``CrossEntropyLoss`` over the training part is compared with the gradients of
    ``repeats`` random minibatches (drawn without replacement) of each size.

    Returns
    -------
    GradientNoise
        A dict batch size -> mean squared distance (falls roughly like ``1/B``: a batch
        ``k`` times larger is only ``sqrt(k)`` times more accurate), with ``.reference``
        (the ``1/B`` line) and ``.corrected`` (``1/B`` with the finite-population correction).

    Raises
    ------
    InputError
        If ``config`` is bad or a batch size is not between 1 and the training-set size.
    """
    return last(iter_gradient_noise(config, batch_sizes, repeats))


QUANTILES = (0.25, 0.75)
"""The spread drawn around each median time: the middle half of the timed repeats."""
MIN_TIMED_STEPS = 100
"""Each timed repeat runs whole epochs until at least this many optimizer steps: a 2 ms epoch
alone is mostly timer and scheduler noise."""


@dataclass(frozen=True)
class TimingResult:
    """Seconds per training epoch (and per sample) for each batch size: the median of the
    timed repeats and their 25th and 75th percentiles (``*_low``, ``*_high``), which are
    never below zero. ``epochs_per_repeat`` says how many epochs each repeat ran."""

    device: str
    n_train: int
    repeats: int
    warmup: int
    batch_sizes: list[int]
    epoch_median: list[float]
    epoch_low: list[float]
    epoch_high: list[float]
    epochs_per_repeat: list[int]

    @property
    def sample_median(self) -> list[float]:
        return [t / self.n_train for t in self.epoch_median]

    @property
    def sample_low(self) -> list[float]:
        return [t / self.n_train for t in self.epoch_low]

    @property
    def sample_high(self) -> list[float]:
        return [t / self.n_train for t in self.epoch_high]

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def timing_demo_config() -> TrainConfig:
    """Digits (1,437 training images) through one hidden layer of 512: each step is large
    enough that the hardware's preferred sizes can show above the timer's noise."""
    return TrainConfig(dataset="digits", hidden=(256,), batch_size=32, optimizer="SGD", lr=0.05,
                       epochs=1)


TIMING_DEMO_SIZES = (16, 24, 32, 48, 64, 96, 128)
"""Powers of two with the sizes half-way between them (3·2^k)."""


def _timed_epochs(session: Session, epochs: int) -> float:
    """Seconds per epoch over ``epochs`` epochs in a row (the device synchronised at the end)."""
    started = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in session.loader:
            train_step(session, xb, yb)
    if session.device.type == "cuda":
        torch.cuda.synchronize(session.device)
    return (time.perf_counter() - started) / epochs


def iter_batch_timing(config: TrainConfig, batch_sizes: Iterable[int], repeats: int = 5,
                      warmup: int = 1, min_steps: int = MIN_TIMED_STEPS,
                      ) -> Iterator[Progress | TimingResult]:
    """Generator form of :func:`batch_timing`: Progress per timed repeat, then the result."""
    sizes = _check_sizes(batch_sizes, config, "batch_sizes")
    repeats = check_whole(repeats, "repeats", "Timed repeats per size (at least 2)", 2,
                          MAX_REPEATS)
    warmup = check_whole(warmup, "warmup", "Warm-up repeats", 0, MAX_REPEATS)
    min_steps = check_whole(min_steps, "min_steps", "Timed steps per repeat", 1, 100_000)
    columns: list[list] = [[], [], [], []]
    total = len(sizes) * (warmup + repeats)
    for i, b in enumerate(sizes):
        session = prepare(config.replace(batch_size=b))
        epochs = -(-min_steps // len(session.loader))
        times = []
        for r in range(warmup + repeats):
            seconds = _timed_epochs(session, epochs)
            if r >= warmup:  # the first repeats pay for allocation and kernel choice
                times.append(seconds)
            yield Progress(i * (warmup + repeats) + r + 1, total, message=f"batch size {b}")
        low, high = torch.quantile(torch.tensor(times, dtype=torch.float64),
                                   torch.tensor(QUANTILES, dtype=torch.float64)).tolist()
        for column, value in zip(columns, (statistics.median(times), low, high, epochs),
                                 strict=True):
            column.append(value)
    yield TimingResult(str(session.device), len(session.data.y_train), repeats, warmup, sizes,
                       *columns)


def batch_timing(config: TrainConfig, batch_sizes: Iterable[int], repeats: int = 5,
                 warmup: int = 1, min_steps: int = MIN_TIMED_STEPS) -> TimingResult:
    """Time a training epoch on ``config.device`` for each batch size.

    Each size gets ``warmup`` untimed repeats, then ``repeats`` timed ones; a repeat runs
    whole epochs until at least ``min_steps`` optimizer steps (the device is synchronised
    before the clock stops) and counts its time per epoch. The result holds the median and
    the 25th/75th percentiles; per-sample time is epoch time over the training-set size.

    Raises
    ------
    InputError
        If ``config`` or a batch size is bad, or ``repeats`` < 2.
    """
    return last(iter_batch_timing(config, batch_sizes, repeats, warmup, min_steps))


def iter_runs(configs: dict) -> Iterator[Progress | dict]:
    """Train each config in ``configs`` (key -> TrainConfig) in turn.

    Yields Progress over all runs together (its message: ``"run 2 of 3"``), then
    ``{key: [EpochRecord, ...]}``.
    Every config is validated before any training starts.
    """
    if not (isinstance(configs, Mapping) and configs
            and all(isinstance(c, TrainConfig) for c in configs.values())):
        raise InputError("Give the runs as a mapping of names to TrainConfigs.", field="config")
    for config in configs.values():
        config.validate()
    totals = [c.epochs * len(prepare(c).loader) for c in configs.values()]
    results: dict = {}
    offset = 0
    for index, ((key, config), total) in enumerate(zip(configs.items(), totals, strict=True)):
        records: list[EpochRecord] = []
        message = f"run {index + 1} of {len(configs)}"
        for item in run(config, progress=True):
            if isinstance(item, Progress):
                yield Progress(offset + item.step, sum(totals), item.epoch, message)
            else:
                records.append(item)
        results[key] = records
        offset += total
    yield results


def shuffle_demo_config() -> TrainConfig:
    """Settings where training on the class-sorted order clearly ends worse than shuffled."""
    return TrainConfig(dataset="digits", hidden=(32,), batch_size=32, optimizer="SGD", lr=0.05,
                       momentum=0.9, epochs=5)


def iter_compare_shuffle(config: TrainConfig) -> Iterator[Progress | dict]:
    """Generator form of :func:`compare_shuffle`."""
    check_config(config)
    yield from iter_runs({"shuffled": config.replace(shuffle=True),
                          "unshuffled": config.replace(shuffle=False)})


def compare_shuffle(config: TrainConfig) -> dict[str, list[EpochRecord]]:
    """The same training with minibatches drawn at random and in the stored, class-sorted order.

    Returns
    -------
    dict
        ``{"shuffled": [EpochRecord, ...], "unshuffled": [...]}``. Without shuffling each
        epoch ends on the last classes, so the network forgets the first ones
        (see :func:`shuffle_demo_config` for settings where this is stark).
    """
    return last(iter_compare_shuffle(config))


BUDGETS = ("steps", "epochs")
"""How the small-vs-large comparison shares out training: the same number of optimizer steps
(the large batch gets more epochs) or the same number of epochs (it gets fewer steps)."""


def batch_sizes_demo_config() -> TrainConfig:
    """Iris through two hidden layers of 64, SGD lr 0.1, 100 epochs at the small batch (1,500
    steps; at equal steps the full batch trains 1,500 epochs), about 2 s on a CPU. Both fit
    the training rows; measured with seed 0, their gaps over the last quarter of training are
    about equal (0.186 ± 0.030 at B = 8, 0.182 ± 0.012 at B = 120), which the verdict says."""
    return TrainConfig(dataset="iris", hidden=(64, 64), batch_size=8, optimizer="SGD", lr=0.1,
                       epochs=100)


def comparison_configs(config: TrainConfig, small: int = 8, large: int | None = None,
                       budget: str = "epochs") -> dict[int, TrainConfig]:
    """The two runs of :func:`compare_batch_sizes`: batch size -> its config.

    With ``budget="steps"`` the large batch trains for as many optimizer steps as the small
    one does in ``config.epochs`` epochs (rounded up to whole epochs).

    Raises
    ------
    InputError
        For a bad config, size or budget, or when equal steps need more than ``MAX_EPOCHS``.
    """
    check_config(config)
    budget = check_name(budget, BUDGETS, "batch_budget", "budget")
    n_train = len(data.load(config.dataset, config.data_seed, config.label).y_train)
    if large is None:
        large = n_train
    for value, name in ((small, "small_batch"), (large, "large_batch")):
        check_whole(value, name, f"The {name.split('_')[0]} batch", 1, n_train)
    check_sizes_fit((small, large), n_train, config.batch_norm, "small_batch")
    if small == large:
        raise InputError("Choose two different batch sizes to compare.", field="large_batch")
    epochs = config.epochs
    if budget == "steps":
        steps = config.epochs * len(prepare(config.replace(batch_size=small)).loader)
        epochs = -(-steps // len(prepare(config.replace(batch_size=large)).loader))
        if epochs > MAX_EPOCHS:
            raise InputError(
                f"Equal steps would train batch {large} for {epochs:,} epochs ({steps:,} steps), "
                f"more than {MAX_EPOCHS:,}: lower the epochs or choose equal epochs.",
                field="epochs")
    return {small: config.replace(batch_size=small), large: config.replace(batch_size=large,
                                                                            epochs=epochs)}


class BatchComparison(dict):
    """Batch size -> per-epoch records, with ``budget`` (``"steps"`` or ``"epochs"``)."""

    def __init__(self, values: dict, budget: str):
        super().__init__(values)
        self.budget = budget

    def tail_gaps(self) -> dict[int, tuple[float, float]]:
        """Batch size -> mean and standard deviation of the gap over the last quarter of
        its epochs: a small batch's gap jumps from epoch to epoch, so one epoch says little."""
        out = {}
        for size, records in self.items():
            gaps = [r.gap for r in records[-max(1, len(records) // 4):]]
            out[size] = (statistics.fmean(gaps), statistics.pstdev(gaps))
        return out

    def verdict(self) -> str:
        """Whether the small batch ends with the smaller generalization gap, in words: the
        gaps averaged over the last quarter of training, a difference smaller than their
        epoch-to-epoch spread called no difference."""
        tails = self.tail_gaps()
        (small, (a, spread_a)), (large, (b, spread_b)) = sorted(tails.items())
        shared = "steps" if self.budget == "steps" else "epochs"
        numbers = (f"gap (validation − training loss) over the last quarter of training: "
                   f"B={small} {a:.3f} ± {spread_a:.3f}, B={large} {b:.3f} ± {spread_b:.3f}")
        if b - a > max(spread_a, spread_b):
            return (f"With equal {shared} the small batch generalizes better here: {numbers}. "
                    "Its noisy steps acted as a regularizer.")
        hint = (" Equal epochs give the large batch fewer steps, so it may just be "
                "unconverged: try equal steps." if self.budget == "epochs" else "")
        if a - b > max(spread_a, spread_b):
            return (f"With equal {shared} the small batch does NOT generalize better on these "
                    f"settings: {numbers}.{hint}")
        return (f"With equal {shared} there is no clear difference on these settings: "
                f"{numbers}; the regularizing effect is not visible here.{hint}")


def iter_compare_batch_sizes(config: TrainConfig, small: int = 8, large: int | None = None,
                             budget: str = "epochs") -> Iterator[Progress | BatchComparison]:
    """Generator form of :func:`compare_batch_sizes`."""
    configs = comparison_configs(config, small, large, budget)
    for item in iter_runs(configs):
        yield item if isinstance(item, Progress) else BatchComparison(item, budget)


def compare_batch_sizes(config: TrainConfig, small: int = 8, large: int | None = None,
                        budget: str = "epochs") -> BatchComparison:
    """Train with a small and a large batch size (default: the whole training set).

    ``budget`` ``"epochs"`` trains both for ``config.epochs`` epochs (the large batch then
    takes fewer steps); ``"steps"`` gives both the same number of optimizer steps.

    Returns
    -------
    BatchComparison
        Batch size -> per-epoch records; compare ``train_eval_loss`` with ``val_loss``
        (``EpochRecord.gap``) to see the generalization gap; ``.verdict()`` says which is
        smaller.

    Raises
    ------
    InputError
        With the field of the bad size (``small_batch``, ``large_batch``), budget or epochs.
    """
    return last(iter_compare_batch_sizes(config, small, large, budget))
