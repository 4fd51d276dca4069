"""Where the console keeps its settings, data and logs.

Platform directories come from platformdirs. Setting ``AEP_CONSOLE_HOME`` moves all of
them under one folder (``config/``, ``data/``, ``logs/``, ``cache/``): tests use it so that
nothing is ever written to a real home.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from . import APP_ID

HOME_ENV = "AEP_CONSOLE_HOME"


def _base(kind: str) -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser() / kind
    dirs = platformdirs.PlatformDirs(APP_ID, appauthor=False)
    return Path(
        {
            "config": dirs.user_config_dir,
            "data": dirs.user_data_dir,
            "logs": dirs.user_log_dir,
            "cache": dirs.user_cache_dir,
        }[kind]
    )


PRIVATE_DIR_MODE, PRIVATE_FILE_MODE = 0o700, 0o600


def _ensure(path: Path) -> Path:
    """The console's own folders are private (0700): they hold personal data (history, runs, logs)."""
    return private_dir(path, tighten=True)


def private_dir(path: Path, *, tighten: bool = False) -> Path:
    """Create ``path`` (and missing parents) as 0700. ``tighten`` also sets 0700 on an existing
    ``path`` (the console's own folders; never a folder the user chose)."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        tighten = True
    if tighten and os.name == "posix":
        try:
            if (path.stat().st_mode & 0o777) != PRIVATE_DIR_MODE:
                os.chmod(path, PRIVATE_DIR_MODE)
        except OSError:  # not ours (e.g. a shared folder): leave it
            pass
    return path


def open_private(path: Path, mode: str = "wb", **kwargs):
    """``open(path, mode)`` for a file of personal data: created 0600 (an existing one is set to
    0600 too), its missing parent folders 0700."""
    path = Path(path)
    if not path.parent.is_dir():
        private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else 0)
    if "+" in mode:
        flags = (flags & ~os.O_WRONLY) | os.O_RDWR
    if "w" in mode:
        flags |= os.O_TRUNC
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE_MODE)
    if os.name == "posix":
        os.fchmod(fd, PRIVATE_FILE_MODE)
    return os.fdopen(fd, mode, **kwargs)


def make_private_file(path: Path) -> Path:
    """Create ``path`` empty as 0600 if it is missing; set 0600 on it if it exists."""
    open_private(path, "ab").close()
    return Path(path)


def config_dir() -> Path:
    return _ensure(_base("config"))


def data_dir() -> Path:
    return _ensure(_base("data"))


def log_dir() -> Path:
    return _ensure(_base("logs"))


def cache_dir() -> Path:
    return _ensure(_base("cache"))


def sandbox_data_dir() -> Path:
    """Data directory of the embedded local sandbox."""
    return _ensure(data_dir() / "sandbox")
