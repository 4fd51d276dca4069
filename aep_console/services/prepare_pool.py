"""JSON Lines prepared by worker processes: the engine's process reads raw blocks of whole lines and
only sends; workers parse, validate and serialise them (``Preparer.feed_jsonl``).

    async for prepared in prepared_jsonl(path, pool_args, skip=...):   # in file order
        ...

The engine's process counts newlines (C speed) to give each block its first line; a worker prepares the
block as the engine's process would (``Preparer.feed_jsonl``, lines from the start of the file), and the blocks
come back in file order, so record indexes, dead letters and the journal are exactly what a
single-process read gives (``tests/services/test_prepare.py`` compares the two).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .prepare import Prepared, PreparedBatch, Preparer, batch_of, jsonl_blocks
from .source_types import SourceRecord

BLOCK = 2 << 20  # raw bytes per block handed to a worker
MIN_PARALLEL_BYTES = 32 << 20  # smaller files are prepared in the engine's process (no start-up cost)


@dataclass(frozen=True)
class PrepareSpec:
    """What a worker needs to prepare records like the engine's process would."""

    path: str
    prefix: bytes
    suffix: bytes
    resolved_schema: dict | None  # None: no client-side validation
    string_ids: bool
    max_bytes: int
    max_messages: int


def default_workers() -> int:
    """Worker processes worth starting: one per core left idle beside the engine's process and one
    more for the rest of the machine (at most four; none on two cores).

    A worker costs CPU the engine's process does not spend: ~0.3 s to start, and every prepared body
    crosses a pipe. Measured on 2 cores with the no-op DCS stand-in beside it (400,000 records,
    ``streaming_bench.py --workers``): 186,500/s in one process (client CPU 0.55 s per 100,000 records),
    139,200/s with one worker (0.85 s)."""
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):
        busy = 0.0
    return max(0, min(4, int(cores - 2 - busy + 0.5)))


_preparer: Preparer | None = None


def _init(spec: PrepareSpec) -> None:
    global _preparer
    validator = None
    if spec.resolved_schema is not None:
        from ..xdm.validate import compile_validator

        validator = compile_validator(spec.resolved_schema)
    _preparer = Preparer(spec.prefix, spec.suffix, validator=validator, string_ids=spec.string_ids,
                         max_bytes=spec.max_bytes, max_messages=spec.max_messages)


def _prepare_block(data: bytes, first_line: int, base_offset: int) -> Prepared:
    """One block of whole lines → ``Prepared`` with indexes counted from 0 in this block and lines and
    offsets counted from the start of the file."""
    out = Prepared()
    _preparer.feed_jsonl(data, out, first_line=first_line, base_offset=base_offset)
    return _preparer.flush(out)


def make_pool(spec: PrepareSpec, workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: the engine's process runs an event loop (and, in the app, more threads)
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init, initargs=(spec,))


async def prepared_jsonl(path: Path, pool: ProcessPoolExecutor, *, workers: int, skip: Any = None,
                         cancelled: Any = None, block_bytes: int = BLOCK) -> AsyncIterator[Prepared]:
    """The file's records prepared by ``pool``, block by block, in file order, with absolute indexes;
    records in ``skip`` (a resumed run) left out. At most ``2 × workers + 1`` blocks are in the air."""
    depth = 2 * workers + 1
    pending: deque = deque()
    base = 0
    with open(path, "rb") as fh:
        blocks = jsonl_blocks(fh, block_bytes)
        eof = False
        while True:
            while not eof and len(pending) < depth:
                nxt = next(blocks, None)
                if nxt is None:
                    eof = True
                else:
                    pending.append(asyncio.wrap_future(pool.submit(_prepare_block, *nxt)))
            if not pending:
                return
            prepared = await pending[0]
            pending.popleft()
            if cancelled is not None and cancelled():
                for fut in pending:
                    fut.cancel()
                return
            count = prepared.read
            _absolute(prepared, base, skip)
            base += count
            yield prepared


def _absolute(prepared: Prepared, base: int, skip: Any) -> None:
    if base:
        prepared.batches = [b.shifted(base) for b in prepared.batches]
        prepared.dead = [(SourceRecord(r.index + base, r.line, r.entity, r.error, r.end_offset), kind, why, st)
                         for r, kind, why, st in prepared.dead]
        prepared.dead = [(r, kind, why.replace(f"record {r.index - base} (", f"record {r.index} (", 1), st)
                         for r, kind, why, st in prepared.dead]
    if skip:
        before = sum(len(b) for b in prepared.batches) + len(prepared.dead)
        prepared.dead = [d for d in prepared.dead if d[0].index not in skip]
        prepared.batches = [b for b in (_without(b, skip) for b in prepared.batches) if b is not None]
        prepared.read -= before - sum(len(b) for b in prepared.batches) - len(prepared.dead)


def _without(batch: PreparedBatch, skip: Any) -> PreparedBatch | None:
    keep = [i for i, index in enumerate(batch.indexes) if index not in skip]
    if len(keep) == len(batch):
        return batch
    if not keep:
        return None
    return batch_of([batch.message(i) for i in keep], [batch.indexes[i] for i in keep],
                    [batch.lines[i] for i in keep])
