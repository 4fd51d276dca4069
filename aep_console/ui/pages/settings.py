"""Settings: drawn from the one list of settings (services.settings.SETTINGS); each change is
validated by the settings model, saved and applied at once."""

from __future__ import annotations

from typing import get_args

from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...services.settings import SETTINGS, Settings, SettingSpec, field_range
from ..widgets.banner import Banner


class SettingsPage(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Settings")
        self.editors: dict[str, QWidget] = {}
        self.banner = Banner("info", "")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<h2>Settings</h2>"))
        groups: dict[str, QFormLayout] = {}
        current = ctx.settings
        for spec in SETTINGS:
            form = groups.get(spec.group)
            if form is None:
                box = QGroupBox(spec.group)
                form = groups[spec.group] = QFormLayout(box)
                lay.addWidget(box)
            editor = self._editor(spec, getattr(current, spec.key))
            self.editors[spec.key] = editor
            if isinstance(editor, QCheckBox):
                form.addRow("", editor)
            else:
                label = QLabel(spec.label)
                label.setBuddy(editor)
                form.addRow(label, editor)
        lay.addWidget(self.banner)
        lay.addStretch(1)

    def _editor(self, spec: SettingSpec, value) -> QWidget:
        annotation = Settings.model_fields[spec.key].annotation
        name = spec.label.replace("&", "")
        if annotation is bool:
            w = QCheckBox(spec.label)
            w.setChecked(bool(value))
            w.toggled.connect(lambda on, key=spec.key: self.change(key, on))
        elif spec.choices or get_args(annotation):
            w = QComboBox()
            for v, text in spec.choices or [(c, c) for c in get_args(annotation)]:
                w.addItem(text, v)
            w.setCurrentIndex(max(0, w.findData(value)))
            w.activated.connect(lambda _i, key=spec.key, box=w: self.change(key, box.currentData()))
        else:
            w = QSpinBox()
            lo, hi = field_range(spec.key)
            w.setRange(lo, hi)
            w.setGroupSeparatorShown(True)
            w.setSuffix(spec.suffix)
            if spec.zero:
                w.setSpecialValueText(spec.zero)  # what 0 means, instead of "0 …"
            w.setValue(int(value))
            w.setKeyboardTracking(False)  # one change when the typing is done, not one per digit
            w.valueChanged.connect(lambda v, key=spec.key: self.change(key, v))
        w.setAccessibleName(name)
        w.setToolTip(spec.tooltip)
        if not isinstance(w, QCheckBox):
            w.setMaximumWidth(280)  # a value, not a paragraph
        return w

    def change(self, key: str, value) -> None:
        try:
            self.ctx.change_setting(key, value)
        except ValueError as exc:
            self.banner.set_message("error", f"Not saved: {exc}")
            return
        if key == "theme":
            from ..theme import apply_theme

            apply_theme(QApplication.instance(), value)
        label = next(s.label for s in SETTINGS if s.key == key).replace("&", "")
        self.banner.set_message("success", f"Saved: {label}.")
