"""Records → checked, serialised envelopes grouped into request bodies, ready for the engine to send.

The bulk engine's per-record work happens here, once per record and nowhere else: validate (XDM, the
shared compiled validator), optionally quote an integer ``_id``, serialise (orjson) into the envelope,
refuse a message over DCS's 1 MB, and append it to the request body being filled. What comes out is a
``Prepared``: whole request bodies (``PreparedBatch``, with each message's record index, line and place
in the body) plus the records that will not be sent (dead letters, in record order). The engine then
works per request, not per record, unless an answer says otherwise (207 failures, 413, retries).

``Preparer.feed`` takes the readers' records (``sources``: CSV, JSON arrays). JSON Lines are prepared a
block of whole lines at a time (``Preparer.feed_jsonl``), in the engine's process (``prepared_jsonl_here``)
or in worker processes (``prepare_pool``), whose ``Prepared`` results the engine consumes in file order.
"""

from __future__ import annotations

from array import array
from collections.abc import AsyncIterator, Iterable, Iterator
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

import orjson

from .engine_types import FAILED, INVALID, UNREADABLE
from .json_exact import exactness_error
from .source_types import SourceError, SourceRecord
from .sources import jsonl_record, jsonl_text

WRAP = len(b'{"messages":[]}')
_HEAD = len(b'{"messages":[')
SERIAL_SLICE = 512  # records prepared in the engine's process between two turns of its event loop
JSONL_SLICE = 128 << 10  # bytes of JSON Lines prepared in the engine's process between two turns of its loop
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

    def shifted(self, base: int) -> PreparedBatch:
        """The same batch with record indexes moved by ``base`` (a block's records counted in its file)."""
        if not base:
            return self
        return PreparedBatch(self.body, [i + base for i in self.indexes], self.lines, self.sizes)


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
    """Feeds records into request bodies of at most ``max_bytes`` / ``max_messages``.

    The body being filled is kept as each record's own JSON (``_parts``) and each message's size;
    ``prefix`` + record + ``suffix`` is one message, and the body is joined once when it is full."""

    def __init__(self, prefix: bytes, suffix: bytes, *, validator: Any = None, string_ids: bool = False,
                 max_bytes: int = 900_000, max_messages: int = 2000) -> None:
        self.prefix, self.suffix = prefix, suffix
        self.validator, self.string_ids = validator, string_ids
        self.max_bytes, self.max_messages = max_bytes, max_messages
        self._wrap = len(prefix) + len(suffix)
        self._between = suffix + b"," + prefix
        self._open()

    def _open(self) -> None:
        self._parts: list[bytes] = []
        self._indexes: list[int] = []
        self._lines: list[int] = []
        self._sizes = array("I")
        self._size = WRAP

    def feed(self, records: Iterable[SourceRecord], out: Prepared, skip: Any = None) -> Prepared:
        """Prepare ``records`` into ``out`` (full bodies only: call :meth:`flush` at the end).
        The loop runs once per record: everything it touches is a local."""
        validator, string_ids = self.validator, self.string_ids
        dead = out.dead
        check = validator.is_valid if validator is not None else None
        dumps = orjson.dumps
        limit = DCS_MAX_REQUEST - WRAP
        wrap, max_bytes, max_messages = self._wrap, self.max_bytes, self.max_messages
        parts, indexes, lines, sizes, size = self._parts, self._indexes, self._lines, self._sizes, self._size
        read = skipped = 0
        rec = None
        for rec in records:
            read += 1
            if skip is not None and rec.index in skip:
                skipped += 1
                continue
            entity = rec.entity
            if entity is None:
                dead.append((rec, UNREADABLE, f"{rec.location()}: {rec.error}", None))
                continue
            if string_ids and type(entity.get("_id")) is int:
                entity["_id"] = str(entity["_id"])
            if check is not None and not check(entity):
                violations = validator.validate(entity, limit=5)
                if violations:
                    why = "; ".join(f"{v.json_path}: {v.message}" for v in violations)
                    dead.append((rec, INVALID, f"{rec.location()}: {why}", 400))
                    continue
            data = dumps(entity)
            n = len(data) + wrap
            if n > limit:
                dead.append((rec, FAILED, f"{rec.location()}: the message is {n:,} bytes; DCS accepts at most "
                             f"{DCS_MAX_REQUEST:,} bytes per request (413)", 413))
                continue
            if parts and (size + n + 1 > max_bytes or len(parts) >= max_messages):
                self._emit(out)
                parts, indexes, lines, sizes, size = self._parts, self._indexes, self._lines, self._sizes, WRAP
            parts.append(data)
            indexes.append(rec.index)
            lines.append(rec.line)
            sizes.append(n)
            size += n + 1
        self._size = size
        out.read += read - skipped
        if rec is not None and rec.end_offset:
            out.end_offset = rec.end_offset
        return out

    def feed_jsonl(self, block: bytes, out: Prepared, *, first_line: int = 1, first_index: int = 0,
                   base_offset: int = 0, skip: Any = None) -> int:
        """Prepare a block of whole JSON Lines (from line ``first_line`` and byte ``base_offset`` of its
        file; its first record is record ``first_index``) into ``out``; returns the number of records
        it held (blank lines are none). The same outcomes as :meth:`feed` over ``sources``' reader, at a
        fraction of the cost: a line that parses to a valid object which orjson writes back byte for
        byte is exact as it stands and needs nothing more. Any other line (broken, not an object, not
        exact, invalid, too large, an integer ``_id`` to quote) goes through the reader and :meth:`feed`,
        so its outcome and located error are the reader's. Progress is counted per block."""
        validator, string_ids = self.validator, self.string_ids
        check = validator.is_valid if validator is not None else None
        loads, dumps, decode_error = orjson.loads, orjson.dumps, orjson.JSONDecodeError
        limit = DCS_MAX_REQUEST - WRAP
        wrap, max_bytes, max_messages = self._wrap, self.max_bytes, self.max_messages
        parts, indexes, lines, sizes, size = self._parts, self._indexes, self._lines, self._sizes, self._size
        index, skipped, end = first_index, 0, base_offset + len(block)
        read_before = out.read
        careful: list[SourceRecord] = []
        for lineno, raw in enumerate(block.split(b"\n"), first_line):
            try:
                entity = loads(raw)
            except decode_error:
                entity = None
            if type(entity) is not dict or (string_ids and type(entity.get("_id")) is int) \
                    or (check is not None and not check(entity)):
                text = jsonl_text(raw, lineno)
                if not text:
                    continue  # a blank line: no record
                if skip is None or index not in skip:
                    careful.append(jsonl_record(index, lineno, text, end))
                else:
                    skipped += 1
                index += 1
                continue
            at = index
            index += 1
            if skip is not None and at in skip:
                skipped += 1
                continue
            data = dumps(entity)
            n = len(data) + wrap
            if (data != raw and exactness_error(raw, entity, again=data)) or n > limit:
                careful.append(jsonl_record(at, lineno, raw.strip(), end))
                continue
            if careful:  # the records before this one first (the order of bodies and dead letters)
                self._size = size
                self.feed(careful, out)
                careful = []
                parts, indexes, lines, sizes, size = self._parts, self._indexes, self._lines, self._sizes, self._size
            if parts and (size + n + 1 > max_bytes or len(parts) >= max_messages):
                self._emit(out)
                parts, indexes, lines, sizes, size = self._parts, self._indexes, self._lines, self._sizes, WRAP
            parts.append(data)
            indexes.append(at)
            lines.append(lineno)
            sizes.append(n)
            size += n + 1
        self._size = size
        if careful:
            self.feed(careful, out)
        count = index - first_index
        out.read = read_before + count - skipped
        out.end_offset = end
        return count

    def flush(self, out: Prepared) -> Prepared:
        if self._parts:
            self._emit(out)
        return out

    def _emit(self, out: Prepared) -> None:
        body = b'{"messages":[' + self.prefix + self._between.join(self._parts) + self.suffix + b"]}"
        out.batches.append(PreparedBatch(body, self._indexes, self._lines, self._sizes))
        self._open()


def jsonl_blocks(fh: Any, block_bytes: int) -> Iterator[tuple[bytes, int, int]]:
    """A JSON Lines file in blocks of whole lines (about ``block_bytes`` each): ``(block, its first line,
    its byte offset)``; newlines are counted at C speed, so each block knows where it starts."""
    line, offset, rest = 1, 0, b""
    while True:
        chunk = fh.read(block_bytes)
        if not chunk:
            if rest:
                yield rest, line, offset
            return
        data = rest + chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data
            continue
        block, rest = data[:cut], data[cut:]
        yield block, line, offset
        line += block.count(b"\n")
        offset += len(block)


async def prepared_jsonl_here(prep: Preparer, path: str | Path, skip: Any = None,
                              block_bytes: int = JSONL_SLICE) -> AsyncIterator[Prepared]:
    """A JSON Lines file prepared in the engine's process, a block of whole lines between two turns of
    its event loop."""
    index = 0
    with open(path, "rb") as fh:
        for block, line, offset in jsonl_blocks(fh, block_bytes):
            out = Prepared()
            index += prep.feed_jsonl(block, out, first_line=line, first_index=index, base_offset=offset, skip=skip)
            yield out
    yield prep.flush(Prepared())


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
