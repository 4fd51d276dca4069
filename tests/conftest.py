"""Test-wide set-up.

Measured rules (../shared/docs/testing-notes.md) that this file enforces:
- Qt runs offscreen; one QApplication and ONE qasync loop serve the whole session
  (a new qasync loop per test segfaults at random in teardown);
- the sandbox server always runs in a subprocess, never in a thread of this process;
- nothing touches the real home: AEP_CONSOLE_HOME points at a temporary folder and keyring
  uses an in-memory backend unless a test asks for a real one.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="aep-console-test-home-"))
os.environ["AEP_CONSOLE_HOME"] = str(_SESSION_HOME)

import keyring  # noqa: E402
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


class InMemoryKeyring(KeyringBackend):
    """An isolated keyring for tests that are not about the OS keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.store:
            raise PasswordDeleteError(username)
        del self.store[(service, username)]


keyring.set_keyring(InMemoryKeyring())


# --- the one qasync loop ------------------------------------------------------------------------

_LOOP = None


def _session_qasync_loop():
    global _LOOP
    if _LOOP is None or _LOOP.is_closed():
        import qasync
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication(sys.argv)
        _LOOP = qasync.QEventLoop(app)
    return _LOOP


def pytest_asyncio_loop_factories(config, item):
    return {"qasync": _session_qasync_loop}


@pytest.fixture(scope="session")
def qapp_cls():
    from PySide6.QtWidgets import QApplication

    return QApplication


@pytest.fixture
def session_loop():
    """The session's qasync loop, for sync tests that run coroutines with run_until_complete.

    Looked up per test, not cached for the session: pytest-asyncio closes its session runner's loop
    when a sync test is the first to request a session-scoped async fixture (``tutorial``) after
    async tests ran, and a loop cached before that would be handed out closed."""
    return _session_qasync_loop()


# --- shared reference material -----------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"needs the reference folder {SHARED} (absent in a user's own clone)")
    return SHARED


# --- isolation ---------------------------------------------------------------------------------


def _real_home_footprint() -> dict[str, float | None]:
    """Modification times of the console's real platform directories (None: absent)."""
    import platformdirs

    dirs = platformdirs.PlatformDirs("aep-console", appauthor=False)
    footprint = {}
    for path in {dirs.user_config_dir, dirs.user_data_dir, dirs.user_log_dir, dirs.user_cache_dir, dirs.user_state_dir}:
        p = Path(path)
        footprint[path] = max((f.stat().st_mtime for f in p.rglob("*")), default=p.stat().st_mtime) if p.exists() else None
    return footprint


_FOOTPRINT_AT_START = _real_home_footprint()


def pytest_sessionfinish(session, exitstatus):
    if _LOOP is not None and not _LOOP.is_closed() and not _LOOP.is_running():
        _LOOP.close()  # joins qasync's executor thread (else: "QThread destroyed while running")
    changed = {k: v for k, v in _real_home_footprint().items() if _FOOTPRINT_AT_START.get(k) != v}
    if changed:
        print(f"\nFAILED: the test session wrote to the real home: {sorted(changed)}")
        session.exitstatus = 1


# --- per-test isolation ---------------------------------------------------------------------------------


@pytest.fixture
def app_home(tmp_path, monkeypatch) -> Path:
    """A fresh AEP_CONSOLE_HOME for one test."""
    home = tmp_path / "home"
    monkeypatch.setenv("AEP_CONSOLE_HOME", str(home))
    return home


@pytest.fixture
def memory_keyring():
    """A fresh in-memory keyring, installed for one test."""
    previous = keyring.get_keyring()
    backend = InMemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# --- the local sandbox, as a subprocess ---------------------------------------------------------


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """One sandbox server process for the session (tests use their own names/ids to stay apart)."""
    from aep_console.sandbox.launcher import start_sandbox

    proc = start_sandbox(tmp_path_factory.mktemp("sandbox-data"))
    yield proc
    proc.stop()


@pytest.fixture
def fresh_sandbox(tmp_path):
    """A sandbox process of its own, for tests that restart, kill or reconfigure it."""
    from aep_console.sandbox.launcher import start_sandbox

    procs = []

    def start(**kwargs):
        kwargs.setdefault("data_dir", tmp_path / f"sandbox-{len(procs)}")
        proc = start_sandbox(**kwargs)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.stop()
