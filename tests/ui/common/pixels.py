"""Pixels of an exported plot: which of them given items draw (for the export tests)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from ui.common import export


def as_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    # copied: the array must not outlive the converted image's memory
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)[..., :3].copy()


def drawn_by(plot, items, width) -> np.ndarray:
    """Pixels that change when ``items`` are made invisible (opacity 0, same layout)."""
    full = as_array(export.plot_image(plot, width)).astype(int)
    for item in items:
        item.setOpacity(0.0)
    try:
        without = as_array(export.plot_image(plot, width)).astype(int)
    finally:
        for item in items:
            item.setOpacity(1.0)
    return np.abs(full - without).sum(axis=2) > 60
