"""What the Batch lab writes for the class to read: run names in legends and lists, rates."""

from __future__ import annotations

from explorer.training.config import TrainConfig


def run_label(config: TrainConfig) -> str:
    """A short name for a run, e.g. ``"BN on · B=32 · lr=0.1"`` (``· unshuffled`` if so)."""
    text = f"BN {'on' if config.batch_norm else 'off'} · B={config.batch_size} · lr={config.lr:g}"
    return text if config.shuffle else f"{text} · unshuffled"


def rate_text(lr: float) -> str:
    """A learning rate in its control: every digit that was typed (``str``, not ``:g``)."""
    return str(lr)
