"""Write the example scenes shipped in resources/scenes (run again after a scene format change).

    python tools/make_example_scenes.py
"""

from __future__ import annotations

from explorer import RESOURCES, losses, scene
from explorer.descent import reference_lrs
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
        page = LossScene(loss=name, reduction=spec.default_reduction)
        out[f"slide-{i:02d}-{name}"] = {"loss": page.to_dict()}
    return out


def descent_scene() -> dict:
    start = (-3.0, 2.5)
    ref = reference_lrs("quadratic", start)
    lrs = tuple(round(ref.presets[k], 4) for k in ("too small", "good", "too large", "diverging"))
    page = DescentScene(surface="quadratic", lrs=lrs, steps=60, start=start)
    return {"descent": page.to_dict()}


def batch_norm_scene() -> dict:
    config = deep_sigmoid_config()
    page = BatchScene(
        dataset=config.dataset, hidden=tuple(config.hidden), activation=config.activation,
        batch_norm=True, batch_size=config.batch_size, shuffle=config.shuffle,
        optimizer=config.optimizer, lr=config.lr, epochs=config.epochs, seed=config.seed,
        experiment="batch_norm",
    )
    return {"batch": page.to_dict()}


def main() -> None:
    folder = RESOURCES / "scenes"
    folder.mkdir(exist_ok=True)
    scenes = loss_scenes()
    scenes["learning-rate-too-small-right-too-large"] = descent_scene()
    scenes["batch-norm-rescues-a-deep-sigmoid-net"] = batch_norm_scene()
    for name, pages in scenes.items():
        path = scene.save(folder / f"{name}.json", pages)
        scene.load(path)  # what ships must open
        print(path.relative_to(RESOURCES.parent))


if __name__ == "__main__":
    main()
