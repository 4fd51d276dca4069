"""CSV sources: a column → XDM path mapping (with a type per column), read row by row."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .source_types import SourceError, SourceRecord

# --- CSV column mapping -------------------------------------------------------------------------

_TYPES = ("string", "integer", "number", "boolean", "json")
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
        if not _path_segments(self.path):
            raise ValueError(f"column {self.column!r}: empty XDM path")

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
        segs.append(int(idx) if idx else name)
    return segs


def _convert(value: str, typ: str) -> Any:
    if typ == "string":
        return value
    if typ == "integer":
        return int(value.strip())
    if typ == "number":
        v = float(value.strip())
        return int(v) if v.is_integer() and "." not in value and "e" not in value.lower() else v
    if typ == "boolean":
        low = value.strip().lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise ValueError(f"not a boolean: {value!r}")
    return orjson.loads(value)


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


def read_csv(fh: io.BufferedReader, path: Path, mapping: list[ColumnMapping] | None) -> Iterator[SourceRecord]:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise SourceError(f"invalid CSV header: {exc}", path=path, line=1) from exc
    header = [h.strip() for h in header]
    if mapping is None:
        mapping = [ColumnMapping(h, h) for h in header if h]
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
            yield SourceRecord(index, line, None, f"invalid CSV: {exc}")
            return
        prev_line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != len(header):
            yield SourceRecord(index, line, None,
                               f"expected {len(header)} fields as in the header, found {len(row)}")
            index += 1
            continue
        entity: dict[str, Any] = {}
        error = None
        for pos, m in cols:
            cell = row[pos]
            if cell == "":
                continue
            try:
                set_path(entity, m.path, _convert(cell, m.type))
            except (ValueError, orjson.JSONDecodeError) as exc:
                error = f"column {m.column!r} → {m.path}: expected {m.type}, found {cell!r} ({exc})"
                break
            except (TypeError, AttributeError, IndexError):
                error = f"column {m.column!r}: path {m.path!r} clashes with another mapped path"
                break
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
