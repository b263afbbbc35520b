"""The playback controller: play, pause, step, scrub, speed, streaming runs."""

from ui.common.playback import FRAME_MS, MAX_SPEED, MIN_SPEED, PlaybackController


def test_play_advances_and_stops_at_the_last_step(qtbot):
    playback = PlaybackController(last_step=5, speed=1000)
    seen = []
    playback.step_changed.connect(seen.append)
    with qtbot.waitSignal(playback.playing_changed) as started:
        playback.play()
    assert started.args == [True]
    qtbot.waitUntil(lambda: not playback.is_playing(), timeout=3000)
    assert playback.step == 5
    assert seen == sorted(seen) and seen[-1] == 5


def test_play_at_the_end_starts_again_from_zero(qtbot):
    playback = PlaybackController(last_step=3, speed=1000)
    playback.seek(3)
    seen = []
    playback.step_changed.connect(seen.append)
    playback.play()
    qtbot.waitUntil(lambda: not playback.is_playing(), timeout=3000)
    assert seen[0] == 0 and playback.step == 3


def test_step_and_seek_clamp_and_pause(qtbot):
    playback = PlaybackController(last_step=10)
    playback.step_by(1)
    assert playback.step == 1
    playback.step_by(-5)
    assert playback.step == 0
    playback.seek(99)
    assert playback.step == 10
    playback.seek(6)
    playback.play()
    playback.step_by(-1)
    assert not playback.is_playing() and playback.step == 5
    playback.reset()
    assert playback.step == 0


def test_high_speed_advances_several_steps_per_tick_not_a_faster_timer():
    playback = PlaybackController(last_step=100_000, speed=MAX_SPEED)
    assert playback.interval_ms == FRAME_MS
    assert playback.steps_per_tick() > 10
    playback.set_speed(MIN_SPEED)
    assert playback.interval_ms == 1000
    assert playback.steps_per_tick() == 1.0
    playback.set_speed(1e9)
    assert playback.speed == MAX_SPEED
    playback.set_speed(0)
    assert playback.speed == MIN_SPEED


def test_thousand_steps_per_second_plays_fast(qtbot):
    playback = PlaybackController(last_step=100_000, speed=MAX_SPEED)
    playback.play()
    # 200 steps at 1,000/s take 0.2 s; at one step per 16 ms tick they would take 3.2 s.
    qtbot.waitUntil(lambda: playback.step >= 200, timeout=2000)
    playback.pause()


def test_streaming_run_waits_for_more_steps(qtbot):
    playback = PlaybackController(last_step=50, speed=1000)
    playback.set_range(50, available=4)
    playback.seek(40)
    assert playback.step == 4
    playback.play()
    qtbot.waitUntil(lambda: playback.step == 4)
    assert playback.is_playing()  # waiting, not finished
    playback.set_available(50)
    qtbot.waitUntil(lambda: playback.step == 50, timeout=3000)
    assert not playback.is_playing()


def test_new_shorter_run_keeps_the_step_where_it_can(qtbot):
    playback = PlaybackController(last_step=100)
    playback.seek(30)
    playback.set_range(200)
    assert playback.step == 30
    playback.set_range(20)
    assert playback.step == 20
