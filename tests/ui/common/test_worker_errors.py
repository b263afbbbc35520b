"""Issue 16: every worker failure is a message where the user started the run.

An ``InputError`` with a field turns that control red; anything else becomes words that
name the run and the exception, never a bare "RuntimeError:". A job waits for its own
threads only.
"""

import time

import pytest
from PySide6.QtCore import Qt

from explorer import descent, losses
from explorer.descent import lr_finder
from explorer.errors import InputError
from explorer.training.scene import BatchScene
from ui.batch.panel import BatchPanel
from ui.common.widgets import is_marked_invalid
from ui.common.worker import Background, JobFailed, failure_text
from ui.descent.panel import DescentPanel
from ui.loss.panel import LossPanel

QUICK = BatchScene().with_changes(epochs=2, batch_size=30)


def _raises(exc):
    def generator(*_args, **_kwargs):
        yield from ()
        raise exc
    return generator


def _sleeps(seconds: float):
    def generator():
        for _ in range(int(seconds / 0.02)):
            time.sleep(0.02)
            yield
    return generator


# ---- Background ---------------------------------------------------------------------------
def test_an_unexpected_exception_is_named_with_its_run_and_its_words(qtbot):
    job = Background()
    errors, said = [], []
    job.failed.connect(said.append)
    with qtbot.waitSignal(job.busy_changed, check_params_cb=lambda busy: not busy):
        job.start(_raises(RuntimeError("")), what="the LR range test", on_error=errors.append)
    assert isinstance(errors[0], JobFailed) and errors[0].field is None
    assert str(errors[0]) == said[0]
    assert said[0].startswith("The LR range test failed: RuntimeError")
    assert said[0].strip() != "RuntimeError:"


def test_failure_text_keeps_the_exception_s_words():
    text = failure_text("training BN off", RuntimeError("mat1 and mat2 shapes differ"))
    assert text == "Training BN off failed (RuntimeError): mat1 and mat2 shapes differ."
    assert failure_text("x", InputError("Type a number.", field="lr")) == "Type a number."


def test_an_input_error_goes_to_its_control_not_to_the_status_bar(qtbot):
    job = Background()
    errors, said = [], []
    job.failed.connect(said.append)
    with qtbot.waitSignal(job.busy_changed, check_params_cb=lambda busy: not busy):
        job.start(_raises(InputError("Too big.", field="steps")), on_error=errors.append)
    assert [e.field for e in errors] == ["steps"] and said == []


def test_a_job_waits_for_its_own_thread_only(qtbot):
    slow, cancelled = Background(), Background()
    slow.start(_sleeps(1.5))
    cancelled.start(_sleeps(1.5))
    started = time.perf_counter()
    assert cancelled.shutdown()
    assert time.perf_counter() - started < 0.5 and slow.running and not cancelled.running
    assert slow.shutdown() and not slow.running


# ---- the labs -----------------------------------------------------------------------------
@pytest.fixture
def batch(qtbot):
    page = BatchPanel()
    qtbot.addWidget(page)
    page.show_scene(QUICK)
    yield page
    page.shutdown()


def _view(panel, key):
    return next(v for v in panel.experiments if v.key == key)


def test_a_training_failure_is_said_under_the_train_button(qtbot, batch, monkeypatch):
    monkeypatch.setattr("ui.batch.controller.train_live", _raises(RuntimeError()))
    qtbot.mouseClick(batch.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not batch.busy, timeout=20_000)
    assert batch.status.text().startswith("Training BN off · B=30")
    assert "failed: RuntimeError" in batch.status.text()
    assert batch.curves.runs == {} and batch.train_button.isEnabled()


def test_an_experiment_failure_marks_its_run_button_and_run_works_again(
        qtbot, batch, monkeypatch):
    view = _view(batch, "gradient_noise")
    batch.tabs.setCurrentWidget(view)
    real_job = view.job
    monkeypatch.setattr(view, "job", lambda scene, device: (_raises(KeyError("lr")), ()))
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not batch.busy, timeout=20_000)
    message = "The Gradient noise experiment failed (KeyError): 'lr'."
    assert is_marked_invalid(view.run_button) and view.run_button.toolTip() == message
    assert batch.status.text() == message
    monkeypatch.setattr(view, "job", real_job)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.has_result and not batch.busy, timeout=30_000)
    assert not is_marked_invalid(view.run_button)
    assert view.run_button.toolTip() == "Run the experiment: Gradient noise"


def test_a_bad_small_batch_clears_once_fixed_and_run_runs_again(qtbot, batch):
    # Issue 12: after small batch 200 the error stayed and Run did nothing.
    view = _view(batch, "batch_sizes")
    batch.tabs.setCurrentWidget(view)
    view.small.setValue(200)
    assert is_marked_invalid(view.small) and "from 1 to 120" in view.error.text()
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert not batch.busy
    view.small.setValue(10)
    assert not is_marked_invalid(view.small) and not view.error.isVisibleTo(view)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.has_result and not batch.busy, timeout=60_000)
    assert 10 in view.result


def test_a_device_failure_of_an_experiment_leaves_run_usable(qtbot, batch):
    view = _view(batch, "gradient_noise")
    batch.tabs.setCurrentWidget(view)
    batch.set_device("cuda:7")
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not batch.busy, timeout=20_000)
    assert "cuda:7" in batch.status.text() and is_marked_invalid(view.run_button)
    batch.set_device("cpu")
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.has_result and not batch.busy, timeout=30_000)


@pytest.fixture
def descent_page(qtbot):
    page = DescentPanel()
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.result is not None and not page.busy, timeout=30_000)
    yield page
    page.shutdown()


def test_an_lr_test_failure_is_said_at_its_run_button(qtbot, descent_page, monkeypatch):
    monkeypatch.setattr(lr_finder, "iter_lr_range_test", _raises(RuntimeError("no data")))
    said = []
    descent_page.status_message.connect(said.append)
    descent_page.controller.run_lr_test()
    qtbot.waitUntil(lambda: not descent_page.busy, timeout=20_000)
    view = descent_page.lr_test
    message = "The LR range test failed (RuntimeError): no data."
    assert view.error.text() == message and is_marked_invalid(view.run_button)
    assert message in said


def test_a_sweep_failure_is_said_under_the_run_settings(qtbot, descent_page, monkeypatch):
    monkeypatch.setattr(descent, "iter_sweep", _raises(FloatingPointError("overflow")))
    before = descent_page.result
    descent_page.controller.set_device("cpu")  # re-runs the scene
    qtbot.waitUntil(lambda: not descent_page.busy, timeout=20_000)
    text = descent_page.sidebar.start_error.text()
    assert text.startswith("The ") and "failed (FloatingPointError): overflow." in text
    assert descent_page.result is before  # the last good run stays


def test_a_loss_that_torch_refuses_is_said_at_the_result(qtbot, monkeypatch):
    page = LossPanel()
    qtbot.addWidget(page)
    monkeypatch.setattr(losses, "evaluate", lambda *a, **k: (_ for _ in ()).throw(
        RuntimeError("expected scalar type Float")))
    page.state.evaluate()
    text = page.result.message.text()
    assert "failed (RuntimeError): expected scalar type Float." in text
    assert text.startswith("Evaluating ")
