"""CSV sources: a column → XDM path mapping (with a type per column), read row by row."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .json_exact import INT64_MIN, UINT64_MAX, exactness_error
from .source_types import SourceError, SourceRecord

# --- CSV column mapping -------------------------------------------------------------------------

_TYPES = ("string", "integer", "number", "boolean", "json")
MAX_ARRAY_INDEX = 9_999  # a mapped path's [n]: a record is at most 1 MB, so larger indexes are mistakes
_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """CSV column → XDM path (dots and ``[n]``), with the type to convert the text to."""

    column: str
    path: str
    type: str = "string"

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise ValueError(f"column {self.column!r}: unknown type {self.type!r} (one of {', '.join(_TYPES)})")
        segments = _path_segments(self.path)
        if not segments:
            raise ValueError(f"column {self.column!r}: empty XDM path")
        if any(isinstance(seg, int) and seg > MAX_ARRAY_INDEX for seg in segments):
            raise ValueError(f"column {self.column!r}: an array index in {self.path!r} is above {MAX_ARRAY_INDEX:,}")

    @classmethod
    def parse(cls, column: str, spec: str) -> ColumnMapping:
        """``"person.birthYear:integer"`` → path and type (type defaults to string)."""
        path, _, typ = spec.partition(":")
        return cls(column, path.strip(), (typ.strip() or "string"))


def parse_mapping(mapping: Mapping[str, str | ColumnMapping] | None) -> list[ColumnMapping] | None:
    if mapping is None:
        return None
    out = []
    for column, spec in mapping.items():
        out.append(spec if isinstance(spec, ColumnMapping) else ColumnMapping.parse(column, spec))
    return out


def _path_segments(path: str) -> list[str | int]:
    segs: list[str | int] = []
    for name, idx in _SEGMENT.findall(path):
        if not idx:
            segs.append(name)
        else:  # an index of nine digits or more is refused by its size: no need to convert it
            segs.append(int(idx) if len(idx) < 9 else MAX_ARRAY_INDEX + 1)
    return segs


def _convert(value: str, typ: str) -> Any:
    if typ == "string":
        return value
    if typ == "integer":
        v = int(value.strip())
        if not INT64_MIN <= v <= UINT64_MAX:
            raise ValueError("does not fit in 64 bits (AEP's long cannot hold it)")
        return v
    if typ == "number":
        v = float(value.strip())
        if not math.isfinite(v):
            raise ValueError("not a finite number")
        if v.is_integer() and "." not in value and "e" not in value.lower():
            exact = int(value.strip())
            if not INT64_MIN <= exact <= UINT64_MAX:
                raise ValueError("does not fit in 64 bits (AEP's long cannot hold it)")
            return exact
        return v
    if typ == "boolean":
        low = value.strip().lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise ValueError(f"not a boolean: {value!r}")
    parsed = orjson.loads(value)
    problem = exactness_error(value, parsed)
    if problem:
        raise ValueError(problem)
    return parsed


def set_path(target: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted XDM path such as ``identityMap.Email[0].id``."""
    segs = _path_segments(path)
    node: Any = target
    for seg, nxt in zip(segs, [*segs[1:], None], strict=True):
        last = nxt is None
        if isinstance(seg, int):
            while len(node) <= seg:
                node.append(None)
            if last:
                node[seg] = value
            else:
                if node[seg] is None:
                    node[seg] = [] if isinstance(nxt, int) else {}
                node = node[seg]
        else:
            if last:
                node[seg] = value
            else:
                node = node.setdefault(seg, [] if isinstance(nxt, int) else {})


# --- reader ---------------------------------------------------------------------------------------

# A field may hold up to what one DCS message can carry; a longer one is refused with its location.
FIELD_LIMIT = 1_000_000
_SURROGATE = re.compile("[\udc80-\udcff]")


def _ensure_field_limit() -> None:
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)


def _bad_utf8(row: list[str], header: list[str]) -> str | None:
    """Invalid UTF-8 bytes (read as surrogate escapes) in a row: which column, which byte."""
    for pos, cell in enumerate(row):
        if cell.isascii():
            continue
        m = _SURROGATE.search(cell)
        if m:
            name = header[pos] if pos < len(header) else f"#{pos + 1}"
            byte = ord(m.group()) - 0xDC00
            return (f"invalid UTF-8 in column {name!r}: byte 0x{byte:02x} at character {m.start() + 1} of the "
                    f"field; save the file as UTF-8")
    return None


