"""The DCS streaming message envelope (aep-api.md §6.2): build one, or take one apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

XED_FULL = "application/vnd.adobe.xed-full+json;version=1"


def build_envelope(
    entity: dict,
    *,
    schema_id: str,
    org_id: str,
    dataset_id: str,
    flow_id: str | None = None,
    source_name: str | None = None,
    content_type: str = XED_FULL,
) -> dict:
    """`{"header": {...}, "body": {"xdmMeta": {"schemaRef": ...}, "xdmEntity": entity}}`."""
    header: dict[str, Any] = {
        "schemaRef": {"id": schema_id, "contentType": content_type},
        "imsOrgId": org_id,
        "datasetId": dataset_id,
    }
    if flow_id is not None:
        header["flowId"] = flow_id
    if source_name is not None:
        header["source"] = {"name": source_name}
    return {
        "header": header,
        "body": {
            "xdmMeta": {"schemaRef": {"id": schema_id, "contentType": content_type}},
            "xdmEntity": entity,
        },
    }


@dataclass(frozen=True)
class ParsedEnvelope:
    header: dict
    body: dict
    schema_id: str
    content_type: str | None
    org_id: str | None  # absent in some tutorials ("if absent, DCCS adds it")
    dataset_id: str | None
    flow_id: str | None  # absent for legacy inlets
    source_name: str | None
    entity: dict


def _fail(message: str, pointer: str):
    from aep_console.xdm.errors import EnvelopeError

    raise EnvelopeError(message, pointer)


def _object(parent: dict, key: str, pointer: str) -> dict:
    value = parent.get(key)
    if value is None:
        _fail(f"The '{key}' field is mandatory. Provide a valid '{key}' value and try again.", pointer)
    if not isinstance(value, dict):
        _fail(f"The '{key}' field must be an object, found: {type(value).__name__}.", pointer)
    return value


def _string(parent: dict, key: str, pointer: str, *, required: bool) -> str | None:
    value = parent.get(key)
    if value is None:
        if required:
            _fail(f"The '{key}' field is mandatory. Provide a valid '{key}' value and try again.", pointer)
        return None
    if not isinstance(value, str) or not value:
        _fail(f"The '{key}' field must be a non-empty string.", pointer)
    return value


def parse_envelope(msg: Any) -> ParsedEnvelope:
    """Check the envelope's shape and return its parts; raise `EnvelopeError` with a pointer otherwise.

    Mandatory: `header` (object) with `schemaRef.id`, and `body` with `xdmEntity` (object). `imsOrgId`,
    `datasetId`, `flowId`, `source.name` and `body.xdmMeta` are optional here (the caller decides); when
    `body.xdmMeta.schemaRef.id` is present it must equal the header's.
    """
    if not isinstance(msg, dict):
        _fail("The message must be a JSON object with 'header' and 'body'.", "#")
    header = _object(msg, "header", "#/header")
    schema_ref = _object(header, "schemaRef", "#/header/schemaRef")
    schema_id = _string(schema_ref, "id", "#/header/schemaRef/id", required=True)
    content_type = _string(schema_ref, "contentType", "#/header/schemaRef/contentType", required=False)
    org_id = _string(header, "imsOrgId", "#/header/imsOrgId", required=False)
    dataset_id = _string(header, "datasetId", "#/header/datasetId", required=False)
    flow_id = _string(header, "flowId", "#/header/flowId", required=False)
    source_name = None
    if header.get("source") is not None:
        source = _object(header, "source", "#/header/source")
        source_name = _string(source, "name", "#/header/source/name", required=False)
    body = _object(msg, "body", "#/body")
    if body.get("xdmMeta") is not None:
        meta = _object(body, "xdmMeta", "#/body/xdmMeta")
        if meta.get("schemaRef") is not None:
            meta_ref = _object(meta, "schemaRef", "#/body/xdmMeta/schemaRef")
            meta_id = meta_ref.get("id")
            if meta_id is not None and meta_id != schema_id:
                _fail(
                    f"The body schemaRef id [{meta_id}] does not match the header schemaRef id "
                    f"[{schema_id}].",
                    "#/body/xdmMeta/schemaRef/id",
                )
    entity = _object(body, "xdmEntity", "#/body/xdmEntity")
    return ParsedEnvelope(
        header=header,
        body=body,
        schema_id=schema_id,
        content_type=content_type,
        org_id=org_id,
        dataset_id=dataset_id,
        flow_id=flow_id,
        source_name=source_name,
        entity=entity,
    )
