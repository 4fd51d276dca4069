"""Set-up for the ingestion tests (streaming, Profile, data lake), done over HTTP as a user would: the tutorial's loyalty schemas (tenant
field groups, identity descriptor on ``_{tenant}.loyaltyID``), Profile-enabled datasets, an HTTP API
streaming connection (optionally with its dataflow), and small senders for DCS.

"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .helpers import Platform, unique

XED_FULL = "application/vnd.adobe.xed-full+json;version=1"
PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"
EVENT_CLASS = "https://ns.adobe.com/xdm/context/experienceevent"
STREAMING_SPEC = "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb"
DATALAKE_SPEC = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
FLOW_SPEC = "d8a6f005-7eaf-4153-983e-e8574508b877"


def ok(resp: httpx.Response, *codes: int) -> dict:
    assert resp.status_code in (codes or (200, 201)), f"{resp.request.method} {resp.request.url} -> " \
                                                      f"{resp.status_code}: {resp.text[:800]}"
    return resp.json() if resp.content else {}


def load_samples(shared_dir: Path) -> tuple[list[dict], list[dict]]:
    samples = shared_dir / "samples"
    profiles = json.loads((samples / "AEP loyalty profiles.json").read_text())
    events = json.loads((samples / "AEP loyalty events.json").read_text())
    return profiles, events


def field_group(p: Platform, title: str, fields: dict, extends: str) -> str:
    t = p.tenant
    body = {
        "title": title, "description": title, "type": "object",
        "meta:intendedToExtend": [extends],
        "definitions": {"custom": {"properties": {f"_{t}": {"type": "object", "properties": fields}}}},
        "allOf": [{"$ref": "#/definitions/custom"}],
    }
    return ok(p.post("/data/foundation/schemaregistry/tenant/fieldgroups", json=body,
                     headers={"Accept": "application/vnd.adobe.xed+json"}))["$id"]


def schema(p: Platform, title: str, refs: list[str], profile: bool = True) -> str:
    body = {"type": "object", "title": title, "description": title, "allOf": [{"$ref": r} for r in refs]}
    if profile:
        body["meta:immutableTags"] = ["union"]
    return ok(p.post("/data/foundation/schemaregistry/tenant/schemas", json=body,
                     headers={"Accept": "application/vnd.adobe.xed+json"}))["$id"]


def identity_descriptor(p: Platform, schema_id: str, path: str, namespace: str = "Email", primary: bool = True):
    body = {"@type": "xdm:descriptorIdentity", "xdm:sourceSchema": schema_id, "xdm:sourceVersion": 1,
            "xdm:sourceProperty": path, "xdm:namespace": namespace, "xdm:property": "xdm:code",
            "xdm:isPrimary": primary}
    return ok(p.post("/data/foundation/schemaregistry/tenant/descriptors", json=body,
                     headers={"Accept": "application/vnd.adobe.xed+json"}))


def dataset(p: Platform, schema_id: str, *, profile: bool = True, name: str | None = None) -> str:
    body = {"name": name or unique("ds"), "description": "ingestion test dataset",
            "schemaRef": {"id": schema_id, "contentType": XED_FULL}}
    if profile:
        body["tags"] = {"unifiedIdentity": ["enabled:true"], "unifiedProfile": ["enabled:true"]}
    ref = ok(p.post("/data/foundation/catalog/dataSets", json=body))
    return ref[0].split("/")[-1]


FS_LEGACY_BODY = {  # the 2020 tutorial's streaming connection (aep-api.md §5.1)
    "description": "2020 tutorial", "providerId": "521eee4d-8cbe-4906-bb48-fb6bd4450033",
    "connectionSpec": {"id": STREAMING_SPEC, "version": "1.0"},
    "auth": {"specName": "Streaming Connection", "params": {"sourceId": "tutorial", "dataType": "xdm",
                                                           "name": "tutorial"}}}


def connection(p: Platform, *, authenticated: bool = False) -> tuple[str, str]:
    """An HTTP API streaming base connection → (connection id, inlet id)."""
    params: dict = {"dataType": "xdm"}
    if authenticated:
        params.update(sourceId=unique("src"), name=unique("auth"), authenticationRequired=True)
    body = {"name": unique("conn"), "description": "ingestion test",
            "connectionSpec": {"id": STREAMING_SPEC, "version": "1.0"},
            "auth": {"specName": "Streaming Connection", "params": params}}
    cid = ok(p.post("/data/foundation/flowservice/connections", json=body))["id"]
    item = ok(p.get(f"/data/foundation/flowservice/connections/{cid}"))["items"][0]
    return cid, item["auth"]["params"]["inletId"]


def dataflow(p: Platform, connection_id: str, schema_id: str, dataset_id: str) -> str:
    src = ok(p.post("/data/foundation/flowservice/sourceConnections", json={
        "name": unique("src"), "description": "t", "baseConnectionId": connection_id,
        "connectionSpec": {"id": STREAMING_SPEC, "version": "1.0"}}))["id"]
    tgt = ok(p.post("/data/foundation/flowservice/targetConnections", json={
        "name": unique("tgt"), "description": "t",
        "data": {"schema": {"id": schema_id, "version": "application/vnd.adobe.xed-full+json;version=1.0"}},
        "params": {"dataSetId": dataset_id}, "connectionSpec": {"id": DATALAKE_SPEC, "version": "1.0"}}))["id"]
    return ok(p.post("/data/foundation/flowservice/flows", json={
        "name": unique("flow"), "description": "t", "flowSpec": {"id": FLOW_SPEC, "version": "1.0"},
        "sourceConnectionIds": [src], "targetConnectionIds": [tgt]}))["id"]


OWN_FLOW = object()


@dataclass
class Loyalty:
    """The tutorial's set-up: loyalty profile + event schemas, datasets, one streaming connection."""

    p: Platform
    org_id: str
    profile_schema: str = ""
    event_schema: str = ""
    profile_ds: str = ""
    event_ds: str = ""
    connection_id: str = ""
    inlet: str = ""
    flows: dict = field(default_factory=dict)  # dataset id -> the dataflow from the connection into it
    extra: dict = field(default_factory=dict)

    @classmethod
    def create(cls, p: Platform) -> Loyalty:
        w = cls(p=p, org_id=p.creds.org_id)
        tag = uuid.uuid4().hex[:6]
        pfg = field_group(p, f"Loyalty profile {tag}", {
            "loyaltyID": {"type": "string", "format": "email"},
            "totalLoyaltyPoints": {"type": "integer"},
            "loyaltyLevel": {"type": "string"},
        }, PROFILE_CLASS)
        efg = field_group(p, f"Loyalty event {tag}", {
            "loyaltyID": {"type": "string", "format": "email"},
            "pointsEarned": {"type": "integer"},
            "totalPoints": {"type": "integer"},
            "loyaltyLevel": {"type": "string"},
        }, EVENT_CLASS)
        w.profile_schema = schema(p, f"Loyalty profiles {tag}", [
            PROFILE_CLASS, "https://ns.adobe.com/xdm/context/profile-person-details",
            "https://ns.adobe.com/xdm/context/profile-personal-details", pfg])
        w.event_schema = schema(p, f"Loyalty events {tag}", [EVENT_CLASS, efg])
        for sid in (w.profile_schema, w.event_schema):
            identity_descriptor(p, sid, f"/_{p.tenant}/loyaltyID")
        w.profile_ds = dataset(p, w.profile_schema)
        w.event_ds = dataset(p, w.event_schema)
        w.connection_id, w.inlet = connection(p)
        # today's route: one dataflow per dataset on the connection; every message names its own
        w.flows = {ds: dataflow(p, w.connection_id, sid, ds)
                   for ds, sid in ((w.profile_ds, w.profile_schema), (w.event_ds, w.event_schema))}
        return w

    def add_flow(self, dataset_id: str, schema_id: str) -> str:
        """A dataflow from the world's connection into another dataset (its messages then carry it)."""
        self.flows[dataset_id] = dataflow(self.p, self.connection_id, schema_id, dataset_id)
        return self.flows[dataset_id]

    def envelope(self, entity: dict, *, event: bool = False, dataset_id: str | None = None,
                 schema_id: str | None = None, flow_id: str | object | None = OWN_FLOW) -> dict:
        """A message; ``flow_id`` defaults to the dataflow into its dataset (None: no flowId)."""
        sid = schema_id or (self.event_schema if event else self.profile_schema)
        ref = {"id": sid, "contentType": XED_FULL}
        header = {"schemaRef": ref, "imsOrgId": self.org_id,
                  "datasetId": dataset_id or (self.event_ds if event else self.profile_ds),
                  "source": {"name": "ingestion tests"}}
        if flow_id is OWN_FLOW:
            flow_id = self.flows.get(header["datasetId"])
        if flow_id:
            header["flowId"] = flow_id
        return {"header": header, "body": {"xdmMeta": {"schemaRef": dict(ref)}, "xdmEntity": entity}}


