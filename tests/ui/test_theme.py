"""The console's style: combo lists that drop below their box (no click lands on the wrong row),
and check boxes that show in the dark theme."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QStyle, QStyleOptionButton, QVBoxLayout, QWidget

from .helpers import choose, until


async def test_combo_list_drops_below_the_box_and_a_click_picks_the_row_under_it(qapp, qtbot):
    from aep_console.ui.theme import apply_theme

    apply_theme(qapp, "light")
    host = QWidget()
    qtbot.addWidget(host)
    combo = QComboBox(host)
    for i in range(12):
        combo.addItem(f"dataset {i}")
    QVBoxLayout(host).addWidget(combo)
    host.resize(300, 80)
    host.move(200, 400)
    host.show()
    choose(qtbot, combo, "dataset 7")  # Fusion's own list opens with this row over the box
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    await until(lambda: view.isVisible(), 5, "the open list")
    popup_top = view.window().geometry().top()
    combo_bottom = combo.mapToGlobal(combo.rect().bottomLeft()).y()
    assert popup_top >= combo_bottom - 1, (popup_top, combo_bottom)
    await asyncio.sleep(0.6)  # a person's next click (Qt ignores a release just after the list opens)
    rect = view.visualRect(view.model().index(2, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    await until(lambda: not view.isVisible(), 5, "the list to close")
    assert combo.currentText() == "dataset 2"


def _contrast(image, rect, background: QColor) -> int:
    worst = 0
    for x in range(rect.left(), rect.right() + 1):
        for y in range(rect.top(), rect.bottom() + 1):
            c = image.pixelColor(x, y)
            worst = max(worst, abs(c.red() - background.red()) + abs(c.green() - background.green())
                        + abs(c.blue() - background.blue()))
    return worst


def test_unchecked_check_box_shows_in_the_dark_theme(qapp, qtbot):
    from aep_console.ui.theme import apply_theme

    apply_theme(qapp, "dark")
    try:
        box = QCheckBox("Sync validation")
        qtbot.addWidget(box)
        box.resize(200, 30)
        box.show()
        opt = QStyleOptionButton()
        opt.initFrom(box)
        indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, opt, box)
        image = box.grab().toImage()
        background = box.palette().color(box.backgroundRole())
        assert _contrast(image, indicator, background) > 150, "the unchecked box is not visible on the dark window"
    finally:
        apply_theme(qapp, "light")
