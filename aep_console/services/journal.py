"""The run journal: an append-only, fsync'd log of the records whose outcome is final.

A bulk send writes one line per finished request: the record indexes that AEP accepted (``ok``)
and those written to the dead-letter file (``dl``). A record is journaled only after its outcome
is durable, so a run killed at any moment resumes by skipping exactly the journaled records: at
most the records that were in flight at the kill are sent twice, none is lost.

File layout (text, one entry a line)::

    H {"file": …, "size": …, "dataset": …, …}      run header (first line)
    ok 0-1399,1401
    dl 1400
    C                                               the run finished
A torn last line (no newline) is ignored on reading.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .. import paths


class JournalMismatch(ValueError):
    """The journal belongs to another input (file changed, other dataset…)."""


def encode_ranges(indexes: Iterable[int]) -> str:
    """``[0, 1, 2, 5, 7, 8]`` → ``"0-2,5,7-8"``."""
    out: list[str] = []
    start = prev = None
    for i in sorted(indexes):
        if start is None:
            start = prev = i
        elif i == prev + 1:
            prev = i
        elif i == prev:
            continue
        else:
            out.append(f"{start}-{prev}" if prev != start else str(start))
            start = prev = i
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else str(start))
    return ",".join(out)


def decode_ranges(text: str) -> list[tuple[int, int]]:
    """``"0-2,5"`` → ``[(0, 3), (5, 6)]`` (half-open)."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        a, _, b = part.partition("-")
        out.append((int(a), int(b or a) + 1))
    return out


class RangeSet:
    """A set of ints kept as sorted disjoint half-open ranges (cheap for long contiguous runs)."""

    def __init__(self) -> None:
        self._ranges: list[list[int]] = []
        self.count = 0

    def add_range(self, a: int, b: int) -> None:
        if b <= a:
            return
        merged = [a, b]
        keep = []
        for r in self._ranges:
            if r[1] < merged[0] or r[0] > merged[1]:
                keep.append(r)
            else:
                merged = [min(r[0], merged[0]), max(r[1], merged[1])]
        keep.append(merged)
        keep.sort()
        self._ranges = keep
        self.count = sum(r[1] - r[0] for r in keep)

    def __contains__(self, i: int) -> bool:
        lo, hi = 0, len(self._ranges)
        while lo < hi:
            mid = (lo + hi) // 2
            a, b = self._ranges[mid]
            if i < a:
                hi = mid
            elif i >= b:
                lo = mid + 1
            else:
                return True
        return False

    def __len__(self) -> int:
        return self.count

    def ranges(self) -> list[tuple[int, int]]:
        return [(a, b) for a, b in self._ranges]


@dataclass
class JournalState:
    header: dict[str, Any] = field(default_factory=dict)
    done: RangeSet = field(default_factory=RangeSet)
    accepted: int = 0
    dead_lettered: int = 0
    complete: bool = False


def file_fingerprint(path: Path) -> dict[str, Any]:
    """Size and a hash of the first MiB: enough to notice a different or rewritten input."""
    st = path.stat()
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        h.update(fh.read(1 << 20))
    return {"file": str(path.resolve()), "size": st.st_size, "head_sha256": h.hexdigest()}


def run_key(source: Path, connection_id: str, dataset_id: str) -> str:
    text = f"{source.resolve()}|{connection_id}|{dataset_id}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def runs_dir() -> Path:
    return paths.private_dir(paths.data_dir() / "runs", tighten=True)


class Journal:
    """Append-only journal of final record outcomes, fsync'd on every append."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = None

    # reading ------------------------------------------------------------------------------
    def read(self) -> JournalState:
        state = JournalState()
        if not self.path.exists():
            return state
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        if not data.endswith(b"\n"):
            lines = lines[:-1]  # torn last line: its outcome was never acknowledged
        for raw in lines:
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            kind, _, rest = line.partition(" ")
            try:
                self._apply(state, kind, rest)
            except ValueError:
                continue  # not a line this code wrote: ignore rather than guess
        return state

    @staticmethod
    @staticmethod
    def _apply(state: JournalState, kind: str, rest: str) -> None:
        if kind == "H":
            state.header = orjson.loads(rest)
        elif kind in ("ok", "dl"):
            ranges = decode_ranges(rest)  # parse all before applying any
            n = 0
            for a, b in ranges:
                state.done.add_range(a, b)
                n += b - a
            if kind == "ok":
                state.accepted += n
            else:
                state.dead_lettered += n
        elif kind == "C":
            state.complete = True

    # writing ------------------------------------------------------------------------------
    def _append(self, text: str) -> None:
        if self._fh is None:
            self._drop_torn_tail()
            self._fh = paths.open_private(self.path, "ab", buffering=0)  # kept open for the run
        self._fh.write(text.encode())
        os.fsync(self._fh.fileno())

    def _drop_torn_tail(self) -> None:
        """Cut an incomplete last line (a write cut short): it was never acknowledged."""
        if not self.path.exists():
            return
        with open(self.path, "r+b") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0:
                return
            fh.seek(max(0, size - 65536))
            tail = fh.read()
            if tail.endswith(b"\n"):
                return
            cut = tail.rfind(b"\n")
            fh.truncate(size - len(tail) + cut + 1 if cut >= 0 else max(0, size - len(tail)))
            fh.flush()
            os.fsync(fh.fileno())

    def start(self, header: dict[str, Any]) -> None:
        """Begin a new journal (truncates an old one)."""
        self.close()
        with paths.open_private(self.path, "wb") as fh:
            fh.write(b"H " + orjson.dumps(header) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(self.path.parent)

    def record(self, accepted: Iterable[int] = (), dead_lettered: Iterable[int] = ()) -> None:
        parts = []
        ok = encode_ranges(accepted)
        if ok:
            parts.append(f"ok {ok}\n")
        dl = encode_ranges(dead_lettered)
        if dl:
            parts.append(f"dl {dl}\n")
        if parts:
            self._append("".join(parts))

    def finish(self) -> None:
        self._append("C\n")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def check_header(self, state: JournalState, expected: dict[str, Any]) -> None:
        for key, value in expected.items():
            if key in state.header and state.header[key] != value:
                raise JournalMismatch(
                    f"cannot resume: {key} was {state.header[key]!r} in the interrupted run, now {value!r}"
                    f" (journal {self.path})"
                )


def _fsync_dir(d: Path) -> None:
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
