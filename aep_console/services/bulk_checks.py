"""What to know about a file before sending it: how many records it holds, and whether the same
file was already sent in full to the same connection and dataset (re-sending duplicates events).
Plain Python; the GUI runs these off its thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .engine_types import SendTarget
from .journal import Journal, file_fingerprint, run_key, runs_dir
from .sources import read_records


def count_records(path: str | Path) -> int:
    """The number of records (readable or not) in ``path``."""
    n = 0
    for _ in read_records(path):
        n += 1
    return n


@dataclass(frozen=True)
class PreviousRun:
    accepted: int
    dead_lettered: int
    same_file: bool  # the file is unchanged since (size and first MiB)


def completed_before(path: str | Path, target: SendTarget) -> PreviousRun | None:
    """The completed earlier run of ``path`` to ``target``'s connection and dataset, if any."""
    p = Path(path)
    if not p.is_file():
        return None
    journal = runs_dir() / run_key(p, target.connection_id, target.dataset_id) / "journal.log"
    if not journal.exists():
        return None
    state = Journal(journal).read()
    if not (state.header and state.complete):
        return None
    fp = file_fingerprint(p)
    same = all(state.header.get(k) == fp[k] for k in ("size", "head_sha256"))
    return PreviousRun(state.accepted, state.dead_lettered, same)
