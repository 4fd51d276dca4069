"""Start-up of the desktop console: QApplication, theme, logging, crash reporting, the qasync
loop (asyncio running on Qt's event loop), the application context and the main window.

Start-up order (``run_gui``): the window first — QApplication, theme, the shell and its first
page — painted before anything it does not need is imported or built; then asyncio/qasync, the
log file, the crash hooks and the session (the embedded sandbox starts after that, in a
subprocess). ``build_console`` does both phases at once (tests, benchmarks)."""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from .. import APP_ID, APP_NAME, __version__
from .logview import QtLogHandler
from .main_window import MainWindow
from .tasks import TaskRunner
from .theme import apply_theme

if TYPE_CHECKING:
    import asyncio

    from .crash import CrashReporter

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
    from pathlib import Path

    icon = Path(__file__).with_name("icon.svg")  # package data (importlib.resources costs ~6 ms at start)
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def build_console(
    *,
    theme: str | None = None,
    log_level: str = "INFO",
    loop: asyncio.AbstractEventLoop | None = None,
    profile: str | None = None,
    stderr_logging: bool = True,
    connect: bool = True,
) -> Console:
    """Build (not show) the console on the qasync loop; ``connect`` activates the connection
    profile (starting the local sandbox when it is the target)."""
    shell = _build_shell(theme)
    return _finish_console(shell, log_level=log_level, loop=loop, profile=profile, stderr_logging=stderr_logging,
                           connect=connect)


@dataclass
class _Shell:
    app: QApplication
    window: MainWindow
    context: object
    runner: TaskRunner
    log_handler: QtLogHandler


def _build_shell(theme: str | None) -> _Shell:
    """What the first painted window needs: the application, the theme, the main window and its
    first page (no asyncio, no log file, no stores, no session). ``theme`` None: the settings' one."""
    app = application()
    from .context import AppContext

    runner = TaskRunner()
    context = AppContext(runner)
    apply_theme(app, theme or context.settings.theme)
    log_handler = QtLogHandler()
    window = MainWindow(context, log_handler)
    return _Shell(app, window, context, runner, log_handler)


def _finish_console(shell: _Shell, *, log_level: str, loop, profile: str | None, stderr_logging: bool,
                    connect: bool = True) -> Console:
    """Everything else: the log file, the crash hooks on the loop, the session start (the session
    and the embedded sandbox come up once the loop runs)."""
    from ..logging_setup import setup_logging
    from .crash import CrashReporter

    log_path = setup_logging(log_level, extra_handlers=[shell.log_handler], stderr=stderr_logging)
    crash_reporter = CrashReporter()
    crash_reporter.install(loop)
    shell.runner.set_error_sink(crash_reporter.report_exception)
    shell.runner.set_loop(loop)
    crash_reporter.parent_widget = shell.window
    if connect:
        shell.context.start(profile)
    log.info("%s %s started; log file %s", APP_NAME, __version__, log_path)
    return Console(shell.app, shell.window, shell.context, shell.runner, crash_reporter, shell.log_handler)


def paint_now(window, timeout: float = 0.5) -> None:
    """Show ``window`` and let Qt paint it before the rest of the start-up runs (user input waits
    for the event loop; only the window system's and paint events are handled here)."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject

    class _Painted(QObject):
        done = False

        def eventFilter(self, obj, ev) -> bool:
            if ev.type() == QEvent.Type.Paint:
                self.done = True
            return False

    spy = _Painted()
    window.installEventFilter(spy)
    window.show()
    app = QApplication.instance()
    deadline = time.monotonic() + timeout
    flags = QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents
    while True:
        app.processEvents(flags)
        if spy.done or time.monotonic() >= deadline:
            break
        time.sleep(0.002)  # the window system has not exposed the window yet
    window.removeEventFilter(spy)


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


def _quit_on_termination_signals(app: QApplication) -> None:
    """SIGTERM/SIGHUP/SIGINT end the console as the Quit menu does (tasks cancelled, the embedded
    sandbox stopped). Python runs signal handlers only between bytecodes, so a light timer gives
    the interpreter a turn while Qt's loop waits."""
    import signal

    from PySide6.QtCore import QTimer

    for name in ("SIGTERM", "SIGHUP", "SIGINT"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, lambda *_args: QTimer.singleShot(0, app.quit))
    ticker = QTimer(app)
    ticker.setObjectName("SignalTicker")
    ticker.start(250)
    ticker.timeout.connect(lambda: None)


def run_gui(args) -> int:
    shell = _build_shell(args.theme)
    if args.page:
        shell.window.show_page(args.page)
    paint_now(shell.window)  # the user sees the window before the rest of the start-up runs
    import asyncio

    import qasync

    app = shell.app
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    console = _finish_console(shell, log_level=args.log_level, loop=loop, profile=args.profile, stderr_logging=True)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    _quit_on_termination_signals(app)
    with loop:
        loop.run_until_complete(closed.wait())
        console.runner.cancel_all()
        loop.run_until_complete(console.runner.wait_all())
        # closes the session's HTTP client and stops the embedded sandbox (off the GUI thread)
        loop.run_until_complete(console.context.async_close())
    return 0
