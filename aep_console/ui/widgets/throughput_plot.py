"""Live records/second plot, drawn with QPainter, fed about once a second.

(pyqtgraph was the first version: its axis items re-laid out their tick labels on every repaint,
10–20 ms each on the GUI thread during a bulk send; this widget paints in well under 1 ms.)
"""

from __future__ import annotations

import math
from collections import deque

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


def _nice(value: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if m * exp >= value:
            return float(m * exp)
    return float(10 * exp)


def _short(v: float) -> str:
    if v >= 1_000_000:
        return f"{v / 1_000_000:g}M"
    if v >= 1000:
        return f"{v / 1000:g}k"
    return f"{v:g}"


class ThroughputPlot(QWidget):
    def __init__(self, parent: QWidget | None = None, window: int = 600) -> None:
        super().__init__(parent)
        self.setAccessibleName("Throughput plot (records per second)")
        self.setToolTip("Records per second during the bulk send")
        self.setMinimumSize(220, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._x: deque[float] = deque(maxlen=window)
        self._y: deque[float] = deque(maxlen=window)
        self._xmax, self._ymax = 10.0, 1000.0

    def sizeHint(self) -> QSize:
        return QSize(320, 160)

    def clear(self) -> None:
        self._x.clear()
        self._y.clear()
        self._xmax, self._ymax = 10.0, 1000.0
        self.update()

    def add_point(self, seconds: float, rate: float) -> None:
        self._x.append(seconds)
        self._y.append(rate)
        if seconds > self._xmax:
            self._xmax = _nice(seconds * 1.2)
        if rate > self._ymax:
            self._ymax = _nice(rate * 1.2)
        self.update()

    def points(self) -> list[tuple[float, float]]:
        return list(zip(self._x, self._y, strict=True))

    def ranges(self) -> tuple[float, float]:
        return self._xmax, self._ymax

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()

    def _paint(self, p: QPainter) -> None:
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        grid = QColor(text)
        grid.setAlpha(40)
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        fm = QFontMetrics(self.font())
        left = fm.horizontalAdvance("999.9k") + 10
        bottom = fm.height() * 2 + 6
        plot = QRectF(left, 8, max(10, self.width() - left - 12), max(10, self.height() - bottom - 8))
        p.setPen(QPen(grid, 1))
        for i in range(5):
            y = plot.bottom() - plot.height() * i / 4
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            x = plot.left() + plot.width() * i / 4
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        p.setPen(text)
        for i in range(5):
            y = plot.bottom() - plot.height() * i / 4
            label = _short(self._ymax * i / 4)
            p.drawText(QRectF(0, y - fm.height() / 2, left - 6, fm.height()),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label)
            x = plot.left() + plot.width() * i / 4
            p.drawText(QRectF(x - 30, plot.bottom() + 2, 60, fm.height()), int(Qt.AlignmentFlag.AlignHCenter),
                       _short(self._xmax * i / 4))
        p.drawText(QRectF(plot.left(), plot.bottom() + fm.height() + 2, plot.width(), fm.height()),
                   int(Qt.AlignmentFlag.AlignHCenter), "seconds · records/s")
        if len(self._x) >= 1:
            path = QPainterPath()
            for i, (xv, yv) in enumerate(zip(self._x, self._y, strict=True)):
                pt = QPointF(plot.left() + plot.width() * min(xv / self._xmax, 1.0),
                             plot.bottom() - plot.height() * min(yv / self._ymax, 1.0))
                if i == 0:
                    path.moveTo(pt)
                else:
                    path.lineTo(pt)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QPen(QColor("#2f80ed"), 2))
            p.drawPath(path)
            if len(self._x) == 1:
                p.drawEllipse(path.currentPosition(), 2, 2)
