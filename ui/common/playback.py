"""Playback of a step-by-step run: play/pause, step, scrub, speed, reset.

A plain QObject so any page can drive its plots from ``step_changed``. At
high speeds it advances several steps per timer tick instead of asking for a
1 ms timer: Qt cannot redraw faster than the screen anyway.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from ui.common import theme
from ui.common.widgets import BigNumber

MIN_SPEED = 1.0
MAX_SPEED = 1000.0
FRAME_MS = 16  # about 60 frames per second; the fastest the timer ticks


class PlaybackController(QObject):
    """The current step of a run of ``last_step + 1`` states (0..last_step).

    ``available`` is how far the run has been computed (streaming runs grow);
    playback waits at that step until more arrives and stops at ``last_step``.
    """

    step_changed = Signal(int)
    playing_changed = Signal(bool)
    speed_changed = Signal(float)

    def __init__(self, last_step: int = 0, speed: float = 20.0, parent=None):
        super().__init__(parent)
        self._step = 0
        self._last = max(0, int(last_step))
        self._available = self._last
        self._speed = _clamp_speed(speed)
        self._owed = 0.0  # fraction of a step carried to the next tick
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)
        self._clock = QElapsedTimer()
        self._apply_interval()

    # -- state -------------------------------------------------------------
    @property
    def step(self) -> int:
        return self._step

    @property
    def last_step(self) -> int:
        return self._last

    @property
    def speed(self) -> float:
        return self._speed

    def is_playing(self) -> bool:
        return self._timer.isActive()

    @property
    def interval_ms(self) -> int:
        """How often the timer ticks while playing, in milliseconds."""
        return self._timer.interval()

    def steps_per_tick(self) -> float:
        """How many steps one timer tick advances at the current speed."""
        return self._speed * self._timer.interval() / 1000.0

    # -- commands ----------------------------------------------------------
    def set_range(self, last_step: int, available: int | None = None) -> None:
        """A new run: steps 0..last_step, of which 0..available are computed; keeps the step."""
        self._last = max(0, int(last_step))
        self._available = self._last if available is None else min(self._last, int(available))
        if self._step > self._available:
            self.seek(self._available)

    def set_available(self, available: int) -> None:
        """More of a streaming run has been computed."""
        self._available = min(self._last, max(0, int(available)))

    def seek(self, step: int) -> None:
        """Jump to ``step`` (clamped to what is computed); emits step_changed if it moved."""
        step = min(max(0, int(step)), self._available)
        if step != self._step:
            self._step = step
            self.step_changed.emit(step)

    def step_by(self, delta: int) -> None:
        """Step forward (delta > 0) or back; pauses playback like a video player does."""
        self.pause()
        self.seek(self._step + delta)

    def reset(self) -> None:
        """Pause and go back to step 0."""
        self.pause()
        self.seek(0)

    def play(self) -> None:
        if self.is_playing():
            return
        if self._step >= self._last:
            self.seek(0)  # play from the start again once at the end
        self._owed = 0.0
        self._clock.start()
        self._timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if not self.is_playing():
            return
        self._timer.stop()
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.is_playing() else self.play()

    def set_speed(self, steps_per_second: float) -> None:
        speed = _clamp_speed(steps_per_second)
        if speed == self._speed:
            return
        self._speed = speed
        self._apply_interval()
        self.speed_changed.emit(speed)

    # -- timer -------------------------------------------------------------
    def _apply_interval(self) -> None:
        self._timer.setInterval(max(FRAME_MS, round(1000.0 / self._speed)))

    def _on_tick(self) -> None:
        # Use the real elapsed time, so a slow redraw does not slow the playback.
        elapsed = self._clock.restart() / 1000.0
        self._owed += min(elapsed * self._speed, 4 * self.steps_per_tick())
        whole = int(self._owed + 0.1)  # a tick that fires a little early still steps
        if whole < 1:
            return
        self._owed -= whole
        self.seek(self._step + whole)
        if self._step >= self._last:
            self.pause()


def _clamp_speed(speed: float) -> float:
    return float(min(MAX_SPEED, max(MIN_SPEED, speed)))


class PlaybackBar(QWidget):
    """Buttons, scrub slider, speed and the big step number for a PlaybackController.

    Space plays/pauses and Left/Right step, anywhere inside ``shortcut_scope``
    (the page), except while typing in a text box.
    """

    def __init__(self, playback: PlaybackController, shortcut_scope: QWidget | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.playback = playback
        self.play_button = QPushButton("Play")
        self.play_button.setObjectName("play")
        self.play_button.setToolTip("Play or pause (Space)")
        self.back_button = QPushButton("◀")
        self.back_button.setToolTip("One step back (Left arrow)")
        self.forward_button = QPushButton("▶")
        self.forward_button.setToolTip("One step forward (Right arrow)")
        for arrow in (self.back_button, self.forward_button):
            arrow.setFixedWidth(arrow.fontMetrics().horizontalAdvance("◀") + 28)
        self.reset_button = QPushButton("Reset")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("scrub")
        self.speed = QSpinBox()
        self.speed.setObjectName("speed")
        self.speed.setRange(int(MIN_SPEED), int(MAX_SPEED))
        self.speed.setSuffix(" steps/s")
        self.speed.setValue(round(playback.speed))
        self.step_label = BigNumber("0")
        self.step_label.setObjectName("step_number")
        self._build()
        self._connect(shortcut_scope or self)
        self.set_range(playback.last_step)
        theme.notifier().changed.connect(self._fit_step_label)  # presentation mode

    def _build(self) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.slider)  # a row of its own: it must never be squeezed away
        row = QHBoxLayout()
        for button in (self.reset_button, self.back_button, self.play_button,
                       self.forward_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # keep Space for the shortcut
            row.addWidget(button)
        row.addSpacing(12)
        row.addWidget(QLabel("speed"))
        row.addWidget(self.speed)
        row.addStretch(1)
        row.addWidget(QLabel("step"))
        row.addWidget(self.step_label)
        column.addLayout(row)
        self._fit_step_label()

    def _connect(self, scope: QWidget) -> None:
        p = self.playback
        self.play_button.clicked.connect(p.toggle)
        self.back_button.clicked.connect(lambda: p.step_by(-1))
        self.forward_button.clicked.connect(lambda: p.step_by(1))
        self.reset_button.clicked.connect(p.reset)
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.speed.valueChanged.connect(p.set_speed)
        p.step_changed.connect(self._on_step_changed)
        p.playing_changed.connect(self._on_playing_changed)
        p.speed_changed.connect(self._on_speed_changed)
        for key, slot in ((Qt.Key.Key_Space, p.toggle), (Qt.Key.Key_Right, lambda: p.step_by(1)),
                          (Qt.Key.Key_Left, lambda: p.step_by(-1))):
            shortcut = QShortcut(QKeySequence(key), scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def _fit_step_label(self) -> None:
        # A label that may change size re-lays out the whole page on every frame; one of
        # fixed width and height does not (Qt stops the layout request there).
        widest = f"{self.playback.last_step:,} / {self.playback.last_step:,}"
        font = QFont(self.step_label.font())  # as BigNumber's style sheet sets it
        font.setPointSizeF(theme.font_pt(30))
        font.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(font)
        self.step_label.setFixedSize(metrics.horizontalAdvance(widest) + 12,
                                     metrics.height() + 8)

    def set_range(self, last_step: int, available: int | None = None) -> None:
        """A new run (or more of a streaming one): resize the slider, keep the step."""
        self.playback.set_range(last_step, available)
        with signals_blocked(self.slider):
            self.slider.setRange(0, self.playback.last_step)
            self.slider.setValue(self.playback.step)
        self._fit_step_label()
        self._show_step(self.playback.step)

    def _on_slider_changed(self, value: int) -> None:
        self.playback.pause()
        self.playback.seek(value)
        if self.playback.step != value:  # not computed yet: snap back
            with signals_blocked(self.slider):
                self.slider.setValue(self.playback.step)

    def _on_step_changed(self, step: int) -> None:
        with signals_blocked(self.slider):
            self.slider.setValue(step)
        self._show_step(step)

    def _show_step(self, step: int) -> None:
        self.step_label.setText(f"{step:,} / {self.playback.last_step:,}")

    def _on_playing_changed(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")

    def _on_speed_changed(self, speed: float) -> None:
        with signals_blocked(self.speed):
            self.speed.setValue(round(speed))
