"""The bulk streaming engine: records → validated envelopes → batches under 1 MB → DCS, concurrently.

    sender = BulkSender(session, target, validator=v, journal=j, dead_letters=dl, on_progress=cb)
    report = await sender.run(read_records(path), skip=state.done)
    sender.pause(); sender.resume(); sender.cancel()      # from any callback / the GUI

Every record ends in exactly one outcome: accepted, or dead-lettered (invalid, unreadable, or refused
by AEP / retries exhausted) with the reason. Per-message failures of a 207 are read in both the
``status`` and the ``statusCode`` form (the client parses both); 429/5xx/no answer are retried with
back-off (``Retry-After`` honoured), 413 and whole-request 400 split the batch. Outcomes are written
to the dead-letter file (fsync'd) and then the journal, so a killed run resumes losing nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from ..aep import errors as E
from ..aep.retry import RetryPolicy
from ..xdm.envelope import build_envelope
from .deadletters import DeadLetters, dead_entry
from .engine_types import (
    ABORTED,
    ACCEPTED,
    CANCELLED,
    CANCELLING,
    DONE,
    FAILED,
    INVALID,
    PAUSED,
    RUNNING,
    UNREADABLE,
    EngineOptions,
    Progress,
    RecordResult,
    RunReport,
    SendTarget,
)
from .journal import Journal
from .sources import SourceError, SourceRecord

log = logging.getLogger(__name__)
RETRY_STATUSES = RetryPolicy().retry_statuses  # the console's one retry policy (aep/retry.py)
_WRAP = len(b'{"messages":[]}')
DCS_MAX_REQUEST = 1_000_000


class _Msg:
    __slots__ = ("attempts", "data", "entity", "index", "last", "line")

    def __init__(self, index: int, line: int, data: bytes, entity: dict) -> None:
        self.index, self.line, self.data, self.entity = index, line, data, entity
        self.attempts = 0
        self.last: str | None = None


class BulkSender:
    def __init__(self, session: Any, target: SendTarget, *, validator: Any = None,
                 options: EngineOptions | None = None, journal: Journal | None = None,
                 dead_letters: DeadLetters | None = None,
                 on_progress: Callable[[Progress], Any] | None = None,
                 on_result: Callable[[RecordResult], Any] | None = None) -> None:
        self.session, self.target, self.validator = session, target, validator
        self.opt = options or EngineOptions()
        self.policy = self.opt.retry_policy()
        self.journal, self.dead = journal, dead_letters
        self.on_progress, self.on_result = on_progress, on_result
        self.progress = Progress()
        self._gate = asyncio.Event()
        self._gate.set()
        self._cancelled = False
        self._queue: deque[_Msg] = deque()
        self._queued_bytes = 0
        self._retry: deque[_Msg] = deque()
        self._outstanding = 0  # records in the pipeline without a final outcome
        self._reader_done = False
        self._wake = asyncio.Event()
        self._space = asyncio.Event()
        self._not_before = 0.0  # shared cool-down after 429/503 (monotonic)
        self._last_emit = 0.0
        self._abort: str | None = None
        self._abort_kind = "aep"  # or "failures": stop_after_failures was reached
        self._timers: set[asyncio.TimerHandle] = set()
        self._rand = random.Random()
        env = build_envelope({}, schema_id=target.schema_id, org_id=target.org_id, dataset_id=target.dataset_id,
                             flow_id=target.flow_id, source_name=target.source_name)
        whole = orjson.dumps(env)
        cut = whole.rindex(b"{}")
        self._prefix, self._suffix = whole[:cut], whole[cut + 2:]

    # --- control (GUI / CLI) --------------------------------------------------------------------
    def pause(self) -> None:
        self._gate.clear()
        self.progress.state = PAUSED
        self._emit(force=True)

    def resume(self) -> None:
        self._gate.set()
        if self.progress.state == PAUSED:
            self.progress.state = RUNNING
        self._emit(force=True)

    def cancel(self) -> None:
        """Stop sending; requests in flight finish and are journaled. The run stays resumable."""
        self._cancelled = True
        self.progress.state = CANCELLING
        self._gate.set()
        self._wake.set()
        self._space.set()

    @property
    def paused(self) -> bool:
        return not self._gate.is_set()

    # --- reporting ------------------------------------------------------------------------------
    def _emit(self, force: bool = False) -> None:
        now = time.monotonic()
        self.progress.elapsed = now - self.progress.started
        if self.on_progress is None or (not force and now - self._last_emit < self.opt.progress_interval):
            return
        self._last_emit = now
        try:
            self.on_progress(self.progress.snapshot())
        except Exception:
            log.exception("progress callback failed")

    def _results(self, results: list[RecordResult]) -> None:
        if self.on_result is None:
            return
        for r in results:
            try:
                self.on_result(r)
            except Exception:
                log.exception("result callback failed")

    def _finish(self, accepted: list[tuple[_Msg, str | None]], dead: list[tuple[Any, str, str, int | None]]) -> None:
        """Make outcomes durable: dead letters first, then the journal (see journal.py)."""
        if dead and self.dead is not None:
            self.dead.write([dead_entry(m, kind, reason, status) for m, kind, reason, status in dead])
        if self.journal is not None and (accepted or dead):
            self.journal.record(accepted=[m.index for m, _ in accepted], dead_lettered=[m.index for m, *_ in dead])
        p = self.progress
        p.accepted += len(accepted)
        for _, kind, _, _ in dead:
            if kind == INVALID:
                p.invalid += 1
            elif kind == UNREADABLE:
                p.unreadable += 1
            else:
                p.failed += 1
        limit = self.opt.stop_after_failures
        if limit and not self._abort and p.dead_lettered >= limit:
            self._abort = (f"stopped early: {p.dead_lettered:,} records were not accepted "
                           f"(the run stops after {limit:,})")
            self._abort_kind = "failures"
        if self.on_result is not None:
            self._results([RecordResult(m.index, m.line, ACCEPTED, m.attempts, 200, x) for m, x in accepted]
                          + [RecordResult(m.index, m.line, kind, getattr(m, "attempts", 0), st, None, why)
                             for m, kind, why, st in dead])
        self._emit()

    # --- the run --------------------------------------------------------------------------------
    async def run(self, records: Iterable[SourceRecord], *, skip: Any = None,
                  total_bytes: int | None = None) -> RunReport:
        """Send every record of ``records`` not in ``skip`` (a set of indexes from the journal)."""
        self.progress = Progress(total_bytes=total_bytes)
        if skip is not None:
            self.progress.skipped = len(skip)
        workers = [asyncio.create_task(self._worker()) for _ in range(max(1, self.opt.concurrency))]
        error: str | None = None
        kind: str | None = None
        try:
            await self._read(records, skip)
        except SourceError as exc:
            error, kind = str(exc), "input"
        except asyncio.CancelledError:
            self.cancel()
            raise
        finally:
            self._reader_done = True
            self._wake.set()
            try:
                await asyncio.gather(*workers)
            finally:
                for t in self._timers:
                    t.cancel()
        p = self.progress
        if self._abort:
            p.state, error, kind = ABORTED, self._abort, self._abort_kind
        elif self._cancelled:
            p.state = CANCELLED
        elif error:
            p.state = ABORTED
        else:
            p.state = DONE
            if self.journal is not None:
                self.journal.finish()
        self._emit(force=True)
        return RunReport(p.state, p.snapshot(), self.dead.path if self.dead else None,
                         self.journal.path if self.journal else None, error, resumed=skip is not None,
                         error_kind=kind, sample_reasons=tuple(self.dead.samples) if self.dead else ())

    async def _read(self, records: Iterable[SourceRecord], skip: Any) -> None:
        high = max(self.opt.max_batch_bytes * (self.opt.concurrency + 2), 4 * self.opt.max_batch_bytes)
        dead: list[tuple[Any, str, str, int | None]] = []
        last_flush = time.monotonic()
        validator = self.validator if self.opt.validate else None
        n = 0
        try:
            for rec in records:
                if self._cancelled or self._abort:
                    break
                n += 1
                if rec.end_offset:
                    self.progress.bytes_read = rec.end_offset
                if skip is not None and rec.index in skip:
                    continue
                self.progress.read += 1
                if rec.error is not None:
                    dead.append((rec, UNREADABLE, f"{rec.location()}: {rec.error}", None))
                else:
                    if self.opt.string_ids and type(rec.entity.get("_id")) is int:
                        rec.entity["_id"] = str(rec.entity["_id"])
                    violations = validator.validate(rec.entity, limit=5) if validator is not None else None
                    if violations:
                        why = "; ".join(f"{v.json_path}: {v.message}" for v in violations)
                        dead.append((rec, INVALID, f"{rec.location()}: {why}", 400))
                    else:
                        data = self._prefix + orjson.dumps(rec.entity) + self._suffix
                        if len(data) + _WRAP > DCS_MAX_REQUEST:
                            dead.append((rec, FAILED, f"{rec.location()}: the message is {len(data):,} bytes; DCS "
                                         f"accepts at most {DCS_MAX_REQUEST:,} bytes per request (413)", 413))
                            continue
                        self._queue.append(_Msg(rec.index, rec.line, data, rec.entity))
                        self._queued_bytes += len(data) + 1
                        self._outstanding += 1
                        if self._queued_bytes >= self.opt.max_batch_bytes:
                            self._wake.set()
                now = time.monotonic()
                limit = self.opt.stop_after_failures
                if dead and (len(dead) >= 1000 or now - last_flush > 0.25
                             or (limit and self.progress.dead_lettered + len(dead) >= limit)):
                    self._finish([], dead)
                    dead, last_flush = [], now
                if n % 256 == 0:
                    self._emit()
                    await asyncio.sleep(0)  # let the workers run
                    while self._queued_bytes > high and not (self._cancelled or self._abort):
                        self._space.clear()
                        await self._space.wait()
        finally:  # also when the source stops with a SourceError: what was read is accounted for
            if dead:
                self._finish([], dead)

    def _take(self) -> list[_Msg]:
        """The next batch: due retries first, then queued records, under the size limits."""
        batch: list[_Msg] = []
        size = _WRAP
        for source in (self._retry, self._queue):
            while source and len(batch) < self.opt.max_batch_messages:
                m = source[0]
                if batch and size + len(m.data) + 1 > self.opt.max_batch_bytes:
                    return batch
                source.popleft()
                if source is self._queue:
                    self._queued_bytes -= len(m.data) + 1
                batch.append(m)
                size += len(m.data) + 1
        return batch

    def _ready(self) -> bool:
        return bool(self._retry) or self._queued_bytes >= self.opt.max_batch_bytes or \
            len(self._queue) >= self.opt.max_batch_messages or (self._reader_done and bool(self._queue))

    async def _worker(self) -> None:
        while True:
            await self._gate.wait()
            if self._cancelled or self._abort:
                return
            wait = self._not_before - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            if not self._ready():
                if self._reader_done and self._outstanding == 0:
                    self._wake.set()  # let the others see it too
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = self._take()
            self._space.set()
            if batch:
                await self._send(batch)

    async def _send(self, batch: list[_Msg]) -> None:
        p = self.progress
        p.in_flight += len(batch)
        p.requests += 1
        for m in batch:
            m.attempts += 1
        body = b'{"messages":[' + b",".join(m.data for m in batch) + b"]}"
        split: E.AEPError | None = None
        try:
            ack = await self.session.streaming.send_batch(self.target.connection_id, body=body, count=len(batch),
                                                          flow_id=self.target.flow_id)
        except E.PayloadTooLarge as exc:
            split = exc
        except (E.AuthError, E.NotFoundError, E.BadRequestError) as exc:  # not a per-record problem
            self._abort = f"{type(exc).__name__}: {exc}"
            self._requeue_now(batch)
        except (E.RateLimited, E.ServerError, E.NetworkError) as exc:
            status = getattr(exc, "status", None) or 0
            self._retry_later(batch, f"{type(exc).__name__}: {exc}", status, getattr(exc, "retry_after", None))
        except E.AEPError as exc:
            self._fail_all(batch, f"{type(exc).__name__}: {exc}", getattr(exc, "status", None))
        else:
            accepted, dead, again = [], [], []
            for m, r in zip(batch, ack.results, strict=False):
                verdict = classify(r, self.policy)
                if verdict == "ok":
                    accepted.append((m, r.xaction_id))
                elif verdict == "retry":
                    m.last = f"HTTP {r.status or 'no answer'}: {r.message or ''}".strip()
                    again.append(m)
                else:
                    dead.append((m, FAILED, f"record {m.index} (line {m.line}): HTTP {r.status}: {r.message}",
                                 r.status))
            if len(ack.results) < len(batch):  # the client pads, but be safe
                again.extend(batch[len(ack.results):])
            self._outstanding -= len(accepted) + len(dead)
            self._finish(accepted, dead)
            if again:
                self._retry_later(again, again[0].last or "partial failure", 0, None)
        finally:
            p.in_flight -= len(batch)
            self._emit()
        if split is not None:
            await self._split_or_fail(batch, split)

    def _requeue_now(self, batch: list[_Msg]) -> None:
        for m in batch:
            m.attempts -= 1
        self._retry.extendleft(reversed(batch))
        self._wake.set()

    async def _split_or_fail(self, batch: list[_Msg], exc: E.AEPError) -> None:
        """413 / a 400 for the whole request: send each half on its own to isolate the culprit(s)."""
        if len(batch) > 1:
            for m in batch:
                m.attempts -= 1
            mid = len(batch) // 2
            for half in (batch[:mid], batch[mid:]):
                await self._gate.wait()
                if self._cancelled or self._abort:
                    continue  # not journaled: a resumed run sends them
                await self._send(half)
            return
        self._fail_all(batch, f"{type(exc).__name__}: {exc}", exc.status)

    def _fail_all(self, batch: list[_Msg], why: str, status: int | None) -> None:
        dead = [(m, FAILED, f"record {m.index} (line {m.line}): {why}", status) for m in batch]
        self._outstanding -= len(batch)
        self._finish([], dead)

    def _retry_later(self, batch: list[_Msg], why: str, status: int, retry_after: float | None) -> None:
        give_up = [m for m in batch if m.attempts >= self.opt.max_attempts]
        if give_up:
            self._fail_all(give_up, f"gave up after {self.opt.max_attempts} attempts; last: {why}", status or None)
        again = [m for m in batch if m.attempts < self.opt.max_attempts]
        if not again:
            return
        if not self.policy.follow_retry_after(retry_after):
            self._abort = (f"AEP asked to wait {retry_after:g} s before the next request (Retry-After), longer than "
                           f"{self.policy.max_retry_after:g} s: the run stops; resume it later")
            self._requeue_now(again)
            return
        self.progress.retried += len(again)
        attempt = max(m.attempts for m in again)
        delay = self.policy.delay(attempt - 1, self._rand.random(), retry_after)
        if retry_after is not None:
            self._not_before = max(self._not_before, time.monotonic() + retry_after)
            self.progress.message = f"waiting {retry_after:g} s (Retry-After)"
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle | None = None

        def due() -> None:
            self._timers.discard(handle)
            self._retry.extend(again)
            self._wake.set()

        handle = loop.call_later(delay, due)
        self._timers.add(handle)


def classify(result: Any, policy: RetryPolicy | None = None) -> str:
    """A per-message result of a 207 → ``ok``, ``retry`` (the retry policy's statuses) or ``dead``."""
    if result.ok:
        return "ok"
    return "retry" if (policy or _POLICY).retryable(result.status) else "dead"


_POLICY = RetryPolicy()
