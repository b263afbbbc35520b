"""Benchmark: a 256 × 256 grid of the linear-regression surface in one batched call vs a loop.

The baseline evaluates the same surface point by point in a Python loop (what a
first notebook does), in the same process. Prints ``name: ratio`` lines
(loop time / batched time; higher is better).

Run: ``.venv/bin/python bench/bench_grid.py [--device cuda] [--loss MSELoss] [--repeats 1]``
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from timing import best_time  # bench/timing.py, beside this script

from explorer import surfaces

N = 256
NAME = "linear-regression"


def loop_over_points(options: dict, device) -> np.ndarray:
    """One evaluation per grid point."""
    xmin, xmax, ymin, ymax = surfaces.info(NAME).bounds
    xs = torch.linspace(xmin, xmax, N, dtype=torch.float64)
    ys = torch.linspace(ymin, ymax, N, dtype=torch.float64)
    z = np.empty((N, N))
    with torch.no_grad():
        for i in range(N):
            for j in range(N):
                point = torch.stack([xs[j], ys[i]]).to(device)
                z[i, j] = float(surfaces.evaluate(NAME, point, options))
    return z


def batched(options: dict, device) -> np.ndarray:
    return surfaces.grid(NAME, n=N, options=options, device=device).z


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--loss", default="MSELoss")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    device, options = torch.device(args.device), {"loss": args.loss}
    loop_s, loop_z = best_time(lambda: loop_over_points(options, device), 1)
    grid_s, grid_z = best_time(lambda: batched(options, device), args.repeats)
    label = f"grid_{N}x{N}_linear_regression_{args.loss}"
    print(f"# {label}: loop {loop_s:.3f} s, batched {grid_s * 1e3:.2f} ms, "
          f"same values: {np.allclose(loop_z, grid_z, rtol=1e-12)}")
    print(f"{label}: {loop_s / grid_s:.1f}")


if __name__ == "__main__":
    main()
