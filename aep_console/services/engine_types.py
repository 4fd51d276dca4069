"""Plain values that the streaming engine hands to its callers (GUI, command line)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..aep.retry import RetryPolicy

# record outcomes
ACCEPTED, INVALID, UNREADABLE, FAILED = "accepted", "invalid", "unreadable", "failed"
# run states
RUNNING, PAUSED, CANCELLING, DONE, CANCELLED, ABORTED = (
    "running", "paused", "cancelling", "done", "cancelled", "aborted")


@dataclass(frozen=True)
class SendTarget:
    """Where the records go: the streaming CONNECTION_ID (inlet id) and the dataset/schema."""

    connection_id: str
    dataset_id: str
    schema_id: str
    org_id: str
    flow_id: str | None = None
    source_name: str | None = None


@dataclass
class EngineOptions:
    max_batch_bytes: int = 900_000  # request body, well under DCS's 1 MB
    max_batch_messages: int = 2000
    concurrency: int = 8  # requests in flight
    max_attempts: int = 10  # per record, then dead-lettered
    base_backoff: float = 0.2
    max_backoff: float = 20.0
    max_retry_after: float = 120.0  # a longer Retry-After stops the run (resumable) instead of waiting
    validate: bool = True  # client-side XDM validation before sending
    string_ids: bool = False  # convert an integer "_id" to a string (the tutorial's event sample has them)
    progress_interval: float = 0.1  # seconds between progress callbacks
    # rates kept (pacing.py): None = AEP's guardrails against real AEP (10,000 messages/s per org,
    # 1,000 requests/s) and unlimited against the local sandbox; 0 = unlimited
    max_messages_per_second: float | None = None
    max_requests_per_second: float | None = None
    workers: int | None = None  # processes preparing JSON Lines (None: per idle core beyond two, files >= 32 MB; 0: none)
    stop_after_failures: int | None = None  # stop the run (resumable) once this many records were not accepted

    def retry_policy(self) -> RetryPolicy:
        """The console's retry policy (shared with the transport) with this run's limits."""
        return RetryPolicy(max_attempts=self.max_attempts, base_delay=self.base_backoff, max_delay=self.max_backoff,
                           max_retry_after=self.max_retry_after)


@dataclass(slots=True)
class RecordResult:
    index: int
    line: int
    status: str  # accepted | invalid | unreadable | failed
    attempts: int = 0
    http_status: int | None = None
    xaction_id: str | None = None
    reason: str | None = None


@dataclass
class Progress:
    state: str = RUNNING
    read: int = 0  # records read from the source in this run
    skipped: int = 0  # already done in the interrupted run (resume)
    accepted: int = 0
    invalid: int = 0
    unreadable: int = 0
    failed: int = 0  # dead-lettered after sending (non-retryable, or attempts exhausted)
    retried: int = 0  # record re-sends
    requests: int = 0
    in_flight: int = 0
    bytes_read: int = 0
    total_bytes: int | None = None
    started: float = field(default_factory=time.monotonic)
    elapsed: float = 0.0
    message: str | None = None  # e.g. "waiting 2 s (HTTP 429 Retry-After)"

    @property
    def dead_lettered(self) -> int:
        return self.invalid + self.unreadable + self.failed

    @property
    def finished(self) -> int:
        return self.accepted + self.dead_lettered

    @property
    def rate(self) -> float:
        """Records finished per second in this run."""
        return (self.accepted + self.failed) / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def fraction(self) -> float | None:
        if self.total_bytes:
            return min(1.0, self.bytes_read / self.total_bytes)
        return None

    def snapshot(self) -> Progress:
        return Progress(**{k: getattr(self, k) for k in self.__dataclass_fields__})


@dataclass
class RunReport:
    state: str
    progress: Progress
    dead_letter_path: Path | None = None
    journal_path: Path | None = None
    error: str | None = None
    resumed: bool = False
    error_kind: str | None = None  # "input" (the file cannot be read on) | "aep" (credentials, ids, network)
    sample_reasons: tuple[str, ...] = ()  # the first few dead-letter reasons of this run

    @property
    def ok(self) -> bool:
        return self.state == DONE and self.progress.dead_lettered == 0

    def summary(self) -> str:
        p = self.progress
        parts = [f"{p.accepted} accepted"]
        if p.skipped:
            parts.append(f"{p.skipped} already done before resuming")
        if p.dead_lettered:
            parts.append(f"{p.dead_lettered} dead-lettered ({p.invalid} invalid, {p.unreadable} unreadable, "
                         f"{p.failed} refused by AEP)")
        if p.retried:
            parts.append(f"{p.retried} re-sends")
        text = f"{self.state}: " + ", ".join(parts) + f" in {p.elapsed:.1f} s"
        if self.sample_reasons:
            text += "\nFirst reasons:\n" + "\n".join(f"  {reason}" for reason in self.sample_reasons)
            if any("_id: expected type: String, found: Long" in reason for reason in self.sample_reasons):
                text += "\nHint: XDM requires a string _id; --string-ids sends integer _id values as strings."
        if self.dead_letter_path and p.dead_lettered:
            text += f"\nDead letters (reason per record): {self.dead_letter_path}"
        if self.error:
            text += f"\nError: {self.error}"
        if self.state in (CANCELLED, ABORTED) and self.journal_path:
            text += "\nThe run can be resumed (--resume): nothing acknowledged is sent again."
        return text

    def to_json(self) -> dict[str, Any]:
        p = self.progress
        return {"state": self.state, "accepted": p.accepted, "invalid": p.invalid, "unreadable": p.unreadable,
                "failed": p.failed, "skipped": p.skipped, "retried": p.retried, "requests": p.requests,
                "elapsed": round(p.elapsed, 3), "dead_letter_path": str(self.dead_letter_path or ""),
                "journal_path": str(self.journal_path or ""), "error": self.error, "resumed": self.resumed}
