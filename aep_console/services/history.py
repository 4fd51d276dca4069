"""Request history: every HTTP exchange of an ``AEPSession`` in a local SQLite database.

Subscribe with ``AEPSession(..., on_exchange=history.hook(profile_name))``. Exchanges arrive
already redacted by ``aep_console.aep.redact`` (the one place that redacts); the store runs that
redaction once more with the secrets it was told about, so a value that slipped past the patterns
still never reaches the database. Search, export (JSON / JSON Lines) and "copy as curl" (the
token as the ``${ACCESS_TOKEN}`` placeholder) work on what was stored.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from .. import paths
from ..aep import redact
from ..paths import make_private_file, open_private

BODY_LIMIT = 64 * 1024
DEFAULT_KEEP = 50_000  # entries
DEFAULT_MAX_AGE_DAYS = 30.0  # entries older than this go (None or 0: no age limit)
PRUNE_EVERY = 1000  # inserts …
PRUNE_INTERVAL_S = 3600.0  # … or seconds, whichever comes first

_SCHEMA = """
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at REAL NOT NULL,
    profile TEXT,
    service TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    status INTEGER,
    duration_ms REAL,
    attempt INTEGER,
    request_id TEXT,
    error TEXT,
    request_headers TEXT NOT NULL,
    request_body TEXT,
    response_headers TEXT NOT NULL,
    response_body TEXT
);
CREATE INDEX IF NOT EXISTS exchanges_started ON exchanges(started_at);
"""


@dataclass
class HistoryEntry:
    id: int
    started_at: float
    profile: str | None
    service: str
    method: str
    url: str
    status: int | None
    duration_ms: float | None
    attempt: int | None
    request_id: str | None
    error: str | None
    request_headers: dict[str, str]
    request_body: str | None
    response_headers: dict[str, str]
    response_body: str | None
    run: str | None = None  # the bulk run that made it (entries of one run are shown as one group)

    def as_curl(self) -> str:
        """A curl command; the token is the ``${ACCESS_TOKEN}`` placeholder."""
        return redact.curl_command(self.method, self.url, self.request_headers, self.request_body)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def default_path() -> Path:
    return paths.data_dir() / "history.sqlite3"


class HistoryStore:
    """``keep``: at most this many entries; ``max_age_days``: none older than this (both settings can be
    changed on the instance; they apply when the store opens, every ``PRUNE_EVERY`` inserts or
    ``PRUNE_INTERVAL_S`` seconds, and on ``prune()``)."""

    def __init__(self, path: Path | None = None, *, secrets: Callable[[], Iterable[str]] | None = None,
                 keep: int = DEFAULT_KEEP, max_age_days: float | None = DEFAULT_MAX_AGE_DAYS) -> None:
        self.path = path or default_path()
        make_private_file(self.path)  # personal data: 0600 (SQLite gives its -wal/-shm files the same mode)
        self._secrets = secrets
        self._extra_secrets: set[str] = set()
        self.keep = keep
        self.max_age_days = max_age_days
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        if "run" not in {r[1] for r in self._db.execute("PRAGMA table_info(exchanges)")}:
            self._db.execute("ALTER TABLE exchanges ADD COLUMN run TEXT")  # stores made before bulk-run groups
        self._inserted = 0
        self._pruned_at = 0.0
        self.prune()  # by age too: a store opened after a month away starts clean

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add_secret(self, value: str | None) -> None:
        """A literal that must never be stored (e.g. the client secret in use)."""
        if value:
            self._extra_secrets.add(value)

    def _secret_values(self) -> tuple[str, ...]:
        vals = set(self._extra_secrets)
        if self._secrets:
            vals.update(v for v in self._secrets() if v)
        return tuple(vals)

    # --- recording -----------------------------------------------------------------------------
    def hook(self, profile: str | None = None) -> Callable[[Any], None]:
        """The ``on_exchange`` callback for an ``AEPSession`` of ``profile``."""
        def on_exchange(exchange: Any) -> None:
            self.record(exchange, profile=profile)

        return on_exchange

    def record(self, ex: Any, *, profile: str | None = None) -> int:
        secrets = self._secret_values()

        def text(v: str | None) -> str | None:
            # already redacted by aep.redact; here only the literal secrets (cheap), then the cut
            if v is None:
                return None
            for secret in secrets:
                if len(secret) >= 4:
                    v = v.replace(secret, redact.REDACTED)
            return v if len(v) <= BODY_LIMIT + 256 else v[:BODY_LIMIT] + f"… [truncated, {len(v)} characters in all]"

        row = (
            ex.started_at or time.time(), profile, ex.service, ex.method, redact.redact_url(ex.url, secrets),
            ex.status, ex.duration_ms, ex.attempt, ex.request_id, text(ex.error),
            orjson.dumps(redact.redact_headers(ex.request_headers, secrets)).decode(), text(ex.request_body),
            orjson.dumps(redact.redact_headers(ex.response_headers, secrets)).decode(), text(ex.response_body),
            getattr(ex, "run", None),
        )
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO exchanges (started_at, profile, service, method, url, status, duration_ms, attempt,"
                " request_id, error, request_headers, request_body, response_headers, response_body, run)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
            self._inserted += 1
            if self._inserted % PRUNE_EVERY == 0 or time.monotonic() - self._pruned_at >= PRUNE_INTERVAL_S:
                self.prune()
            return int(cur.lastrowid)

    def prune(self, keep: int | None = None, *, max_age_days: float | None = None,
              now: float | None = None) -> int:
        """Remove all but the newest ``keep`` entries and those older than ``max_age_days`` (by default the
        store's settings); returns how many went."""
        keep = self.keep if keep is None else keep
        max_age = self.max_age_days if max_age_days is None else max_age_days
        with self._lock:
            self._pruned_at = time.monotonic()
            removed = self._db.execute(
                "DELETE FROM exchanges WHERE id <= (SELECT id FROM exchanges ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (keep,)).rowcount
            if max_age:
                cutoff = (time.time() if now is None else now) - max_age * 86400.0
                removed += self._db.execute("DELETE FROM exchanges WHERE started_at < ?", (cutoff,)).rowcount
            return removed

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM exchanges")
            self._db.execute("VACUUM")

    # --- reading -------------------------------------------------------------------------------
    @staticmethod
    def _where(text: str | None, method: str | None, service: str | None, profile: str | None,
               status: int | None, errors_only: bool, since: float | None,
               until: float | None) -> tuple[str, list[Any]]:
        clauses, args = [], []
        if text:
            like = f"%{text}%"
            clauses.append("(url LIKE ? OR request_body LIKE ? OR response_body LIKE ? OR error LIKE ?"
                           " OR request_id LIKE ?)")
            args += [like] * 5
        for col, val in (("method", method and method.upper()), ("service", service), ("profile", profile),
                         ("status", status)):
            if val is not None:
                clauses.append(f"{col} = ?")
                args.append(val)
        if errors_only:
            clauses.append("(status IS NULL OR status >= 400 OR error IS NOT NULL)")
        if since is not None:
            clauses.append("started_at >= ?")
            args.append(since)
        if until is not None:
            clauses.append("started_at < ?")
            args.append(until)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def search(self, text: str | None = None, *, method: str | None = None, service: str | None = None,
               profile: str | None = None, status: int | None = None, errors_only: bool = False,
               since: float | None = None, until: float | None = None, limit: int | None = 200,
               offset: int = 0, newest_first: bool = True) -> list[HistoryEntry]:
        return list(self.iter(text, method=method, service=service, profile=profile, status=status,
                              errors_only=errors_only, since=since, until=until, limit=limit, offset=offset,
                              newest_first=newest_first))

    def iter(self, text: str | None = None, *, method: str | None = None, service: str | None = None,
             profile: str | None = None, status: int | None = None, errors_only: bool = False,
             since: float | None = None, until: float | None = None, limit: int | None = None,
             offset: int = 0, newest_first: bool = False) -> Iterator[HistoryEntry]:
        where, args = self._where(text, method, service, profile, status, errors_only, since, until)
        sql = f"SELECT * FROM exchanges{where} ORDER BY id {'DESC' if newest_first else 'ASC'}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit, offset]
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        for row in rows:
            yield _entry(row)

    def count(self, text: str | None = None, **filters: Any) -> int:
        where, args = self._where(text, filters.get("method"), filters.get("service"), filters.get("profile"),
                                  filters.get("status"), filters.get("errors_only", False),
                                  filters.get("since"), filters.get("until"))
        with self._lock:
            return int(self._db.execute(f"SELECT COUNT(*) FROM exchanges{where}", args).fetchone()[0])

    def get(self, entry_id: int) -> HistoryEntry:
        with self._lock:
            row = self._db.execute("SELECT * FROM exchanges WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise KeyError(f"no history entry {entry_id}")
        return _entry(row)

    def as_curl(self, entry_id: int) -> str:
        return self.get(entry_id).as_curl()

    def export(self, path: str | Path, *, fmt: str | None = None, **filters: Any) -> int:
        """Write matching entries (oldest first) as JSON Lines (``.jsonl``) or a JSON array; returns the count."""
        path = Path(path)
        fmt = fmt or ("json" if path.suffix.lower() == ".json" else "jsonl")
        if fmt not in ("json", "jsonl"):
            raise ValueError(f"unknown export format {fmt!r} (json or jsonl)")
        n = 0
        with open_private(path, "wb") as fh:
            if fmt == "json":
                fh.write(b"[")
            for entry in self.iter(filters.pop("text", None), **filters):
                data = orjson.dumps(entry.to_json())
                if fmt == "json":
                    fh.write((b",\n" if n else b"\n") + data)
                else:
                    fh.write(data + b"\n")
                n += 1
            if fmt == "json":
                fh.write(b"\n]\n")
        return n


def _entry(row: tuple) -> HistoryEntry:
    (id_, started, profile, service, method, url, status, dur, attempt, rid, error, rqh, rqb, rsh, rsb,
     *rest) = row
    return HistoryEntry(id_, started, profile, service, method, url, status, dur, attempt, rid, error,
                        orjson.loads(rqh), rqb, orjson.loads(rsh), rsb, rest[0] if rest else None)
