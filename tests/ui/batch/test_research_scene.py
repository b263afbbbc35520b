"""The Batch lab's research tabs run what the scene holds; the scene saves and reopens it."""

import json

import pytest

from explorer.errors import InputError
from explorer.training.config import TrainConfig
from explorer.training.scene import BatchScene
from ui.batch.research import research_views


@pytest.mark.parametrize("index", [0, 1, 2])
def test_the_tab_and_the_seed_it_runs_save_reopen_and_reach_the_run(qtbot, index):
    views = research_views()
    for each in views:
        qtbot.addWidget(each)
    view = views[index]
    scene = BatchScene(config=TrainConfig(seed=7), experiment=view.key)
    again = BatchScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    assert again.experiment == view.key and again.config.seed == 7
    _, (config,) = view.job(again, "cpu")
    assert config.seed == 7 and config.device == "cpu"


def test_an_unknown_research_tab_is_refused_with_the_known_ones():
    data = BatchScene().to_dict()
    data["experiment"] = "noise_scales"
    with pytest.raises(InputError, match="noise_scale") as caught:
        BatchScene.from_dict(data)
    assert caught.value.field == "experiment"
