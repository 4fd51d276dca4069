"""Catalog batches: the function API that the data lake uses to record what streaming wrote.

    b = services.batches.create(org, sandbox, dataset_id, status="loading")   # -> batch dict (with "id")
    services.batches.update(org, sandbox, b["id"], status="success", recordCount=10, failedRecordCount=1,
                            size=2048, errors=[{"code": "…", "description": "…", "rows": [3]}])

Statuses are AEP's (processing, success, failure, queued, retrying, stalled, aborted, abandoned, inactive,
failed, loading, loaded, staged, active, staging, deleted). ``update`` merges top-level fields; setting a
terminal status (success, failure, failed, aborted, abandoned) stamps ``completed``. Thread-safe.
"""

from __future__ import annotations

from typing import Any

from ulid import ULID

from .store import Store, dumps, loads, now_ms

STATUSES = {
    "processing",
    "success",
    "failure",
    "queued",
    "retrying",
    "stalled",
    "aborted",
    "abandoned",
    "inactive",
    "failed",
    "loading",
    "loaded",
    "staged",
    "active",
    "staging",
    "deleted",
}
TERMINAL = {"success", "failure", "failed", "aborted", "abandoned"}


class Batches:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(
        self,
        org: str,
        sandbox: str,
        dataset_id: str | None,
        *,
        status: str = "loading",
        input_format: str = "json",
        created_client: str = "acp_streaming",
        tags: dict | None = None,
        batch_id: str | None = None,
        **fields: Any,
    ) -> dict:
        if status not in STATUSES:
            raise ValueError(f"unknown batch status {status!r}; expected one of {sorted(STATUSES)}")
        bid = batch_id or str(ULID())
        ts = now_ms()
        doc: dict[str, Any] = {
            "id": bid,
            "imsOrg": org,
            "sandboxName": sandbox,
            "status": status,
            "created": ts,
            "updated": ts,
            "createdClient": created_client,
            "createdUser": f"{created_client}@AdobeID",
            "updatedUser": f"{created_client}@AdobeID",
            "started": ts,
            "recordCount": 0,
            "failedRecordCount": 0,
            "size": 0,
            "errors": [],
            "relatedObjects": [{"type": "dataSet", "id": dataset_id}] if dataset_id else [],
            "metrics": {},
            "tags": tags or {},
            "inputFormat": {"format": input_format},
            "version": "1.0.0",
        }
        doc.update(fields)
        if status in TERMINAL:
            doc.setdefault("completed", ts)
        self.store.execute(
            "INSERT INTO batches (id, org, sandbox, dataset_id, status, created, updated, body) VALUES (?,?,?,?,?,?,?,?)",
            (bid, org, sandbox, dataset_id, status, ts, ts, dumps(doc)),
        )
        return doc

    def get(self, org: str, sandbox: str, batch_id: str) -> dict | None:
        row = self.store.query_one(
            "SELECT body FROM batches WHERE id=? AND org=? AND sandbox=?", (batch_id, org, sandbox)
        )
        return loads(row[0]) if row else None

    def update(self, org: str, sandbox: str, batch_id: str, **fields: Any) -> dict:
        """Merge ``fields`` into the batch; KeyError if it does not exist in (org, sandbox)."""
        with self.store.transaction():
            doc = self.get(org, sandbox, batch_id)
            if doc is None:
                raise KeyError(f"batch {batch_id} not found in org {org}, sandbox {sandbox}")
            status = fields.get("status", doc["status"])
            if status not in STATUSES:
                raise ValueError(f"unknown batch status {status!r}")
            ts = now_ms()
            doc.update(fields)
            doc["updated"] = ts
            if status in TERMINAL and "completed" not in fields:
                doc["completed"] = ts
            self.store.execute(
                "UPDATE batches SET status=?, updated=?, body=? WHERE id=?",
                (status, ts, dumps(doc), batch_id),
            )
        return doc

    def list(
        self,
        org: str,
        sandbox: str,
        *,
        dataset_id: str | None = None,
        status: str | None = None,
        limit: int = 100,
        start: int = 0,
        descending: bool = True,
    ) -> list[dict]:
        sql = "SELECT body FROM batches WHERE org=? AND sandbox=?"
        params: list[Any] = [org, sandbox]
        if dataset_id is not None:
            sql += " AND dataset_id=?"
            params.append(dataset_id)
        if status is not None:
            sql += " AND status=?"
            params.append(status)
        sql += f" ORDER BY created {'DESC' if descending else 'ASC'}, id {'DESC' if descending else 'ASC'} LIMIT ? OFFSET ?"
        params += [limit, start]
        return [loads(r[0]) for r in self.store.query(sql, params)]

    def last_for_dataset(self, org: str, sandbox: str, dataset_id: str) -> dict | None:
        rows = self.list(org, sandbox, dataset_id=dataset_id, limit=1)
        return rows[0] if rows else None
