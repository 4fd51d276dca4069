"""The values a record source yields, and its fatal error."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SourceError(Exception):
    """The file as a whole cannot be read on (e.g. an unterminated JSON array)."""

    def __init__(self, message: str, *, path: Path | None = None, index: int | None = None,
                 line: int | None = None) -> None:
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if index is not None:
            where.append(f"record {index}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.path, self.index, self.line, self.detail = path, index, line, message


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record of a source file, or the located reason why it could not be read."""

    index: int  # 0-based position among the file's records
    line: int  # 1-based line where the record starts
    entity: dict[str, Any] | None
    error: str | None = None  # set when the record could not be read; entity is then None
    end_offset: int = 0  # byte offset just after the record (progress)

    @property
    def ok(self) -> bool:
        return self.error is None

    def location(self) -> str:
        return f"record {self.index} (line {self.line})"
