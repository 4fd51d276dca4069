"""Builds the AEPSession of the active connection profile; starts the embedded local sandbox
(a subprocess, through the launcher, off the GUI thread) when the "Local sandbox" profile is
active; forwards every redacted exchange to the history and the stream inspector."""

from __future__ import annotations

import asyncio
import json
import logging

from PySide6.QtCore import QObject

from ... import paths

log = logging.getLogger(__name__)
_STATE_FILE = "console-ui.json"


def _state_path():
    return paths.config_dir() / _STATE_FILE


def remembered_profile() -> str | None:
    try:
        return json.loads(_state_path().read_text("utf-8")).get("profile")
    except (OSError, ValueError, AttributeError):
        return None


def remember_profile(name: str) -> None:
    try:
        _state_path().write_text(json.dumps({"profile": name}), "utf-8")
    except OSError:
        log.warning("could not remember the active profile in %s", _state_path())


class SessionController(QObject):
    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self._sandbox_lock = asyncio.Lock()
        self._pending = None

    def start(self, profile_name: str | None = None) -> None:
        from ...services.profiles import LOCAL_PROFILE_NAME, ProfileError

        name = profile_name or remembered_profile() or LOCAL_PROFILE_NAME
        try:
            profile = self.ctx.profiles.get(name)
        except ProfileError as exc:
            log.warning("%s; using the local sandbox", exc)
            profile = self.ctx.profiles.get(LOCAL_PROFILE_NAME)
        self.activate(profile)

    def activate(self, profile) -> asyncio.Task:
        return self.ctx.run("session", self._activate(profile), on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        msg = f"Could not connect with profile \u201c{getattr(self._pending, 'name', '?')}\u201d: {exc}"
        log.error(msg)
        self.ctx.session_failed.emit(msg)

    async def ensure_sandbox(self):
        """The embedded sandbox process, started on first need (in a worker thread: the launcher
        blocks while the subprocess comes up; that thread never touches Qt)."""
        async with self._sandbox_lock:
            sb = self.ctx.sandbox
            if sb is not None and getattr(sb, "running", True):
                return sb
            from ...sandbox.launcher import start_sandbox

            loop = asyncio.get_running_loop()
            log.info("starting the local sandbox in %s", paths.sandbox_data_dir())
            sb = await loop.run_in_executor(None, lambda: start_sandbox(paths.sandbox_data_dir()))
            self.ctx.sandbox = sb
            self.ctx._owns_sandbox = True
            log.info("local sandbox ready at %s", sb.urls.base)
            return sb

    def make_session(self, profile, secret_source):
        from ...aep.config import ClientCredentials
        from ...aep.session import AEPSession

        creds = ClientCredentials(profile.client_id, secret_source, profile.scopes)
        return AEPSession(profile.endpoints(), creds, profile.org_id, profile.sandbox_name,
                          on_exchange=self._on_exchange)

    async def resolve(self, profile):
        """(profile pointed at the running sandbox when local, secret source)."""
        if profile.is_local:
            sb = await self.ensure_sandbox()
            profile = profile.with_local_base(sb.urls.base)
            demo = sb.credentials
            if profile.client_id == demo.client_id:
                secret = demo.client_secret
                return profile, (lambda: secret)
        store = self.ctx.profiles
        return profile, (lambda: store.secret_for(profile))

    async def _activate(self, profile) -> None:
        self._pending = profile
        resolved, secret = await self.resolve(profile)
        session = self.make_session(resolved, secret)
        await self.close_session()
        self.ctx.profile = resolved
        self.ctx.session = session
        from ..context import StreamTarget

        self.ctx.set_target(StreamTarget())
        remember_profile(profile.name)
        self.ctx.profile_changed.emit(resolved)
        self.ctx.session_ready.emit(session)

    async def close_session(self) -> None:
        session, self.ctx.session = self.ctx.session, None
        if session is not None:
            closer = getattr(session, "aclose", None) or getattr(session, "close", None)
            if closer is not None:
                result = closer()
                if asyncio.iscoroutine(result):
                    await result

    def _on_exchange(self, exchange) -> None:
        try:
            profile = self.ctx.profile
            self.ctx.history.record(exchange, profile=getattr(profile, "name", None))
        except Exception:  # noqa: BLE001 - history must never break a request
            log.exception("recording an exchange in the history failed")
        if getattr(exchange, "service", "") == "streaming":
            self.ctx.streaming_log.append(exchange)
        self.ctx.exchange.emit(exchange)
