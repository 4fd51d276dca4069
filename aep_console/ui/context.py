"""The application context shared by the main window and every page.

It holds the TaskRunner, the connection-profile store, the active profile and its AEPSession,
the embedded local sandbox (a subprocess started through the launcher when the "Local sandbox"
profile is active; never a thread that touches Qt), the request history, and the streaming
target the user picked last (schema / dataset / connection), so that the record editor
shows what the wizards created.

Widgets read plain values from here and listen to the signals; they never await anything.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:  # imported on first use: the main window paints before asyncio loads
    import asyncio

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamTarget:
    """Where the record editor sends: what the wizards created, or what the user picked."""

    schema_id: str = ""
    schema_title: str = ""
    dataset_id: str = ""
    dataset_name: str = ""
    connection_id: str = ""  # the inlet id (CONNECTION_ID)
    inlet_url: str = ""
    flow_id: str = ""
    source_name: str = ""
    primary_identity: tuple[str, str] | None = None  # (field path, namespace)
    extra: dict = field(default_factory=dict)

    def with_(self, **changes: Any) -> StreamTarget:
        return replace(self, **changes)

    @property
    def complete(self) -> bool:
        return bool(self.schema_id and self.dataset_id and self.connection_id)

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "extra"}
        d["primary_identity"] = list(self.primary_identity) if self.primary_identity else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> StreamTarget:
        kw = {k: v for k, v in (d or {}).items() if k in cls.__dataclass_fields__ and k != "extra"
              and (isinstance(v, str) or k == "primary_identity")}
        pi = kw.get("primary_identity")
        kw["primary_identity"] = tuple(pi) if isinstance(pi, list) and len(pi) == 2 else None
        return cls(**kw)


class AppContext(QObject):
    profile_changed = Signal(object)  # the active ConnectionProfile
    session_ready = Signal(object)  # the AEPSession of the active profile
    session_failed = Signal(str)  # why the session could not be built
    busy_changed = Signal(bool)
    target_changed = Signal(object)  # StreamTarget
    exchange = Signal(object)  # every redacted request/response of the session
    open_request = Signal(object)  # a history entry to reopen in the record editor
    navigate = Signal(str)  # a page key the window should show
    resources_changed = Signal(str)  # "schemas" | "datasets" | "connections": lists to refresh
    record_changed = Signal(object)  # the record editor's current record (a parsed JSON value)
    settings_changed = Signal(object)  # services.settings.Settings

    def __init__(self, runner, parent: QObject | None = None, *, sandbox=None, profiles=None, history=None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._profiles = profiles
        self._history = history
        self.profile = None
        self.session = None
        self.sandbox = sandbox  # a SandboxProcess; when given from outside, we do not stop it
        self._owns_sandbox = sandbox is None
        self.target = StreamTarget()
        self.current_record: Any = None  # the record editor's last parsed record (the Web SDK page uses it)
        # the session's streaming exchanges, kept from the start for the stream inspector
        self.streaming_log: deque = deque(maxlen=20000)
        self._busy: set[str] = set()
        self._closed = False
        self._sessions = None
        self._settings = None

    # --- settings ------------------------------------------------------------------------------
    @property
    def settings(self):
        """The console's settings (services.settings.Settings), read on first use."""
        if self._settings is None:
            from ..services import settings

            self._settings = settings.load()
        return self._settings

    def change_setting(self, key: str, value: Any) -> None:
        """Validate, save and apply one setting (raises ValueError with the reason)."""
        from ..services import settings as store

        new = store.updated(self.settings, key, value)
        self._settings = new
        store.save(new)
        self.apply_settings()
        self.settings_changed.emit(new)

    def apply_settings(self) -> None:
        """What takes effect at once: the history's limits (the theme: the window applies it)."""
        s = self.settings
        if self._history is not None:
            self._history.keep = s.history_keep
            self._history.max_age_days = s.history_max_age

    @property
    def sessions(self):
        """The SessionController (built on first use: it is not needed for the first paint)."""
        if self._sessions is None:
            from .controllers.session import SessionController

            self._sessions = SessionController(self)
        return self._sessions

    # --- stores (built on first use: start-up pays for nothing it does not show) -----------------
    @property
    def profiles(self):
        if self._profiles is None:
            from ..services.profiles import ProfileStore

            self._profiles = ProfileStore()
        return self._profiles

    @property
    def history(self):
        if self._history is None:
            from ..services.history import HistoryStore

            s = self.settings
            self._history = HistoryStore(keep=s.history_keep, max_age_days=s.history_max_age)
        return self._history

    # --- tasks ---------------------------------------------------------------------------------
    def run(
        self,
        name: str,
        coro: Awaitable[Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        busy: bool = True,
    ) -> asyncio.Task:
        """Run a coroutine as the named task (replacing a running one of that name);
        ``busy_changed`` follows whether any busy task is running."""
        task = self.runner.run(name, coro, on_done=on_done, on_error=on_error)
        if busy:
            was = bool(self._busy)
            self._busy.add(name)
            if not was:
                self.busy_changed.emit(True)

            def finished(t: asyncio.Task, name: str = name) -> None:
                if self.runner.is_running(name):
                    return  # replaced by a newer task of the same name
                self._busy.discard(name)
                if not self._busy and not self._closed:
                    self.busy_changed.emit(False)

            task.add_done_callback(finished)
        return task

    @property
    def busy(self) -> bool:
        return bool(self._busy)

    # --- active profile and session ------------------------------------------------------------
    @property
    def active_profile(self):
        return self.profile

    def start(self, profile_name: str | None = None) -> None:
        """Called once by the shell after the window is built: activate the named profile, or
        the last used one, or "Local sandbox". Before the qasync loop runs (the shell builds the
        window first), the start waits for it: a coroutine stepped outside a running loop fails."""
        if self._closed:
            return
        import asyncio

        if asyncio._get_running_loop() is None:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(50, self, lambda: self.start(profile_name))
            return
        self.sessions.start(profile_name)

    def activate(self, profile) -> asyncio.Task:
        """Switch to a connection profile: (start the sandbox,) build the session."""
        return self.sessions.activate(profile)

    def set_target(self, target: StreamTarget) -> None:
        """The one place that owns the send target: pages observe ``target_changed``."""
        if target == self.target:
            return
        self.target = target
        if self.profile is not None and self.settings.remember_target:
            from ..services.console_state import remember_target

            remember_target(self.profile.name, target.to_dict())
        self.target_changed.emit(target)

    def restore_target(self) -> None:
        """The active profile's last target (when the settings say to remember it), or none."""
        target = StreamTarget()
        if self.profile is not None and self.settings.remember_target:
            from ..services.console_state import remembered_target

            target = StreamTarget.from_dict(remembered_target(self.profile.name))
        self.target = target
        self.target_changed.emit(target)

    def set_record(self, record: Any) -> None:
        self.current_record = record
        self.record_changed.emit(record)

    def update_target(self, **changes: Any) -> None:
        """Change part of the target; what described the parts that changed goes with them (a new
        dataset id without its name gets no name of the old one: the pages read it again)."""
        t = self.target
        tied = {"dataset_id": ("dataset_name",), "schema_id": ("schema_title", "primary_identity"),
                "connection_id": ("inlet_url", "flow_id", "source_name")}
        for key, described in tied.items():
            if key in changes and changes[key] != getattr(t, key):
                for d in described:
                    changes.setdefault(d, None if d == "primary_identity" else "")
        self.set_target(t.with_(**changes))

    @property
    def is_production(self) -> bool:
        p = self.profile
        return bool(p is not None and (getattr(p, "production", False) or getattr(p, "is_production", False)))

    @property
    def closed(self) -> bool:
        return self._closed

    # --- shutdown ------------------------------------------------------------------------------
    async def async_close(self) -> None:
        """Cancel tasks, close the session, stop the embedded sandbox (off the GUI thread)."""
        if self._closed:
            return
        self._closed = True
        self.runner.cancel_all()
        if self._sessions is not None:
            await self._sessions.close_session()
            self._sessions.close_writer()
        if self.sandbox is not None and self._owns_sandbox:
            import asyncio

            sandbox, self.sandbox = self.sandbox, None
            await asyncio.get_running_loop().run_in_executor(None, sandbox.stop)
        history = self._history
        if history is not None and hasattr(history, "close"):
            history.close()

    def close(self) -> None:
        """Synchronous last resort (no loop running): stop the sandbox subprocess."""
        self._closed = True
        self.runner.cancel_all()
        if self._sessions is not None:
            self._sessions.close_writer()
        if self.sandbox is not None and self._owns_sandbox:
            sandbox, self.sandbox = self.sandbox, None
            try:
                sandbox.stop()
            except Exception:
                log.exception("stopping the local sandbox failed")
