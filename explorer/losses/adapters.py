"""Losses whose torch call is not ``nn.Loss(**options)(*inputs)``: how the call is made.

Three cases, each written once, for the evaluation (:mod:`explorer.losses.run`)
and for the code twin (:mod:`explorer.losses.code`), so both make the very same call:

- ``CTCLoss``: the page edits one sequence (N = 1) as a T × C table and a target
  row; torch takes ``log_probs`` as (T, N, C), ``targets`` as (N, S) and the two
  lengths, so the call adds the batch dim and passes the full lengths.
- ``TripletMarginWithDistanceLoss``: torch takes a ``distance_function``; the
  page's ``distance`` option names one (``"pairwise"`` or ``"cosine"``).
- ``CrossEntropyLoss``: ``target_kind`` says whether the target holds class
  indices or class probabilities; torch tells them apart by the target itself,
  so the option is the program's, not a torch keyword.
"""

from __future__ import annotations

import torch
import torch.nn as nn

PROGRAM_OPTIONS = frozenset({"distance", "target_kind"})
"""Options that are the page's choices, not torch keywords: never passed as they are."""

COSINE_TEXT = "lambda a, b: 1 - nn.functional.cosine_similarity(a, b)"
"""The cosine distance as the code twin writes it."""


def cosine_distance(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``1 - cos(a, b)`` per row: torch's cosine similarity turned into a distance."""
    return 1 - nn.functional.cosine_similarity(a, b)


def torch_kwargs(name: str, options: dict) -> dict:
    """The keywords the torch class of loss ``name`` takes for ``options`` (already checked)."""
    kwargs = {k: v for k, v in options.items() if k not in PROGRAM_OPTIONS and v is not None}
    if name == "TripletMarginWithDistanceLoss" and options.get("distance") == "cosine":
        kwargs["distance_function"] = cosine_distance
    return kwargs


def kwargs_text(name: str, options: dict) -> dict[str, str]:
    """Code for the keywords :func:`torch_kwargs` adds (beyond the plain options)."""
    if name == "TripletMarginWithDistanceLoss" and options.get("distance") == "cosine":
        return {"distance_function": COSINE_TEXT}
    return {}


def torch_args(name: str, args: list[torch.Tensor]) -> list[torch.Tensor]:
    """The tensors passed to the torch loss, from the page's inputs in spec order."""
    if name != "CTCLoss":
        return args
    log_probs, targets = args
    device = log_probs.device
    return [log_probs.unsqueeze(1), targets.unsqueeze(0),
            torch.tensor([log_probs.shape[0]], device=device),
            torch.tensor([targets.shape[0]], device=device)]


def setup_lines(name: str, on_device: bool) -> list[str]:
    """Lines the code twin writes once before the call (CTC's batch of one and its lengths)."""
    if name != "CTCLoss":
        return []
    where = ", device=device" if on_device else ""
    return ["# one sequence (N = 1): torch takes log_probs as (T, N, C) and targets as (N, S),",
            "# with the length of each: all T time steps and all S symbols",
            f"input_lengths = torch.tensor([log_probs.shape[0]]{where})",
            f"target_lengths = torch.tensor([targets.shape[0]]{where})"]


def args_text(name: str, args: str) -> str:
    """The call's arguments as code (``args``: the inputs' names, comma-separated)."""
    if name != "CTCLoss":
        return args
    return "log_probs.unsqueeze(1), targets.unsqueeze(0), input_lengths, target_lengths"
