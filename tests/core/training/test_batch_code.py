"""The Batch lab's code twin: run in a subprocess, it prints the page's first epoch's loss."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.training import TrainConfig, run
from explorer.training.code import training_code

ROOT = Path(__file__).resolve().parents[3]
CASES = {
    "shuffled SGD": TrainConfig(dataset="iris", hidden=(8,), batch_size=16, epochs=1),
    "BN, unshuffled, nesterov, a dropped batch of 1": TrainConfig(
        dataset="iris", hidden=(6, 5), batch_norm=True, batch_size=7, shuffle=False,
        epochs=1, seed=3, activation="tanh",
        optimizer_options={"momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    "Adam with betas on moons": TrainConfig(
        dataset="moons", hidden=(8,), optimizer="Adam", lr=0.01, batch_size=32, epochs=1,
        optimizer_options={"beta1": 0.8, "beta2": 0.99}),
}


@pytest.mark.parametrize("name", list(CASES)[1:])  # shuffled SGD is the Adam case's order
def test_code_twin_prints_the_first_epoch_s_training_loss(name, tmp_path):
    config = CASES[name]
    page = next(iter(run(config))).train_loss
    script = tmp_path / "twin.py"
    script.write_text(training_code(config))
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    printed = float(re.search(r"epoch 1: training loss ([0-9.]+)", done.stdout).group(1))
    assert printed == pytest.approx(page, abs=1e-4)


def test_code_twin_names_the_loader_model_and_optimizer():
    code = training_code(CASES["BN, unshuffled, nesterov, a dropped batch of 1"])
    assert "batch_size=7, shuffle=False" in code and "drop_last=True" in code
    assert code.count("nn.BatchNorm1d(") == 2 and "nesterov=True" in code
    assert "nn.BatchNorm1d" not in training_code(CASES["shuffled SGD"])
