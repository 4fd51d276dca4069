"""The data lake: every accepted streaming message, persisted in a batch of its dataset.

Records live in table ``dl_records`` of the sandbox's SQLite file (same connection, same transaction as the
Catalog batch row), so one COMMIT makes a request durable before it is answered.

Streaming batches: one open batch per (org, sandbox, dataset); it is closed ("success", or "failed" when
every record failed) once it holds ``max_records`` records or is ``max_age_s`` seconds old. Its Catalog row
(the Catalog ``batches`` table) carries ``recordCount`` / ``failedRecordCount`` while it fills. That row is
written on the writer thread, in the transaction of the records, from the counters of what is committed
(``OpenBatch.done_*``): a request whose COMMIT fails (answered 503) leaves no count behind, even when other
requests for the same batch were already queued or the batch was being closed, so Catalog counts always
equal the rows the export API lists. Batches left open by a crash are closed at start-up.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson
from ulid import ULID

from ..storage.store import now_ms

MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            """CREATE TABLE IF NOT EXISTS dl_records (
                seq INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, dataset_id TEXT NOT NULL,
                xaction_id TEXT NOT NULL, received INTEGER NOT NULL, ok INTEGER NOT NULL,
                kind INTEGER NOT NULL, idents BLOB, event_id TEXT, ts INTEGER, event_type TEXT,
                entity BLOB, errors BLOB)""",
            "CREATE INDEX IF NOT EXISTS dl_records_batch ON dl_records (batch_id, ok, seq)",
        ],
    ),
    (
        # an index on every row cost a third of the insert time: a batch's rows are found through the
        # seq range it spans instead (rows of other datasets' batches in that range are filtered out)
        2,
        [
            "DROP INDEX IF EXISTS dl_records_batch",
            """CREATE TABLE IF NOT EXISTS dl_batches (
                batch_id TEXT PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL) WITHOUT ROWID""",
            "INSERT OR IGNORE INTO dl_batches SELECT batch_id, MIN(seq), MAX(seq) FROM dl_records GROUP BY batch_id",
        ],
    ),
]
RANGE_SQL = ("INSERT INTO dl_batches (batch_id, first_seq, last_seq) VALUES (?, ?, ?) "
             "ON CONFLICT(batch_id) DO UPDATE SET last_seq = excluded.last_seq")

INSERT_SQL = ("INSERT INTO dl_records (seq, batch_id, dataset_id, xaction_id, received, ok, kind, idents, event_id, "
              "ts, event_type, entity, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

KIND_NONE, KIND_RECORD, KIND_EVENT = 0, 1, 2
MAX_ERROR_SAMPLES = 100


@dataclass
class OpenBatch:
    """An open streaming batch. Two sets of counters:

    - *prepared* (``records``, ``failed``, ``size``, ``samples``), event-loop thread: every request whose
      messages were assigned to the batch, committed or still queued; they decide when the batch is full;
    - *committed* (``done_*``), writer thread only, advanced after a successful COMMIT: the Catalog row is
      written from these, inside the same transaction as the records, so ``recordCount`` /
      ``failedRecordCount`` / ``errors`` always equal the rows the export API lists (a request whose COMMIT
      fails, and that was answered 503 "nothing accepted", leaves no trace in them).
    """

    id: str
    org: str
    sandbox: str
    dataset_id: str
    created: int
    records: int = 0
    failed: int = 0
    size: int = 0
    samples: int = 0  # error samples prepared (at most MAX_ERROR_SAMPLES are kept)
    done_records: int = 0
    done_failed: int = 0
    done_size: int = 0
    done_errors: list[dict] = field(default_factory=list)
    stored: bool = False  # its Catalog row exists (written by a committed request)

    def body(self, status: str, updated: int, completed: int | None = None, *, records: int | None = None,
             failed: int | None = None, size: int | None = None, errors: list[dict] | None = None) -> dict[str, Any]:
        """The Catalog document from the committed counters (or the given ones)."""
        records = self.done_records if records is None else records
        failed = self.done_failed if failed is None else failed
        size = self.done_size if size is None else size
        errors = self.done_errors if errors is None else errors
        body: dict[str, Any] = {
            "id": self.id,
            "imsOrg": self.org,
            "sandboxName": self.sandbox,
            "status": status,
            "created": self.created,
            "updated": updated,
            "started": self.created,
            "createdClient": "acp_streaming",
            "createdUser": "acp_streaming@AdobeID",
            "updatedUser": "acp_streaming@AdobeID",
            "recordCount": records,
            "failedRecordCount": failed,
            "size": size,
            "errors": errors[:MAX_ERROR_SAMPLES],
            "relatedObjects": [{"type": "dataSet", "id": self.dataset_id}],
            "metrics": {"inputByteSize": size, "inputRecordCount": records + failed,
                        "outputRecordCount": records, "failedRecordCount": failed},
            "inputFormat": {"format": "json"},
            "tags": {"acp_stagePath": [f"acp_foundation_push/stage/{self.id}"],
                     "acp_ingestType": ["streaming"]},
            "version": "1.0.0",
        }
        if completed is not None:
            body["completed"] = completed
        return body


@dataclass(slots=True)
class BatchDelta:
    """What one request adds to one batch. ``errors``: samples whose ``rows`` hold the 1-based position
    among this request's messages for the batch (made absolute at COMMIT)."""

    batch: OpenBatch
    records: int = 0
    failed: int = 0
    size: int = 0
    errors: list[dict] = field(default_factory=list)


