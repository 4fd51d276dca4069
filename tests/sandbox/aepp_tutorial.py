"""The streaming-ingestion tutorial through Adobe's Python SDK ``aepp``, against the local sandbox.

Run with the Python of a virtual environment where ``aepp`` is installed (never the project's):

    python aepp_tutorial.py SETTINGS.json RESULT.json

SETTINGS.json: ``{"ims", "platform", "streaming", "client_id", "client_secret", "org_id", "sandbox",
"scopes", "prefix"}``. A user's script for AEP, changed only in the three settings after
``aepp.configure()`` that point it at the sandbox. Every step uses aepp's own methods; the result file
lists what each step answered, and the first step that failed with its answer (exit code 1).
"""

from __future__ import annotations

import json
import sys
import time
import traceback
import uuid

import aepp
from aepp import catalog, customerprofile, flowservice, ingestion, schema

with open(sys.argv[1]) as fh:
    settings = json.load(fh)
result: dict = {"aepp": aepp.__version__, "steps": []}


def step(name: str, value):
    result["steps"].append(name)
    result[name] = value
    return value


def check(name: str, ok: bool, answer) -> None:
    if not ok:
        raise RuntimeError(f"{name}: unexpected answer {json.dumps(answer, default=str)[:1500]}")


def tutorial() -> None:
    prefix = settings["prefix"]
    aepp.configure(org_id=settings["org_id"], client_id=settings["client_id"], secret=settings["client_secret"],
                   scopes=settings["scopes"], sandbox=settings["sandbox"], environment="prod")
    # the only three changes that point a script for AEP at the local sandbox
    aepp.config.endpoints["global"] = settings["platform"]
    aepp.config.config_object["oauthTokenEndpointV2"] = f"{settings['ims']}/ims/token/v3"
    aepp.config.endpoints["streaming"]["collection"] = settings["streaming"]

    schemas = schema.Schema()
    tenant = step("tenant", schemas.getTenantId())
    step("schemas_before", schemas.getSchemas())  # a dict (the answer) when there are none
    step("field_groups_before", len(schemas.getFieldGroups()))

    field_group = schemas.createFieldGroup({
        "title": f"{prefix} loyalty", "description": "tenant fields of the tutorial", "type": "object",
        "meta:intendedToExtend": ["https://ns.adobe.com/xdm/context/profile"],
        "definitions": {"loyalty": {"properties": {f"_{tenant}": {"type": "object", "properties": {
            "loyaltyID": {"title": "Loyalty ID", "type": "string", "meta:xdmType": "string"},
            "loyaltyLevel": {"title": "Loyalty level", "type": "string", "meta:xdmType": "string"},
        }}}}},
        "allOf": [{"$ref": "#/definitions/loyalty"}],
    })
    check("createFieldGroup", "$id" in field_group, field_group)
    step("field_group", field_group["$id"])

    profile_schema = schemas.createProfileSchema(
        name=f"{prefix} loyalty members",
        fieldGroupIds=["https://ns.adobe.com/xdm/context/profile-person-details", field_group["$id"]],
        description="tutorial schema through aepp",
    )
    check("createProfileSchema", "$id" in profile_schema, profile_schema)
    schema_id = step("schema", profile_schema["$id"])

    descriptor = schemas.createDescriptor(sourceSchema=schema_id, sourceProperty=f"/_{tenant}/loyaltyID",
                                          namespace="Email", primary=True)
    check("createDescriptor", "@id" in descriptor, descriptor)
    step("descriptor", descriptor["@id"])
    enabled = schemas.enableSchemaForRealTime(schema_id)
    check("enableSchemaForRealTime", "union" in enabled.get("meta:immutableTags", []), enabled)
    step("descriptors", [d.get("@id") for d in schemas.getDescriptors()])
    step("schemas_after", [s["$id"] for s in schemas.getSchemas()])

    cat = catalog.Catalog()
    created = cat.createDataSet(name=f"{prefix} loyalty members", schemaId=schema_id,
                                profileEnabled=True, identityEnabled=True)
    check("createDataSet", isinstance(created, list) and created and created[0].startswith("@/dataSets/"), created)
    dataset_id = step("dataset", created[0].split("/")[-1])
    datasets = cat.getDataSets()
    check("getDataSets", dataset_id in datasets, datasets)
    step("table_name", cat.data.table_names.get(f"{prefix} loyalty members"))
    step("last_batches_before", cat.getLastBatches(dataSetId=dataset_id))

    flows = flowservice.FlowService()
    base = flows.createConnectionStreaming(name=f"{prefix} HTTP API", sourceId=f"{prefix}-src",
                                           paramName=f"{prefix} HTTP API", dataType="xdm")
    check("createConnectionStreaming", "id" in base, base)
    step("connection", base["id"])
    inlet_id = step("inlet", flows.getConnection(base["id"])["auth"]["params"]["inletId"])
    source = flows.createSourceConnectionStreaming(connectionId=base["id"], name=f"{prefix} source", format="json")
    check("createSourceConnectionStreaming", "id" in source, source)
    target = flows.createTargetConnectionDataLake(name=f"{prefix} target", datasetId=dataset_id,
                                                  schemaId=schema_id, format="json")
    check("createTargetConnectionDataLake", "id" in target, target)
    flow = flows.createFlowStreaming(name=f"{prefix} dataflow", source_connection_id=source["id"],
                                     target_connection_id=target["id"])
    check("createFlowStreaming", "id" in flow["flow"], flow)
    flow_id = step("flow", flow["flow"]["id"])

    def message(email: str, level: str) -> dict:
        return {
            "header": {"schemaRef": {"id": schema_id, "contentType": "application/vnd.adobe.xed-full+json;version=1"},
                       "imsOrgId": settings["org_id"], "datasetId": dataset_id, "flowId": flow_id,
                       "source": {"name": "aepp tutorial"}},
            "body": {"xdmMeta": {"schemaRef": {"id": schema_id,
                                               "contentType": "application/vnd.adobe.xed-full+json;version=1"}},
                     "xdmEntity": {"_id": str(uuid.uuid4()), f"_{tenant}": {"loyaltyID": email, "loyaltyLevel": level},
                                   "person": {"name": {"firstName": "Ada", "lastName": "Lovelace"}}}},
        }

    one = ingestion.DataIngestion()
    first = f"{prefix}-one@example.com"
    sent = one.streamMessage(inletId=inlet_id, data=message(first, "gold"), flowId=flow_id, syncValidation=True)
    check("streamMessage", "xactionId" in sent, sent)
    step("sent_one", sent)
    batch = one.streamMessages(inletId=inlet_id, flowId=flow_id,
                               data=[message(f"{prefix}-{i}@example.com", "silver") for i in range(3)])
    check("streamMessages", len(batch.get("responses", [])) == 3, batch)
    step("sent_batch", batch)

    profiles = customerprofile.Profile()
    deadline = time.monotonic() + 20
    entity: dict = {}
    while time.monotonic() < deadline:
        entity = profiles.getEntity(entityId=first, entityIdNS="Email")
        if entity and not entity.get("status") and any(entity.values()):
            break
        time.sleep(0.3)
    check("getEntity", bool(entity) and not entity.get("status"), entity)
    step("profile", entity)


try:
    tutorial()
    code = 0
except Exception as exc:  # the result file says which step failed and how
    result["error"] = f"{type(exc).__name__}: {exc}"
    result["traceback"] = traceback.format_exc()
    code = 1
with open(sys.argv[2], "w") as fh:
    json.dump(result, fh, default=str, indent=1)
sys.exit(code)
