"""Light and dark palettes. "system" follows the OS colour scheme, and changes with it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle

_DARK = {
    QPalette.ColorRole.Window: "#202124",
    QPalette.ColorRole.WindowText: "#e8eaed",
    QPalette.ColorRole.Base: "#17181a",
    QPalette.ColorRole.AlternateBase: "#26272b",
    QPalette.ColorRole.ToolTipBase: "#2d2e31",
    QPalette.ColorRole.ToolTipText: "#e8eaed",
    QPalette.ColorRole.PlaceholderText: "#9aa0a6",
    QPalette.ColorRole.Text: "#e8eaed",
    QPalette.ColorRole.Button: "#2d2e31",
    QPalette.ColorRole.ButtonText: "#e8eaed",
    QPalette.ColorRole.BrightText: "#ff6e6e",
    QPalette.ColorRole.Highlight: "#3d7be0",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#8ab4f8",
    QPalette.ColorRole.Mid: "#3c4043",
    QPalette.ColorRole.Dark: "#111214",
}
_LIGHT = {
    QPalette.ColorRole.Window: "#f5f6f7",
    QPalette.ColorRole.WindowText: "#1f2328",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f0f2f4",
    QPalette.ColorRole.ToolTipBase: "#ffffe1",
    QPalette.ColorRole.ToolTipText: "#1f2328",
    QPalette.ColorRole.PlaceholderText: "#6e7781",
    QPalette.ColorRole.Text: "#1f2328",
    QPalette.ColorRole.Button: "#eceef0",
    QPalette.ColorRole.ButtonText: "#1f2328",
    QPalette.ColorRole.BrightText: "#c62828",
    QPalette.ColorRole.Highlight: "#1a73e8",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#0b57d0",
    QPalette.ColorRole.Mid: "#c8ccd0",
    QPalette.ColorRole.Dark: "#9ea4aa",
}


class ConsoleStyle(QProxyStyle):
    """Fusion, with combo box lists that drop below the box. (Fusion opens a list over the box,
    its current item under the pointer: the click that opened it, or the next one, lands on a
    neighbouring row, and a file goes to the wrong dataset.)"""

    def styleHint(self, hint, option=None, widget=None, returnData=None):
        if hint == QStyle.StyleHint.SH_ComboBox_Popup:
            return 0
        return super().styleHint(hint, option, widget, returnData)

    def drawPrimitive(self, element, option, painter, widget=None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        # Fusion outlines check boxes and radio buttons in the window colour darkened: on a dark
        # palette an unchecked one is invisible. Outline them in a colour that stands out.
        if element in (QStyle.PrimitiveElement.PE_IndicatorCheckBox, QStyle.PrimitiveElement.PE_IndicatorRadioButton) \
                and is_dark():
            from PySide6.QtGui import QPen

            painter.save()
            painter.setRenderHint(painter.RenderHint.Antialiasing, True)
            painter.setPen(QPen(QColor(_INDICATOR_OUTLINE), 1.2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            r = option.rect.adjusted(1, 1, -1, -1)
            if element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
                painter.drawEllipse(r)
            else:
                painter.drawRoundedRect(r, 2, 2)
            painter.restore()


_INDICATOR_OUTLINE = "#9aa0a6"


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def palette_for(dark: bool) -> QPalette:
    palette = QPalette()
    for role, color in (_DARK if dark else _LIGHT).items():
        palette.setColor(role, QColor(color))
    disabled = QColor("#7f8388")
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def is_dark(app: QApplication | None = None) -> bool:
    app = app or QApplication.instance()
    return bool(app and app.property("aepDarkTheme"))


def apply_theme(app: QApplication, choice: str = "system") -> None:
    """Fusion style with our palette; with "system" it follows the OS scheme, live."""
    if not isinstance(app.style(), ConsoleStyle):
        app.setStyle(ConsoleStyle("Fusion"))

    def refresh(*_args) -> None:
        dark = system_is_dark() if choice == "system" else choice == "dark"
        app.setProperty("aepDarkTheme", dark)
        app.setPalette(palette_for(dark))

    refresh()
    if choice == "system" and not app.property("aepThemeHooked"):
        QGuiApplication.styleHints().colorSchemeChanged.connect(refresh)
        app.setProperty("aepThemeHooked", True)
