"""Experience events of a profile: a virtualized, sortable table (10,000 rows stay smooth)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from .rows import Column, RowsModel


def _ts(row: dict) -> str:
    ts = row.get("timestamp")
    if isinstance(ts, (int, float)):
        return datetime.fromtimestamp(ts / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
    entity = row.get("entity") or {}
    return str(entity.get("timestamp", ts or ""))


def _ts_key(row: dict):
    ts = row.get("timestamp")
    return ts if isinstance(ts, (int, float)) else _ts(row)


def _entity(row: dict) -> dict:
    return row.get("entity") or {}


def _summary(row: dict) -> str:
    e = _entity(row)
    parts = []
    for k, v in e.items():
        if k in ("_id", "timestamp", "eventType", "identityMap"):
            continue
        parts.append(f"{k}={json.dumps(v, ensure_ascii=False, separators=(',', ':'))}")
        if len(parts) == 2:
            break
    text = "; ".join(parts)
    return text if len(text) < 160 else text[:157] + "…"


class EventsModel(RowsModel):
    def __init__(self, parent=None) -> None:
        super().__init__(
            [
                Column("Time (UTC)", _ts, "The event's timestamp", sort_key=_ts_key),
                Column("Event type", lambda r: _entity(r).get("eventType", ""), "eventType"),
                Column("_id", lambda r: _entity(r).get("_id", r.get("entityId", "")), "The event's _id"),
                Column("Fields", _summary, "The first custom fields of the event"),
            ],
            parent,
        )
