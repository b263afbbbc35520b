"""Gradient descent on a 2-D surface at K learning rates at once.

:func:`sweep` runs K learning rates (1 to 256) from one start as one batched
computation: the K parameter vectors form one ``(K, 2)`` tensor, all K gradients
come from one call (the surface's closed form, :mod:`explorer.descent.closed_form`,
or for the model landscapes and the user's own expression one ``torch.autograd``
backward pass), and the update rule of the chosen ``torch.optim`` optimizer (see
:mod:`explorer.descent.batched_optim`) moves them together. Divergence is a result:
a run whose loss stops being finite (or passes a bound) is marked and dropped from
the computation.

The inner loop is what a slider drag waits for (16 rates × 300 steps within a 60 Hz
frame, ``bench/bench_slider.py``): per step it makes no allocation it can avoid,
no ``.item()`` and no copy to the CPU; the losses of a closed-form surface are
computed once per chunk, after its steps.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from explorer.descent import batched_optim, schedules, surfaces
from explorer.descent.schedules import lr_schedule
from explorer.devices import resolve
from explorer.errors import InputError
from explorer.inputs import check_lrs, check_name, check_start, check_steps

DTYPES = ("float64", "float32")
"""The precisions a sweep computes in, by their torch names."""
VALUE_BLOCK = 512
"""Points per call when a chunk's losses are computed after its steps (see ``_values``)."""
INTERNALS_AUTO_LIMIT = 4_000_000
"""Internals are recorded by default while K × (steps + 1) stays under this (≈64 MB each)."""
FIRST_TIMED_CHUNK = 8
"""Steps in the first chunk of a sweep whose chunks are timed (``chunk_seconds``)."""


@dataclass
class Sweep:
    """The trajectories of K learning rates from one start.

    ``path`` (K, steps_done + 1, 2) and ``loss`` (K, steps_done + 1) hold the point
    and its loss before each step (index 0 is the start). After ``diverged_at[k]``
    they are NaN. ``internals`` holds, per step and run, ``"grad"`` (the gradient
    at the point) and the optimizer's state after the step taken from it
    (``"velocity"``, ``"exp_avg"``, ``"scale"``: the adaptive denominator), where
    the optimizer has them.
    """

    lrs: torch.Tensor
    path: torch.Tensor
    loss: torch.Tensor
    diverged_at: list[int | None]
    steps_done: int
    steps: int
    surface: str = ""
    optimizer: str = ""
    internals: dict[str, torch.Tensor] = field(default_factory=dict)
    evaluations: torch.Tensor | None = None
    """(K, steps_done + 1) integers: the function evaluations the step from each point made,
    for an optimizer that evaluates the surface itself (LBFGS); None for the others."""

    @property
    def progress(self) -> float:
        """Fraction of the requested steps done (1.0 when complete)."""
        return self.steps_done / self.steps

    @property
    def complete(self) -> bool:
        return self.steps_done == self.steps



def check_dtype(dtype) -> torch.dtype:
    """``torch.float32`` / ``torch.float64`` (also given as ``"float32"`` / ``"float64"``)."""
    named = {name: getattr(torch, name) for name in DTYPES}
    dtype = named.get(dtype, dtype) if isinstance(dtype, str) else dtype
    if dtype not in (torch.float32, torch.float64):
        raise InputError(f"dtype must be float32 or float64; got {dtype}.", field="dtype")
    return dtype


def _check_common(surface, optimizer, lrs, steps, start, divergence_bound):
    check_name(surface, surfaces.names(), "surface", "surface")
    batched_optim.check_optimizer(optimizer)
    if not (isinstance(divergence_bound, (int, float)) and divergence_bound > 0):
        raise InputError("The divergence bound must be a positive number.",
                         field="divergence_bound")
    return check_lrs(lrs), check_steps(steps), check_start(start)


