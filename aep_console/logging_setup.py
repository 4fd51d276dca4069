"""Logging for the console: a rotating file under the platform's log directory, stderr, and any
extra handler (the GUI's log viewer). Every record passes the secret redactor first."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from . import paths
from .aep.redact import redact_text

LOG_FILE_NAME = "aep-console.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Rewrites a record's message so tokens and secrets are masked (by ``aep.redact``, the one
    place that knows their shapes), plus any literal secret registered with ``add_secret``."""

    def __init__(self) -> None:
        super().__init__()
        self._known: set[str] = set()

    def add_secret(self, value: str) -> None:
        if value and len(value) >= 4:
            self._known.add(value)

    def redact(self, text: str) -> str:
        return redact_text(text, self._known) or text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = self.redact(message)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


REDACTOR = RedactingFilter()


def default_log_file() -> Path:
    return paths.log_dir() / LOG_FILE_NAME


log_file = default_log_file  # the name the GUI's log viewer and crash reporter use


def setup_logging(level: str | int = "INFO", *, extra_handlers: list[logging.Handler] = (), stderr: bool = True,
                  stderr_level: str | int | None = None, log_file: Path | None = None) -> Path:
    """Configure the root logger once; returns the log file path. ``stderr_level`` raises the
    terminal's threshold above ``level`` (the command line shows only warnings by default)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_aep_console", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level if isinstance(level, int) else level.upper())
    formatter = logging.Formatter(_FORMAT)
    target = Path(log_file) if log_file is not None else default_log_file()
    paths.make_private_file(target)  # a log line may quote personal data: 0600
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(target, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    ]
    if stderr:
        terminal = logging.StreamHandler()
        if stderr_level is not None:
            terminal.setLevel(stderr_level if isinstance(stderr_level, int) else stderr_level.upper())
        handlers.append(terminal)
    handlers.extend(extra_handlers)
    for handler in handlers:
        handler._aep_console = True  # type: ignore[attr-defined]
        handler.setFormatter(formatter)
        handler.addFilter(REDACTOR)
        root.addHandler(handler)
    # httpx logs every request line at INFO; keep that in the history, not the log
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return target
