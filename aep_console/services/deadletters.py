"""The dead-letter file: one JSON line per record that was not accepted, with the reason."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from ..paths import open_private


class DeadLetters:
    """Append-only JSON Lines: one line per record that was not accepted, with the reason."""

    SAMPLES = 5

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = None
        self.samples: list[str] = []  # the first reasons, for a summary that says what went wrong

    def write(self, entries: list[dict[str, Any]]) -> None:
        if not entries:
            return
        self.samples.extend(e["reason"] for e in entries[: self.SAMPLES - len(self.samples)])
        if self._fh is None:
            self._fh = open_private(self.path, "ab")  # personal data: 0600 in a 0700 folder
        self._fh.write(b"".join(orjson.dumps(e) + b"\n" for e in entries))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def dead_entry(m: Any, kind: str, reason: str, status: int | None) -> dict[str, Any]:
    return {"index": m.index, "line": m.line, "outcome": kind, "status": status, "reason": reason,
            "attempts": getattr(m, "attempts", 0), "record": getattr(m, "entity", None)}
