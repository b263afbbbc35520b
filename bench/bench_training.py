"""Training through ``explorer.training.run()`` against a bare torch loop doing the same work.

Both build the same seeded model, loader and optimizer, train the same epochs and
evaluate on the validation part after each epoch; ``run()`` also reports progress
(consumed here, as the UI does) and builds per-epoch records. Runs alternate in one
process; the ratio of medians is printed as ``name: ratio`` (target <= 1.15).

    .venv/bin/python bench/bench_training.py [--device cuda] [--rounds 7] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

from explorer import data
from explorer.training import Progress, TrainConfig, build_model, run


def through_run(config: TrainConfig) -> float:
    last = None
    for item in run(config, progress=True):
        if not isinstance(item, Progress):
            last = item
    return last.val_accuracy


def bare_loop(config: TrainConfig) -> float:
    device = torch.device(config.device)
    split = data.load(config.dataset, config.data_seed)
    x, y = split.x_train.to(device), split.y_train.to(device)
    x_val, y_val = split.x_val.to(device), split.y_val.to(device)
    torch.manual_seed(config.seed)
    model = build_model(config, split.n_features, split.n_classes).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(config.seed)
    dataset = TensorDataset(x, y)
    sampler = BatchSampler(RandomSampler(dataset, generator=generator), config.batch_size, False)
    loader = DataLoader(dataset, sampler=sampler, batch_size=None, generator=generator)
    for _epoch in range(config.epochs):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(x_val)
            val_loss = loss_fn(logits, y_val).item()
            accuracy = (logits.argmax(dim=1) == y_val).float().mean().item()
    del val_loss
    return accuracy


def timed(fn, config: TrainConfig) -> tuple[float, float, float]:
    """Wall seconds, this process's CPU seconds (immune to other programs' load), result."""
    if config.device.startswith("cuda"):
        torch.cuda.synchronize()
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(config)
    if config.device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def compare(config: TrainConfig, rounds: int) -> dict[str, float]:
    timed(through_run, config), timed(bare_loop, config)  # warm-up: allocation, lazy init
    times: dict[str, list[float]] = {"run_wall": [], "run_cpu": [], "bare_wall": [],
                                     "bare_cpu": []}
    pair = (("run", through_run), ("bare", bare_loop))
    for index in range(rounds):  # alternate (ABBA), so drifting machine load hits both alike
        for name, fn in pair if index % 2 == 0 else pair[::-1]:
            wall, cpu, accuracy = timed(fn, config)
            times[f"{name}_wall"].append(wall)
            times[f"{name}_cpu"].append(cpu)
            times.setdefault(f"{name}_accuracy", []).append(accuracy)
    # The same training: the same seeded weights and batches give the same accuracy (exactly
    # on the CPU; GPU kernels may sum in another order).
    tolerance = 0.0 if config.device == "cpu" else 0.02
    for ours, bare in zip(times["run_accuracy"], times["bare_accuracy"], strict=True):
        assert abs(ours - bare) <= tolerance, f"run() and the bare loop differ: {ours} vs {bare}"
    medians = {key: statistics.median(values) for key, values in times.items()}
    medians["best_ratio"] = min(times["run_wall"]) / min(times["bare_wall"])
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1: tiny networks gain nothing from more)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    workloads = {
        "training_run_vs_bare_loop": TrainConfig(dataset="digits", hidden=(64,), batch_size=32,
                                                 lr=0.1, epochs=10, device=args.device),
        "training_run_vs_bare_loop_iris_small": TrainConfig(dataset="iris", hidden=(16,),
                                                            batch_size=8, epochs=40,
                                                            device=args.device),
    }
    for name, config in workloads.items():
        t = compare(config, args.rounds)
        print(f"{name}: {t['run_wall'] / t['bare_wall']:.3f}   (wall: run {t['run_wall'] * 1e3:.1f}"
              f" ms, bare {t['bare_wall'] * 1e3:.1f} ms; median of {args.rounds}; best-of ratio "
              f"{t['best_ratio']:.3f}; {config.device})")
        if config.device == "cpu":
            print(f"{name}_cpu_time: {t['run_cpu'] / t['bare_cpu']:.3f}   (process CPU time: run "
                  f"{t['run_cpu'] * 1e3:.1f} ms, bare {t['bare_cpu'] * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
