"""How the Batch lab's scene follows an edit of its training set-up."""

from __future__ import annotations

from dataclasses import replace

from explorer import data
from explorer.errors import InputError
from explorer.inputs import is_whole
from explorer.training.scene import BatchScene
from explorer.training.typed import fitted_sizes


def fit_inspected_unit(scene: BatchScene) -> BatchScene:
    """``scene`` with the inspected BN layer and unit moved inside the hidden widths."""
    hidden = scene.config.hidden
    layer = min(scene.bn_layer, len(hidden) - 1)
    unit = min(scene.bn_unit, hidden[layer] - 1)
    if (layer, unit) == (scene.bn_layer, scene.bn_unit):
        return scene
    return replace(scene, bn_layer=layer, bn_unit=unit)


def fit_batch_sizes(scene: BatchScene) -> BatchScene:
    """``scene`` with the experiments' batch sizes that the (new) training set cannot give
    dropped: a smaller CSV file, or batch normalization turned on (no batch of one)."""
    try:
        n_train = len(data.load(scene.config.dataset, scene.config.data_seed,
                                scene.config.label).y_train)
    except InputError:
        return scene  # the data set's own problem, reported as such
    batch_norm = scene.config.batch_norm is True
    changes = {}
    for name in ("noise_batch_sizes", "timing_batch_sizes"):
        sizes = getattr(scene, name)
        if isinstance(sizes, tuple) and all(is_whole(s) for s in sizes):
            fitted = fitted_sizes(tuple(int(s) for s in sizes), n_train, batch_norm)
            if fitted != sizes:
                changes[name] = fitted
    fit = scene.noise_fit_sizes  # the S(B) fit needs two sizes: automatic if fewer are left
    if isinstance(fit, tuple) and all(is_whole(s) for s in fit):
        kept = tuple(int(s) for s in fit if s <= n_train and not (s == 1 and batch_norm))
        if kept != fit:
            changes["noise_fit_sizes"] = kept if len(kept) >= 2 else None
    if is_whole(scene.large_batch) and scene.large_batch > n_train:
        changes["large_batch"] = None  # None: the whole training set
    if is_whole(scene.small_batch) and scene.small_batch > n_train:
        changes["small_batch"] = max(1, n_train // 8)
    return replace(scene, **changes) if changes else scene


def edit_training(scene: BatchScene, **changes) -> BatchScene:
    """``scene`` with training fields ``changes`` (e.g. from the page's controls), the
    inspected unit kept inside the new widths and the experiments' batch sizes inside the new
    training set; not validated."""
    return fit_batch_sizes(fit_inspected_unit(scene.with_changes(**changes)))
