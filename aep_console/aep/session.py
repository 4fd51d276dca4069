"""``AEPSession``: one httpx.AsyncClient (pooled, keep-alive), one TokenProvider, one transport,
and a client per AEP service.

    async with AEPSession(Endpoints.from_sandbox(sb.urls), ClientCredentials.from_demo(sb.credentials),
                          org_id, "prod", on_exchange=history.record) as aep:
        tenant = await aep.schemas.tenant_id()
"""

from __future__ import annotations

from typing import Any

from .catalog import CatalogClient
from .config import ClientCredentials, Endpoints, Timeouts
from .data_access import DataAccessClient
from .edge import EdgeClient, edge_base
from .flow_service import FlowServiceClient, InletClient
from .identity import IdentityClient
from .ims import TokenProvider
from .profile import ProfileClient
from .retry import RetryPolicy
from .schema_registry import SchemaRegistryClient
from .streaming import StreamingClient
from .transport import ExchangeHook, Transport


class AEPSession:
    def __init__(
        self,
        endpoints: Endpoints,
        credentials: ClientCredentials | TokenProvider,
        org_id: str,
        sandbox_name: str,
        *,
        on_exchange: ExchangeHook | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        token_margin: float = 300.0,
        max_connections: int = 100,
        stream_authenticated: bool = True,
        **transport_options: Any,
    ) -> None:
        if not isinstance(endpoints, Endpoints):
            raise TypeError("endpoints must be an aep_console.aep.config.Endpoints")
        if isinstance(credentials, TokenProvider):
            self.ims = credentials
        else:
            self.ims = TokenProvider(credentials, margin=token_margin)
        self.endpoints = endpoints
        self.org_id = org_id
        self.sandbox_name = sandbox_name
        self.transport = Transport(
            endpoints, org_id=org_id, sandbox_name=sandbox_name, client_id=self.ims.credentials.client_id,
            token_provider=self.ims, on_exchange=on_exchange, timeouts=timeouts, retry=retry,
            max_connections=max_connections, **transport_options,
        )
        self.ims.bind(self.transport)
        self.schemas = SchemaRegistryClient(self.transport)
        self.identity = IdentityClient(self.transport)
        self.catalog = CatalogClient(self.transport)
        self.flows = FlowServiceClient(self.transport)
        self.inlets = InletClient(self.transport)
        self.streaming = StreamingClient(self.transport, authenticate=stream_authenticated)
        self.profiles = ProfileClient(self.transport)
        self.data_access = DataAccessClient(self.transport)
        self.edge = EdgeClient(self.transport, edge_base(endpoints))

    def __repr__(self) -> str:
        return (f"AEPSession(platform={self.endpoints.platform!r}, org_id={self.org_id!r}, "
                f"sandbox={self.sandbox_name!r})")

    @property
    def on_exchange(self) -> ExchangeHook | None:
        return self.transport.on_exchange

    @on_exchange.setter
    def on_exchange(self, hook: ExchangeHook | None) -> None:
        self.transport.on_exchange = hook

    async def check(self) -> str:
        """Token + a cheap authenticated call; returns the tenant id (raises on any failure)."""
        await self.ims.get_token()
        return await self.schemas.tenant_id()

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def __aenter__(self) -> AEPSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
