"""The tutorial's loyalty set-up, built with the AEP client itself (schemas, field groups, identity
descriptors, profile-enabled datasets, a streaming connection with a dataflow into each dataset: today's
route, so every message carries its dataset's flow id)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from aep_console.aep import AEPSession
from aep_console.aep.models import IdentityDescriptor

PROFILE = "https://ns.adobe.com/xdm/context/profile"
EVENT = "https://ns.adobe.com/xdm/context/experienceevent"
XED_FULL = "application/vnd.adobe.xed-full+json;version=1"


def fieldgroup(title: str, tenant: str, props: dict, cls: str) -> dict:
    return {"type": "object", "title": title, "description": title, "meta:intendedToExtend": [cls],
            "definitions": {"custom": {"properties": {f"_{tenant}": {"type": "object", "properties": props}}}},
            "allOf": [{"$ref": "#/definitions/custom"}]}


OWN_FLOW = object()


@dataclass
class World:
    tenant: str
    org_id: str
    profile_schema: str
    event_schema: str
    profile_ds: str
    event_ds: str
    connection_id: str
    inlet: str
    tag: str
    flows: dict[str, str] = field(default_factory=dict)  # dataset id -> the dataflow into it

    @classmethod
    async def create(cls, aep: AEPSession) -> World:
        tag = uuid.uuid4().hex[:6]
        tenant = await aep.schemas.tenant_id()
        pfg = await aep.schemas.create_fieldgroup(fieldgroup(f"Loyalty profile {tag}", tenant, {
            "loyaltyID": {"type": "string", "format": "email"}, "totalLoyaltyPoints": {"type": "integer"},
            "loyaltyLevel": {"type": "string", "enum": ["Bronze", "Silver", "Gold", "Platinum"]}}, PROFILE))
        efg = await aep.schemas.create_fieldgroup(fieldgroup(f"Loyalty event {tag}", tenant, {
            "loyaltyID": {"type": "string", "format": "email"}, "pointsEarned": {"type": "integer"}}, EVENT))
        ps = await aep.schemas.create_schema({
            "type": "object", "title": f"Loyalty profiles {tag}", "description": "client tests",
            "allOf": [{"$ref": PROFILE}, {"$ref": "https://ns.adobe.com/xdm/context/profile-person-details"},
                      {"$ref": pfg["$id"]}], "meta:immutableTags": ["union"]})
        es = await aep.schemas.create_schema({
            "type": "object", "title": f"Loyalty events {tag}", "description": "client tests",
            "allOf": [{"$ref": EVENT}, {"$ref": efg["$id"]}], "meta:immutableTags": ["union"]})
        for sid in (ps["$id"], es["$id"]):
            await aep.schemas.create_descriptor(IdentityDescriptor(
                source_schema=sid, source_property=f"/_{tenant}/loyaltyID", namespace="Email", is_primary=True))
        profile_ds = await aep.catalog.create_dataset(f"Loyalty profiles {tag}", ps["$id"], profile=True)
        event_ds = await aep.catalog.create_dataset(f"Loyalty events {tag}", es["$id"], profile=True)
        created = await aep.flows.create_streaming_connection(f"Loyalty stream {tag}")
        conn = await aep.flows.get_connection(created.id)
        flows = {}
        for ds, sid, side in ((profile_ds, ps["$id"], "profiles"), (event_ds, es["$id"], "events")):
            src = await aep.flows.create_source_connection(f"Loyalty {side} source {tag}", created.id)
            tgt = await aep.flows.create_target_connection(f"Loyalty {side} target {tag}", ds, sid)
            flows[ds] = (await aep.flows.create_flow(f"Loyalty {side} dataflow {tag}", [src.id], [tgt.id])).id
        return cls(tenant, aep.org_id, ps["$id"], es["$id"], profile_ds, event_ds, created.id, conn.inlet_id, tag,
                   flows)

    def flow(self, event: bool = False) -> str:
        return self.flows[self.event_ds if event else self.profile_ds]

    def envelope(self, entity: dict, *, event: bool = False, flow_id: str | object | None = OWN_FLOW) -> dict:
        """A message; ``flow_id`` defaults to the dataflow into its dataset (None: no flowId)."""
        if flow_id is OWN_FLOW:
            flow_id = self.flow(event)
        sid = self.event_schema if event else self.profile_schema
        ref = {"id": sid, "contentType": XED_FULL}
        header = {"schemaRef": ref, "imsOrgId": self.org_id,
                  "datasetId": self.event_ds if event else self.profile_ds, "source": {"name": "client tests"}}
        if flow_id:
            header["flowId"] = flow_id
        return {"header": header, "body": {"xdmMeta": {"schemaRef": dict(ref)}, "xdmEntity": entity}}

    def member(self, email: str, **extra) -> dict:
        return {f"_{self.tenant}": {"loyaltyID": email, "totalLoyaltyPoints": 10, "loyaltyLevel": "Gold"},
                "person": {"name": {"firstName": "Ada", "lastName": "Lovelace"}}, **extra}

    def event(self, email: str, _id: str | int, ts: str = "2020-03-03T06:34:55Z") -> dict:
        return {f"_{self.tenant}": {"loyaltyID": email, "pointsEarned": 5}, "eventType": "loyaltyBalanceUpdate",
                "_id": _id, "timestamp": ts}
