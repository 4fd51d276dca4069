"""Record sources: JSON array, JSON Lines and CSV files read from disk as a stream.

Nothing reads a whole file into memory. Each record comes with its position (record index,
line, byte offsets) so that every error says where it is, and so that a run can resume.

JSON arrays are split by a small incremental scanner (``_JsonArrayScanner``) and each element is
parsed by orjson: a library such as ijson parses as a stream too, but reports no line numbers
and cannot carry on after one malformed element; this scanner does both.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from .csv_source import ColumnMapping, parse_mapping, read_csv
from .json_exact import exactness_error
from .source_types import SourceError, SourceRecord

__all__ = ["ColumnMapping", "SourceError", "SourceRecord", "check_readable", "detect_format", "read_records"]

CHUNK = 1 << 20
FORMATS = ("json", "jsonl", "csv")
BOM = b"\xef\xbb\xbf"


# --- format detection ---------------------------------------------------------------------------


def detect_format(path: str | Path) -> str:
    """``json`` (a top-level array), ``jsonl`` or ``csv``, from the extension and the first byte."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext == ".csv":
        return "csv"
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    check_readable(p)
    with open(p, "rb") as fh:
        raw = fh.read(4096)
    encoding = _other_encoding(raw)
    if encoding:
        raise SourceError(f"the file is {encoding}; save it as UTF-8", path=p, line=1)
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        return "jsonl"
    if ext == ".json":
        if not head:
            raise SourceError("the file is empty (expected a JSON array of records)", path=p, line=1)
        raise SourceError(f"expected a JSON array or JSON Lines, found {_first_token(head)}", path=p, line=1)
    return "csv"


def check_readable(p: Path) -> None:
    if p.is_dir():
        raise SourceError("is a folder, not a file (name one JSON, JSON Lines or CSV file)", path=p)
    if not p.exists():
        raise SourceError("no such file", path=p)


_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"), (b"\xfe\xff", "UTF-16"),
         (b"\xff\xfe", "UTF-16"))


def _other_encoding(head: bytes) -> str | None:
    """UTF-16/32 (by their byte-order mark, or the zero bytes of ASCII text in them), else None."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if len(head) >= 4 and (head[0] == 0) != (head[1] == 0) and head[:64].count(0) * 3 >= min(len(head), 64):
        return "UTF-16"
    return None


def _first_token(head: bytes) -> str:
    word = head.split(None, 1)[0][:20].decode("utf-8", "replace") if head.split() else ""
    return f"{word!r}" if word else "nothing"


# --- readers ------------------------------------------------------------------------------------


def _json_error(exc: orjson.JSONDecodeError, base_line: int, text: bytes = b"") -> tuple[int, str]:
    bad_utf8 = _utf8_error(text, base_line)
    if bad_utf8:
        return bad_utf8
    line = base_line + max(getattr(exc, "lineno", 1), 1) - 1
    col = getattr(exc, "colno", 0)
    return line, f"invalid JSON: {exc.msg} (line {line}, column {col})"


def _utf8_error(text: bytes, base_line: int) -> tuple[int, str] | None:
    """Where ``text`` stops being UTF-8 (orjson says only "surrogates not allowed", at column 1)."""
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = text[: exc.start]
        line = base_line + before.count(b"\n")
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return line, f"invalid UTF-8: byte 0x{text[exc.start]:02x} (line {line}, column {col}); save the file as UTF-8"
    return None


def _checked(raw: bytes, value: Any) -> str | None:
    """Why ``value`` cannot stand for the record ``raw`` as it is, or None."""
    if not isinstance(value, dict):
        return _not_object(value)
    return exactness_error(raw, value)


def _not_object(value: Any) -> str:
    kind = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}.get(type(value), "null")
    return f"expected a JSON object, found {kind}"


def jsonl_record(index: int, lineno: int, text: bytes, end_offset: int) -> SourceRecord:
    """Record ``index``, the (stripped, non-blank) line ``lineno`` of a JSON Lines file: its object, or
    why it cannot be sent as it is."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        _, msg = _json_error(exc, lineno, text)
        return SourceRecord(index, lineno, None, msg, end_offset)
    problem = _checked(text, value)
    return SourceRecord(index, lineno, None if problem else value, problem, end_offset)


