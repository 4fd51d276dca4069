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

from array import array
from collections.abc import AsyncIterator, Iterable
from itertools import accumulate, islice
from typing import Any

import orjson

from .engine_types import FAILED, INVALID, UNREADABLE
from .source_types import SourceError, SourceRecord

WRAP = len(b'{"messages":[]}')
_HEAD = len(b'{"messages":[')
SERIAL_SLICE = 512  # records prepared in the engine's process between two turns of its event loop
DCS_MAX_REQUEST = 1_000_000


class PreparedBatch:
    """One request body ``{"messages":[m0,m1,…]}`` and, per message, its record index, its line and
    its length in bytes (``sizes``, an ``array``: where each message sits is worked out only when a
    message must be taken out again, on the careful path)."""

    __slots__ = ("_starts", "body", "indexes", "lines", "sizes")

    def __init__(self, body: bytes, indexes: list[int], lines: list[int], sizes: array) -> None:
        self.body, self.indexes, self.lines, self.sizes = body, indexes, lines, sizes
        self._starts: list[int] | None = None

    def __len__(self) -> int:
        return len(self.indexes)

    def __getstate__(self) -> tuple:
        return self.body, self.indexes, self.lines, self.sizes

    def __setstate__(self, state: tuple) -> None:
        self.body, self.indexes, self.lines, self.sizes = state
        self._starts = None

    def message(self, i: int) -> bytes:
        if self._starts is None:  # message k starts after the 13-byte head, the k messages and k commas before it
            self._starts = [_HEAD + c - n + k for k, (c, n) in enumerate(zip(accumulate(self.sizes), self.sizes,
                                                                              strict=True))]
        start = self._starts[i]
        return self.body[start:start + self.sizes[i]]

    def shifted(self, base: int, line_base: int) -> PreparedBatch:
        """The same batch with record indexes and lines moved by ``base`` / ``line_base``."""
        if not base and not line_base:
            return self
        return PreparedBatch(self.body, [i + base for i in self.indexes], [n + line_base for n in self.lines],
                             self.sizes)


def batch_of(parts: list[bytes], indexes: list[int], lines: list[int]) -> PreparedBatch:
    """A ``PreparedBatch`` of serialised messages."""
    return PreparedBatch(b'{"messages":[' + b",".join(parts) + b"]}", indexes, lines, array("I", map(len, parts)))


class Message:
    """One message on the careful path (a retry, a split, a 207 with failures)."""

    __slots__ = ("attempts", "cut", "data", "index", "last", "line")

    def __init__(self, index: int, line: int, data: bytes, cut: tuple[int, int], attempts: int = 0) -> None:
        self.index, self.line, self.data, self.cut = index, line, data, cut
        self.attempts = attempts
        self.last: str | None = None

    @property
    def entity(self) -> Any:
        """The record, for its dead letter (parsed back from the envelope)."""
        a, b = self.cut
        return orjson.loads(self.data[a:len(self.data) - b])


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
        """Prepare ``records`` into ``out`` (full bodies only: call :meth:`flush` at the end).
        The loop runs once per record: everything it touches is a local."""
        prefix, suffix, validator, string_ids = self.prefix, self.suffix, self.validator, self.string_ids
        dead = out.dead
        check = validator.is_valid if validator is not None else None
        dumps = orjson.dumps
        limit = DCS_MAX_REQUEST - WRAP
        max_bytes, max_messages, line_base = self.max_bytes, self.max_messages, self.line_base
        parts, indexes, lines, size = self._parts, self._indexes, self._lines, self._size
        read = skipped = 0
        rec = None
        for rec in records:
            read += 1
            if skip is not None and rec.index in skip:
                skipped += 1
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
            if parts and (size + n + 1 > max_bytes or len(parts) >= max_messages):
                out.batches.append(batch_of(parts, indexes, lines))
                parts, indexes, lines, size = [], [], [], WRAP
            parts.append(data)
            indexes.append(rec.index)
            lines.append(rec.line + line_base)
            size += n + 1
        self._parts, self._indexes, self._lines, self._size = parts, indexes, lines, size
        out.read += read - skipped
        if rec is not None and rec.end_offset:
            out.end_offset = rec.end_offset
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
        out.batches.append(batch_of(self._parts, self._indexes, self._lines))
        self._parts, self._indexes, self._lines, self._size = [], [], [], WRAP


async def prepared_here(prep: Preparer, records: Iterable[SourceRecord], skip: Any) -> AsyncIterator[Prepared]:
    """Prepare in the engine's process, ``SERIAL_SLICE`` records at a time. A ``SourceError`` (the
    file cannot be read on) is raised after the records read before it were handed over."""
    it = iter(records)
    while True:
        chunk: list[SourceRecord] = []
        fatal: SourceError | None = None
        try:
            chunk.extend(islice(it, SERIAL_SLICE))
        except SourceError as exc:
            fatal = exc
        out = prep.feed(chunk, Prepared(), skip)
        if fatal is not None or not chunk:
            yield prep.flush(out)
            if fatal is not None:
                raise fatal
            return
        yield out
