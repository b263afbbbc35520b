"""Own data (issue 15): the user's CSV file read, refused with its line and column, trained on."""

from __future__ import annotations

import math
import os

import pytest
import torch

from explorer import csv_data, data
from explorer.errors import InputError
from explorer.training import TrainConfig, run
from explorer.training.config import parameter_count
from explorer.training.edits import edit_training
from explorer.training.loop import prepare
from explorer.training.scene import BatchScene


def blobs(path, n=200, seed=0, names=("blue", "red"), delimiter=","):
    """Two well separated blobs in 2-D, classes alternating row by row (not sorted)."""
    generator = torch.Generator().manual_seed(seed)
    lines = [delimiter.join(["x", "y", "colour"])]
    for i in range(n):
        c = i % 2
        x, y = (0.5 * torch.randn(2, generator=generator) + (2.0 if c else -2.0)).tolist()
        lines.append(delimiter.join([f"{x:.4f}", f"{y:.4f}", names[c]]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def blob_csv(tmp_path):
    return blobs(tmp_path / "blobs.csv")


# ---- reading -------------------------------------------------------------------------------
def test_a_csv_is_the_same_table_type_as_the_shipped_sets(blob_csv):
    table = data.load_csv(str(blob_csv), label="colour")
    assert isinstance(table, data.Table) and table.name == "blobs.csv"
    assert table.features.shape == (200, 2) and table.features.dtype == torch.float32
    assert table.labels.dtype == torch.int64
    assert table.feature_names == ("x", "y")
    assert table.class_names == ("blue", "red")  # text labels, in order of first appearance


def test_rows_keep_the_files_order(blob_csv):
    table = data.load_csv(blob_csv, "colour")
    rows = blob_csv.read_text().splitlines()[1:]
    assert table.labels.tolist() == [0, 1] * 100
    first = [float(v) for v in rows[0].split(",")[:2]]
    assert table.features[0].tolist() == pytest.approx(first, abs=1e-4)


def test_unshuffled_minibatches_follow_the_files_order(blob_csv):
    config = TrainConfig(dataset=f"csv:{blob_csv}", label="colour", shuffle=False, batch_size=8)
    session = prepare(config)
    x, y = next(iter(session.loader))
    assert torch.equal(y, session.data.y_train[:8]) and torch.equal(x, session.data.x_train[:8])
    split, table = session.data, data.load_csv(blob_csv, "colour")
    restored = split.x_train * split.std + split.mean
    rows = torch.cdist(restored, table.features).argmin(dim=1)
    assert (rows.diff() > 0).all()  # the training rows are the file's, in the file's order
    assert torch.equal(split.y_train, table.labels[rows])


def test_labels_may_be_numbers_and_the_label_any_column(tmp_path):
    path = tmp_path / "num.csv"
    path.write_text("k,a,b\n3,1,2\n1,2,3\n3,4,5\n2,6,7\n")
    table = data.load_csv(path, "k")
    assert table.class_names == ("3", "1", "2") and table.labels.tolist() == [0, 1, 0, 2]
    assert table.feature_names == ("a", "b") and table.features[1].tolist() == [2.0, 3.0]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_sniffed(tmp_path, delimiter):
    path = blobs(tmp_path / "d.csv", n=20, delimiter=delimiter)
    assert data.load_csv(path, "colour").features.shape == (20, 2)


def test_a_byte_order_mark_blank_lines_and_quotes_are_fine(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes('\ufeff"a","b","class"\r\n1,2,"x, y"\r\n\r\n3,4,z\r\n'.encode())
    table = data.load_csv(path, "class")
    assert table.class_names == ("x, y", "z") and table.features.tolist() == [[1, 2], [3, 4]]


def test_a_changed_file_is_read_again(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("a,y\n1,p\n2,q\n")
    assert data.load_csv(path, "y").features.flatten().tolist() == [1, 2]
    first = data.content_hash(f"csv:{path}")
    path.write_text("a,y\n5,p\n6,q\n7,q\n")
    assert data.load_csv(path, "y").features.flatten().tolist() == [5, 6, 7]
    assert data.content_hash(f"csv:{path}") != first and len(first) == 12


# ---- refusals ------------------------------------------------------------------------------
BAD = [
    # (name, bytes of the file, label, words the message must hold)
    ("empty", b"", "y", ["empty"]),
    ("blank", b"\n\n  \n", "y", ["empty"]),
    ("one column", b"a\n1\n2\n", "a", ["one column", "line 1"]),
    ("header only", b"a,y\n", "y", ["no data rows"]),
    ("one row", b"a,y\n1,p\n", "y", ["one data row", "line 2"]),
    ("one class", b"a,y\n1,p\n2,p\n3,p\n", "y", ["only one class", "'y'"]),
    ("text feature", b"a,b,y\n1,2,p\n3,four,q\n", "y",
     ["line 3", "column 2", "'b'", "'four' is not a number"]),
    ("missing value", b"a,b,y\n1,2,p\n3,,q\n", "y", ["line 3", "column 2", "missing"]),
    ("NA value", b"a,b,y\n1,NA,p\n3,4,q\n", "y", ["line 2", "column 2", "missing"]),
    ("missing label", b"a,y\n1,p\n2,\n", "y", ["line 3", "column 2", "label is missing"]),
    ("infinite", b"a,y\n1,p\ninf,q\n", "y", ["line 3", "column 1", "not a number"]),
    ("float32 overflow", b"a,y\n1,p\n1e300,q\n", "y", ["line 3", "column 1", "too large"]),
    ("short row", b"a,b,y\n1,2,p\n3,q\n", "y", ["line 3", "2 values", "3 columns"]),
    ("long row", b"a,y\n1,p\n3,q,9\n", "y", ["line 3", "3 values"]),
    ("no such label", b"a,b,y\n1,2,p\n3,4,q\n", "class", ["no column 'class'", "a, b, y"]),
    ("duplicate header", b"a,a,y\n1,2,p\n3,4,q\n", "y", ["line 1", "columns 1 and 2", "'a'"]),
    ("blank header", b"a,,y\n1,2,p\n3,4,q\n", "y", ["line 1", "column 2", "name"]),
    ("not utf-8", "a,y\n1,p\n2,\u00e9\n".encode("latin-1"), "y", ["UTF-8", "line 3"]),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "y", ["binary", "not a CSV"]),
    ("bad quote", b'a,y\n1,p\n2,"q\n', "y", ["line", "not valid CSV"]),
    ("too few for validation", b"a,y\n1,p\n2,q\n", "y", ["too few rows", "validation"]),
]


@pytest.mark.parametrize(("content", "label", "words"), [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_a_bad_file_is_refused_with_its_line_and_column(tmp_path, content, label, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        data.load(f"csv:{path}", 0, label)
    message = str(caught.value)
    assert caught.value.field in ("dataset", "label")
    for word in words:
        assert word in message, message
    config = TrainConfig(dataset=f"csv:{path}", label=label)
    assert config.problems(), "a config on a refused file must be refused too"


def test_a_missing_file_a_folder_and_a_bad_path_are_refused(tmp_path):
    cases = [(tmp_path / "nope.csv", "does not exist"), (tmp_path, "is a folder"),
             (None, "path as text"), (12, "path as text"), ("", "path as text"),
             ("a\0b.csv", "NUL")]
    for path, words in cases:
        with pytest.raises(InputError, match=words) as caught:
            data.load_csv(path, "y")
        assert caught.value.field == "dataset"


def test_too_many_rows_or_columns_are_refused(tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(csv_data.MAX_CSV_ROWS + 1)))
    with pytest.raises(InputError, match="more than 100,000 data rows"):
        data.load_csv(rows, "y")
    wide = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(csv_data.MAX_CSV_COLUMNS + 1))
    wide.write_text(header + "\n" + ",".join(["1"] * (csv_data.MAX_CSV_COLUMNS + 1)) + "\n")
    with pytest.raises(InputError, match="1,001 columns"):
        data.load_csv(wide, "c0")


def test_a_file_of_too_many_values_is_refused_at_the_line_that_passes_the_budget(tmp_path,
                                                                               monkeypatch):
    monkeypatch.setattr(csv_data, "MAX_CSV_CELLS", 30)
    path = tmp_path / "cells.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(20)))
    with pytest.raises(InputError, match="line 12; at most 30 are read"):
        data.load_csv(path, "y")


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = blobs(tmp_path / "big.csv")
    monkeypatch.setattr(csv_data, "MAX_CSV_BYTES", 100)
    opened = []
    monkeypatch.setattr(csv_data, "open", lambda *a, **k: opened.append(a), raising=False)
    with pytest.raises(InputError, match="MAX_CSV_BYTES"):
        data.load_csv(path, "colour")
    assert not opened


def test_a_refused_file_keeps_nothing(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a,y\n1,p\n2,q\n3,p\n4,q\n")
    good = data.load_csv(path, "y")
    path.write_text("a,y\n1,p\n2,q\n3,x\n4,oops,\n")
    with pytest.raises(InputError, match="line 5"):
        data.load_csv(path, "y")
    os.utime(path)
    with pytest.raises(InputError):
        data.load_csv(path, "y")
    assert good.features.flatten().tolist() == [1, 2, 3, 4]


# ---- training ------------------------------------------------------------------------------
def test_two_separated_blobs_train_to_high_accuracy(blob_csv):
    config = TrainConfig(dataset=f"csv:{blob_csv}", label="colour", hidden=(8,), epochs=15,
                         batch_size=16, lr=0.1)
    records = list(run(config))
    assert records[-1].val_accuracy >= 0.95


def test_a_csv_config_needs_its_label_and_knows_its_shape(tmp_path, blob_csv):
    name = f"csv:{blob_csv}"
    assert TrainConfig(dataset=name).problems() == {
        "label": "Choose the label column of the CSV file (which column holds the classes)."}
    assert "no column 'z'" in TrainConfig(dataset=name, label="z").problems()["label"]
    assert "label" in TrainConfig(dataset="iris", label="colour").problems()
    assert "csv" in TrainConfig(dataset="mnist").problems()["dataset"].lower()
    assert data.shape(name, "colour") == (2, 2)
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"f{i}" for i in range(900)) + ",y\n"
                    + "".join(",".join(["1"] * 900) + f",{i % 2}\n" for i in range(10)))
    problems = TrainConfig(dataset=f"csv:{wide}", label="y", hidden=(4096,) * 2).problems()
    assert "weights and biases" in problems["hidden"]
    assert parameter_count((4,), *data.shape(f"csv:{wide}", "y")) == 901 * 4 + 5 * 2
    problems = TrainConfig(dataset=name, label="colour", batch_size=500).problems()
    assert "blobs.csv has 160 samples" in problems["batch_size"]


# ---- scenes --------------------------------------------------------------------------------
def test_a_scene_on_a_csv_saves_path_label_and_hash_and_reopens(blob_csv):
    scene = BatchScene(config=TrainConfig(dataset=f"csv:{blob_csv}", label="colour"))
    saved = scene.to_dict()
    assert saved["config"]["dataset"] == f"csv:{blob_csv}"
    assert saved["config"]["label"] == "colour"
    assert saved["csv_hash"] == data.content_hash(f"csv:{blob_csv}")
    reopened = BatchScene.from_dict(saved)
    assert reopened.config == scene.config and reopened.data_note() == ""
    assert reopened.is_two_d()


def test_reopening_a_scene_whose_csv_changed_says_so(blob_csv):
    saved = BatchScene(config=TrainConfig(dataset=f"csv:{blob_csv}", label="colour")).to_dict()
    with open(blob_csv, "a") as f:
        f.write("0.1,0.2,red\n")
    reopened = BatchScene.from_dict(saved)
    assert "changed since the scene was saved" in reopened.data_note()
    assert "blobs.csv" in reopened.data_note()
    edited = reopened.with_changes(dataset="iris", label=None)
    assert edited.csv_hash is None and edited.data_note() == ""


def test_a_scene_whose_csv_is_gone_is_refused(blob_csv):
    saved = BatchScene(config=TrainConfig(dataset=f"csv:{blob_csv}", label="colour")).to_dict()
    blob_csv.unlink()
    with pytest.raises(InputError, match="not there any more") as caught:
        BatchScene.from_dict(saved)
    assert str(blob_csv) in str(caught.value)


def test_old_scenes_and_shipped_sets_are_unchanged():
    saved = BatchScene().to_dict()
    assert "csv_hash" not in saved and saved["config"]["label"] is None
    old = {k: v for k, v in saved.items()}
    old["config"] = {k: v for k, v in saved["config"].items() if k != "label"}
    assert BatchScene.from_dict(old) == BatchScene()
    assert not BatchScene().is_two_d() and BatchScene().with_changes(dataset="moons").is_two_d()
    with pytest.raises(InputError, match="csv_hash"):
        BatchScene.from_dict({**saved, "csv_hash": "../etc"})


def test_decision_regions_follow_the_csvs_feature_count(tmp_path, blob_csv):
    path = tmp_path / "three.csv"
    path.write_text("a,b,c,y\n" + "".join(f"{i % 3},{i},{i},{i % 2}\n" for i in range(20)))
    three = BatchScene(config=TrainConfig(dataset=f"csv:{path}", label="y", batch_size=4))
    assert not three.is_two_d()
    # any column may be the label (the experiments' batch sizes fitted to 16 training rows)
    assert edit_training(three, label="a").problems() == {}
    two = BatchScene(config=TrainConfig(dataset=f"csv:{blob_csv}", label="colour"))
    assert two.is_two_d()


# ---- junk ----------------------------------------------------------------------------------
JUNK = [None, "ab", "12", [1], {}, -1, 0, 1.5, True, 2**64, math.nan, -math.inf, 1e39, object(),
        "x" * 2_000_000, "colour\0"]


def test_any_value_of_path_label_or_hash_is_a_result_or_an_input_error(blob_csv):
    name = f"csv:{blob_csv}"
    calls = {
        "load_csv path": lambda v: data.load_csv(v, "colour"),
        "load_csv label": lambda v: data.load_csv(blob_csv, v),
        "load label": lambda v: data.load(name, 0, v),
        "load name": lambda v: data.load(f"csv:{v}", 0, "colour"),
        "shape label": lambda v: data.shape(name, v),
        "config label": lambda v: list(run(TrainConfig(dataset=name, label=v, epochs=1))),
        "config iris label": lambda v: list(run(TrainConfig(label=v, epochs=1))),
        "scene hash": lambda v: BatchScene.from_dict({"config": {"dataset": name, "label":
                                                                 "colour"}, "csv_hash": v}),
    }
    broken = []
    for what, call in calls.items():
        for value in JUNK:
            try:
                call(value)
            except InputError as error:
                assert str(error).strip()
            except Exception as error:  # noqa: BLE001 - what the promise rules out
                broken.append(f"{what}={str(value)[:20]!r}: {type(error).__name__}: {error}")
    assert not broken, "\n".join(broken)
