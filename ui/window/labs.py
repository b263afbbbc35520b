"""The lab pages the main window shows, in order. A lab appears here when it is built."""

from __future__ import annotations

import importlib

from ui.common.lab import LabPage

#: (module, class) of every lab page, in the order of the lab selector.
LABS: list[tuple[str, str]] = [
    ("ui.loss.panel", "LossPanel"),
    ("ui.descent.panel", "DescentPanel"),
    ("ui.batch.panel", "BatchPanel"),
]


def lab_classes() -> list[type[LabPage]]:
    """Import and return the lab page classes."""
    return [getattr(importlib.import_module(module), name) for module, name in LABS]
