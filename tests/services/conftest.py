"""Fixtures of the services tests: a private, real Secret Service (D-Bus + GNOME Keyring)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import keyring
import pytest


def _start_secret_service(base: Path, *, unlock: bool):
    if not (shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon")):
        pytest.skip("needs dbus-daemon and gnome-keyring-daemon (apt-get install gnome-keyring dbus)")
    env = dict(os.environ)
    dirs = {"HOME": "home", "XDG_RUNTIME_DIR": "run", "XDG_DATA_HOME": "data", "XDG_CONFIG_HOME": "config",
            "XDG_CACHE_HOME": "cache"}
    for var, sub in dirs.items():
        (base / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
        env[var] = str(base / sub)
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1", f"--address=unix:path={base}/run/bus"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
    )
    address = bus.stdout.readline().strip()
    if not address:
        bus.kill()
        pytest.skip("dbus-daemon did not start")
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    args = ["gnome-keyring-daemon", "--foreground", "--components=secrets"] + (["--unlock"] if unlock else [])
    daemon = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=env)
    if unlock:
        daemon.stdin.write(b"private-test-keyring-password")
    daemon.stdin.close()
    return bus, daemon, env


def _wait_for_service(env) -> None:
    import secretstorage

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            conn = secretstorage.dbus_init()
            try:
                if secretstorage.check_service_availability(conn):
                    return
            finally:
                conn.close()
        except Exception:
            pass
        time.sleep(0.05)
    pytest.fail("gnome-keyring-daemon did not register org.freedesktop.secrets on the private bus")


def _secret_service(tmp_path, monkeypatch, *, unlock: bool):
    from keyring.backends.SecretService import Keyring as SecretServiceKeyring

    bus, daemon, env = _start_secret_service(tmp_path / "secret-service", unlock=unlock)
    for var in ("HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                "DBUS_SESSION_BUS_ADDRESS"):
        monkeypatch.setenv(var, env[var])
    previous = keyring.get_keyring()
    try:
        _wait_for_service(env)
        ring = SecretServiceKeyring()
        keyring.set_keyring(ring)
        yield ring
    finally:
        keyring.set_keyring(previous)
        for proc in (daemon, bus):
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def secret_service(tmp_path, monkeypatch):
    """A real, unlocked GNOME Keyring on a private D-Bus session bus (its own HOME/XDG dirs)."""
    yield from _secret_service(tmp_path, monkeypatch, unlock=True)


@pytest.fixture
def locked_secret_service(tmp_path, monkeypatch):
    """A real GNOME Keyring that was never unlocked (any store needs a prompt, which is dismissed)."""
    yield from _secret_service(tmp_path, monkeypatch, unlock=False)
