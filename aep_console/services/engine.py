"""The bulk streaming engine: prepared request bodies (prepare.py) → DCS, concurrently.

    sender = BulkSender(session, target, validator=v, journal=j, dead_letters=dl, on_progress=cb)
    report = await sender.run(read_records(path), skip=state.done)
    sender.pause(); sender.resume(); sender.cancel()      # from any callback / the GUI

Every record ends in exactly one outcome: accepted, or dead-lettered (invalid, unreadable, or refused
by AEP / retries exhausted) with the reason. Per-message failures of a 207 are read in both the
``status`` and the ``statusCode`` form (the client parses both); 429/5xx/no answer are retried with
back-off (``Retry-After`` honoured), 413 and whole-request 400 split the batch. Outcomes are written
to the dead-letter file and then the journal, fsync'd off the loop (outcome_writer.py), so a killed
run resumes losing nothing. Requests are paced to AEP's guardrails against AEP (pacing.py).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
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
from .outcome_writer import OutcomeWriter
from .pacing import AEP_MESSAGES_PER_SECOND, AEP_REQUESTS_PER_SECOND, Pacer, rate
from .prepare import WRAP, Prepared, PreparedBatch, Preparer, prepared_here
from .prepare import Message as _Msg
from .sources import SourceError, SourceRecord

log = logging.getLogger(__name__)
RETRY_STATUSES = RetryPolicy().retry_statuses  # the console's one retry policy (aep/retry.py)


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
        self._queue: deque[PreparedBatch] = deque()
        self._queued_bytes = 0
        self._retry: deque[_Msg] = deque()
        self._outstanding = 0  # records in the pipeline without a final outcome
        self._reader_done = False
        self._wake = asyncio.Event()
        self._space = asyncio.Event()
        self._not_before = 0.0  # shared cool-down after 429/503 (monotonic)
        self._last_emit = 0.0
        self._abort: str | None = None
        self._writer: OutcomeWriter | None = None
        self._abort_kind = "aep"  # or "failures": stop_after_failures was reached
        self._timers: set[asyncio.TimerHandle] = set()
        self._rand = random.Random()
        env = build_envelope({}, schema_id=target.schema_id, org_id=target.org_id, dataset_id=target.dataset_id,
                             flow_id=target.flow_id, source_name=target.source_name)
        whole = orjson.dumps(env)
        cut = whole.rindex(b"{}")
        self._prefix, self._suffix = whole[:cut], whole[cut + 2:]
        self._cut = (len(self._prefix), len(self._suffix))
        local = getattr(getattr(session, "endpoints", None), "is_local", True)
        self._pacer = Pacer(rate(self.opt.max_messages_per_second, AEP_MESSAGES_PER_SECOND, local=local),
                            rate(self.opt.max_requests_per_second, AEP_REQUESTS_PER_SECOND, local=local))

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
    def stopping(self) -> bool:
        """Cancelled, or aborted by an answer no retry can fix: read no further."""
        return self._cancelled or self._abort is not None

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
        for r in results:
            try:
                self.on_result(r)
            except Exception:
                log.exception("result callback failed")

    def _finish(self, accepted: list[tuple[_Msg, str | None]], dead: list[tuple[Any, str, str, int | None]]) -> None:
        """Make outcomes durable: dead letters first, then the journal (see journal.py)."""
        if self._writer is not None and (accepted or dead):
            self._writer.put([dead_entry(m, kind, reason, status) for m, kind, reason, status in dead]
                             if self.dead is not None else [],
                             [m.index for m, _ in accepted], [m.index for m, *_ in dead])
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

    def _accepted_batch(self, batch: PreparedBatch, answer: Any, attempts: int) -> None:
        """The fast path: every message of a prepared batch accepted."""
        if self._writer is not None:
            self._writer.put([], batch.indexes, [])
        self.progress.accepted += len(batch)
        if self.on_result is not None:
            ids = answer.xaction_ids()
            self._results([RecordResult(i, line, ACCEPTED, attempts, 200, x)
                           for i, line, x in zip(batch.indexes, batch.lines, ids, strict=False)])
        self._emit()

    # --- the run --------------------------------------------------------------------------------
    async def run(self, records: Iterable[SourceRecord] | None = None, *, skip: Any = None,
                  total_bytes: int | None = None, prepared: AsyncIterator[Prepared] | None = None) -> RunReport:
        """Send every record of ``records`` not in ``skip`` (a set of indexes from the journal), or the
        blocks of ``prepared`` (records already prepared elsewhere, e.g. by worker processes)."""
        self.progress = Progress(total_bytes=total_bytes)
        if skip is not None:
            self.progress.skipped = len(skip)
        if self.journal is not None or self.dead is not None:
            self._writer = OutcomeWriter(self.journal, self.dead)
        workers = [asyncio.create_task(self._worker()) for _ in range(max(1, self.opt.concurrency))]
        error: str | None = None
        kind: str | None = None
        try:
            await self._consume(prepared if prepared is not None else self._prepare_here(records or (), skip))
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
                if self._writer is not None:
                    try:
                        await asyncio.to_thread(self._writer.close)
                    except Exception as exc:
                        self._abort = self._abort or f"could not write the run's journal: {exc}"
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

    def preparer(self) -> Preparer:
        """What turns this run's records into request bodies (in this process)."""
        opt = self.opt
        return Preparer(self._prefix, self._suffix, validator=self.validator if opt.validate else None,
                        string_ids=opt.string_ids, max_bytes=opt.max_batch_bytes, max_messages=opt.max_batch_messages)

    def _prepare_here(self, records: Iterable[SourceRecord], skip: Any) -> AsyncIterator[Prepared]:
        return prepared_here(self.preparer(), records, skip)

    async def _consume(self, blocks: AsyncIterator[Prepared]) -> None:
        high = max(self.opt.max_batch_bytes * (self.opt.concurrency + 2), 4 * self.opt.max_batch_bytes)
        p = self.progress
        async for prep in blocks:
            p.read += prep.read
            if prep.end_offset:
                p.bytes_read = prep.end_offset
            if prep.dead:
                self._finish([], prep.dead)  # in record order, before anything later is accepted
            for batch in prep.batches:
                self._queue.append(batch)
                self._queued_bytes += len(batch.body)
                self._outstanding += len(batch)
            if self._queue:
                self._wake.set()
            self._emit()
            await asyncio.sleep(0)  # let the senders run
            while self._queued_bytes > high and not (self._cancelled or self._abort):
                self._space.clear()
                await self._space.wait()
            if self._cancelled or self._abort:
                break

    def _take(self) -> PreparedBatch | list[_Msg]:
        """The next request: due retries first (under the size limits), else the next prepared batch."""
        if not self._retry:
            if not self._queue:
                return []
            batch = self._queue.popleft()
            self._queued_bytes -= len(batch.body)
            return batch
        batch: list[_Msg] = []
        size = WRAP
        source = self._retry
        while source and len(batch) < self.opt.max_batch_messages:
            m = source[0]
            if batch and size + len(m.data) + 1 > self.opt.max_batch_bytes:
                return batch
            source.popleft()
            batch.append(m)
            size += len(m.data) + 1
        return batch

    def _ready(self) -> bool:
        return bool(self._retry) or bool(self._queue)

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
                delay = self._pacer.delay(len(batch))
                if delay > 0:
                    await asyncio.sleep(delay)
                await self._send(batch)

    def _messages(self, batch: PreparedBatch, attempts: int) -> list[_Msg]:
        cut = self._cut
        return [_Msg(i, line, batch.message(k), cut, attempts)
                for k, (i, line) in enumerate(zip(batch.indexes, batch.lines, strict=True))]

    async def _send(self, batch: PreparedBatch | list[_Msg]) -> None:
        p = self.progress
        n = len(batch)
        p.in_flight += n
        p.requests += 1
        if isinstance(batch, PreparedBatch):
            prepared, body = batch, batch.body
        else:
            prepared = None
            for m in batch:
                m.attempts += 1
            body = b'{"messages":[' + b",".join(m.data for m in batch) + b"]}"
        split: E.AEPError | None = None
        try:
            answer = await self.session.streaming.post_batch(self.target.connection_id, body, n,
                                                             flow_id=self.target.flow_id)
        except E.PayloadTooLarge as exc:
            split = exc
        except (E.AuthError, E.NotFoundError, E.BadRequestError) as exc:  # not a per-record problem
            self._abort = f"{type(exc).__name__}: {exc}"
            self._requeue_now(self._messages(prepared, 1) if prepared is not None else batch)
        except (E.RateLimited, E.ServerError, E.NetworkError) as exc:
            status = getattr(exc, "status", None) or 0
            msgs = self._messages(prepared, 1) if prepared is not None else batch
            self._retry_later(msgs, f"{type(exc).__name__}: {exc}", status, getattr(exc, "retry_after", None))
        except E.AEPError as exc:
            self._fail_all(self._messages(prepared, 1) if prepared is not None else batch,
                           f"{type(exc).__name__}: {exc}", getattr(exc, "status", None))
        else:
            if prepared is not None and answer.all_ok:
                self._outstanding -= n
                self._accepted_batch(prepared, answer, 1)
            else:
                msgs = self._messages(prepared, 1) if prepared is not None else batch
                self._answered(msgs, answer.results())
        finally:
            p.in_flight -= n
            self._emit()
        if split is not None:
            await self._split_or_fail(self._messages(prepared, 1) if prepared is not None else batch, split)

    def _answered(self, batch: list[_Msg], results: list[Any]) -> None:
        accepted, dead, again = [], [], []
        for m, r in zip(batch, results, strict=False):
            verdict = classify(r, self.policy)
            if verdict == "ok":
                accepted.append((m, r.xaction_id))
            elif verdict == "retry":
                m.last = f"HTTP {r.status or 'no answer'}: {r.message or ''}".strip()
                again.append(m)
            else:
                dead.append((m, FAILED, f"record {m.index} (line {m.line}): HTTP {r.status}: {r.message}",
                             r.status))
        if len(results) < len(batch):  # the client pads, but be safe
            again.extend(batch[len(results):])
        self._outstanding -= len(accepted) + len(dead)
        self._finish(accepted, dead)
        if again:
            self._retry_later(again, again[0].last or "partial failure", 0, None)

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
            self.progress.message = None  # the wait is over
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
