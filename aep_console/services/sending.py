"""Single sends (the record editor's "Send"): client-side validation, then one message to DCS,
optionally with synchronous validation, held under AEP's 60 sync-validation requests per minute
per connection.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..aep import errors as E
from ..xdm.envelope import build_envelope
from .engine_types import SendTarget

SYNC_LIMIT_PER_MINUTE = 59  # AEP allows 60/min per CONNECTION_ID: stay under it
WINDOW_S = 60.0


class SyncValidationLimiter:
    """A sliding-window limiter per connection id (shared by every single send of this process)."""

    def __init__(self, limit: int = SYNC_LIMIT_PER_MINUTE, window: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._sent: dict[str, deque[float]] = {}
        self._lock = asyncio.Lock()

    def delay_for(self, connection_id: str) -> float:
        """Seconds until a sync-validated send to ``connection_id`` is allowed (0 = now)."""
        q = self._sent.get(connection_id)
        now = self.clock()
        if not q:
            return 0.0
        while q and now - q[0] >= self.window:
            q.popleft()
        if len(q) < self.limit:
            return 0.0
        return self.window - (now - q[0])

    async def acquire(self, connection_id: str, on_wait: Callable[[float], Any] | None = None) -> None:
        async with self._lock:
            while (delay := self.delay_for(connection_id)) > 0:
                if on_wait is not None:
                    on_wait(delay)
                await asyncio.sleep(delay)
            self._sent.setdefault(connection_id, deque()).append(self.clock())


DEFAULT_LIMITER = SyncValidationLimiter()


@dataclass
class SingleResult:
    ok: bool
    sent: bool  # False: stopped by client-side validation, nothing left the machine
    status: int | None = None
    xaction_id: str | None = None
    sync_validation: str | None = None  # "pass" | "fail" | "skipped" | None
    violations: list[dict[str, str]] = field(default_factory=list)  # {"json_path","pointer","message"}
    message: str | None = None
    request_id: str | None = None

    def describe(self) -> str:
        if self.ok:
            return f"accepted (xactionId {self.xaction_id}, sync validation {self.sync_validation or 'skipped'})"
        lines = [self.message or "refused"]
        lines += [f"  {v.get('json_path') or v.get('pointer')}: {v.get('message')}" for v in self.violations]
        return "\n".join(lines)


def _pointer_to_path(pointer: str) -> str:
    parts = [p for p in pointer.lstrip("#").split("/") if p]
    return "$" + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts)


async def send_one(session: Any, target: SendTarget, entity: dict[str, Any], *, sync_validation: bool = True,
                   validator: Any = None, force: bool = False, limiter: SyncValidationLimiter = DEFAULT_LIMITER,
                   on_wait: Callable[[float], Any] | None = None) -> SingleResult:
    """Validate ``entity`` client-side (unless ``force``), wrap it in the envelope and send it."""
    if validator is not None and not force:
        violations = validator.validate(entity, limit=5)
        if violations:
            return SingleResult(False, False, violations=[
                {"json_path": v.json_path, "pointer": v.pointer, "message": v.message} for v in violations],
                message=f"{len(violations)} violation(s) found before sending (nothing was sent)")
    envelope = build_envelope(entity, schema_id=target.schema_id, org_id=target.org_id,
                              dataset_id=target.dataset_id, flow_id=target.flow_id,
                              source_name=target.source_name)
    if sync_validation:
        await limiter.acquire(target.connection_id, on_wait)
    try:
        ack = await session.streaming.send(target.connection_id, envelope, sync_validation=sync_validation,
                                           flow_id=target.flow_id)
    except E.ValidationFailed as exc:
        return SingleResult(False, True, exc.status, sync_validation="fail", violations=[
            {"json_path": _pointer_to_path(v.get("pointerToViolation", "#")),
             "pointer": v.get("pointerToViolation", "#"), "message": v.get("message", "")}
            for v in exc.violations], message=f"AEP refused the record: {exc.message}", request_id=exc.request_id)
    except E.AEPError as exc:
        return SingleResult(False, not isinstance(exc, E.NetworkError), exc.status, message=str(exc),
                            request_id=exc.request_id)
    passed = ack.validation_passed
    return SingleResult(True, True, ack.status, ack.xaction_id,
                        sync_validation=None if passed is None else ("pass" if passed else "fail"))
