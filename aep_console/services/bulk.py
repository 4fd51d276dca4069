"""A bulk send of one file, with its journal and dead-letter file: the unit the GUI and CLI run.

    run = BulkRun(session, "members.jsonl", target, resume=True, on_progress=show)
    report = await run.start()          # run.pause() / run.resume() / run.cancel() meanwhile
    print(report.summary())

Run files live in ``paths.data_dir()/runs/<key>/`` where the key is derived from the file, the
connection and the dataset; ``journal.log`` and ``deadletter.jsonl`` (unless another path is given).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from .. import paths
from ..xdm.validate import compile_validator
from .engine import BulkSender, DeadLetters
from .engine_types import DONE, EngineOptions, Progress, RecordResult, RunReport, SendTarget
from .journal import Journal, JournalState, file_fingerprint, run_key, runs_dir
from .prepare import prepared_jsonl_here
from .prepare_pool import MIN_PARALLEL_BYTES, PrepareSpec, default_workers, make_pool, prepared_jsonl
from .sources import ColumnMapping, check_readable, detect_format, read_records


class RunBusy(Exception):
    """Another send of the same file to the same connection and dataset holds the run folder."""

    def __init__(self, lock: Path) -> None:
        super().__init__(f"another send of this file to this connection and dataset is running (it holds {lock}); "
                         "wait for it to finish, or stop it, then resume")
        self.lock = lock


class RunExists(Exception):
    """An interrupted run of the same file/connection/dataset exists: resume it or restart."""

    def __init__(self, journal: Path, state: JournalState) -> None:
        done = state.accepted + state.dead_lettered
        super().__init__(
            f"an interrupted run of this file to this connection and dataset exists ({done} records already "
            f"done: {state.accepted} accepted, {state.dead_lettered} dead-lettered). Resume it (--resume) "
            f"or start over (--restart, which may send records twice). Journal: {journal}")
        self.journal, self.state = journal, state


async def load_validator(session: Any, schema_id: str) -> Any:
    """The client-side validator of a schema (its full form from the Schema Registry)."""
    resolved = await session.schemas.get_full_schema(schema_id)
    return compile_validator(resolved)


class BulkRun:
    def __init__(self, session: Any, path: str | Path, target: SendTarget, *, fmt: str | None = None,
                 mapping: Mapping[str, str | ColumnMapping] | None = None, resume: bool = False,
                 restart: bool = False, options: EngineOptions | None = None,
                 dead_letter_path: str | Path | None = None, validator: Any = None,
                 on_progress: Callable[[Progress], Any] | None = None,
                 on_result: Callable[[RecordResult], Any] | None = None) -> None:
        self.session, self.path, self.target = session, Path(path), target
        check_readable(self.path)
        self.fmt = fmt or detect_format(self.path)
        self.mapping = mapping
        self.options = options or EngineOptions()
        self.validator = validator
        self.run_dir = runs_dir() / run_key(self.path, target.connection_id, target.dataset_id)
        self._lock = _hold_run_folder(self.run_dir)  # released by start() or close()
        self.journal = Journal(self.run_dir / "journal.log")
        self.dead_letter_path = Path(dead_letter_path) if dead_letter_path else self.run_dir / "deadletter.jsonl"
        self.header = {**file_fingerprint(self.path), "format": self.fmt, "connection": target.connection_id,
                       "dataset": target.dataset_id, "schema": target.schema_id,
                       "mapping": _mapping_json(mapping)}
        self.state = self.journal.read()
        self.resumed = False
        if self.state.header and not self.state.complete and not restart:
            if not resume:
                self.close()
                raise RunExists(self.journal.path, self.state)
            try:
                self.journal.check_header(self.state, self.header)
            except Exception:
                self.close()
                raise
            self.resumed = True
        self.sender = BulkSender(session, target, validator=None, options=self.options, journal=self.journal,
                                 dead_letters=DeadLetters(self.dead_letter_path), on_progress=on_progress,
                                 on_result=on_result)

    # control, forwarded to the engine
    def pause(self) -> None:
        self.sender.pause()

    def resume(self) -> None:
        self.sender.resume()

    def cancel(self) -> None:
        self.sender.cancel()

    @property
    def already_complete(self) -> bool:
        return bool(self.state.header) and self.state.complete and not self.resumed

    async def start(self) -> RunReport:
        if self.options.validate and self.validator is None:
            self.validator = await load_validator(self.session, self.target.schema_id)
        self.sender.validator = self.validator
        skip = None
        if self.resumed:
            skip = self.state.done
        else:
            if self.dead_letter_path.exists() and self.dead_letter_path.stat().st_size:
                self.dead_letter_path.rename(self.dead_letter_path.with_name(
                    f"{self.dead_letter_path.stem}-{time.strftime('%Y%m%d-%H%M%S')}{self.dead_letter_path.suffix}"))
            self.journal.start(self.header)
        size = self.path.stat().st_size
        workers = self.options.workers
        if workers is None:  # automatic: worker processes pay off for large files only (~0.3 s to start)
            workers = default_workers() if size >= MIN_PARALLEL_BYTES else 0
        pool = None
        try:
            if self.fmt != "jsonl":
                report = await self.sender.run(read_records(self.path, fmt=self.fmt, mapping=self.mapping),
                                               skip=skip, total_bytes=size)
            else:
                if workers > 0:
                    pool = make_pool(self._spec(), workers)
                    blocks = prepared_jsonl(self.path, pool, workers=workers, skip=skip,
                                            cancelled=lambda: self.sender.stopping)
                else:
                    blocks = prepared_jsonl_here(self.sender.preparer(), self.path, skip)
                report = await self.sender.run(prepared=blocks, skip=skip, total_bytes=size)
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            self.journal.close()
            if self.sender.dead is not None:
                self.sender.dead.close()
            self.close()
        report.resumed = self.resumed
        return report

    def _spec(self) -> PrepareSpec:
        s = self.sender
        schema = self.validator.resolved if (self.options.validate and self.validator is not None) else None
        return PrepareSpec(str(self.path), s._prefix, s._suffix, schema, self.options.string_ids,
                           self.options.max_batch_bytes, self.options.max_batch_messages)

    def close(self) -> None:
        """Let another send of this file run (``start`` does it when it ends)."""
        self._lock.release()


def _hold_run_folder(run_dir: Path) -> FileLock:
    """An exclusive lock on the run folder, so that two sends of one file to one dataset never
    interleave one journal (the lock goes with the process, even on ``kill -9``)."""
    paths.private_dir(run_dir)
    lock = FileLock(run_dir / "run.lock", timeout=0, mode=paths.PRIVATE_FILE_MODE)
    try:
        lock.acquire()
    except Timeout:
        raise RunBusy(run_dir / "run.lock") from None
    return lock


def _mapping_json(mapping: Mapping[str, Any] | None) -> Any:
    if mapping is None:
        return None
    out = {}
    for col, spec in mapping.items():
        out[col] = f"{spec.path}:{spec.type}" if isinstance(spec, ColumnMapping) else str(spec)
    return out


__all__ = ["DONE", "BulkRun", "RunBusy", "RunExists", "load_validator"]
