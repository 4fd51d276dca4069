"""Datastreams: an id that routes Edge Network events to an org, a sandbox, an ExperienceEvent dataset and, for
profile attributes, an optional record dataset. On AEP they are configured in the Data Collection UI; here through
the loopback-only admin API (mounted under ``/__sandbox/admin``), persisted as documents of kind
``datastream`` in the sandbox's store:

    POST   /__sandbox/admin/datastreams        {"datasetId", "profileDatasetId"?, "name"?, "orgId"?, "sandboxName"?}
    GET    /__sandbox/admin/datastreams        [?orgId=…] → {"datastreams": [...]}
    GET    /__sandbox/admin/datastreams/{id}
    DELETE /__sandbox/admin/datastreams/{id}
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...http.errors import ApiError, bad_request
from ...http.gateway import json_response, read_json, require_loopback
from ...ingestion.targets import TargetError
from ...storage.store import loads

if TYPE_CHECKING:
    from ...server.state import SandboxServices

KIND = "datastream"


@dataclass(frozen=True)
class Datastream:
    id: str
    org_id: str
    sandbox: str
    name: str
    dataset_id: str
    profile_dataset_id: str | None

    def to_public(self) -> dict:
        return {"id": self.id, "name": self.name, "orgId": self.org_id, "sandboxName": self.sandbox,
                "datasetId": self.dataset_id, "profileDatasetId": self.profile_dataset_id}


class Datastreams:
    def __init__(self, services: SandboxServices) -> None:
        self.services = services

    def get(self, datastream_id: str) -> Datastream | None:
        found = self.services.store.find_by_ref(KIND, datastream_id)
        return self._from(found[2]) if found else None

    def list(self, org_id: str | None = None) -> list[Datastream]:
        rows = self.services.store.query("SELECT body FROM docs WHERE kind=? ORDER BY created, id", (KIND,))
        streams = [self._from(loads(r[0])) for r in rows]
        return [s for s in streams if org_id is None or s.org_id == org_id]

    def create(self, doc: dict) -> Datastream:
        config = self.services.config
        org_id = doc.get("orgId") or config.orgs[0].org_id
        org = config.org_by_id(org_id) if isinstance(org_id, str) else None
        if org is None:
            raise bad_request("admin", f"'orgId' [{org_id}] is not an org of this sandbox "
                                       f"(known: {', '.join(o.org_id for o in config.orgs)})")
        sandbox = doc.get("sandboxName") or org.sandboxes[0]
        if not isinstance(sandbox, str) or sandbox.lower() not in org.sandboxes:
            raise bad_request("admin", f"'sandboxName' [{sandbox}] is not a sandbox of org {org_id} "
                                       f"(known: {', '.join(org.sandboxes)})")
        sandbox = sandbox.lower()
        dataset_id = doc.get("datasetId")
        if not isinstance(dataset_id, str) or not dataset_id:
            raise bad_request("admin", "'datasetId' (the ExperienceEvent dataset the datastream writes to) is required")
        target = self._target(org_id, sandbox, dataset_id, "datasetId")
        if not target.is_event:
            raise bad_request("admin", f"'datasetId': dataset [{dataset_id}] is not an XDM ExperienceEvent dataset "
                                       f"(its class is {target.class_id or 'unknown'}); the Edge Network sends events")
        profile_dataset_id = doc.get("profileDatasetId")
        if profile_dataset_id is not None:
            if not isinstance(profile_dataset_id, str) or not profile_dataset_id:
                raise bad_request("admin", "'profileDatasetId' must be a dataset id or absent")
            if self._target(org_id, sandbox, profile_dataset_id, "profileDatasetId").is_event:
                raise bad_request("admin", f"'profileDatasetId': dataset [{profile_dataset_id}] is an ExperienceEvent "
                                           "dataset; a profile dataset holds XDM Individual Profile records")
        name = doc.get("name") or f"Datastream for {dataset_id}"
        if not isinstance(name, str):
            raise bad_request("admin", "'name' must be a string")
        stream = Datastream(id=str(uuid.uuid4()), org_id=org_id, sandbox=sandbox, name=name, dataset_id=dataset_id,
                            profile_dataset_id=profile_dataset_id)
        self.services.store.put(org_id, sandbox, KIND, stream.id, stream.to_public(), name=name, ref=stream.id)
        return stream

    def delete(self, datastream_id: str) -> bool:
        stream = self.get(datastream_id)
        return bool(stream) and self.services.store.delete(stream.org_id, stream.sandbox, KIND, stream.id)

    def _target(self, org_id: str, sandbox: str, dataset_id: str, field: str):
        try:
            return self.services.ingestion.lookups.target(org_id, sandbox, dataset_id)
        except TargetError as exc:
            raise bad_request("admin", f"'{field}': {exc}") from None

    @staticmethod
    def _from(doc: dict) -> Datastream:
        return Datastream(id=doc["id"], org_id=doc["orgId"], sandbox=doc["sandboxName"], name=doc["name"],
                          dataset_id=doc["datasetId"], profile_dataset_id=doc.get("profileDatasetId"))


def _not_found(datastream_id: str) -> ApiError:
    return ApiError(404, {"title": "Not Found", "status": 404, "detail": f"No datastream with id [{datastream_id}]"})


def routes(services: SandboxServices) -> list[Route]:
    streams = services.datastreams

    async def collection(request: Request) -> Response:
        require_loopback(request)
        if request.method == "POST":
            doc = await read_json(request, lambda m: bad_request("admin", m), expect=dict)
            return json_response(streams.create(doc).to_public(), status=201)
        return json_response({"datastreams": [s.to_public() for s in streams.list(request.query_params.get("orgId"))]})

    async def item(request: Request) -> Response:
        require_loopback(request)
        datastream_id = request.path_params["datastream_id"]
        if request.method == "DELETE":
            if not streams.delete(datastream_id):
                raise _not_found(datastream_id)
            return Response(status_code=204)
        stream = streams.get(datastream_id)
        if stream is None:
            raise _not_found(datastream_id)
        return json_response(stream.to_public())

    return [
        Route("/datastreams", collection, methods=["GET", "POST"]),
        Route("/datastreams/{datastream_id}", item, methods=["GET", "DELETE"]),
    ]
