"""Settings, data and logs obey AEP_CONSOLE_HOME; the real home is never written by tests."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from aep_console import APP_ID, paths


def test_override_moves_every_directory(app_home: Path):
    assert paths.config_dir() == app_home / "config"
    assert paths.data_dir() == app_home / "data"
    assert paths.log_dir() == app_home / "logs"
    assert paths.cache_dir() == app_home / "cache"
    assert paths.sandbox_data_dir() == app_home / "data" / "sandbox"
    assert all(p.is_dir() for p in (paths.config_dir(), paths.data_dir(), paths.log_dir()))


def test_without_override_platform_directories_are_used(monkeypatch, tmp_path):
    monkeypatch.delenv("AEP_CONSOLE_HOME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    dirs = platformdirs.PlatformDirs(APP_ID, appauthor=False)
    assert paths.config_dir() == Path(dirs.user_config_dir)
    assert paths.data_dir() == Path(dirs.user_data_dir)
    assert str(paths.config_dir()).startswith(str(tmp_path))


def test_session_runs_under_a_temporary_home():
    home = Path(os.environ["AEP_CONSOLE_HOME"])
    real = platformdirs.PlatformDirs(APP_ID, appauthor=False)
    assert not str(home).startswith(str(Path(real.user_config_dir)))
    assert paths.config_dir().is_relative_to(home)
