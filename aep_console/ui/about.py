"""The version text of the About box, the crash report and ``aep-console --version``."""

from __future__ import annotations

import platform

from .. import APP_NAME, __version__


def version_text() -> str:
    try:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        qt = f"Qt {qVersion()}, PySide6 {pyside_version}"
    except ImportError:  # pragma: no cover - PySide6 is a hard dependency
        qt = "Qt unavailable"
    return (
        f"{APP_NAME} {__version__}\n{qt}\n"
        f"Python {platform.python_version()} ({platform.python_implementation()})\n"
        f"{platform.platform()}"
    )
