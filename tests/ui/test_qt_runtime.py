"""The Qt bindings this GUI runs on: PySide6 6.12.0 on CPython 3.11 loses a reference to None on
every Qt → Python callback (signal slot, event handler); a qasync app then dies with
"Fatal Python error: none_dealloc" after some tens of thousands of callbacks (a bulk send makes
that many in seconds). 6.11.3 does not; CPython ≥ 3.12 makes None immortal."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer


def test_qt_callbacks_keep_none_alive(qapp):
    calls = [0]
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: calls.__setitem__(0, calls[0] + 1))
    before = sys.getrefcount(None)
    timer.start()
    while calls[0] < 3000:
        QCoreApplication.processEvents()
    timer.stop()
    lost = before - sys.getrefcount(None)
    assert lost < 1000, (f"{lost} references to None lost in 3000 Qt callbacks: this PySide6 build leaks them "
                         "(use PySide6-Essentials != 6.12.0 on Python 3.11)")
