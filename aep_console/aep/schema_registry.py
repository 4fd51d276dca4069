"""Schema Registry (``/data/foundation/schemaregistry``).

Accept headers (the registry is strict, adobe/experience-platform-postman-samples#56):
- listings: no version — ``application/vnd.adobe.xed-id+json`` (summary) or ``…xed+json`` (full);
- lookups: with a version — ``application/vnd.adobe.xed[-full][-notext][-desc]+json; version=1``;
- descriptors: ``application/vnd.adobe.xdm+json`` (lists grouped by ``@type``), lookups need none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal

from .base import ServiceClient, enc, parse
from .errors import NotFoundError
from .models import Descriptor, IdentityDescriptor, RegistryPage, RegistryResource, RegistryStats
from .transport import Reply

Kind = Literal["schemas", "fieldgroups", "mixins", "classes", "datatypes", "behaviors", "unions"]
Container = Literal["global", "tenant"]

ACCEPT_LIST = "application/vnd.adobe.xed-id+json"
ACCEPT_LIST_FULL = "application/vnd.adobe.xed+json"
ACCEPT_DESCRIPTORS = "application/vnd.adobe.xdm+json"
FULL = "application/vnd.adobe.xed-full+json; version=1"


def accept_lookup(*, full: bool = False, notext: bool = False, desc: bool = False, version: int = 1) -> str:
    """The versioned Accept of a lookup, e.g. ``application/vnd.adobe.xed-full+json; version=1``."""
    flavour = "xed" + ("-full" if full else "") + ("-notext" if notext else "") + ("-desc" if desc else "")
    return f"application/vnd.adobe.{flavour}+json; version={version}"


def container_of(resource_id: str) -> Container:
    """``global`` for Adobe's own resources (``https://ns.adobe.com/xdm/…``, ``_xdm.…``), else ``tenant``."""
    rid = resource_id.lower()
    if rid.startswith(("https://ns.adobe.com/xdm/", "http://ns.adobe.com/xdm/", "_xdm.")):
        return "global"
    return "tenant"