def iter_sweep(surface: str, optimizer: str, lrs, steps: int, start, optimizer_options=None,
               surface_options=None, device=None, dtype: torch.dtype = torch.float64,
               schedule: str | None = None, schedule_options=None,
               divergence_bound: float = 1e12, chunk: int = 500,
               record_internals: bool | None = None,
               chunk_seconds: float | None = None) -> Iterator[Sweep]:
    """Run a sweep and yield it after every ``chunk`` steps (growing; the last is complete).

    Parameters are those of :func:`sweep`, plus ``chunk`` and ``chunk_seconds``. With
    ``chunk_seconds``, ``chunk`` is the most steps between two yields: the chunks start
    small and are then sized from the last one's time so that each takes about that long
    (a consumer that cancels between yields is then answered within it, whatever the
    surface, optimizer and number of rates). The yielded Sweeps share
    storage: each is a view of the same preallocated result, longer each time.
    Bad input raises InputError at the call, before any computing (so a UI can check
    on its own thread and run the generator on a worker).
    """
    lrs, steps, start = _check_common(surface, optimizer, lrs, steps, start, divergence_bound)
    dtype = check_dtype(dtype)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise InputError("chunk must be a positive whole number of steps.", field="chunk")
    if chunk_seconds is not None and not (isinstance(chunk_seconds, (int, float))
                                          and not isinstance(chunk_seconds, bool)
                                          and chunk_seconds > 0):
        raise InputError("chunk_seconds must be a positive number of seconds.",
                         field="chunk_seconds")
    options = batched_optim.resolve_optimizer_options(optimizer, optimizer_options)
    function = surfaces.objective(surface, surface_options)
    closed_form = surfaces.closed_form_gradient(surface, surface_options)
    schedule_name, resolved_schedule = schedules.resolve_schedule_options(
        schedule, schedule_options, optimizer, steps)
    plateau = resolved_schedule if schedule_name == schedules.PLATEAU else None
    device = resolve(device)
    if record_internals is None:
        record_internals = len(lrs) * (steps + 1) <= INTERNALS_AUTO_LIMIT

    # A closed-form gradient and a batched optimizer need no autograd: torch's inference
    # mode skips its bookkeeping on every operation, a fifth of a step on (K, 2) tensors.
    # (Only the steps: the result is made outside it, so its tensors are ordinary ones.)
    inference = closed_form is not None and not batched_optim.is_looped(optimizer)

    def chunks() -> Iterator[Sweep]:
        factors = lr_schedule(schedule, schedule_options, steps)
        run = _SweepRun(function, optimizer, options, lrs, steps, start, device, dtype,
                        factors, float(divergence_bound), record_internals, closed_form,
                        plateau)
        run.result.surface = surface
        size = chunk if chunk_seconds is None else min(chunk, FIRST_TIMED_CHUNK)
        while run.done < steps + 1:
            n = min(size, steps + 1 - run.done)
            began = time.perf_counter()
            with torch.inference_mode(inference):
                run.advance(n)
            took = time.perf_counter() - began  # timed before the yield hands control away
            yield run.snapshot()
            if chunk_seconds is not None:
                size = _next_chunk(n, took, chunk_seconds, chunk)

    return chunks()


def _next_chunk(n: int, took: float, seconds: float, most: int) -> int:
    """Steps for the next chunk so that it takes about ``seconds``, if the last ``n`` took
    ``took``: at most four times as many (one fast chunk may be luck), at most ``most``."""
    wanted = n * seconds / max(took, 1e-9)
    return int(max(1, min(most, 4 * n, wanted)))


def sweep(surface: str, optimizer: str, lrs, steps: int, start, optimizer_options=None,
          surface_options=None, device=None, dtype: torch.dtype = torch.float64,
          schedule: str | None = None, schedule_options=None,
          divergence_bound: float = 1e12, record_internals: bool | None = None) -> Sweep:
    """Run ``optimizer`` at every learning rate in ``lrs`` from ``start`` for ``steps`` steps.

    Parameters
    ----------
    surface
        One of :func:`explorer.descent.surfaces.names`.
    optimizer
        A ``torch.optim`` class name in :data:`OPTIMIZERS`.
    lrs
        1 to 256 positive finite learning rates.
    steps
        1 to 100,000 optimizer steps.
    start
        The start point ``(x, y)``, shared by every run.
    optimizer_options, surface_options, schedule_options
        Dicts of options (see :func:`optimizer_options`, ``surfaces.info(name).options``,
        :func:`schedule_options`); defaults where missing.
    device, dtype
        Where and in which precision (float32 or float64) to compute.
    schedule
        A ``torch.optim.lr_scheduler`` name in :data:`SCHEDULES`, stepped after every step
        (ReduceLROnPlateau with each run's own loss at the point the step was taken from).
    divergence_bound
        A loss above this counts as divergence, as does a loss that is not finite.
    record_internals
        Keep gradient and optimizer state per step; default: when it fits in memory.

    Returns
    -------
    Sweep
        On the CPU, whatever ``device`` computed it.
    """
    runs = iter_sweep(surface, optimizer, lrs, steps, start, optimizer_options,
                      surface_options, device, dtype, schedule, schedule_options,
                      divergence_bound, chunk=256, record_internals=record_internals)
    *_, complete = runs
    return complete


