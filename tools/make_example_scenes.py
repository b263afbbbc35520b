"""Write the example scenes shipped in resources/scenes (run again after a scene format change).

    python tools/make_example_scenes.py [FOLDER]
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from explorer import RESOURCES, losses, scene
from explorer.descent import compare, reference_lrs
from explorer.descent.scene import DescentScene
from explorer.losses.scene import LossScene
from explorer.training.batchnorm import deep_sigmoid_config
from explorer.training.scene import BatchScene

SLIDE_LOSSES = ("L1Loss", "MSELoss", "NLLLoss", "CrossEntropyLoss", "HingeEmbeddingLoss",
                "MarginRankingLoss", "KLDivLoss")


def loss_scenes() -> dict[str, dict]:
    out = {}
    for i, name in enumerate(SLIDE_LOSSES, start=1):
        spec = losses.spec(name)
        page = LossScene(loss=name, reduction=spec.default_reduction,
                         transform=losses.slide_transform(name), note=losses.slide_note(name))
        out[f"slide-{i:02d}-{name}"] = {"loss": page.to_dict()}
    return out


def tuned_comparison(page: DescentScene) -> DescentScene:
    """``page`` with its side-by-side rates tuned for its own surface, as "Tune the rates
    here" does: the default rates were chosen on the default bowl (rotation 90), so a scene
    on any other surface would open saying they were tuned for another one."""
    *_, tuning = compare.iter_tune(**page.validated().compare_arguments())
    tuned = replace(page.compare, runs=tuple(tuning.runs), tuned_for=tuning.surface)
    return replace(page, compare=tuned)


def descent_scene() -> dict:
    start = (-3.0, 2.5)
    ref = reference_lrs("quadratic", start)
    lrs = tuple(round(ref.presets[k], 4) for k in ("too small", "good", "too large", "diverging"))
    # opened at the last step, the whole picture of the slide at once (Play replays it)
    page = DescentScene(surface="quadratic", surface_options={}, lrs=lrs, steps=60, start=start,
                        current_step=60)
    return {"descent": tuned_comparison(page).to_dict()}


def batch_norm_scene() -> dict:
    config = deep_sigmoid_config().replace(batch_norm=True)
    page = BatchScene(config=config, experiment="batch_norm")
    return {"batch": page.to_dict()}


def main(folder: Path = RESOURCES / "scenes") -> None:
    folder.mkdir(exist_ok=True)
    scenes = loss_scenes()
    scenes["learning-rate-too-small-right-too-large"] = descent_scene()
    scenes["batch-norm-rescues-a-deep-sigmoid-net"] = batch_norm_scene()
    for name, pages in scenes.items():
        path = scene.save(folder / f"{name}.json", pages)
        scene.load(path)  # what ships must open
        print(path)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else RESOURCES / "scenes")