_HTTP: list[httpx.Client] = []


def http() -> httpx.Client:
    """One shared plain client (``httpx.post`` builds an SSL context per call: ~100 ms each)."""
    if not _HTTP:
        _HTTP.append(httpx.Client(timeout=30))
    return _HTTP[0]


def dcs_single(proc, inlet: str, message, *, sync: str | None = None, client: httpx.Client | None = None,
               **kw) -> httpx.Response:
    url = f"{proc.urls.streaming}/collection/{inlet}"
    if sync:
        url += f"?{sync}=true"
    return (client or http()).post(url, json=message, **kw)


def dcs_batch(proc, inlet: str, messages: list, *, client: httpx.Client | None = None, **kw) -> httpx.Response:
    return (client or http()).post(f"{proc.urls.streaming}/collection/batch/{inlet}", json={"messages": messages},
                                   **kw)


def profile_get(p: Platform, entity_id: str, ns: str | None = "email", **params) -> httpx.Response:
    q = {"schema.name": "_xdm.context.profile", "entityId": entity_id, **params}
    if ns:
        q["entityIdNS"] = ns
    return p.get("/data/core/ups/access/entities", params=q)


def events_get(p: Platform, entity_id: str, ns: str = "email", **params) -> httpx.Response:
    q = {"schema.name": "_xdm.context.experienceevent", "relatedSchema.name": "_xdm.context.profile",
         "relatedEntityId": entity_id, "relatedEntityIdNS": ns, **params}
    return p.get("/data/core/ups/access/entities", params=q)