class _SweepRun:
    """The state of a running sweep: the active runs on the device, the results on the CPU."""

    def __init__(self, function, optimizer, options, lrs, steps, start, device, dtype,
                 schedule_factors, bound, record_internals, closed_form=None, plateau=None):
        k = len(lrs)
        self.function, self.schedule, self.bound = function, schedule_factors, bound
        self.closed_form = closed_form
        self.steps, self.device, self.done = steps, device, 0
        self.active = torch.arange(k)
        self.lrs = torch.tensor(lrs, dtype=dtype, device=device).unsqueeze(1)
        self.params = torch.tensor([start] * k, dtype=dtype, device=device)
        self.optimizer = batched_optim.make(optimizer, options, self.params, function)
        # ReduceLROnPlateau: each run's rate follows its own losses, step by step.
        self.plateau = None if plateau is None else schedules.Plateau(plateau, self.lrs)
        if schedule_factors is not None and schedule_factors.momentum is not None:
            self.optimizer.set_momentum(float(schedule_factors.momentum[0]))
        self._ones = torch.ones(k, dtype=dtype, device=device)
        names = ["grad", *self.optimizer.internals()] if record_internals else []
        full = (k, steps + 1)
        self.result = Sweep(
            # Uninitialised is safe: only the first `done` steps are ever shown, and a
            # diverged run's rest is set to NaN when its divergence is found.
            lrs=self.lrs.squeeze(1).cpu(), path=torch.empty((*full, 2), dtype=dtype),
            loss=torch.empty(full, dtype=dtype), diverged_at=[None] * k,
            steps_done=0, steps=steps, optimizer=optimizer,
            internals={name: torch.empty((*full, 2), dtype=dtype) for name in names},
        )
        if self.optimizer.evaluations is not None:
            self.result.evaluations = torch.zeros(full, dtype=torch.int64)

    def _gradient(self, point):
        """The gradient at ``point`` (K, 2) and, where autograd computed it, the value."""
        if self.closed_form is not None:
            return self.closed_form(point), None
        point = point.detach().requires_grad_(True)
        with torch.enable_grad():
            value = self.function(point)
            # One backward pass for all K runs: the runs are independent, so the gradient of
            # the sum is each run's own gradient.
            (grad,) = torch.autograd.grad(value, point, self._ones)
        return grad, value.detach()

    def _values(self, path: torch.Tensor) -> torch.Tensor:
        """The loss at every point of ``path`` (n, K, 2), in blocks of at most VALUE_BLOCK points.

        Small blocks stay below the size where torch hands an op such as ``cos`` to its
        thread pool: on a busy 2-core machine waking it costs milliseconds, the whole
        block's work a few microseconds.
        """
        rows = max(1, VALUE_BLOCK // path.shape[1])
        with torch.no_grad():
            return torch.cat([self.function(path[i:i + rows])
                              for i in range(0, len(path), rows)])

    def _chunk_lrs(self, begin: int, end: int):
        """The learning rates of steps ``begin`` to ``end - 1``: (n, K, 1), or the fixed (K, 1)."""
        schedule = self.schedule
        if schedule is None:
            return None
        slope = torch.as_tensor(schedule.slope[begin:end], dtype=self.lrs.dtype)
        intercept = torch.as_tensor(schedule.intercept[begin:end], dtype=self.lrs.dtype)
        return (self.lrs * slope.to(self.device)[:, None, None]
                + intercept.to(self.device)[:, None, None])

    def advance(self, n: int) -> None:
        """Evaluate ``n`` more points (and take the steps between them) for the active runs.

        The points are written, step after step, into one preallocated (n + 1, K, 2)
        block (each step's ``out=``); the losses of the whole block are computed in one
        call afterwards where the gradient is in closed form. Nothing is synchronised or
        copied to the CPU until the chunk is done.
        """
        if len(self.active) == 0:  # every run diverged: nothing left to compute
            self.done += n
            return
        begin, k = self.done, len(self.active)
        steps = min(begin + n, self.steps) - begin  # the last point takes no step
        like = {"dtype": self.params.dtype, "device": self.device}
        points = torch.empty((n + 1, k, 2), **like)
        points[0] = self.params
        internals = {name: torch.full((n, k, 2), torch.nan, **like)
                     for name in self.result.internals}
        # Rows as views, made once: indexing a tensor per step costs more than the maths.
        grads = internals["grad"].unbind(0) if "grad" in internals else None
        states = {name: values.unbind(0) for name, values in internals.items() if name != "grad"}
        chunk_lrs = self._chunk_lrs(begin, begin + steps)
        lrs = [self.lrs] * steps if chunk_lrs is None else chunk_lrs.unbind(0)
        momentum = None if self.schedule is None else self.schedule.momentum
        rows, gradient, step = points.unbind(0), self._gradient, self.optimizer.step
        counted = self.optimizer.evaluations is not None  # LBFGS: evaluations per step
        counts = torch.zeros((n, k), dtype=torch.int64) if counted else None
        values = []
        plateau = self.plateau
        for i in range(n):  # the inner loop: every operation here runs K x steps times
            grad, value = gradient(rows[i])
            if plateau is not None and value is None:
                with torch.no_grad():
                    value = self.function(rows[i])
            if value is not None:
                values.append(value)
            if grads is not None:
                grads[i].copy_(grad)
            if i < steps:
                if momentum is not None:
                    self.optimizer.set_momentum(float(momentum[begin + i]))
                step(rows[i], grad, lrs[i] if plateau is None else plateau.lrs(), rows[i + 1])
                if plateau is not None:
                    plateau.step(value)
                if counts is not None:
                    counts[i] = self.optimizer.evaluations
                if states:
                    current = self.optimizer.internals()
                    for name, records in states.items():
                        records[i].copy_(current[name])
        self.params = points[n]
        path = points[:n]
        loss = torch.stack(values) if values else self._values(path)
        if counts is not None:
            rows_now = slice(None) if len(self.active) == len(self.result.lrs) else self.active
            self.result.evaluations[rows_now, begin:begin + n] = counts.T
        self._store(path.transpose(0, 1), loss.transpose(0, 1),
                    {name: record.transpose(0, 1) for name, record in internals.items()}, n)
        self.done += n

    def _store(self, path, loss, internals, n):
        span = slice(self.done, self.done + n)
        # Slicing beats fancy indexing by far; it applies until the first run diverges.
        rows = slice(None) if len(self.active) == len(self.result.lrs) else self.active
        bad = ~torch.isfinite(loss) | (loss > self.bound)
        self.result.path[rows, span] = path.cpu()
        self.result.loss[rows, span] = loss.cpu()
        for name, values in internals.items():
            self.result.internals[name][rows, span] = values.cpu()
        diverged = bad.any(dim=1).cpu()
        if diverged.any():
            self._mark_diverged(bad.cpu(), diverged)

    def _mark_diverged(self, bad, diverged):
        first = bad.to(torch.int8).argmax(dim=1)
        for row in torch.nonzero(diverged).flatten().tolist():
            run, at = int(self.active[row]), self.done + int(first[row])
            self.result.diverged_at[run] = at
            self.result.path[run, at + 1:] = torch.nan
            self.result.loss[run, at + 1:] = torch.nan
            for values in self.result.internals.values():
                values[run, at + 1:] = torch.nan
        keep = torch.nonzero(~diverged).flatten()
        self.active = self.active[keep]
        keep_device = keep.to(self.device)
        self.params, self.lrs = self.params[keep_device], self.lrs[keep_device]
        self._ones = self._ones[keep_device]
        self.optimizer.keep(keep_device)
        if self.plateau is not None:
            self.plateau.keep(keep)

    def snapshot(self) -> Sweep:
        r = self.result
        done = self.done
        return Sweep(
            lrs=r.lrs, path=r.path[:, :done], loss=r.loss[:, :done],
            diverged_at=list(r.diverged_at), steps_done=done - 1, steps=self.steps,
            surface=r.surface, optimizer=r.optimizer,
            internals={name: values[:, :done] for name, values in r.internals.items()},
            evaluations=None if r.evaluations is None else r.evaluations[:, :done],
        )


def optimizer_options(name: str):
    """The hyper-parameters of optimizer ``name`` as OptionSpecs (torch's names and defaults)."""
    return batched_optim.optimizer_options(name)


def schedule_options(name: str):
    """The options of learning-rate schedule ``name`` as OptionSpecs."""
    return schedules.schedule_options(name)
