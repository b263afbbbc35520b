"""How the Batch lab's scene follows an edit of its training set-up."""

from __future__ import annotations

from dataclasses import replace

from explorer.training.scene import BatchScene


def fit_inspected_unit(scene: BatchScene) -> BatchScene:
    """``scene`` with the inspected BN layer and unit moved inside the hidden widths."""
    hidden = scene.config.hidden
    layer = min(scene.bn_layer, len(hidden) - 1)
    unit = min(scene.bn_unit, hidden[layer] - 1)
    if (layer, unit) == (scene.bn_layer, scene.bn_unit):
        return scene
    return replace(scene, bn_layer=layer, bn_unit=unit)


def edit_training(scene: BatchScene, **changes) -> BatchScene:
    """``scene`` with training fields ``changes`` (e.g. from the page's controls), the
    inspected unit kept inside the new widths; not validated."""
    return fit_inspected_unit(scene.with_changes(**changes))
