"""Which compute devices torch can use here, and a safe way to pick one."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from explorer.errors import InputError


@dataclass(frozen=True)
class DeviceChoice:
    """A device the user asked for, the one actually used, and why they differ."""

    requested: str
    device: torch.device
    message: str = ""


def available() -> list[str]:
    """The devices torch can use on this machine, CPU first."""
    names = ["cpu"]
    if torch.cuda.is_available():
        names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        names.append("mps")
    return names


def describe(device: torch.device | str) -> str:
    """A short human name: ``"CPU"``, ``"CUDA 0 · NVIDIA H200"``, ``"MPS"``."""
    device = torch.device(device)
    if device.type == "cuda":
        index = device.index or 0
        return f"CUDA {index} · {torch.cuda.get_device_name(index)}"
    return device.type.upper()


def resolve(device: torch.device | str | None) -> torch.device:
    """Turn a user's device choice into a ``torch.device``.

    Raises
    ------
    InputError
        If the name is not a device or torch cannot use it here.
    """
    if device is None:
        return torch.device("cpu")
    name = str(device) if isinstance(device, torch.device) else str(device).strip().lower()
    try:
        parsed = torch.device(name)
    except (RuntimeError, TypeError) as exc:
        raise InputError(
            f"'{device}' is not a device; choose one of {', '.join(available())}.",
            field="device",
        ) from exc
    if parsed.type == "cuda" and parsed.index is None:
        parsed = torch.device("cuda", 0)
    if str(parsed) not in available():
        raise InputError(
            f"torch cannot use '{name}' on this machine; choose one of {', '.join(available())}.",
            field="device",
        )
    return parsed


def choose(requested: str | None) -> DeviceChoice:
    """Pick ``requested`` if it works, else fall back to the CPU with a message.

    The device is tried with a tiny computation, so a driver that is present
    but broken also falls back instead of failing later in a lab.
    """
    requested = requested or "cpu"
    try:
        device = resolve(requested)
        (torch.ones(2, device=device) * 2).sum().item()
    except InputError as exc:
        return DeviceChoice(requested, torch.device("cpu"), f"{exc} Using the CPU.")
    except RuntimeError as exc:  # a driver or runtime failure on first use
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return DeviceChoice(
            requested, torch.device("cpu"), f"{requested} failed ({first}); using the CPU."
        )
    return DeviceChoice(requested, device)
