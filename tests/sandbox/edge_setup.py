"""Set-up for the Edge Network tests, over HTTP as a user would: a Web SDK ExperienceEvent schema (the XDM
ExperienceEvent class, the AEP Web SDK ExperienceEvent field group, the Identity Map and Commerce field groups),
a Profile-enabled dataset and a datastream (loopback admin API); readers of the dataset and the Profile."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from aep_console.xdm.standard import EVENT_COMMERCE, EVENT_WEB_SDK, EXPERIENCE_EVENT, IDENTITY_MAP

from .helpers import Platform, unique
from .ingestion_setup import dataset, ok, schema


@dataclass
class WebSdkWorld:
    p: Platform
    schema_id: str
    dataset_id: str
    datastream_id: str

    @classmethod
    def create(cls, p: Platform) -> WebSdkWorld:
        schema_id = schema(p, unique("Web SDK events"), [EXPERIENCE_EVENT, EVENT_WEB_SDK, IDENTITY_MAP, EVENT_COMMERCE])
        dataset_id = dataset(p, schema_id, profile=True)
        stream = create_datastream(p.proc, dataset_id)
        return cls(p=p, schema_id=schema_id, dataset_id=dataset_id, datastream_id=stream["id"])

    def rows(self) -> list[dict]:
        """Every accepted event of the dataset (Data Access preview, after closing the open batch)."""
        self.p.proc.admin("datalake/flush", {"datasetId": self.dataset_id})
        return ok(self.p.get(f"/data/foundation/export/datasets/{self.dataset_id}/preview"))["data"]

    def profile_events(self, namespace: str, identity: str) -> list[dict]:
        """The ExperienceEvents under one identity's profile (Profile Access API)."""
        resp = self.p.get("/data/core/ups/access/entities", params={
            "schema.name": "_xdm.context.experienceevent", "relatedSchema.name": "_xdm.context.profile",
            "relatedEntityId": identity, "relatedEntityIdNS": namespace})
        return [c["entity"] for c in ok(resp).get("children", [])]


def create_datastream(proc, dataset_id: str, **extra) -> dict:
    resp = httpx.post(f"{proc.urls.base}/__sandbox/admin/datastreams", json={"datasetId": dataset_id, **extra},
                      timeout=30)
    return ok(resp, 201)
