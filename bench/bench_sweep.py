"""Benchmark: one batched sweep against a notebook-style loop over learning rates.

64 learning rates × 1,000 steps on Rosenbrock, SGD with momentum and Adam.
The baseline runs ``torch.optim`` one learning rate at a time on the same
function, recording the path as it goes, in the same process. Prints
``name: ratio`` lines (baseline time / sweep time; higher is better, target 300).

Run: ``.venv/bin/python bench/bench_sweep.py [--device cuda] [--repeats 1]``
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from timing import best_time  # bench/timing.py, beside this script

from explorer import descent, surfaces
from explorer.descent.batched_optim import torch_kwargs

STEPS = 1000
START = (-1.5, 2.0)
LRS = np.geomspace(1e-5, 1e-3, 64).tolist()
CASES = (("SGD", {"momentum": 0.9}), ("Adam", {}))


def loop_over_lrs(optimizer: str, options: dict, device) -> torch.Tensor:
    """What a notebook does: one torch.optim run per learning rate."""
    rosenbrock = surfaces.objective("rosenbrock")
    paths = []
    for lr in LRS:
        point = torch.tensor(START, dtype=torch.float64, device=device, requires_grad=True)
        opt = getattr(torch.optim, optimizer)([point], lr=lr, **torch_kwargs(optimizer, options))
        path = torch.empty((STEPS + 1, 2), dtype=torch.float64, device=device)
        for step in range(STEPS):
            path[step] = point.detach()
            opt.zero_grad()
            rosenbrock(point).backward()
            opt.step()
        path[STEPS] = point.detach()
        paths.append(path)
    return torch.stack(paths).cpu()


def batched(optimizer: str, options: dict, device) -> torch.Tensor:
    return descent.sweep("rosenbrock", optimizer, LRS, STEPS, START, options,
                         device=device, record_internals=False).path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    device = torch.device(args.device)
    for optimizer, options in CASES:
        label = f"sweep_{optimizer.lower()}_64lr_x_1000steps_rosenbrock"
        loop_s, loop_path = best_time(
            lambda o=optimizer, kw=options: loop_over_lrs(o, kw, device), args.repeats)
        sweep_s, sweep_path = best_time(
            lambda o=optimizer, kw=options: batched(o, kw, device), args.repeats)
        same = torch.allclose(sweep_path, loop_path, rtol=1e-9, atol=1e-12, equal_nan=True)
        print(f"# {label}: loop {loop_s:.3f} s, sweep {sweep_s:.3f} s, same paths: {same}")
        print(f"{label}: {loop_s / sweep_s:.1f}")


if __name__ == "__main__":
    main()
