"""Read-side lookups other parts of the sandbox need (the streaming pipeline and Profile code).

All through ``services.lookups`` (``request.app.state.sandbox.lookups``):

- ``connection_by_inlet(inlet_id) -> InletInfo | None``: the streaming connection (Flow Service base
  connection or legacy ``/data/core/edge/inlet``) whose 64-hex inlet id this is, across all orgs:
  org, sandbox, authenticationRequired, dataType and its dataflows (flow id, dataset id, schema id).
- ``dataset(org, sandbox, dataset_id) -> DatasetInfo | None``: schema ref, Profile/Identity enablement.
- ``resolved_schema(org, sandbox, schema_id) -> dict | None``: the ``xed-full`` form of a schema, class,
  field group or data type (tenant or global; ``$id`` or ``meta:altId``); cached, the cache of an
  (org, sandbox) is dropped on any Schema Registry write there (``schema_generation`` counts those).
- ``identity_descriptors(org, sandbox, schema_id) -> list[dict]``: its ``xdm:descriptorIdentity``s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cachetools import LRUCache

if TYPE_CHECKING:
    from ..server.state import SandboxServices


@dataclass(frozen=True)
class FlowInfo:
    flow_id: str
    dataset_id: str | None
    schema_id: str | None
    target_connection_id: str | None
    state: str = "enabled"


@dataclass(frozen=True)
class InletInfo:
    inlet_id: str
    org_id: str
    sandbox: str
    connection_id: str | None  # Flow Service base connection id (None for a legacy inlet)
    name: str
    source_id: str
    data_type: str  # "xdm" | "raw"
    authentication_required: bool
    flows: tuple[FlowInfo, ...] = ()
    legacy_inlet: bool = False


@dataclass(frozen=True)
class DatasetInfo:
    id: str
    org_id: str
    sandbox: str
    name: str
    schema_id: str | None
    content_type: str | None
    profile_enabled: bool
    identity_enabled: bool
    tags: dict = field(default_factory=dict)
    doc: dict = field(default_factory=dict)


def tag_enabled(values: Any) -> bool:
    """``["enabled:true"]`` and ``["enabled: true"]`` (both spellings appear in Adobe's docs)."""
    if not isinstance(values, list):
        return False
    return any(isinstance(v, str) and v.replace(" ", "").lower() == "enabled:true" for v in values)


class Lookups:
    def __init__(self, services: SandboxServices) -> None:
        self.services = services
        self.store = services.store
        # least recently used entries go first when full (a busy sandbox keeps its hot schemas and inlets)
        self._schema_cache: LRUCache[tuple[str, str, str], dict] = LRUCache(maxsize=2000)
        self._generation: dict[tuple[str, str], int] = {}
        self._inlet_cache: LRUCache[str, InletInfo | None] = LRUCache(maxsize=10_000)

    # --- invalidation (called by the writers) ---------------------------------------------------

    def schemas_changed(self, org: str, sandbox: str) -> None:
        key = (org, sandbox)
        self._generation[key] = self._generation.get(key, 0) + 1
        for k in [k for k in self._schema_cache if k[0] == org and k[1] == sandbox]:
            del self._schema_cache[k]

    def flows_changed(self) -> None:
        self._inlet_cache.clear()

    def schema_generation(self, org: str, sandbox: str) -> int:
        return self._generation.get((org, sandbox), 0)

    # --- lookups --------------------------------------------------------------------------------

    def resolved_schema(
        self, org: str, sandbox: str, schema_id: str, *, raise_errors: bool = False
    ) -> dict | None:
        """Treat the result as read-only (it is shared). A schema that no longer composes gives None
        (or raises ``XDMError`` with ``raise_errors``)."""
        key = (org, sandbox, schema_id)
        hit = self._schema_cache.get(key)
        if hit is not None:
            return hit
        from aep_console.xdm.errors import XDMError

        from ..apis.schema_registry.resolve import resolve_any

        try:
            resolved = resolve_any(self.services, org, sandbox, schema_id)
        except XDMError:
            if raise_errors:
                raise
            return None
        if resolved is not None:
            self._schema_cache[key] = resolved
        return resolved

    def identity_descriptors(self, org: str, sandbox: str, schema_id: str) -> list[dict]:
        return [
            d
            for d in self.store.list(org, sandbox, "descriptor", ref=schema_id)
            if d.get("@type") == "xdm:descriptorIdentity"
        ]

    def dataset(self, org: str, sandbox: str, dataset_id: str) -> DatasetInfo | None:
        doc = self.store.get(org, sandbox, "dataset", dataset_id)
        if doc is None:
            return None
        tags = doc.get("tags") or {}
        ref = doc.get("schemaRef") or {}
        return DatasetInfo(
            id=dataset_id,
            org_id=org,
            sandbox=sandbox,
            name=doc.get("name", ""),
            schema_id=ref.get("id"),
            content_type=ref.get("contentType"),
            profile_enabled=tag_enabled(tags.get("unifiedProfile")),
            identity_enabled=tag_enabled(tags.get("unifiedIdentity")),
            tags=tags,
            doc=doc,
        )

    def connection_by_inlet(self, inlet_id: str) -> InletInfo | None:
        if inlet_id in self._inlet_cache:
            return self._inlet_cache[inlet_id]
        from ..apis.flow_service.inlets import inlet_info

        info = inlet_info(self.services, inlet_id)
        self._inlet_cache[inlet_id] = info
        return info
