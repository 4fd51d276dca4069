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


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


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
