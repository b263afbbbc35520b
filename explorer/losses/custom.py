"""The two losses the slides ask for that torch has no class for: focal and soft Dice.

Each is a few lines of plain torch. The functions are written to stand alone
(only ``torch`` inside), because their source is pasted verbatim into the code
snippet the program shows: what runs here is exactly what the user copies.
"""

from __future__ import annotations

import inspect
from functools import cache

import torch


def focal_loss(input, target, gamma=2.0, weight=None, alpha=None, reduction="mean"):
    """Focal loss (Lin et al., 2017): cross-entropy scaled by alpha * (1 - p)^gamma.

    ``loss_n = -alpha * w[y_n] * (1 - p_n)**gamma * log(p_n)`` with ``p_n`` the
    softmax probability of the true class; ``alpha`` (Lin et al.'s alpha_t for the
    target class, None = 1) multiplies every term. ``mean`` divides by the summed
    weights of the targets, as CrossEntropyLoss does, so gamma = 0 and alpha = None
    give back cross-entropy.
    """
    log_p = torch.log_softmax(input, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
    w = torch.ones_like(log_p) if weight is None else weight[target]
    loss = -w * (1 - log_p.exp()) ** gamma * log_p
    if alpha is not None:
        loss = alpha * loss
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / w.sum()


def dice_loss(input, target, eps=1.0, reduction="mean"):
    """Soft Dice loss per sample: ``1 - (2 * sum(p * y) + eps) / (sum(p) + sum(y) + eps)``.

    ``p = sigmoid(input)`` is the predicted mask, ``y`` the true 0/1 mask; each
    row (sample) is one mask, flattened.
    """
    p = torch.sigmoid(input).flatten(1)
    y = target.flatten(1)
    dice = (2 * (p * y).sum(1) + eps) / (p.sum(1) + y.sum(1) + eps)
    loss = 1 - dice
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()


CUSTOM = {"FocalLoss": focal_loss, "DiceLoss": dice_loss}


@cache
def source(name: str) -> str:
    """The source of a custom loss's function, for the code snippet."""
    return inspect.getsource(CUSTOM[name])
