"""The sandbox's long-lived objects, shared by all handlers (``request.app.state.sandbox``)."""

from __future__ import annotations

from .batches import Batches
from .config import SandboxConfig
from .ims import TokenService
from .lookups import Lookups
from .store import Store


class SandboxServices:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = Store(config.data_dir)
        self.tokens = TokenService(self.store, config)
        self.batches = Batches(self.store)
        self.lookups = Lookups(self)
        self.extensions: list[str] = []

    def close(self) -> None:
        self.store.close()
