"""Records → checked, serialised envelopes grouped into request bodies, ready for the engine to send.

The bulk engine's per-record work happens here, once per record and nowhere else: validate (XDM, the
shared compiled validator), optionally quote an integer ``_id``, serialise (orjson) into the envelope,
refuse a message over DCS's 1 MB, and append it to the request body being filled. What comes out is a
``Prepared``: whole request bodies (``PreparedBatch``, with each message's record index, line and place
in the body) plus the records that will not be sent (dead letters, in record order). The engine then
works per request, not per record, unless an answer says otherwise (207 failures, 413, retries).

``Preparer`` runs in the engine's process (any source: CSV, JSON arrays, small files), or, for JSON
Lines, in worker processes (``prepare_pool``) that get raw blocks of whole lines, read them with the
same reader (``sources``) and return ``Prepared`` results that the engine consumes in file order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from .engine_types import FAILED, INVALID, UNREADABLE
from .source_types import SourceRecord

WRAP = len(b'{"messages":[]}')
DCS_MAX_REQUEST = 1_000_000


class PreparedBatch:
    """One request body ``{"messages":[m0,m1,…]}`` and, per message, its record index and line and
    where it ends in the body (``ends[i]``: the offset just after message i)."""

    __slots__ = ("body", "ends", "indexes", "lines")

    def __init__(self, body: bytes, indexes: list[int], lines: list[int], ends: list[int]) -> None:
        self.body, self.indexes, self.lines, self.ends = body, indexes, lines, ends

    def __len__(self) -> int:
        return len(self.indexes)

    def message(self, i: int) -> bytes:
        start = self.ends[i - 1] + 1 if i else len(b'{"messages":[')
        return self.body[start:self.ends[i]]

    def shifted(self, base: int, line_base: int) -> PreparedBatch:
        """The same batch with record indexes and lines moved by ``base`` / ``line_base``."""
        if not base and not line_base:
            return self
        return PreparedBatch(self.body, [i + base for i in self.indexes], [n + line_base for n in self.lines],
                             self.ends)


class Prepared:
    """What one block of records became: batches to send, dead letters (in record order), how many
    records were read, and the byte offset reached (progress)."""

    __slots__ = ("batches", "dead", "end_offset", "read")

    def __init__(self) -> None:
        self.batches: list[PreparedBatch] = []
        self.dead: list[tuple[SourceRecord, str, str, int | None]] = []
        self.read = 0
        self.end_offset = 0


class Preparer:
    """Feeds records into request bodies of at most ``max_bytes`` / ``max_messages``."""

    def __init__(self, prefix: bytes, suffix: bytes, *, validator: Any = None, string_ids: bool = False,
                 max_bytes: int = 900_000, max_messages: int = 2000) -> None:
        self.prefix, self.suffix = prefix, suffix
        self.validator, self.string_ids = validator, string_ids
        self.max_bytes, self.max_messages = max_bytes, max_messages
        self.line_base = 0  # added to each record's line (a block of a file read by a worker process)
        self._parts: list[bytes] = []
        self._indexes: list[int] = []
        self._lines: list[int] = []
        self._size = WRAP

    def feed(self, records: Iterable[SourceRecord], out: Prepared, skip: Any = None) -> Prepared:
        """Prepare ``records`` into ``out`` (full bodies only: call :meth:`flush` at the end)."""
        prefix, suffix, validator, string_ids = self.prefix, self.suffix, self.validator, self.string_ids
        dead = out.dead
        check = validator.is_valid if validator is not None else None
        dumps = orjson.dumps
        limit = DCS_MAX_REQUEST - WRAP
        for rec in records:
            out.read += 1
            if rec.end_offset:
                out.end_offset = rec.end_offset
            if skip is not None and rec.index in skip:
                out.read -= 1
                continue
            entity = rec.entity
            if entity is None:
                rec = self._located(rec)
                dead.append((rec, UNREADABLE, f"{rec.location()}: {rec.error}", None))
                continue
            if string_ids and type(entity.get("_id")) is int:
                entity["_id"] = str(entity["_id"])
            if check is not None and not check(entity):
                violations = validator.validate(entity, limit=5)
                if violations:
                    rec = self._located(rec)
                    why = "; ".join(f"{v.json_path}: {v.message}" for v in violations)
                    dead.append((rec, INVALID, f"{rec.location()}: {why}", 400))
                    continue
            data = prefix + dumps(entity) + suffix
            n = len(data)
            if n > limit:
                rec = self._located(rec)
                dead.append((rec, FAILED, f"{rec.location()}: the message is {n:,} bytes; DCS accepts at most "
                             f"{DCS_MAX_REQUEST:,} bytes per request (413)", 413))
                continue
            if self._parts and (self._size + n + 1 > self.max_bytes or len(self._parts) >= self.max_messages):
                self._emit(out)
            self._parts.append(data)
            self._indexes.append(rec.index)
            self._lines.append(rec.line + self.line_base)
            self._size += n + 1
        return out

    def _located(self, rec: SourceRecord) -> SourceRecord:
        """``rec`` with its line counted from the start of the file (its error text too)."""
        if not self.line_base:
            return rec
        line = rec.line + self.line_base
        error = rec.error
        if error:
            error = error.replace(f"(line {rec.line},", f"(line {line},")
        return SourceRecord(rec.index, line, rec.entity, error, rec.end_offset)

    def flush(self, out: Prepared) -> Prepared:
        if self._parts:
            self._emit(out)
        return out

    def _emit(self, out: Prepared) -> None:
        parts = self._parts
        body = b'{"messages":[' + b",".join(parts) + b"]}"
        ends = []
        pos = len(b'{"messages":[') - 1
        for p in parts:
            pos += len(p) + 1
            ends.append(pos)
        out.batches.append(PreparedBatch(body, self._indexes, self._lines, ends))
        self._parts, self._indexes, self._lines, self._size = [], [], [], WRAP