def only(doc: dict) -> dict:
    assert len(doc) == 1, doc
    return next(iter(doc.values()))


_SPECS: dict[str, dict] = {}


def check_contract(shared_dir: Path, spec: str, component: str, instance) -> None:
    """Validate ``instance`` against ``components.schemas[component]`` of ../shared/aep-openapi/{spec}."""
    import jsonschema
    import yaml

    doc = _SPECS.get(spec)
    if doc is None:
        doc = _SPECS[spec] = yaml.safe_load((shared_dir / "aep-openapi" / spec).read_text())
    schema = {"$ref": f"#/components/schemas/{component}", "components": doc["components"]}
    jsonschema.validate(instance, schema)


PREFIXES = {"streaming-ingestion.yaml": "/dcs", "profile.yaml": "/platform/data/core",
            "data-access.yaml": "/platform/data/foundation/export",
            "catalog.yaml": "/platform/data/foundation/catalog"}


def check_response(shared_dir: Path, spec: str, resp: httpx.Response) -> None:
    """Validate a response against ../shared/aep-openapi/{spec} with ``tests/contract.py``
    (the status must be documented for that operation)."""
    from contract import Contract

    contract = _SPECS.get("contract:" + spec)
    if contract is None:
        contract = _SPECS["contract:" + spec] = Contract.load(shared_dir / "aep-openapi" / spec)
    assert resp.status_code < 500, resp.text
    path = resp.request.url.raw_path.decode().split("?")[0].removeprefix(PREFIXES[spec])
    if resp.content and "json" not in resp.headers.get("content-type", ""):
        # a file download (octet-stream): the spec documents the status, its body schema is the JSON form's
        _tpl, pointer = contract.response_schema(resp.request.method, path, resp.status_code)
        assert pointer != "undocumented", f"{spec}: {resp.status_code} not documented for {resp.request.method} {path}"
        return
    body = resp.json() if resp.content else None
    contract.validate(resp.request.method, path, resp.status_code, body, strict_status=True)
