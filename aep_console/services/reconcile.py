"""Reconcile a send with what AEP did afterwards: records that the streaming endpoint acknowledged
but the platform then failed (they land among the failed records of the dataset's Catalog batches,
as on AEP) are moved into the run's dead-letter file with AEP's reason.

    mark_start(run)                         # before run.start(): the run's time window
    report = await run.start()
    result = await reconcile_run(session, run, wait=not profile.is_local, on_wait=show)
    result.apply(report)                    # the summary and the exit code count them

Matching is by content: a failed record is the record as sent (plus ``_errors``), so the file is
read again (only when the window holds failed records) and each failed record is paired with one
record of the file with the same content. Failed records of other senders are counted as foreign.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from .. import paths
from .deadletters import DeadLetters
from .engine_types import FAILED, RunReport
from .sources import SourceError, read_records

STATE_FILE = "reconcile.json"
CLOSED = frozenset({"success", "failed", "failure", "aborted", "abandoned", "inactive"})
CLOCK_SLACK_MS = 5 * 60_000  # AEP's clock and ours may disagree
BATCH_SPAN_MS = 60 * 60_000  # a streaming batch stays open for less than an hour
_META_KEYS = ("_errors", "_xactionId")


@dataclass
class ReconcileResult:
    moved: int = 0  # acknowledged records that AEP failed afterwards (now dead letters)
    batches: int = 0  # batches of the run's time window that were read
    foreign: int = 0  # failed records in those batches that are not this run's
    open_batches: int = 0  # batches still open when the wait ended (their failures may come later)
    waited: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def apply(self, report: RunReport) -> None:
        """Count the moved records as dead letters in ``report`` (summary and exit code)."""
        p = report.progress
        p.accepted -= self.moved
        p.failed += self.moved
        room = max(0, 5 - len(report.sample_reasons))
        report.sample_reasons = tuple(report.sample_reasons) + tuple(self.reasons[:room])

    def to_json(self) -> dict[str, Any]:
        return {"moved": self.moved, "batches": self.batches, "foreign": self.foreign,
                "open_batches": self.open_batches, "waited": round(self.waited, 1)}

    def summary(self) -> str:
        text = (f"reconciled with {self.batches} batch(es): {self.moved} acknowledged record(s) failed by AEP "
                f"afterwards, moved to the dead letters")
        if self.open_batches:
            text += f"; {self.open_batches} batch(es) still open (their failures are not counted yet)"
        return text


def _state_path(run: Any):
    return run.run_dir / STATE_FILE


def _load(run: Any) -> dict[str, Any]:
    try:
        return orjson.loads(_state_path(run).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}


def _save(run: Any, state: dict[str, Any]) -> None:
    with paths.open_private(_state_path(run), "wb") as fh:
        fh.write(orjson.dumps(state))


def mark_start(run: Any) -> None:
    """Remember when this run began (a resumed run keeps its first start): the reconcile window."""
    state = _load(run)
    if not run.resumed or "since" not in state:
        state = {"since": int(time.time() * 1000), "moved": []}
        _save(run, state)


def _key(entity: Any) -> bytes:
    return orjson.dumps(entity, option=orjson.OPT_SORT_KEYS)


def _why(errors: Any) -> str:
    if isinstance(errors, list):
        parts = []
        for e in errors[:5]:
            if isinstance(e, dict):
                where = e.get("path") or e.get("pointer") or ""
                parts.append(f"{where}: {e.get('message') or e.get('description') or e}".lstrip(": "))
            else:
                parts.append(str(e))
        return "; ".join(parts) or "no reason given"
    return str(errors) if errors else "no reason given"


async def _window_batches(session: Any, dataset_id: str, since: int) -> list[Any]:
    out, start = [], 0
    while True:
        page = await session.catalog.list_batches(dataset_id=dataset_id, limit=100, start=start,
                                                  order_by="desc:created")
        for b in page:
            if (b.updated or b.created or since) >= since - CLOCK_SLACK_MS:
                out.append(b)
        if len(page) < 100 or any((b.created or 0) < since - BATCH_SPAN_MS for b in page):
            return out
        start += len(page)


async def reconcile_run(session: Any, run: Any, *, wait: bool, timeout: float = 900.0, poll: float = 10.0,
                        on_wait: Callable[[float, int], Any] | None = None) -> ReconcileResult:
    """Read the Catalog batches of the run's dataset in its time window (waiting up to ``timeout``
    seconds for them to close when ``wait``), and dead-letter the run's records among their failed
    records (Data Access), once each."""
    state = _load(run)
    since = int(state.get("since") or time.time() * 1000)
    result = ReconcileResult()
    t0 = time.monotonic()
    batches = await _window_batches(session, run.target.dataset_id, since)
    while wait and any((b.status or "").lower() not in CLOSED for b in batches):
        left = timeout - (time.monotonic() - t0)
        if left <= 0:
            break
        if on_wait is not None:
            on_wait(left, sum((b.status or "").lower() not in CLOSED for b in batches))
        await asyncio.sleep(min(poll, left))
        batches = await _window_batches(session, run.target.dataset_id, since)
    result.waited = time.monotonic() - t0
    result.open_batches = sum((b.status or "").lower() not in CLOSED for b in batches) if wait else 0
    result.batches = len(batches)
    failed: list[tuple[str, dict]] = []
    for b in batches:
        if b.failed_record_count == 0:
            continue
        for rec in await session.data_access.failed_records(b.id):
            if isinstance(rec, dict):
                failed.append((b.id, rec))
    if not failed:
        return result
    ours = _records_by_content(run, set(state.get("moved") or ()))
    entries = []
    moved = list(state.get("moved") or ())
    for batch_id, rec in failed:
        entity = {k: v for k, v in rec.items() if k not in _META_KEYS}
        queue = ours.get(_key(entity))
        if not queue:
            result.foreign += 1
            continue
        index, line = queue.popleft()
        reason = (f"record {index} (line {line}): accepted by the streaming endpoint, then failed by AEP "
                  f"(batch {batch_id}): {_why(rec.get('_errors'))}")
        entries.append({"index": index, "line": line, "outcome": FAILED, "status": None, "reason": reason,
                        "attempts": 0, "record": entity, "batch": batch_id})
        moved.append(index)
        result.reasons.append(reason)
    if entries:
        dead = DeadLetters(run.dead_letter_path)
        try:
            dead.write(entries)
        finally:
            dead.close()
        _save(run, {**state, "since": since, "moved": sorted(set(moved))})
    result.moved = len(entries)
    return result


def _records_by_content(run: Any, already: set[int]) -> dict[bytes, deque[tuple[int, int]]]:
    """The file's readable records by content (as sent: ``--string-ids`` applied)."""
    out: dict[bytes, deque[tuple[int, int]]] = defaultdict(deque)
    string_ids = getattr(run.options, "string_ids", False)
    try:
        for rec in read_records(run.path, fmt=run.fmt, mapping=run.mapping):
            if rec.entity is None or rec.index in already:
                continue
            entity = rec.entity
            if string_ids and type(entity.get("_id")) is int:
                entity = {**entity, "_id": str(entity["_id"])}
            out[_key(entity)].append((rec.index, rec.line))
    except SourceError:  # the file stops being readable further on: match what was read
        pass
    return out
