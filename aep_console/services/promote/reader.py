"""Read a set-up from a source sandbox, starting from what the user picked and following its
dependencies:

- a schema → its class, field groups and data types (tenant ones; Adobe's own exist everywhere),
  its descriptors (identity, relationship → the other schema) and their identity namespaces, its
  Profile union membership;
- a dataset → its schema, and the dataflows that write into it (with their connections);
- a connection (base connection id or its CONNECTION_ID) → its source connections, their dataflows,
  the target connections and their datasets.

Resources come out dependencies first, each once.
"""

from __future__ import annotations

from typing import Any

from ...aep.errors import AEPError, NotFoundError
from .bundle import Bundle, Resource, Selection
from .content import KINDS, REGISTRY_COLLECTION, PromoteError, normalise, registry_kind, tenant_refs, title_of


class SetupReader:
    def __init__(self, session: Any) -> None:
        self.session = session
        self._out: dict[str, Resource] = {}  # id → resource, in dependency order
        self._visited: set[str] = set()
        self._descriptors: list[dict[str, Any]] | None = None
        self._flows: list[Any] | None = None
        self._tenant = ""

    async def read(self, selection: Selection) -> Bundle:
        if not selection:
            raise PromoteError("nothing selected: pick at least one dataset, schema or connection")
        s = self.session
        self._tenant = await s.schemas.tenant_id()
        for schema_id in selection.schemas:
            await self._registry(schema_id, expect="schema")
        for dataset_id in selection.datasets:
            await self._dataset(dataset_id)
        for conn in selection.connections:
            await self._connection(conn)
        source = {"org_id": s.org_id, "sandbox": s.sandbox_name, "tenant_id": self._tenant}
        return Bundle(source=source, selection=selection, resources=build_order(list(self._out.values())))

    def _add(self, res: Resource) -> None:
        self._out[res.id] = res

    # --- Schema Registry --------------------------------------------------------------------------

    async def _registry(self, resource_id: str, expect: str | None = None) -> str:
        kind = registry_kind(resource_id, self._tenant)
        if kind is None:
            raise PromoteError(f"{resource_id!r} is not a resource of tenant {self._tenant!r}"
                               + (f" (expected a {expect} id)" if expect else ""))
        if expect and kind != expect:
            raise PromoteError(f"{resource_id!r} is a {kind}, not a {expect}")
        try:
            raw = await self.session.schemas.get(REGISTRY_COLLECTION[kind], resource_id, "tenant")
        except NotFoundError:
            raise PromoteError(f"{kind} {resource_id!r} does not exist in the source") from None
        rid = raw["$id"]
        if rid in self._visited:
            return rid
        self._visited.update({rid, raw.get("meta:altId") or rid})
        body = normalise(kind, raw)
        requires = []
        for ref in tenant_refs(body, self._tenant):
            requires.append(await self._registry(ref))
        self._add(Resource(kind, rid, title_of(kind, body), body, requires, alt_id=raw.get("meta:altId"),
                           profile="union" in (raw.get("meta:immutableTags") or [])))
        if kind == "schema":
            for desc in await self._descriptors_of(rid, raw.get("meta:altId")):
                await self._descriptor(desc, rid)
        return rid

    async def _descriptors_of(self, schema_id: str, alt_id: str | None) -> list[dict[str, Any]]:
        if self._descriptors is None:
            self._descriptors = [d.model_dump(by_alias=True, exclude_none=True)
                                 for d in await self.session.schemas.list_descriptors()]
        return [d for d in self._descriptors if d.get("xdm:sourceSchema") in (schema_id, alt_id)]

    async def _descriptor(self, raw: dict[str, Any], schema_id: str) -> None:
        body = normalise("descriptor", raw)
        body["xdm:sourceSchema"] = schema_id
        requires = [schema_id]
        dest = body.get("xdm:destinationSchema")
        if isinstance(dest, str) and registry_kind(dest, self._tenant):
            requires.append(await self._registry(dest))
        ns = body.get("xdm:namespace") if body.get("@type") == "xdm:descriptorIdentity" else None
        if isinstance(ns, str):
            requires.append(await self._namespace(ns))
        schema_title = self._out[schema_id].title if schema_id in self._out else schema_id
        kind = str(body.get("@type", "")).removeprefix("xdm:descriptor")
        what = f"{kind.lower()} {body.get('xdm:sourceProperty')}" + (f" ({ns})" if ns else "")
        self._add(Resource("descriptor", raw["@id"], f"{what} of {schema_title!r}", body, requires))

    async def _namespace(self, code: str) -> str:
        key = f"namespace:{code}"
        if key not in self._visited:
            self._visited.add(key)
            found = await self.session.identity.find_namespace(code)
            if found is None:
                raise PromoteError(f"identity namespace {code!r} (used by a descriptor) does not exist in the source")
            raw = found.model_dump(by_alias=True, exclude_none=True)
            body = normalise("namespace", raw)
            self._add(Resource("namespace", found.code, found.code, body))
        return next(r.id for r in self._out.values() if r.kind == "namespace" and r.id.lower() == code.lower())

    # --- Catalog ------------------------------------------------------------------------------------

    async def _dataset(self, dataset_id: str) -> str:
        if dataset_id in self._visited:
            return dataset_id
        self._visited.add(dataset_id)
        try:
            ds = await self.session.catalog.get_dataset(dataset_id)
        except NotFoundError:
            raise PromoteError(f"dataset {dataset_id!r} does not exist in the source") from None
        raw = ds.model_dump(by_alias=True, exclude_none=True)
        if not ds.schema_ref:
            raise PromoteError(f"dataset {dataset_id} ({ds.name!r}) has no schemaRef")
        schema_id = await self._registry(ds.schema_ref.id, expect="schema")
        body = normalise("dataset", raw)
        body["schemaRef"]["id"] = schema_id
        tags = ds.tags or {}
        profile = any(str(v).replace(" ", "") == "enabled:true" for v in tags.get("unifiedProfile", []))
        self._add(Resource("dataset", ds.id, title_of("dataset", body), body, [schema_id], profile=profile))
        # the dataflows that write into it
        f = self.session.flows
        for tc in await f.list("targetConnections", property=f"params.dataSetId=={ds.id}"):
            for flow in await self._all_flows():
                if tc.id in (flow.target_connection_ids or []):
                    await self._flow(flow.id)
        return ds.id

    # --- Flow Service ---------------------------------------------------------------------------------

    async def _all_flows(self) -> list[Any]:
        if self._flows is None:
            self._flows = await self.session.flows.list_flows()
        return self._flows

    async def _flow_entity(self, kind: str, collection: str, entity_id: str) -> dict[str, Any]:
        try:
            entity = await self.session.flows.get(collection, entity_id)
        except NotFoundError:
            raise PromoteError(f"{kind} {entity_id!r} does not exist in the source") from None
        return entity.model_dump(by_alias=True, exclude_none=True)

    async def _connection(self, conn: str) -> str:
        f = self.session.flows
        try:
            raw = await self._flow_entity("connection", "connections", conn)
        except (PromoteError, AEPError):
            found = [c for c in await f.list_connections() if ((c.auth or {}).get("params") or {}).get("inletId") == conn]
            if not found:
                raise PromoteError(f"no connection with id or CONNECTION_ID {conn!r} in the source") from None
            raw = found[0].model_dump(by_alias=True, exclude_none=True)
        cid = raw["id"]
        if cid in self._visited:
            return cid
        self._visited.add(cid)
        body = normalise("connection", raw)
        inlet = ((raw.get("auth") or {}).get("params") or {}).get("inletId")
        self._add(Resource("connection", cid, title_of("connection", body), body, inlet_id=inlet))
        for sc in await f.list("sourceConnections", property=f"baseConnectionId=={cid}"):
            for flow in await self._all_flows():
                if sc.id in (flow.source_connection_ids or []):
                    await self._flow(flow.id)
        return cid

    async def _flow(self, flow_id: str) -> str:
        if flow_id in self._visited:
            return flow_id
        self._visited.add(flow_id)
        raw = await self._flow_entity("dataflow", "flows", flow_id)
        requires = []
        for sc_id in raw.get("sourceConnectionIds") or []:
            requires.append(await self._side("sourceConnection", "sourceConnections", sc_id))
        for tc_id in raw.get("targetConnectionIds") or []:
            requires.append(await self._side("targetConnection", "targetConnections", tc_id))
        body = normalise("flow", raw)
        self._add(Resource("flow", flow_id, title_of("flow", body), body, requires))
        return flow_id

    async def _side(self, kind: str, collection: str, entity_id: str) -> str:
        if entity_id in self._visited:
            return entity_id
        self._visited.add(entity_id)
        raw = await self._flow_entity(kind, collection, entity_id)
        requires = []
        if raw.get("baseConnectionId"):
            requires.append(await self._connection(raw["baseConnectionId"]))
        dataset_id = (raw.get("params") or {}).get("dataSetId")
        if dataset_id:
            requires.append(await self._dataset(dataset_id))
        schema_id = ((raw.get("data") or {}).get("schema") or {}).get("id")
        if isinstance(schema_id, str) and registry_kind(schema_id, self._tenant):
            requires.append(await self._registry(schema_id, expect="schema"))
        body = normalise(kind, raw)
        self._add(Resource(kind, entity_id, title_of(kind, body), body, list(dict.fromkeys(requires))))
        return entity_id


def build_order(resources: list[Resource]) -> list[Resource]:
    """Dependencies first; among what is ready, by kind (namespaces, field groups, schemas, descriptors,
    datasets, connections, dataflows), then in the order they were read: a stable order for review."""
    rank = {k: i for i, k in enumerate(KINDS)}
    ids = {x: r.id for r in resources for x in (r.id, r.alt_id, r.inlet_id) if x}
    done: set[str] = set()
    left = list(resources)
    out: list[Resource] = []
    while left:
        ready = [r for r in left if all(ids.get(x, x) in done or ids.get(x, x) == r.id for x in r.requires)]
        if not ready:  # a cycle (not made by AEP's own resources): keep the reading order
            ready = left[:1]
        pick = min(ready, key=lambda r: (rank.get(r.kind, len(rank)), left.index(r)))
        out.append(pick)
        done.add(pick.id)
        left.remove(pick)
    return out
