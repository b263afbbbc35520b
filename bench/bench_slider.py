"""Benchmark: the recompute behind one learning-rate slider move, 16 rates × 300 steps.

A drag is simulated as 40 slider positions; at each, a fan of 16 rates around the
slider's value (×2^(-2) ... ×2^(+2), log-spaced) is swept 300 steps from the
surface's default start with the page's defaults (internals recorded), which is
all the data the plots are handed. Printed per analytic surface and optimizer:
the median in ms and as a fraction of a 60 Hz frame (16.7 ms; target ≤ 1.0). Side
by side, the same function typed as the user's own expression, whose gradient
comes from autograd (what every surface cost before the closed forms).

Run: ``.venv/bin/python bench/bench_slider.py [--positions 40]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from explorer import descent, surfaces

FRAME_MS = 1000 / 60
STEPS = 300
RATES = 16
CENTRES = {"quadratic": 0.05, "rosenbrock": 3e-4, "himmelblau": 3e-3, "saddle": 0.05,
           "rastrigin": 2e-3}
EXPRESSIONS = {
    "rosenbrock": "(1 - x)**2 + 100*(y - x**2)**2",
    "himmelblau": "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
}
OPTIMIZERS = (("SGD", {}), ("SGD", {"momentum": 0.9}), ("Adam", {}))


def drag(surface: str, optimizer: str, options: dict, positions: int, surface_options=None,
         start=None) -> tuple[float, float]:
    """Median wall and CPU ms of one recompute over a drag of ``positions`` slider values.

    The CPU time (this process's) is printed beside the wall time because on a shared
    machine the wall time also counts the time other programs held the cores.
    """
    start = start or surfaces.info(surface, surface_options).default_start
    centre = CENTRES.get(surface, 3e-4) if optimizer == "SGD" else 0.05
    times, cpu = [], []
    for value in np.geomspace(centre / 3, centre * 3, positions):
        lrs = (value * np.geomspace(0.25, 4.0, RATES)).tolist()
        begin, begin_cpu = time.perf_counter(), time.process_time()
        descent.sweep(surface, optimizer, lrs, STEPS, start, options,
                      surface_options=surface_options)
        times.append(time.perf_counter() - begin)
        cpu.append(time.process_time() - begin_cpu)
    return 1000 * statistics.median(times), 1000 * statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=40)
    args = parser.parse_args()
    for optimizer, options in OPTIMIZERS:
        kind = optimizer.lower() + ("_momentum" if options else "")
        for surface in CENTRES:
            ms, cpu_ms = drag(surface, optimizer, options, args.positions)
            print(f"# slider_{kind}_{surface}: {ms:.2f} ms median per recompute "
                  f"({cpu_ms:.2f} ms of CPU time)")
            print(f"slider_{kind}_{surface}_frames: {ms / FRAME_MS:.2f}")
            if surface in EXPRESSIONS:
                typed = {"expression": EXPRESSIONS[surface]}
                typed_ms, _ = drag(surfaces.CUSTOM, optimizer, options, args.positions, typed,
                                surfaces.info(surface).default_start)
                print(f"# slider_{kind}_{surface} typed as an expression (autograd): "
                      f"{typed_ms:.2f} ms")
                print(f"slider_{kind}_{surface}_closed_form_speedup: {typed_ms / ms:.1f}")


if __name__ == "__main__":
    main()
