"""The sandbox's long-lived objects, shared by all handlers (``request.app.state.sandbox``)."""

from __future__ import annotations

from ..apis.edge.datastreams import Datastreams
from ..apis.ims import TokenService
from ..ingestion.runtime import Ingestion
from ..storage.batches import Batches
from ..storage.lookups import Lookups
from ..storage.store import Store
from .config import SandboxConfig


class SandboxServices:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = Store(config.data_dir)
        self.tokens = TokenService(self.store, config)
        self.batches = Batches(self.store)
        self.lookups = Lookups(self)
        self.ingestion = Ingestion(self)
        self.datastreams = Datastreams(self)

    async def start(self) -> None:
        await self.ingestion.start()

    async def stop(self) -> None:
        try:
            await self.ingestion.stop()
        finally:
            self.store.close()
