"""The connection and flow specs that the streaming tutorial's ids name (read-only, org-agnostic)."""

from __future__ import annotations

STREAMING_PROVIDER_ID = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
STREAMING_SPEC_ID = "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb"
DATA_LAKE_SPEC_ID = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
FLOW_SPEC_STREAMING = "d8a6f005-7eaf-4153-983e-e8574508b877"
FLOW_SPEC_MAPPING = "c1a19761-d2c7-4702-b9fa-fe91f0613e81"

CONNECTION_SPECS = {
    STREAMING_SPEC_ID: {
        "id": STREAMING_SPEC_ID,
        "name": "http-connector",
        "providerId": STREAMING_PROVIDER_ID,
        "version": "1.0",
        "description": "Streaming (HTTP API) connection: an inlet that accepts XDM or raw JSON messages",
        "type": "streaming",
        "attributes": {"category": "Streaming", "isSource": True, "isPreview": False},
        "authSpec": [
            {
                "name": "Streaming Connection",
                "type": "streamingConnection",
                "spec": {
                    "$schema": "http://json-schema.org/draft-07/schema#",
                    "type": "object",
                    "properties": {
                        "sourceId": {"type": "string"},
                        "dataType": {"type": "string", "enum": ["xdm", "raw"]},
                        "name": {"type": "string"},
                        "authenticationRequired": {"type": "boolean"},
                    },
                },
            }
        ],
        "sourceSpec": {"attributes": {"uiAttributes": {"isSource": True, "category": "streaming"}}},
        "permissionsInfo": {
            "view": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["read"]}],
            "manage": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["write"]}],
        },
    },
    DATA_LAKE_SPEC_ID: {
        "id": DATA_LAKE_SPEC_ID,
        "name": "datalake",  # AEP's name for it: clients look the spec up by name (aepp's createTargetConnectionDataLake)
        "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a",
        "version": "1.0",
        "description": "Target connection to an Experience Platform dataset (the data lake)",
        "type": "target",
        "attributes": {"category": "Destination", "isDestination": True},
        "targetSpec": {
            "name": "Data Lake",
            "spec": {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {"dataSetId": {"type": "string"}},
                "required": ["dataSetId"],
            },
        },
        "permissionsInfo": {
            "view": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["read"]}],
            "manage": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["write"]}],
        },
    },
}

FLOW_SPECS = {
    FLOW_SPEC_STREAMING: {
        "id": FLOW_SPEC_STREAMING,
        "name": "Streaming Dataflow",
        "providerId": STREAMING_PROVIDER_ID,
        "version": "1.0",
        "description": "Streaming source (HTTP API) to the data lake, XDM data without mapping",
        "sourceConnectionSpecIds": [STREAMING_SPEC_ID],
        "targetConnectionSpecIds": [DATA_LAKE_SPEC_ID],
        "transformationSpecs": [],
        "attributes": {"isSourceFlow": True, "flacValidationSupported": False},
        "runSpec": {"name": "StreamingRun"},
        "permissionsInfo": {
            "view": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["read"]}],
            "manage": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["write"]}],
        },
    },
    FLOW_SPEC_MAPPING: {
        "id": FLOW_SPEC_MAPPING,
        "name": "Mapping Streaming Dataflow",
        "providerId": STREAMING_PROVIDER_ID,
        "version": "1.0",
        "description": "Streaming source (HTTP API) to the data lake, with a mapping set",
        "sourceConnectionSpecIds": [STREAMING_SPEC_ID],
        "targetConnectionSpecIds": [DATA_LAKE_SPEC_ID],
        "transformationSpecs": [
            {
                "name": "Mapping",
                "spec": {
                    "$schema": "http://json-schema.org/draft-07/schema#",
                    "type": "object",
                    "properties": {"mappingId": {"type": "string"}, "mappingVersion": {"type": "integer"}},
                },
            }
        ],
        "attributes": {"isSourceFlow": True},
        "runSpec": {"name": "StreamingRun"},
        "permissionsInfo": {
            "view": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["read"]}],
            "manage": [{"@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["write"]}],
        },
    },
}
