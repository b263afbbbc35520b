"""What the Batch lab writes for the class to read: run names in legends and lists, rates."""

from __future__ import annotations

from collections.abc import Sequence

from explorer import data
from explorer.inputs import format_numbers
from explorer.training.config import TrainConfig

# What else can tell two runs apart, in the order a label names it.
_DISTINGUISHING = (
    ("dataset", lambda c: data.display_name(c.dataset)),
    ("hidden", lambda c: f"widths {format_numbers(c.hidden)}"),
    ("activation", lambda c: c.activation),
    # Where BN sits means nothing without BN: only BN runs are compared on it.
    ("bn_position", lambda c: f"BN {c.bn_position} activation" if c.batch_norm else None),
    ("optimizer", lambda c: _optimizer_text(c)),
    ("seed", lambda c: f"seed {c.seed}"),
)


def run_label(config: TrainConfig, earlier: Sequence[TrainConfig] = ()) -> str:
    """A short name for a run, e.g. ``"BN on · B=32 · lr=0.1"`` (``· unshuffled`` if so).

    Beside ``earlier`` runs on the same axes it also names what differs from them (data set,
    widths, activation, BN placement among BN runs, optimizer, seed), and an identical rerun
    is numbered (``· run 2``).
    """
    parts = [f"BN {'on' if config.batch_norm else 'off'}", f"B={config.batch_size}",
             f"lr={config.lr:g}"]
    if not config.shuffle:
        parts.append("unshuffled")
    for _name, text in _DISTINGUISHING:
        mine = text(config)
        if mine is not None and any(text(other) not in (mine, None) for other in earlier):
            parts.append(mine)
    same = sum(_same_run(other, config) for other in earlier)
    if same:
        parts.append(f"run {same + 1}")
    return " · ".join(parts)


def _same_run(a: TrainConfig, b: TrainConfig) -> bool:
    """Whether ``a`` trains as ``b`` does (the device aside; BN placement aside without BN)."""
    if not (a.batch_norm or b.batch_norm):
        a = a.replace(bn_position=b.bn_position)
    return a.replace(device=b.device) == b


def _optimizer_text(config: TrainConfig) -> str:
    try:
        given = dict(config.optimizer_options)
    except (TypeError, ValueError):
        given = {}
    if config.optimizer in ("SGD", "RMSprop") and config.momentum:
        given.setdefault("momentum", config.momentum)
    settings = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in sorted(given.items()))
    return f"{config.optimizer}({settings})" if settings else config.optimizer


def rate_text(lr: float) -> str:
    """A learning rate in its control: every digit that was typed (``str``, not ``:g``)."""
    return str(lr)
