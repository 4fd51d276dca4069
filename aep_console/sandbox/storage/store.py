"""The sandbox's embedded database: one SQLite file (WAL, synchronous=NORMAL) under the data dir.

Everything the sandbox knows lives here, scoped by (org, sandbox): a restart (or kill -9) keeps it.

Generic documents: most resources are JSON documents in table ``docs`` keyed by
(org, sandbox, kind, id), with optional ``alt_id`` (e.g. ``meta:altId``), ``name`` (duplicate checks)
and ``ref`` (a secondary key: a descriptor's source schema, a connection's inlet id, ...).

Other components (the data lake) add their own tables with :meth:`Store.add_migration`::

    store.add_migration("datalake", 1, ["CREATE TABLE IF NOT EXISTS dl_records (...)", ...])

Each (component, version) runs once, in order, recorded in ``schema_versions``. The connection is shared
and guarded by a lock; use :meth:`Store.transaction` for multi-statement writes, or :meth:`execute` /
:meth:`query` for single statements (the sqlite3 statement cache keeps them prepared).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

DB_NAME = "sandbox.sqlite3"

CORE_MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            """CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
            """CREATE TABLE IF NOT EXISTS docs (
                org TEXT NOT NULL, sandbox TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
                alt_id TEXT, name TEXT, ref TEXT,
                created INTEGER NOT NULL, updated INTEGER NOT NULL, body BLOB NOT NULL,
                PRIMARY KEY (org, sandbox, kind, id)) WITHOUT ROWID""",
            "CREATE INDEX IF NOT EXISTS docs_alt ON docs (org, sandbox, kind, alt_id)",
            "CREATE INDEX IF NOT EXISTS docs_name ON docs (org, sandbox, kind, name)",
            "CREATE INDEX IF NOT EXISTS docs_ref ON docs (kind, ref)",
            """CREATE TABLE IF NOT EXISTS batches (
                id TEXT PRIMARY KEY, org TEXT NOT NULL, sandbox TEXT NOT NULL, dataset_id TEXT,
                status TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL, body BLOB NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS batches_ds ON batches (org, sandbox, dataset_id, created)",
            "CREATE INDEX IF NOT EXISTS batches_scope ON batches (org, sandbox, created)",
        ],
    ),
    # Data dirs written before the data lake's migrations had their current component name.
    (2, ["UPDATE schema_versions SET component='datalake' WHERE component='part2_datalake'"]),
]


def now_ms() -> int:
    return int(time.time() * 1000)


def dumps(doc: Any) -> bytes:
    return orjson.dumps(doc)


def loads(raw: bytes | str) -> Any:
    return orjson.loads(raw)


class Store:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / DB_NAME
        self.lock = threading.RLock()
        self.conn = self.connect(cached_statements=512)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT NOT NULL, version INTEGER NOT NULL, "
            "applied INTEGER NOT NULL, PRIMARY KEY (component, version))"
        )
        for version, statements in CORE_MIGRATIONS:
            self.add_migration("core", version, statements)

    # --- plumbing -----------------------------------------------------------------------------

    def connect(self, **options: Any) -> sqlite3.Connection:
        """A connection to the sandbox's database: the only place that opens SQLite. Extra connections
        (WAL readers, the checkpointer) see committed data without waiting for the shared one's lock."""
        options.setdefault("isolation_level", None)
        return sqlite3.connect(self.path, check_same_thread=False, **options)

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    def add_migration(self, component: str, version: int, statements: Sequence[str]) -> bool:
        """Run ``statements`` once for (component, version); returns True if they ran now."""
        with self.lock:
            row = self.conn.execute(
                "SELECT 1 FROM schema_versions WHERE component=? AND version=?", (component, version)
            ).fetchone()
            if row:
                return False
            with self.transaction():
                for stmt in statements:
                    self.conn.execute(stmt)
                self.conn.execute(
                    "INSERT INTO schema_versions (component, version, applied) VALUES (?, ?, ?)",
                    (component, version, now_ms()),
                )
            return True

    def schema_version(self, component: str) -> int:
        row = self.query_one("SELECT MAX(version) FROM schema_versions WHERE component=?", (component,))
        return (row[0] or 0) if row else 0

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error); re-entrant (inner blocks join the outer one)."""
        with self.lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.transaction():
            self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        with self.lock:
            return self.conn.execute(sql, params).fetchone()

    # --- key/value ----------------------------------------------------------------------------

    def meta_get(self, key: str) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key=?", (key,))
        return row[0] if row else None

    def meta_set(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    # --- generic documents ----------------------------------------------------------------------

    def put(
        self,
        org: str,
        sandbox: str,
        kind: str,
        id: str,
        body: Any,
        *,
        alt_id: str | None = None,
        name: str | None = None,
        ref: str | None = None,
        created: int | None = None,
    ) -> None:
        ts = now_ms()
        self.execute(
            "INSERT INTO docs (org, sandbox, kind, id, alt_id, name, ref, created, updated, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(org, sandbox, kind, id) DO UPDATE SET "
            "alt_id=excluded.alt_id, name=excluded.name, ref=excluded.ref, updated=excluded.updated, body=excluded.body",
            (org, sandbox, kind, id, alt_id, name, ref, created or ts, ts, dumps(body)),
        )

    def get(self, org: str, sandbox: str, kind: str, id: str) -> Any | None:
        row = self.query_one(
            "SELECT body FROM docs WHERE org=? AND sandbox=? AND kind=? AND id=?", (org, sandbox, kind, id)
        )
        return loads(row[0]) if row else None

    def find_by_name(self, org: str, sandbox: str, kind: str, name: str) -> Any | None:
        row = self.query_one(
            "SELECT body FROM docs WHERE org=? AND sandbox=? AND kind=? AND name=?",
            (org, sandbox, kind, name),
        )
        return loads(row[0]) if row else None

    def list(self, org: str, sandbox: str, kind: str, *, ref: str | None = None) -> list[Any]:
        if ref is None:
            rows = self.query(
                "SELECT body FROM docs WHERE org=? AND sandbox=? AND kind=? ORDER BY created, id",
                (org, sandbox, kind),
            )
        else:
            rows = self.query(
                "SELECT body FROM docs WHERE org=? AND sandbox=? AND kind=? AND ref=? ORDER BY created, id",
                (org, sandbox, kind, ref),
            )
        return [loads(r[0]) for r in rows]

    def list_items(self, org: str, sandbox: str, kind: str) -> list[tuple[str, Any]]:
        rows = self.query(
            "SELECT id, body FROM docs WHERE org=? AND sandbox=? AND kind=? ORDER BY created, id",
            (org, sandbox, kind),
        )
        return [(r[0], loads(r[1])) for r in rows]

    def find_by_ref(self, kind: str, ref: str) -> tuple[str, str, Any] | None:
        """A document of ``kind`` by its ``ref`` across all orgs: (org, sandbox, body)."""
        row = self.query_one("SELECT org, sandbox, body FROM docs WHERE kind=? AND ref=?", (kind, ref))
        return (row[0], row[1], loads(row[2])) if row else None

    def delete(self, org: str, sandbox: str, kind: str, id: str) -> bool:
        cur = self.execute(
            "DELETE FROM docs WHERE org=? AND sandbox=? AND kind=? AND id=?", (org, sandbox, kind, id)
        )
        return cur.rowcount > 0

    def count(self, org: str, sandbox: str, kind: str) -> int:
        row = self.query_one(
            "SELECT COUNT(*) FROM docs WHERE org=? AND sandbox=? AND kind=?", (org, sandbox, kind)
        )
        return row[0] if row else 0
