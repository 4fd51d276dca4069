"""The data lake: every accepted streaming message, persisted in a batch of its dataset.

Records live in table ``dl_records`` of part 1's SQLite file (same connection, same transaction as the
Catalog batch row), so one COMMIT makes a request durable before it is answered.

Streaming batches: one open batch per (org, sandbox, dataset); it is closed ("success", or "failed" when
every record failed) once it holds ``max_records`` records or is ``max_age_s`` seconds old. Its Catalog row
(part 1's ``batches`` table) carries ``recordCount`` / ``failedRecordCount`` while it fills.
Batches left open by a crash are closed at start-up.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson
from ulid import ULID

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


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class OpenBatch:
    id: str
    org: str
    sandbox: str
    dataset_id: str
    created: int
    records: int = 0
    failed: int = 0
    size: int = 0
    errors: list[dict] = field(default_factory=list)

    def body(self, status: str, updated: int, completed: int | None = None) -> dict[str, Any]:
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
            "recordCount": self.records,
            "failedRecordCount": self.failed,
            "size": self.size,
            "errors": self.errors[:MAX_ERROR_SAMPLES],
            "relatedObjects": [{"type": "dataSet", "id": self.dataset_id}],
            "metrics": {"inputByteSize": self.size, "inputRecordCount": self.records + self.failed,
                        "outputRecordCount": self.records, "failedRecordCount": self.failed},
            "inputFormat": {"format": "json"},
            "tags": {"acp_stagePath": [f"acp_foundation_push/stage/{self.id}"],
                     "acp_ingestType": ["streaming"]},
            "version": "1.0.0",
        }
        if completed is not None:
            body["completed"] = completed
        return body


class DataLake:
    def __init__(self, store, *, max_records: int = 50_000, max_age_s: float = 30.0) -> None:
        self.store = store
        self.max_records = max_records
        self.max_age_s = max_age_s
        self.open: dict[tuple[str, str, str], OpenBatch] = {}
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="datalake-writer")
        for version, statements in MIGRATIONS:
            store.add_migration("part2_datalake", version, statements)
        row = store.query_one("SELECT MAX(seq) FROM dl_records")
        self.next_seq = (row[0] or 0) + 1 if row else 1
        self._recover()

    def _recover(self) -> None:
        """Close the batches a crash left open (their records are committed)."""
        rows = self.store.query("SELECT id, body FROM batches WHERE status='loading' "
                                "AND CAST(body AS TEXT) LIKE '%acp_ingestType%streaming%'")
        ts = now_ms()
        with self.store.transaction() as conn:
            for batch_id, raw in rows:
                body = orjson.loads(raw)
                body["status"] = "success" if body.get("recordCount", 0) or not body.get("failedRecordCount") else "failed"
                body["updated"] = body["completed"] = ts
                conn.execute("UPDATE batches SET status=?, updated=?, body=? WHERE id=?",
                             (body["status"], ts, orjson.dumps(body), batch_id))

    # --- writing (inside the caller's transaction) ------------------------------------------------

    def batch_for(self, org: str, sandbox: str, dataset_id: str) -> OpenBatch:
        key = (org, sandbox, dataset_id)
        batch = self.open.get(key)
        if batch is None:
            batch = OpenBatch(id=str(ULID()), org=org, sandbox=sandbox, dataset_id=dataset_id, created=now_ms())
            batch._new = True  # type: ignore[attr-defined]
            self.open[key] = batch
        return batch

    def snapshot(self, touched: list[OpenBatch]) -> list[tuple[str, tuple]]:
        """The Catalog row writes for the touched batches, as of now (taken on the event-loop thread, so the
        counts match exactly the records committed up to and including this request)."""
        ts = now_ms()
        ops: list[tuple[str, tuple]] = []
        for batch in touched:
            body = orjson.dumps(batch.body("loading", ts))
            if getattr(batch, "_new", False):
                ops.append(("INSERT INTO batches (id, org, sandbox, dataset_id, status, created, updated, body) "
                            "VALUES (?, ?, ?, ?, 'loading', ?, ?, ?)",
                            (batch.id, batch.org, batch.sandbox, batch.dataset_id, batch.created, ts, body)))
                batch._new = False  # type: ignore[attr-defined]
            else:
                ops.append(("UPDATE batches SET updated=?, body=? WHERE id=?", (ts, body, batch.id)))
        return ops

    def commit(self, rows: list[tuple], ranges: list[tuple[str, int, int]], ops: list[tuple[str, tuple]]) -> None:
        """One transaction: record rows, batch seq ranges, Catalog rows (runs on the writer thread)."""
        with self.store.transaction() as conn:
            if rows:
                conn.executemany(INSERT_SQL, rows)
            if ranges:
                conn.executemany(RANGE_SQL, ranges)
            for sql, params in ops:
                conn.execute(sql, params)

    async def run(self, fn, *args):
        """Run ``fn`` on the single writer thread: SQLite releases the GIL while it works, so the event loop
        keeps parsing and validating the next requests; one thread keeps commits in submission order."""
        return await asyncio.get_running_loop().run_in_executor(self.writer, fn, *args)

    def rollback(self, touched: list[OpenBatch], counts: dict[str, tuple[int, int, int, int]]) -> None:
        """Undo in-memory counters after a failed COMMIT (counts: batch id -> records, failed, size, errors);
        the batches are retired (the next message opens new ones)."""
        for batch in touched:
            rec, fail, size, nerr = counts.get(batch.id, (0, 0, 0, 0))
            batch.records -= rec
            batch.failed -= fail
            batch.size -= size
            del batch.errors[len(batch.errors) - nerr:]
            self.open.pop((batch.org, batch.sandbox, batch.dataset_id), None)

    def due(self, *, force: bool = False, dataset_id: str | None = None) -> tuple[list[str], list[tuple[str, tuple]]]:
        """Take full, old (or, with ``force``, all) open batches out of service: (ids, Catalog writes)."""
        ts = now_ms()
        due = [b for b in self.open.values()
               if (force and (dataset_id is None or b.dataset_id == dataset_id))
               or b.records + b.failed >= self.max_records or ts - b.created >= self.max_age_s * 1000]
        ops: list[tuple[str, tuple]] = []
        for batch in due:
            self.open.pop((batch.org, batch.sandbox, batch.dataset_id), None)
            if getattr(batch, "_new", False):
                continue
            status = "failed" if batch.records == 0 and batch.failed else "success"
            ops.append(("UPDATE batches SET status=?, updated=?, body=? WHERE id=?",
                        (status, ts, orjson.dumps(batch.body(status, ts, ts)), batch.id)))
        return [b.id for b in due], ops

    def apply(self, ops: list[tuple[str, tuple]]) -> None:
        with self.store.transaction() as conn:
            for sql, params in ops:
                conn.execute(sql, params)

    async def close_due(self, *, force: bool = False, dataset_id: str | None = None) -> list[str]:
        """Close due batches (after every commit already queued: same writer thread)."""
        ids, ops = self.due(force=force, dataset_id=dataset_id)
        if ops:
            await self.run(self.apply, ops)
        return ids

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
