"""Gradient descent on a 2-D surface at K learning rates at once.

:func:`sweep` runs K learning rates (1 to 256) from one start as one batched
computation: the K parameter vectors form one ``(K, 2)`` tensor, the surface is
evaluated for all of them in one call, ``torch.autograd`` gives all K gradients
in one backward pass, and the update rule of the chosen ``torch.optim``
optimizer (see :mod:`explorer.descent.batched_optim`) moves them together. Divergence
is a result: a run whose loss stops being finite (or passes a bound) is marked
and dropped from the computation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from explorer.descent import batched_optim, schedules, surfaces
from explorer.descent.batched_optim import OPTIMIZERS
from explorer.descent.schedules import lr_schedule
from explorer.devices import resolve
from explorer.errors import InputError
from explorer.inputs import check_lrs, check_name, check_start, check_steps

DTYPES = ("float64", "float32")
"""The precisions a sweep computes in, by their torch names."""
INTERNALS_AUTO_LIMIT = 4_000_000
"""Internals are recorded by default while K × (steps + 1) stays under this (≈64 MB each)."""


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
    check_name(optimizer, OPTIMIZERS, "optimizer", "optimizer")
    if not (isinstance(divergence_bound, (int, float)) and divergence_bound > 0):
        raise InputError("The divergence bound must be a positive number.",
                         field="divergence_bound")
    return check_lrs(lrs), check_steps(steps), check_start(start)


def iter_sweep(surface: str, optimizer: str, lrs, steps: int, start, optimizer_options=None,
               surface_options=None, device=None, dtype: torch.dtype = torch.float64,
               schedule: str | None = None, schedule_options=None,
               divergence_bound: float = 1e12, chunk: int = 500,
               record_internals: bool | None = None) -> Iterator[Sweep]:
    """Run a sweep and yield it after every ``chunk`` steps (growing; the last is complete).

    Parameters are those of :func:`sweep`, plus ``chunk``. The yielded Sweeps share
    storage: each is a view of the same preallocated result, longer each time.
    Bad input raises InputError at the call, before any computing (so a UI can check
    on its own thread and run the generator on a worker).
    """
    lrs, steps, start = _check_common(surface, optimizer, lrs, steps, start, divergence_bound)
    dtype = check_dtype(dtype)
    if not isinstance(chunk, int) or chunk < 1:
        raise InputError("chunk must be a positive whole number of steps.", field="chunk")
    options = batched_optim.resolve_optimizer_options(optimizer, optimizer_options)
    function = surfaces.objective(surface, surface_options)
    schedules.resolve_schedule_options(schedule, schedule_options, optimizer, steps)
    device = resolve(device)
    if record_internals is None:
        record_internals = len(lrs) * (steps + 1) <= INTERNALS_AUTO_LIMIT

    def chunks() -> Iterator[Sweep]:
        factors = lr_schedule(schedule, schedule_options, steps)
        run = _SweepRun(function, optimizer, options, lrs, steps, start, device, dtype,
                        factors, float(divergence_bound), record_internals)
        run.result.surface = surface
        while run.done < steps + 1:
            run.advance(min(chunk, steps + 1 - run.done))
            yield run.snapshot()

    return chunks()


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
        A ``torch.optim.lr_scheduler`` name in :data:`SCHEDULES`, stepped after every step.
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
                 schedule_factors, bound, record_internals):
        k = len(lrs)
        self.function, self.schedule, self.bound = function, schedule_factors, bound
        self.steps, self.device, self.done = steps, device, 0
        self.active = torch.arange(k)
        self.lrs = torch.tensor(lrs, dtype=dtype, device=device).unsqueeze(1)
        self.params = torch.tensor([start] * k, dtype=dtype, device=device)
        self.optimizer = batched_optim.make(optimizer, options, self.params)
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

    def _gradient(self):
        point = self.params.detach().requires_grad_(True)
        with torch.enable_grad():
            value = self.function(point)
            # One backward pass for all K runs: the runs are independent, so the gradient of
            # the sum is each run's own gradient.
            (grad,) = torch.autograd.grad(value, point, self._ones)
        return value.detach(), grad

    def _lr_at(self, t: int) -> torch.Tensor:
        """The learning rates of step ``t`` (and, for a cycling schedule, its momentum)."""
        schedule = self.schedule
        if schedule is None:
            return self.lrs
        if schedule.momentum is not None:
            self.optimizer.set_momentum(float(schedule.momentum[t]))
        return self.lrs * float(schedule.slope[t]) + float(schedule.intercept[t])

    def advance(self, n: int) -> None:
        """Evaluate ``n`` more points (and take the steps between them) for the active runs.

        Per step only the maths runs; what is recorded is collected in lists and
        stacked once per chunk, which costs far less than writing each step in place.
        """
        if len(self.active) == 0:  # every run diverged: nothing left to compute
            self.done += n
            return
        points, values = [], []
        records: dict[str, list] = {name: [] for name in self.result.internals}
        states = [name for name in records if name != "grad"]
        for t in range(self.done, self.done + n):
            value, grad = self._gradient()
            points.append(self.params)
            values.append(value)
            if records:
                records["grad"].append(grad)
            if t < self.steps:
                self.params = self.optimizer.step(self.params, grad, self._lr_at(t))
                current = self.optimizer.internals()
                for name in states:
                    records[name].append(current[name].clone())  # updated in place later
        self._store(torch.stack(points, dim=1), torch.stack(values, dim=1),
                    {name: self._stack(items, n) for name, items in records.items()}, n)
        self.done += n

    def _stack(self, items: list, n: int) -> torch.Tensor:
        """Stack per-step records; the state after the last point (no step) is NaN."""
        while len(items) < n:
            items.append(torch.full_like(self.params, torch.nan))
        return torch.stack(items, dim=1)

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

    def snapshot(self) -> Sweep:
        r = self.result
        done = self.done
        return Sweep(
            lrs=r.lrs, path=r.path[:, :done], loss=r.loss[:, :done],
            diverged_at=list(r.diverged_at), steps_done=done - 1, steps=self.steps,
            surface=r.surface, optimizer=r.optimizer,
            internals={name: values[:, :done] for name, values in r.internals.items()},
        )


def optimizer_options(name: str):
    """The hyper-parameters of optimizer ``name`` as OptionSpecs (torch's names and defaults)."""
    return batched_optim.optimizer_options(name)


def schedule_options(name: str):
    """The options of learning-rate schedule ``name`` as OptionSpecs."""
    return schedules.schedule_options(name)
