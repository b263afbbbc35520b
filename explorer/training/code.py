"""The code twin of a Batch lab run: plain PyTorch that trains the same network the same way.

:func:`training_code` writes a script that builds the page's data split, the
``DataLoader(..., batch_size=..., shuffle=...)``, the model (with or without
``nn.BatchNorm1d``), the ``torch.optim`` optimizer and the loop, and prints each epoch's
training loss (the minibatch losses averaged over the samples, as the page shows it). Run
from the program's folder, it prints the page's numbers: the same seed gives the same
initial weights and the same batches.
"""

from __future__ import annotations

from explorer import data
from explorer.training.config import TrainConfig, check_config

_ACTIVATIONS = {"relu": "nn.ReLU()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()"}


def _model_lines(config: TrainConfig, n_features: str) -> list[str]:
    lines, width_in = [], n_features
    for width in config.hidden:
        lines.append(f"    nn.Linear({width_in}, {width}),")
        block = [f"    {_ACTIVATIONS[config.activation]},"]
        if config.batch_norm:
            bn = f"    nn.BatchNorm1d({width}),"
            block = [*block, bn] if config.bn_position == "after" else [bn, *block]
        lines.extend(block)
        width_in = str(width)
    lines.append(f"    nn.Linear({width_in}, n_classes),")
    return lines


def _optimizer_line(config: TrainConfig) -> str:
    settings = "".join(f", {k}={v!r}" for k, v in config.optimizer_kwargs().items())
    return (f"optimizer = torch.optim.{config.optimizer}(model.parameters(), lr={config.lr!r}"
            f"{settings})")


def training_code(config: TrainConfig, epochs: int | None = None) -> str:
    """Runnable Python for ``config`` on the CPU, printing ``epochs`` epochs' training loss
    (default: all of them).

    Raises
    ------
    InputError
        If ``config`` is bad (see :meth:`TrainConfig.validate`).
    """
    config = check_config(config)
    epochs = config.epochs if epochs is None else int(epochs)
    label = "None" if config.label is None else repr(config.label)
    drop = ("True,  # BatchNorm1d cannot train on a last batch of 1 sample"
            if _drops_one(config) else "False,")
    lines = [
        "import torch",
        "from torch import nn",
        "from torch.utils.data import DataLoader, TensorDataset",
        "",
        "from explorer.data import load  # the page's split: standardised, validation held out",
        "",
        f"split = load({config.dataset!r}, seed={config.data_seed}, label={label})",
        "x, y = split.x_train, split.y_train",
        "n_classes = split.n_classes",
        "",
        f"torch.manual_seed({config.seed})  # the initial weights",
        "model = nn.Sequential(",
        *_model_lines(config, "x.shape[1]"),
        ")",
        "loader = DataLoader(",
        f"    TensorDataset(x, y), batch_size={config.batch_size}, shuffle={config.shuffle},",
        f"    generator=torch.Generator().manual_seed({config.seed}),  # the order of the batches",
        f"    drop_last={drop}",
        ")",
        _optimizer_line(config),
        "loss_fn = nn.CrossEntropyLoss()",
        "",
        f"for epoch in range(1, {epochs} + 1):",
        "    model.train()",
        "    total, seen = 0.0, 0",
        "    for xb, yb in loader:",
        "        optimizer.zero_grad()",
        "        loss = loss_fn(model(xb), yb)",
        "        loss.backward()",
        "        optimizer.step()",
        "        total, seen = total + loss.item() * len(yb), seen + len(yb)",
        "    print(f\"epoch {epoch}: training loss {total / seen:.6f}\")",
    ]
    return "\n".join(lines) + "\n"


def _drops_one(config: TrainConfig) -> bool:
    """Whether the run drops a last batch of one sample (batch normalization cannot train on it)."""
    n_train = len(data.load(config.dataset, config.data_seed, config.label).y_train)
    return bool(config.batch_norm) and n_train % config.batch_size == 1