def _swallowed_rows(row: list[str], width: int) -> int | None:
    """The field index of a quoted field that spans lines which look like rows of their own (an
    unclosed quote that swallowed the rows after it), or None. Only for three columns or more: with
    fewer, a line of a legitimate multi-line value looks like a row too often."""
    if width < 3:
        return None
    for pos, cell in enumerate(row):
        if "\n" not in cell and "\r" not in cell:
            continue
        for line in cell.splitlines()[1:]:
            if line.count(",") >= width - 1 and len(next(csv.reader([line]), [])) == width:
                return pos
    return None


def read_csv(fh: io.BufferedReader, path: Path, mapping: list[ColumnMapping] | None) -> Iterator[SourceRecord]:
    """The rows of a CSV file as records. A row's own problem (field count, a value of the wrong type,
    invalid UTF-8, a stray quote) is a record error; a problem that leaves the reader unsure where
    rows start (a quote that is never closed, a field that runs over many lines and rows) stops the
    reading with a located ``SourceError``, after the rows before it."""
    _ensure_field_limit()
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise SourceError(f"invalid CSV header: {exc}", path=path, line=1) from exc
    header = [h.strip() for h in header]
    bad = _bad_utf8(header, header)
    if bad:
        raise SourceError(f"header: {bad}", path=path, line=1)
    if mapping is None:
        try:
            mapping = [ColumnMapping(h, h) for h in header if h]
        except ValueError as exc:
            raise SourceError(f"header: {exc}: name the column's XDM path with a mapping (--map COLUMN=PATH)",
                              path=path, line=1) from None
    missing = [m.column for m in mapping if m.column not in header]
    if missing:
        raise SourceError(f"mapped column(s) not in the CSV header: {', '.join(missing)}", path=path, line=1)
    cols = [(header.index(m.column), m) for m in mapping]
    index = 0
    prev_line = reader.line_num
    while True:
        line = prev_line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num > line or "end of data" in str(exc):
                raise SourceError(
                    f"a quoted field opened on this line is not closed properly ({exc} on line "
                    f"{reader.line_num}); fix the quotes and send the file again", path=path, line=line,
                    index=index) from None
            prev_line = reader.line_num
            why = f"field longer than {FIELD_LIMIT:,} characters" if "field limit" in str(exc) else str(exc)
            yield SourceRecord(index, line, None, f"invalid CSV: {why}", _pos(fh))
            index += 1
            continue
        spans = reader.line_num - prev_line
        prev_line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if spans > 1:
            swallowed = _swallowed_rows(row, len(header))
            if swallowed is not None:
                name = header[swallowed] if swallowed < len(header) else f"#{swallowed + 1}"
                raise SourceError(
                    f"the quoted field of column {name!r} runs from this line to line {prev_line} and holds "
                    f"lines that look like rows: a quote that is never closed? Fix it and send the file again",
                    path=path, line=line, index=index)
        if len(row) != len(header):
            yield SourceRecord(index, line, None,
                               f"expected {len(header)} fields as in the header, found {len(row)}", _pos(fh))
            index += 1
            continue
        error = _bad_utf8(row, header)
        entity: dict[str, Any] = {}
        for pos, m in cols:
            if error:
                break
            cell = row[pos]
            if cell == "":
                continue
            try:
                set_path(entity, m.path, _convert(cell, m.type))
            except (ValueError, orjson.JSONDecodeError) as exc:
                shown = cell if len(cell) <= 60 else f"{cell[:40]}… ({len(cell)} characters)"
                error = f"column {m.column!r} → {m.path}: expected {m.type}, found {shown!r} ({exc})"
            except (TypeError, AttributeError, IndexError):
                error = f"column {m.column!r}: path {m.path!r} clashes with another mapped path"
        if error:
            yield SourceRecord(index, line, None, error, _pos(fh))
        else:
            yield SourceRecord(index, line, entity, None, _pos(fh))
        index += 1


def _pos(fh: io.BufferedReader) -> int:
    """Bytes read so far (a few KiB ahead of the row: good enough for progress)."""
    try:
        return fh.tell()
    except (OSError, ValueError):
        return 0
