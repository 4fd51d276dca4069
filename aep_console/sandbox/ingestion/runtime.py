"""The ingestion side of the sandbox as one long-lived object: the data lake, the Profile index, the
pipeline behind both DCS endpoints, rate limits and fault injection, with their background work (closing
streaming batches, WAL checkpoints, rebuilding the Profile index at start).

Settings (fields of ``server.config.SandboxConfig``, top-level keys of the TOML config): ``datalake_max_records`` (50000),
``datalake_max_age_s`` (30), ``dcs_requests_per_second`` (off), ``sync_validation_per_minute`` (60),
``faults`` (table or ``"error503=0.1,latencyMs=20"``), ``accept_missing_flow_id`` (false: a message to a
Flow Service streaming connection must name its dataflow; true restores the 2020 leniency). The environment variable ``AEP_SANDBOX_FAULTS``
(same text form) also switches faults on at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sqlite3
import threading
import time

from ...xdm.validate import streaming_validation_report
from ..apis.profile.index import ProfileIndex
from ..apis.streaming.routes import RateLimits
from ..apis.streaming.traffic import RequestLog
from .datalake import DataLake
from .faults import FaultInjector, parse_cli_faults
from .pipeline import Pipeline
from .targets import TargetLookups

log = logging.getLogger("aep_console.sandbox.server.ingestion_state")


class Ingestion:
    def __init__(self, services) -> None:
        config = services.config
        self.services = services
        self.lake = DataLake(services.store, max_records=config.datalake_max_records,
                             max_age_s=config.datalake_max_age_s)
        self.profiles = ProfileIndex(self.lake)
        self.lookups = TargetLookups(services)
        self.pipeline = Pipeline(self.lookups, self.lake, self.profiles,
                                 accept_missing_flow_id=config.accept_missing_flow_id)
        self.requests = RequestLog()
        self.limits = RateLimits(config.sync_validation_per_minute, config.dcs_requests_per_second)
        self.faults = FaultInjector()
        faults = config.faults or os.environ.get("AEP_SANDBOX_FAULTS")
        if faults:
            self.faults.configure(parse_cli_faults(faults) if isinstance(faults, str) else dict(faults))
        self.report_builder = streaming_validation_report
        self._ticker: asyncio.Task | None = None
        self._rebuild: asyncio.Future | None = None
        self._stopping = threading.Event()

    async def start(self) -> None:
        # The Profile index is a large, long-lived object graph: keep the cyclic GC from walking it again
        # and again while messages stream (young collections far apart, rebuilt index frozen).
        gc.set_threshold(50_000, 20, 100)
        self._rebuild = asyncio.ensure_future(self._rebuild_profiles())
        self._ticker = asyncio.ensure_future(self._tick())
        self._checkpointer = threading.Thread(target=self._checkpoint_loop, name="wal-checkpoint", daemon=True)
        self._checkpointer.start()

    def _checkpoint_loop(self) -> None:
        """PASSIVE WAL checkpoints off the event loop (they copy pages and fsync; SQLite's automatic ones
        would run inside a request's COMMIT). Never blocks writers; the shared connection keeps its own
        automatic checkpoint as a backstop, at a higher threshold."""
        try:
            self.services.store.execute("PRAGMA wal_autocheckpoint=8000")
            conn = self.services.store.connect()
            conn.execute("PRAGMA busy_timeout=100")
        except Exception:
            log.exception("WAL checkpointer not started")
            return
        while not self._stopping.wait(0.5):
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        conn.close()

    async def _rebuild_profiles(self) -> None:
        t0 = time.monotonic()
        try:
            n = await self.profiles.rebuild()
        except Exception:
            log.exception("rebuilding the profile index failed; profiles start empty")
            return
        if n:
            log.warning("profile index rebuilt from %d data-lake rows in %.1f s", n, time.monotonic() - t0)
        gc.collect()
        gc.freeze()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            try:
                await self.lake.close_due()
            except Exception:  # keep ticking; the next round retries
                log.exception("closing streaming batches failed")

    async def stop(self) -> None:
        self._stopping.set()
        if self._rebuild is not None and not self._rebuild.done():
            self._rebuild.cancel()
        if self._ticker is not None:
            self._ticker.cancel()
        try:
            await self.lake.close_due(force=True)
        except Exception:
            log.exception("closing streaming batches at shutdown failed")
        self.lake.writer.shutdown(wait=True)
