"""Live records/second plot (pyqtgraph), fed a few times a second, never per record."""

from __future__ import annotations

from collections import deque

import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget


class ThroughputPlot(QWidget):
    def __init__(self, parent: QWidget | None = None, window: int = 120) -> None:
        super().__init__(parent)
        self.setAccessibleName("Throughput plot (records per second)")
        self.setToolTip("Records per second over the last two minutes of the bulk send")
        self._x: deque[float] = deque(maxlen=window)
        self._y: deque[float] = deque(maxlen=window)
        self.plot = pg.PlotWidget(self)
        self.plot.setMinimumHeight(110)
        self.plot.setLabel("left", "records/s")
        self.plot.setLabel("bottom", "seconds")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#2f80ed", width=2))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)
        self._apply_palette()

    def _apply_palette(self) -> None:
        pal = self.palette()
        self.plot.setBackground(pal.color(QPalette.ColorRole.Base))
        fg = pal.color(QPalette.ColorRole.Text)
        for axis in ("left", "bottom"):
            ax = self.plot.getAxis(axis)
            ax.setPen(fg)
            ax.setTextPen(fg)

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._apply_palette()

    def clear(self) -> None:
        self._x.clear()
        self._y.clear()
        self.curve.setData([], [])

    def add_point(self, seconds: float, rate: float) -> None:
        self._x.append(seconds)
        self._y.append(rate)
        self.curve.setData(list(self._x), list(self._y))

    def points(self) -> list[tuple[float, float]]:
        return list(zip(self._x, self._y, strict=True))
