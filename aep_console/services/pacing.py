"""Keeping to AEP's streaming guardrails: at most N messages and M requests per second.

AEP documents 10,000 messages/s per organisation and 1,000 requests/s for streaming ingestion
(the AEP API notes, "throughput"). ``Pacer`` spaces requests out: ``delay(n)`` reserves ``n`` messages
and one request and returns how long to wait before sending them, so that a request of ``n`` messages
starts no sooner than ``n / rate`` seconds after the previous one started (in any second: at most the
rate plus one request's messages). ``None`` rates are unlimited (the local sandbox).
"""

from __future__ import annotations

import time
from collections.abc import Callable

AEP_MESSAGES_PER_SECOND = 10_000
AEP_REQUESTS_PER_SECOND = 1_000


class Pacer:
    def __init__(self, messages_per_second: float | None = None, requests_per_second: float | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.mps, self.rps = messages_per_second, requests_per_second
        self._clock = clock
        self._next_msg = self._next_req = 0.0  # the time from which the next unit is free

    @property
    def limited(self) -> bool:
        return bool(self.mps or self.rps)

    def delay(self, messages: int) -> float:
        if not self.limited:
            return 0.0
        now = self._clock()
        start = max(now, self._next_msg if self.mps else now, self._next_req if self.rps else now)
        if self.mps:
            self._next_msg = start + messages / self.mps
        if self.rps:
            self._next_req = start + 1.0 / self.rps
        return start - now


def rate(value: float | None, aep_default: float, *, local: bool) -> float | None:
    """An ``EngineOptions`` rate → the rate to keep: ``None`` means AEP's guardrail against real AEP and
    unlimited against the local sandbox; ``0`` unlimited; anything else that rate."""
    if value is None:
        return None if local else aep_default
    return value or None