def closed_status(records: int, failed: int) -> str:
    return "failed" if records == 0 and failed else "success"


class DataLake:
    def __init__(self, store, *, max_records: int = 50_000, max_age_s: float = 30.0) -> None:
        self.store = store
        self.max_records = max_records
        self.max_age_s = max_age_s
        self.open: dict[tuple[str, str, str], OpenBatch] = {}
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="datalake-writer")
        for version, statements in MIGRATIONS:
            store.add_migration("datalake", version, statements)
        row = store.query_one("SELECT MAX(seq) FROM dl_records")
        self.next_seq = (row[0] or 0) + 1 if row else 1
        self._recover()

    def _recover(self) -> None:
        """Close the batches a crash left open (their records and Catalog rows are committed together)."""
        rows = self.store.query("SELECT id, body FROM batches WHERE status='loading' "
                                "AND CAST(body AS TEXT) LIKE '%acp_ingestType%streaming%'")
        ts = now_ms()
        with self.store.transaction() as conn:
            for batch_id, raw in rows:
                body = orjson.loads(raw)
                body["status"] = closed_status(body.get("recordCount", 0), body.get("failedRecordCount", 0))
                body["updated"] = body["completed"] = ts
                conn.execute("UPDATE batches SET status=?, updated=?, body=? WHERE id=?",
                             (body["status"], ts, orjson.dumps(body), batch_id))

    # --- writing -----------------------------------------------------------------------------------

    def batch_for(self, org: str, sandbox: str, dataset_id: str) -> OpenBatch:
        key = (org, sandbox, dataset_id)
        batch = self.open.get(key)
        if batch is None:
            batch = OpenBatch(id=str(ULID()), org=org, sandbox=sandbox, dataset_id=dataset_id, created=now_ms())
            self.open[key] = batch
        return batch

    def reserve(self, deltas: list[BatchDelta]) -> None:
        """Count a prepared request in its batches (event-loop thread)."""
        for d in deltas:
            b = d.batch
            b.records += d.records
            b.failed += d.failed
            b.size += d.size
            b.samples += len(d.errors)

    def release(self, deltas: list[BatchDelta]) -> None:
        """Undo :meth:`reserve` after a failed COMMIT (the batches stay open; their Catalog rows were
        never touched by the failed request)."""
        for d in deltas:
            b = d.batch
            b.records -= d.records
            b.failed -= d.failed
            b.size -= d.size
            b.samples -= len(d.errors)

    def commit(self, rows: list[tuple], ranges: list[tuple[str, int, int]], deltas: list[BatchDelta]) -> None:
        """One transaction: record rows, batch seq ranges and the Catalog rows built from the committed
        counters plus this request (writer thread; commits run in submission order)."""
        ts = now_ms()
        done: list[tuple[BatchDelta, list[dict]]] = []
        with self.store.transaction() as conn:
            if rows:
                conn.executemany(INSERT_SQL, rows)
            if ranges:
                conn.executemany(RANGE_SQL, ranges)
            for d in deltas:
                b = d.batch
                base = b.done_records + b.done_failed
                room = MAX_ERROR_SAMPLES - len(b.done_errors)
                errors = [{**e, "rows": [str(base + e["rows"][0])]} for e in d.errors[:max(0, room)]]
                body = orjson.dumps(b.body("loading", ts, records=b.done_records + d.records,
                                           failed=b.done_failed + d.failed, size=b.done_size + d.size,
                                           errors=b.done_errors + errors))
                if b.stored:
                    conn.execute("UPDATE batches SET updated=?, body=? WHERE id=?", (ts, body, b.id))
                else:
                    conn.execute("INSERT INTO batches (id, org, sandbox, dataset_id, status, created, updated, body) "
                                 "VALUES (?, ?, ?, ?, 'loading', ?, ?, ?)",
                                 (b.id, b.org, b.sandbox, b.dataset_id, b.created, ts, body))
                done.append((d, errors))
        for d, errors in done:  # COMMIT succeeded
            b = d.batch
            b.done_records += d.records
            b.done_failed += d.failed
            b.done_size += d.size
            b.done_errors.extend(errors)
            b.stored = True

    async def run(self, fn, *args):
        """Run ``fn`` on the single writer thread: SQLite releases the GIL while it works, so the event loop
        keeps parsing and validating the next requests; one thread keeps commits in submission order."""
        return await asyncio.get_running_loop().run_in_executor(self.writer, fn, *args)

    def due(self, *, force: bool = False, dataset_id: str | None = None) -> list[OpenBatch]:
        """Take full, old (or, with ``force``, all) open batches out of service: a request prepared from now
        on opens new ones. Close them with :meth:`close` on the writer thread, after the commits already
        queued for them."""
        ts = now_ms()
        due = [b for b in self.open.values()
               if (dataset_id is None or b.dataset_id == dataset_id)  # a flush of one dataset closes only its own
               and (force or b.records + b.failed >= self.max_records or ts - b.created >= self.max_age_s * 1000)]
        for batch in due:
            self.open.pop((batch.org, batch.sandbox, batch.dataset_id), None)
        return due

    def close(self, batches: list[OpenBatch]) -> None:
        """Mark the batches closed in Catalog, from their committed counters (writer thread). A batch whose
        requests all failed to commit has no Catalog row and stays absent."""
        ts = now_ms()
        with self.store.transaction() as conn:
            for b in batches:
                if not b.stored:
                    continue
                status = closed_status(b.done_records, b.done_failed)
                conn.execute("UPDATE batches SET status=?, updated=?, body=? WHERE id=?",
                             (status, ts, orjson.dumps(b.body(status, ts, ts)), b.id))

    async def close_due(self, *, force: bool = False, dataset_id: str | None = None) -> list[str]:
        """Close due batches (after every commit already queued: same writer thread); returns the ids of
        those that hold records."""
        due = self.due(force=force, dataset_id=dataset_id)
        if due:
            await self.run(self.close, due)
        return [b.id for b in due if b.stored]

    # --- reading -----------------------------------------------------------------------------------

    def batch_row(self, batch_id: str) -> tuple[str, str, str | None, str, dict] | None:
        row = self.store.query_one("SELECT org, sandbox, dataset_id, status, body FROM batches WHERE id=?", (batch_id,))
        return (row[0], row[1], row[2], row[3], orjson.loads(row[4])) if row else None

    def _range(self, batch_id: str) -> tuple[int, int]:
        row = self.store.query_one("SELECT first_seq, last_seq FROM dl_batches WHERE batch_id=?", (batch_id,))
        return (row[0], row[1]) if row else (1, 0)

    def records(self, batch_id: str, *, ok: bool, offset: int = 0, limit: int = -1) -> list[tuple]:
        first, last = self._range(batch_id)
        return self.store.query(
            "SELECT seq, xaction_id, received, entity, errors FROM dl_records WHERE seq BETWEEN ? AND ? "
            "AND batch_id=? AND ok=? ORDER BY seq LIMIT ? OFFSET ?",
            (first, last, batch_id, 1 if ok else 0, limit, offset))

    def count(self, batch_id: str, *, ok: bool) -> tuple[int, int]:
        first, last = self._range(batch_id)
        row = self.store.query_one(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(entity)), 0) FROM dl_records WHERE seq BETWEEN ? AND ? "
            "AND batch_id=? AND ok=?", (first, last, batch_id, 1 if ok else 0))
        return (row[0], row[1]) if row else (0, 0)

    def preview(self, org: str, sandbox: str, dataset_id: str, limit: int = 100) -> list[bytes]:
        out: list[bytes] = []
        for (batch_id,) in self.store.query(
                "SELECT id FROM batches WHERE org=? AND sandbox=? AND dataset_id=? ORDER BY created, id",
                (org, sandbox, dataset_id)):
            out += [r[3] for r in self.records(batch_id, ok=True, limit=limit - len(out))]
            if len(out) >= limit:
                break
        return out

    def entities(self, seqs: list[int]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        for start in range(0, len(seqs), 500):
            chunk = seqs[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for seq, entity in self.store.query(f"SELECT seq, entity FROM dl_records WHERE seq IN ({marks})", chunk):
                out[seq] = entity
        return out

    def event_rows(self, seqs: list[int]) -> dict[int, tuple[int, dict]]:
        """seq -> (received ms, entity) for the given rows."""
        out: dict[int, tuple[int, dict]] = {}
        for start in range(0, len(seqs), 500):
            chunk = seqs[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for seq, received, entity in self.store.query(
                    f"SELECT seq, received, entity FROM dl_records WHERE seq IN ({marks})", chunk):
                out[seq] = (received, orjson.loads(entity))
        return out