def jsonl_text(raw: bytes, lineno: int) -> bytes:
    """Line ``lineno`` of a JSON Lines file as the reader reads it: stripped, without the file's byte-order
    mark on line 1; ``b""`` for a blank line (no record)."""
    text = raw.strip()
    if lineno == 1 and text.startswith(BOM):
        text = text[3:].strip()
    return text


def _read_jsonl(fh: io.BufferedReader, path: Path) -> Iterator[SourceRecord]:
    index = 0
    offset = 0
    for lineno, raw in enumerate(fh, start=1):
        offset += len(raw)
        text = jsonl_text(raw, lineno)
        if not text:
            continue
        yield jsonl_record(index, lineno, text, offset)
        index += 1


# structural tokens of JSON outside strings; a lone quote means "string not complete in buffer"
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]|"')
_WS = b" \t\r\n"
_CLOSE = re.compile(rb"\}\s*[,\]]")


def _skip(buf: bytes, pos: int) -> int:
    n = len(buf)
    while pos < n and buf[pos] in _WS:
        pos += 1
    return pos


class _JsonArrayScanner:
    """Splits a top-level JSON array into element byte slices, incrementally.

    Positions are absolute offsets into ``buf``; the consumed head of ``buf`` is dropped only when
    more data is read (so each byte is copied O(1) times), and line numbers are counted forward
    from the last position asked for (positions only grow).
    """

    def __init__(self, fh: io.BufferedReader, path: Path) -> None:
        self.fh, self.path = fh, path
        self.buf = b""
        self.head = 0  # start of the unconsumed part of buf
        self.base = 0  # file offset of buf[0]
        self.line_pos, self.line_no = 0, 1  # line number at buf[line_pos]
        self.eof = False
        self._parsed: Any = None

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        cut = min(self.head, self.line_pos)
        if cut:
            self.buf = self.buf[cut:]
            self.base += cut
            self.head -= cut
            self.line_pos -= cut
        self.buf += chunk
        return True

    def _skip_ws(self, pos: int) -> int:
        while True:
            n = len(self.buf)
            while pos < n and self.buf[pos] in _WS:
                pos += 1
            if pos < n:
                return pos
            self.head = pos
            if not self._more():
                return self.head
            pos = self.head

    def _line(self, pos: int) -> int:
        if pos > self.line_pos:
            self.line_no += self.buf.count(b"\n", self.line_pos, pos)
            self.line_pos = pos
        return self.line_no

    def __iter__(self) -> Iterator[SourceRecord]:
        self._more()
        if self.buf.startswith(BOM):
            self.head = self.line_pos = 3
        pos = self._skip_ws(self.head)
        if self.buf[pos : pos + 1] != b"[":
            raise SourceError("expected '[' (a JSON array of records)", path=self.path, line=self._line(pos))
        pos = self._skip_ws(pos + 1)
        if self.buf[pos : pos + 1] == b"]":
            self._expect_end(pos + 1)
            return
        index = 0
        while True:
            self.head = pos
            start_line = self._line(pos)
            end, closer = self._element_end(index, start_line)
            start = self.head  # _element_end may have read more: positions moved with the buffer
            yield self._record(index, start_line, self.buf[start:end], end)
            index += 1
            self.head = end + 1
            pos = self._skip_ws(end + 1)
            if closer == b"]":
                self._expect_end(pos)
                return
            if pos >= len(self.buf):
                raise SourceError("the array ends without ']'", path=self.path, line=self._line(pos), index=index)
            if self.buf[pos : pos + 1] == b"]":
                raise SourceError("trailing ',' before ']'", path=self.path, line=self._line(pos), index=index)

    def _expect_end(self, pos: int) -> None:
        pos = self._skip_ws(pos)
        if pos < len(self.buf):
            raise SourceError("unexpected data after the closing ']'", path=self.path, line=self._line(pos))

    def _fast_end(self, start: int) -> tuple[int, Any] | None:
        """Try the next few ``}`` that are followed by ``,`` or ``]``: the first prefix that orjson
        parses whole is the element (an object's extent is fixed by its first byte). Cheap for
        records of any layout; deep nesting falls back to the token scanner."""
        buf = self.buf
        if buf[start : start + 1] != b"{":
            return None
        nl = buf.find(b"\n", start)  # one element per line: its last '}' first
        close = buf.rfind(b"}", start, nl) if nl > 0 else -1
        if close > 0:
            end = _skip(buf, close + 1)
            if buf[end : end + 1] in (b",", b"]"):
                try:
                    return end, orjson.loads(buf[start : close + 1])
                except orjson.JSONDecodeError:
                    pass
        for tries, m in enumerate(_CLOSE.finditer(buf, start)):
            if tries >= 12:
                return None
            try:
                value = orjson.loads(buf[start : m.start() + 1])
            except orjson.JSONDecodeError:
                continue
            return m.end() - 1, value
        return None

    def _element_end(self, index: int, start_line: int) -> tuple[int, bytes]:
        """Position of the ',' or ']' that ends the element starting at buf[head]."""
        fast = self._fast_end(self.head)
        if fast is not None:
            self._parsed = fast[1]
            return fast[0], self.buf[fast[0] : fast[0] + 1]
        depth = 0
        rel = 0  # scan position relative to head (the buffer may move under us)
        while True:
            head = self.head
            for m in _TOKEN.finditer(self.buf, head + rel):
                tok = m.group()
                if tok == b'"':  # string not complete in the buffer
                    rel = m.start() - head
                    break
                c = tok[:1]
                if c in b"[{" and len(tok) == 1:
                    depth += 1
                elif c in b"]}" and len(tok) == 1:
                    if depth == 0:
                        return m.start(), tok
                    depth -= 1
                elif tok == b"," and depth == 0:
                    return m.start(), tok
                rel = m.end() - head
            else:
                rel = len(self.buf) - head
            if not self._more():
                raise SourceError(
                    "the file ends inside this record (unbalanced brackets or an unterminated string)",
                    path=self.path, line=start_line, index=index,
                )

    def _record(self, index: int, line: int, text: bytes, end: int) -> SourceRecord:
        end_offset = self.base + end
        parsed, self._parsed = self._parsed, None
        if parsed is None:
            if not text.strip():
                return SourceRecord(index, line, None, "empty element (two commas in a row)", end_offset)
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                lead = len(text) - len(text.lstrip())
                _, msg = _json_error(exc, line + text.count(b"\n", 0, lead), text[lead:])
                return SourceRecord(index, line, None, msg, end_offset)
        problem = _checked(text, parsed)
        return SourceRecord(index, line, None if problem else parsed, problem, end_offset)


def read_records(path: str | Path, *, fmt: str | None = None,
                 mapping: Mapping[str, str | ColumnMapping] | None = None) -> Iterator[SourceRecord]:
    """Stream the records of ``path`` (format detected unless given), one ``SourceRecord`` each.

    Per-record problems come back as records with ``error`` set; problems that stop the reading
    (e.g. a JSON array whose brackets never close) raise ``SourceError`` after the good records.
    """
    p = Path(path)
    fmt = fmt or detect_format(p)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    check_readable(p)
    with open(p, "rb", buffering=CHUNK) as fh:
        if fmt == "jsonl":
            yield from _read_jsonl(fh, p)
        elif fmt == "json":
            yield from _JsonArrayScanner(fh, p)
        else:
            yield from read_csv(fh, p, parse_mapping(mapping))
