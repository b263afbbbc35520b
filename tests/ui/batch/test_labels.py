"""What the Batch lab writes for a run: its name in the legend and the run list."""

from explorer.training import TrainConfig
from explorer.training.scene import BatchScene
from ui.batch.labels import rate_text, run_label


def test_label_names_a_run():
    assert run_label(TrainConfig(batch_norm=True, batch_size=32, lr=0.1)) == "BN on · B=32 · lr=0.1"
    assert run_label(TrainConfig(shuffle=False)).endswith("unshuffled")


def test_a_scene_s_run_is_named_after_its_config():
    scene = BatchScene().with_changes(hidden=(8, 4), batch_norm=True, batch_size=32,
                                      shuffle=False, lr=0.5)
    assert run_label(scene.train_config("cpu")) == "BN on · B=32 · lr=0.5 · unshuffled"


def test_a_typed_rate_shows_every_digit():
    assert rate_text(0.00123456789) == "0.00123456789" and float(rate_text(0.1)) == 0.1


def test_bn_placement_is_named_when_it_differs_between_bn_runs():
    before = TrainConfig(batch_norm=True)
    after = before.replace(bn_position="after")
    assert run_label(after, [before]) == "BN on · B=16 · lr=0.1 · BN after activation"
    assert run_label(before, [after]) == "BN on · B=16 · lr=0.1 · BN before activation"
    assert run_label(after, [after]) == "BN on · B=16 · lr=0.1 · run 2"
    # Without BN there is no placement to name, and a BN-off run does not make it differ.
    off = TrainConfig(batch_norm=False)
    assert run_label(after, [off]) == "BN on · B=16 · lr=0.1"
    assert run_label(off, [after]) == "BN off · B=16 · lr=0.1"
    assert run_label(off.replace(bn_position="after"), [off]).endswith("run 2")
