"""Start-up of the desktop console: QApplication, theme, logging, crash reporting, the qasync
loop (asyncio running on Qt's event loop), the application context and the main window."""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass

import qasync
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from .. import APP_ID, APP_NAME, __version__
from ..logging_setup import setup_logging
from .crash import CrashReporter
from .logview import QtLogHandler
from .main_window import MainWindow
from .tasks import TaskRunner
from .theme import apply_theme

log = logging.getLogger(__name__)


@dataclass
class Console:
    """Everything the running console is made of (tests build one of these too)."""

    app: QApplication
    window: MainWindow
    context: object
    runner: TaskRunner
    crash_reporter: CrashReporter
    log_handler: QtLogHandler


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("aep-console")
    from importlib.resources import files

    icon = files("aep_console.ui").joinpath("icon.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def build_console(
    *,
    theme: str = "system",
    log_level: str = "INFO",
    loop: asyncio.AbstractEventLoop | None = None,
    profile: str | None = None,
    stderr_logging: bool = True,
) -> Console:
    """Build (not show) the console on the running qasync loop."""
    app = application()
    apply_theme(app, theme)
    log_handler = QtLogHandler()
    log_path = setup_logging(log_level, extra_handlers=[log_handler], stderr=stderr_logging)
    crash_reporter = CrashReporter()
    crash_reporter.install(loop)
    runner = TaskRunner(crash_reporter.report_exception, loop)
    from .context import AppContext

    context = AppContext(runner)
    window = MainWindow(context, log_handler)
    crash_reporter.parent_widget = window
    starter = getattr(context, "start", None)
    if starter is not None:
        starter(profile)
    log.info("%s %s started; log file %s", APP_NAME, __version__, log_path)
    return Console(app, window, context, runner, crash_reporter, log_handler)


def close_console(console: Console, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Cancel running work, stop the embedded sandbox and remove the crash hooks."""
    console.runner.cancel_all()
    closer = getattr(console.context, "close", None)
    if closer is not None:
        closer()
    console.crash_reporter.uninstall(loop)
    if console.crash_reporter.dialog is not None:
        console.crash_reporter.dialog.close()
    console.window.close()


def run_gui(args) -> int:
    app = application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    console = build_console(theme=args.theme, log_level=args.log_level, loop=loop, profile=args.profile)
    if args.page:
        console.window.show_page(args.page)
    console.window.show()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
        console.runner.cancel_all()
        loop.run_until_complete(console.runner.wait_all())
        closer = getattr(console.context, "close", None)
        if closer is not None:
            closer()
    return 0
