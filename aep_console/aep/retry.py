"""The one retry policy of the console: which statuses are worth another try, the back-off between
tries, and how far a server's ``Retry-After`` is followed. The transport (every AEP request) and the
streaming engine (per batch and per message of a 207) both use it.

- retried: 408, 425, 429, 500, 502, 503, 504, and "no answer" (status 0: a message of a 207 without
  a result, or a request whose answer was lost);
- back-off: exponential with equal jitter, capped at ``max_delay``;
- ``Retry-After`` (or UPS ``retryAfterMs``) is honoured, never retried sooner; one longer than
  ``max_retry_after`` is not waited for (``follow_retry_after`` says so, the caller gives up or stops
  the run resumably).
"""

from __future__ import annotations

from dataclasses import dataclass

RETRY_STATUSES = frozenset({0, 408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with jitter. ``Retry-After`` is honoured (never retried sooner)."""

    max_attempts: int = 4  # first try included
    base_delay: float = 0.5
    max_delay: float = 30.0
    multiplier: float = 2.0
    max_retry_after: float = 120.0  # a longer Retry-After is not waited for
    retry_statuses: frozenset[int] = RETRY_STATUSES

    def retryable(self, status: int | None) -> bool:
        return (status or 0) in self.retry_statuses

    def backoff(self, retry_index: int, rand: float) -> float:
        """Delay before retry number ``retry_index`` (0-based); ``rand`` in [0, 1): equal jitter."""
        ceiling = min(self.max_delay, self.base_delay * self.multiplier**retry_index)
        return ceiling / 2 + ceiling / 2 * rand

    def follow_retry_after(self, retry_after: float | None) -> bool:
        """False when the server asks for a longer wait than this policy accepts."""
        return retry_after is None or retry_after <= self.max_retry_after

    def delay(self, retry_index: int, rand: float, retry_after: float | None = None) -> float:
        """The wait before the next try: the server's ``Retry-After`` (plus a little jitter, so that
        concurrent clients do not come back at once), else the back-off."""
        if retry_after is not None:
            return retry_after + min(0.25, retry_after * 0.1) * rand
        return self.backoff(retry_index, rand)


NO_RETRY = RetryPolicy(max_attempts=1)