class SchemaRegistryClient(ServiceClient):
    base_path = "/data/foundation/schemaregistry"

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)
        self._tenant_id: str | None = None

    # --- stats / tenant ---------------------------------------------------------------------------

    async def stats(self) -> RegistryStats:
        stats = parse(RegistryStats, await self._get_json(self.p("/stats")))
        self._tenant_id = stats.tenant_id
        return stats

    async def tenant_id(self) -> str:
        """The org's tenant id (cached after the first ``/stats``); fields live under ``_{tenant}``."""
        if self._tenant_id is None:
            await self.stats()
        return self._tenant_id  # type: ignore[return-value]

    # --- listing ----------------------------------------------------------------------------------

    async def list(self, kind: Kind, container: Container = "tenant", *, full: bool = False,
                   limit: int | None = None, start: str | None = None, orderby: str | None = None,
                   property: str | None = None) -> RegistryPage:
        body = await self._get_json(
            self.p(f"/{container}/{kind}"), accept=ACCEPT_LIST_FULL if full else ACCEPT_LIST,
            params={"limit": limit, "start": start, "orderby": orderby, "property": property},
        )
        return parse(RegistryPage, body or {})

    async def iter_all(self, kind: Kind, container: Container = "tenant", *, full: bool = False,
                       property: str | None = None, page_size: int = 300) -> AsyncIterator[RegistryResource]:
        """Every resource, following ``_page.next``."""
        start: str | None = None
        seen: set[str] = set()
        while True:
            page = await self.list(kind, container, full=full, limit=page_size, start=start, property=property)
            for res in page.results:
                yield res
            start = page.next_start
            if not start or start in seen or not page.results:
                return
            seen.add(start)

    async def list_all(self, kind: Kind, container: Container = "tenant", **kwargs: Any) -> list[RegistryResource]:
        return [r async for r in self.iter_all(kind, container, **kwargs)]

    async def list_classes(self, container: Container = "global") -> list[RegistryResource]:
        return await self.list_all("classes", container)

    async def list_fieldgroups(self, container: Container = "global") -> list[RegistryResource]:
        return await self.list_all("fieldgroups", container)

    async def list_datatypes(self, container: Container = "global") -> list[RegistryResource]:
        return await self.list_all("datatypes", container)

    async def list_schemas(self, container: Container = "tenant") -> list[RegistryResource]:
        return await self.list_all("schemas", container)

    async def list_unions(self) -> list[RegistryResource]:
        return await self.list_all("unions", "tenant")

    async def find_by_title(self, kind: Kind, title: str, container: Container = "tenant") -> RegistryResource | None:
        async for res in self.iter_all(kind, container):
            if res.title == title:
                return res
        return None

    # --- lookup -----------------------------------------------------------------------------------

    async def get(self, kind: Kind, resource_id: str, container: Container | None = None, *,
                  full: bool = False, notext: bool = False, desc: bool = False) -> dict[str, Any]:
        """One resource as the registry returns it (``$id`` or ``meta:altId``; URL-encoded here)."""
        container = container or container_of(resource_id)
        return await self._get_json(self.p(f"/{container}/{kind}/{enc(resource_id)}"),
                                    accept=accept_lookup(full=full, notext=notext, desc=desc))

    async def get_schema(self, schema_id: str, *, full: bool = False) -> dict[str, Any]:
        return await self.get("schemas", schema_id, full=full)

    async def get_full_schema(self, schema_id: str) -> dict[str, Any]:
        """``application/vnd.adobe.xed-full+json; version=1``: every ``allOf``/``$ref`` resolved."""
        return await self.get("schemas", schema_id, full=True)

    async def get_class(self, class_id: str, *, full: bool = False) -> dict[str, Any]:
        return await self.get("classes", class_id, full=full)

    async def get_fieldgroup(self, fieldgroup_id: str, *, full: bool = False) -> dict[str, Any]:
        return await self.get("fieldgroups", fieldgroup_id, full=full)

    async def get_union(self, union_id: str, *, full: bool = False) -> dict[str, Any]:
        return await self.get("unions", union_id, "tenant", full=full)

    async def find(self, kind: Kind, resource_id: str, *, full: bool = False) -> dict[str, Any] | None:
        try:
            return await self.get(kind, resource_id, full=full)
        except NotFoundError:
            return None

    # --- create / change / delete ---------------------------------------------------------------

    async def create(self, kind: Kind, body: dict[str, Any], *, lookup_by_title: bool = True) -> dict[str, Any]:
        """``POST /tenant/{kind}`` (201). A lost answer is never blindly re-sent: before a retry the
        registry is searched for a resource with the same title (``lookup_by_title``)."""
        title = body.get("title")

        async def lookup() -> dict[str, Any] | None:
            found = await self.find_by_title(kind, title, "tenant")
            return await self.get(kind, found.id, "tenant") if found else None

        return await self.t.create("POST", "platform", self.p(f"/tenant/{kind}"), json=body,
                                   parse=Reply.json, lookup=lookup if (lookup_by_title and title) else None)

    async def create_schema(self, body: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return await self.create("schemas", body, **kw)

    async def create_fieldgroup(self, body: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return await self.create("fieldgroups", body, **kw)

    async def replace(self, kind: Kind, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return (await self.t.request("PUT", "platform", self.p(f"/tenant/{kind}/{enc(resource_id)}"),
                                     json=body)).json()

    async def patch(self, kind: Kind, resource_id: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
        """JSON Patch (sent as application/json); not retried (an ``add`` is not idempotent)."""
        return (await self.t.request("PATCH", "platform", self.p(f"/tenant/{kind}/{enc(resource_id)}"),
                                     json=operations)).json()

    async def enable_for_profile(self, schema_id: str) -> dict[str, Any]:
        """Add the ``union`` tag (it can never be removed)."""
        return await self.patch("schemas", schema_id,
                                [{"op": "add", "path": "/meta:immutableTags", "value": ["union"]}])

    async def delete(self, kind: Kind, resource_id: str) -> None:
        await self.t.request("DELETE", "platform", self.p(f"/tenant/{kind}/{enc(resource_id)}"))

    async def delete_schema(self, schema_id: str) -> None:
        await self.delete("schemas", schema_id)

    async def delete_fieldgroup(self, fieldgroup_id: str) -> None:
        await self.delete("fieldgroups", fieldgroup_id)

    # --- descriptors ---------------------------------------------------------------------------------

    async def list_descriptors(self, container: Container = "tenant") -> list[Descriptor]:
        body = await self._get_json(self.p(f"/{container}/descriptors"), accept=ACCEPT_DESCRIPTORS)
        return [parse(Descriptor, d) for d in _descriptor_items(body)]

    async def get_descriptor(self, descriptor_id: str) -> Descriptor:
        return parse(Descriptor,
            await self._get_json(self.p(f"/tenant/descriptors/{enc(descriptor_id)}"), accept=ACCEPT_DESCRIPTORS))

    async def create_descriptor(self, descriptor: IdentityDescriptor | dict[str, Any]) -> Descriptor:
        body = descriptor.to_json() if isinstance(descriptor, IdentityDescriptor) else dict(descriptor)

        async def lookup() -> Descriptor | None:
            for d in await self.list_descriptors():
                if (d.type == body.get("@type") and d.source_schema == body.get("xdm:sourceSchema")
                        and d.source_property == body.get("xdm:sourceProperty")):
                    return d
            return None

        return await self.t.create("POST", "platform", self.p("/tenant/descriptors"), json=body,
                                   parse=lambda r: parse(Descriptor, r.json()), lookup=lookup)

    async def update_descriptor(self, descriptor_id: str, body: dict[str, Any]) -> Descriptor:
        reply = await self.t.request("PUT", "platform", self.p(f"/tenant/descriptors/{enc(descriptor_id)}"),
                                     json=body)
        data = reply.json()
        return parse(Descriptor, data if isinstance(data, dict) and "@type" in data else {**body, **(data or {})})

    async def delete_descriptor(self, descriptor_id: str) -> None:
        await self.t.request("DELETE", "platform", self.p(f"/tenant/descriptors/{enc(descriptor_id)}"))

    async def descriptors_of(self, schema_id: str) -> list[Descriptor]:
        return [d for d in await self.list_descriptors() if d.source_schema == schema_id]


def _descriptor_items(body: Any) -> list[dict[str, Any]]:
    """Descriptor lists come grouped by ``@type`` (``{"xdm:descriptorIdentity": [...]}``), as a v2
    page (``{"results": [...]}``) or a bare list; id-only forms are kept as ``{"@id": …}``."""
    if isinstance(body, list):
        raw = body
    elif isinstance(body, dict) and isinstance(body.get("results"), list):
        raw = body["results"]
    elif isinstance(body, dict):
        raw = []
        for dtype, group in body.items():
            if isinstance(group, list) and not dtype.startswith("_"):
                raw += [g if isinstance(g, dict) else {"@id": str(g).rsplit("/", 1)[-1], "@type": dtype}
                        for g in group]
    else:
        raw = []
    return [d for d in raw if isinstance(d, dict) and "@type" in d]
