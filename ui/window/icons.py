"""Small drawn icons for the lab selector (no image files to ship or scale)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QIcon, QPainter, QPainterPath, QPen, QPixmap

from ui.common import theme

SIZE = 64


def lab_icon(name: str) -> QIcon:
    """The icon of a lab: ``"loss"``, ``"descent"`` or ``"batch"``."""
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(theme.qcolor(0), 5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    {"loss": _loss, "descent": _descent, "batch": _batch}.get(name, _loss)(painter)
    painter.end()
    return QIcon(pixmap)


def _loss(p: QPainter) -> None:
    path = QPainterPath(QPointF(8, 10))
    path.quadTo(QPointF(32, 100), QPointF(56, 10))  # a parabola: loss against prediction
    p.drawPath(path)


def _descent(p: QPainter) -> None:
    points = [QPointF(8, 12), QPointF(50, 24), QPointF(14, 36), QPointF(44, 46), QPointF(30, 54)]
    for a, b in zip(points[:-1], points[1:], strict=True):
        p.drawLine(a, b)
    p.setPen(QPen(theme.qcolor(1), 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawPoint(points[-1])


def _batch(p: QPainter) -> None:
    for i, height in enumerate((20, 34, 46)):
        p.setBrush(theme.qcolor(i))
        p.drawRect(8 + i * 17, 58 - height, 12, height)
