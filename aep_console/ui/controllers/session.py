"""Builds the AEPSession of the active connection profile; starts the embedded local sandbox
(a subprocess, through the launcher, off the GUI thread) when the "Local sandbox" profile is
active; forwards every redacted exchange to the history and the stream inspector."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading

from PySide6.QtCore import QObject

from ...priority import BACKGROUND_NICE, lower_thread_priority
from ...services.console_state import remember_profile, remembered_profile

STREAM_SERVICES = ("streaming", "edge")  # exchanges the stream inspector shows (DCS and Edge Network)

log = logging.getLogger(__name__)
EXCHANGE_BODY_LIMIT = 8 * 1024


class HistoryWriter:
    """Writes exchanges to the history database from one worker thread (SQLite releases the GIL
    while it writes), so a bulk send never waits for the disk on the GUI thread. The thread
    touches no Qt object."""

    def __init__(self, history) -> None:
        self.history = history
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="history-writer", daemon=True)  # no Qt in it
        self.thread.start()

    def put(self, exchange, profile: str | None) -> None:
        self.queue.put((exchange, profile))

    # what services.connect.open_session asks of a history: a hook per profile, the secret in use
    def hook(self, profile: str | None, run: str | None = None):
        def put(exchange) -> None:
            if run is not None:
                exchange.run = run  # the history groups a bulk run's requests
            self.queue.put((exchange, profile))

        return put

    def add_secret(self, value: str | None) -> None:
        self.history.add_secret(value)

    def _run(self) -> None:
        lower_thread_priority()
        while True:
            item = self.queue.get()
            if item is None:
                return
            exchange, profile = item
            if isinstance(exchange, _Marker):
                exchange.event.set()
                continue
            try:
                self.history.record(exchange, profile=profile)
            except Exception:
                log.exception("recording an exchange in the history failed")

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything queued so far is written (tests, the History page)."""
        done = threading.Event()
        self.queue.put((_Marker(done), None))
        done.wait(timeout)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(5)


class _RunHistory:
    """The writer, tagging every exchange with the bulk run that made it."""

    def __init__(self, writer: HistoryWriter, run: str) -> None:
        self.writer, self.run = writer, run

    def hook(self, profile: str | None):
        return self.writer.hook(profile, self.run)

    def add_secret(self, value: str | None) -> None:
        self.writer.add_secret(value)


class _Marker:
    def __init__(self, event: threading.Event) -> None:
        self.event = event


class AttachedSandbox:
    """A local sandbox that another process started (and stops)."""

    running = True

    def __init__(self, urls) -> None:
        self.urls = urls

    def stop(self) -> None:  # not ours to stop
        pass


class SessionController(QObject):
    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self._sandbox_lock = asyncio.Lock()
        self._pending = None
        self._writer: HistoryWriter | None = None
        self.secret_source = None

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
            from ...services import local_sandbox

            loop = asyncio.get_running_loop()
            log.info("local sandbox: data in %s", local_sandbox.data_dir())
            # the Edge Network over HTTPS too, on a free port (the Web SDK page says how to point a browser at it)
            # the emulator works for the window, not against it: it runs at a lower CPU priority
            urls, proc = await loop.run_in_executor(
                None, lambda: local_sandbox.attach_or_start(edge_tls_port=0, nice=BACKGROUND_NICE))
            if self.ctx.closed:  # the window closed while the sandbox was starting: don't leave it behind
                if proc is not None:
                    await loop.run_in_executor(None, proc.stop)
                raise asyncio.CancelledError
            # a sandbox that already serves this data dir (`aep-sandbox`, a command) is used, not stopped
            sb = proc if proc is not None else AttachedSandbox(urls)
            self.ctx.sandbox = sb
            self.ctx._owns_sandbox = proc is not None
            log.info("local sandbox ready at %s%s", urls.base, "" if proc else " (already running)")
            return sb

    @property
    def writer(self) -> HistoryWriter:
        if self._writer is None:
            self._writer = HistoryWriter(self.ctx.history)
        return self._writer

    def make_session(self, profile, secret_source=None, *, on_exchange=None, run: str | None = None):
        """An AEPSession for ``profile`` through services.connect.open_session (the secret registered
        with the redactor and the history; every exchange into the history under this profile's
        name). ``on_exchange`` defaults to the inspector's hook (GUI thread only: a bulk worker
        passes its own and hands its exchanges over with ``record_exchange``)."""
        from ...services.connect import open_session

        # bodies are kept (redacted) up to EXCHANGE_BODY_LIMIT: a 1 MB streaming batch and its 207
        # answer would otherwise be parsed and scrubbed whole on the GUI thread for every request
        history = self.writer if run is None else _RunHistory(self.writer, run)
        return open_session(profile, profiles=self.ctx.profiles, history=history, secret=secret_source,
                            on_exchange=on_exchange or self._on_exchange, exchange_body_limit=EXCHANGE_BODY_LIMIT)

    async def resolve(self, profile):
        """(profile pointed at the running sandbox when local, secret source)."""
        if profile.is_local:
            sb = await self.ensure_sandbox()
            profile = profile.with_local_base(sb.urls.base)
            demo = getattr(sb, "credentials", None)  # None: attached to a sandbox another process started
            if demo is not None and profile.client_id == demo.client_id:
                secret = demo.client_secret
                return profile, (lambda: secret)
        store = self.ctx.profiles
        return profile, (lambda: store.secret_for(profile))

    async def _activate(self, profile) -> None:
        self._pending = profile
        resolved, secret = await self.resolve(profile)
        _ = self.writer  # started here, on the GUI thread (a bulk worker's session uses it too)
        session = self.make_session(resolved, secret)
        self.secret_source = secret
        await self.close_session()
        self.ctx.profile = resolved
        self.ctx.session = session
        self.ctx.restore_target()  # this profile's last target (or none): never another profile's
        remember_profile(profile.name)
        self.ctx.profile_changed.emit(resolved)
        self.ctx.session_ready.emit(session)

    def flush_history(self) -> None:
        if self._writer is not None:
            self._writer.flush()

    def close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    async def close_session(self) -> None:
        session, self.ctx.session = self.ctx.session, None
        if session is not None:
            closer = getattr(session, "aclose", None) or getattr(session, "close", None)
            if closer is not None:
                result = closer()
                if asyncio.iscoroutine(result):
                    await result

    def record_exchange(self, exchange) -> None:
        """An exchange of another session (a bulk worker's), handed over on the GUI thread (its
        session's history hook has recorded it, under its own profile)."""
        self._on_exchange(exchange)

    def _on_exchange(self, exchange) -> None:
        """For the inspector and the pages (the history hook of the session records it)."""
        if getattr(exchange, "service", "") in STREAM_SERVICES:
            self.ctx.streaming_log.append(exchange)
        self.ctx.exchange.emit(exchange)
