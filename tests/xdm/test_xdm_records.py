"""Envelopes, identities and templates."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from aep_console.xdm import standard as std
from aep_console.xdm.envelope import XED_FULL, build_envelope, parse_envelope
from aep_console.xdm.errors import EnvelopeError
from aep_console.xdm.identity import Identity, extract_identities, primary_identity
from aep_console.xdm.resolve import resolve_schema
from aep_console.xdm.template import make_template
from aep_console.xdm.validate import compile_validator

SCHEMA_ID = "https://ns.adobe.com/exchangeinternal/schemas/abc"
ORG = "DEMO0000000000000000000@AdobeOrg"
LOYALTY_DESCRIPTOR = {
    "@type": "xdm:descriptorIdentity",
    "xdm:sourceSchema": SCHEMA_ID,
    "xdm:sourceVersion": 1,
    "xdm:sourceProperty": "/_exchangeinternal/loyaltyID",
    "xdm:namespace": "Email",
    "xdm:property": "xdm:code",
    "xdm:isPrimary": True,
}


def test_build_and_parse_envelope():
    entity = {"_id": "1", "timestamp": "2020-03-03T06:34:55Z"}
    msg = build_envelope(
        entity, schema_id=SCHEMA_ID, org_id=ORG, dataset_id="ds1", flow_id="f1", source_name="console"
    )
    assert msg == {
        "header": {
            "schemaRef": {"id": SCHEMA_ID, "contentType": XED_FULL},
            "imsOrgId": ORG,
            "datasetId": "ds1",
            "flowId": "f1",
            "source": {"name": "console"},
        },
        "body": {"xdmMeta": {"schemaRef": {"id": SCHEMA_ID, "contentType": XED_FULL}}, "xdmEntity": entity},
    }
    assert "flowId" not in build_envelope(entity, schema_id=SCHEMA_ID, org_id=ORG, dataset_id="d")["header"]
    parsed = parse_envelope(msg)
    assert (parsed.schema_id, parsed.org_id, parsed.dataset_id, parsed.flow_id, parsed.source_name) == (
        SCHEMA_ID,
        ORG,
        "ds1",
        "f1",
        "console",
    )
    assert parsed.entity is entity and parsed.content_type == XED_FULL


@pytest.mark.parametrize(
    "msg, pointer, text",
    [
        ([], "#", "JSON object"),
        ({"body": {}}, "#/header", "The 'header' field is mandatory"),
        ({"header": {}, "body": {}}, "#/header/schemaRef", "'schemaRef' field is mandatory"),
        ({"header": {"schemaRef": {"id": 5}}, "body": {}}, "#/header/schemaRef/id", "non-empty string"),
        ({"header": {"schemaRef": {"id": "s"}}}, "#/body", "The 'body' field is mandatory"),
        ({"header": {"schemaRef": {"id": "s"}}, "body": {"xdmMeta": {}}}, "#/body/xdmEntity", "'xdmEntity'"),
        (
            {"header": {"schemaRef": {"id": "s"}}, "body": {"xdmEntity": []}},
            "#/body/xdmEntity",
            "must be an object",
        ),
        (
            {
                "header": {"schemaRef": {"id": "s"}},
                "body": {"xdmMeta": {"schemaRef": {"id": "t"}}, "xdmEntity": {}},
            },
            "#/body/xdmMeta/schemaRef/id",
            "does not match",
        ),
    ],
)
def test_parse_envelope_errors_are_located(msg, pointer, text):
    with pytest.raises(EnvelopeError) as info:
        parse_envelope(msg)
    assert info.value.pointer == pointer and text in info.value.message


def test_extract_identities_from_descriptors_and_identity_map(sample_profiles):
    profile = sample_profiles[0]
    assert extract_identities(profile, [LOYALTY_DESCRIPTOR]) == [
        Identity("Email", "tscrowby0@chicagotribune.com", True)
    ]
    entity = {
        "_exchangeinternal": {"loyaltyID": "a@b.c"},
        "identityMap": {"ECID": [{"id": "123"}], "Email": [{"id": "a@b.c", "primary": False}]},
    }
    other = {"@type": "xdm:descriptorOneToOne", "xdm:sourceProperty": "/x", "xdm:namespace": "X"}
    found = extract_identities(entity, [LOYALTY_DESCRIPTOR, other])
    assert found == [Identity("Email", "a@b.c", True), Identity("ECID", "123", False)]
    assert primary_identity(found) == Identity("Email", "a@b.c", True)
    assert extract_identities({"identityMap": {"ECID": [{"id": "9", "primary": True}]}}, []) == [
        Identity("ECID", "9", True)
    ]
    assert extract_identities({}, [LOYALTY_DESCRIPTOR]) == []


def test_template_for_the_loyalty_profile_validates(profile_resolved):
    record = make_template(profile_resolved, primary_identity=("Email", "/_exchangeinternal/loyaltyID"))
    assert record == {"_exchangeinternal": {"loyaltyID": "user@example.com"}}
    assert compile_validator(profile_resolved).validate(record) == []
    assert (
        make_template(profile_resolved, primary_identity=("/_exchangeinternal/loyaltyID", "Email")) == record
    )


def test_template_for_events_validates(event_resolved):
    record = make_template(event_resolved, primary_identity=None)
    uuid.UUID(record["_id"])
    stamp = datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60
    assert record["identityMap"] == {}
    assert compile_validator(event_resolved).validate(record) == []
    assert make_template(event_resolved)["_id"] != record["_id"]
    with_map = make_template(event_resolved, primary_identity=("ECID", "identityMap"))
    assert with_map["identityMap"] == {
        "ECID": [{"id": with_map["identityMap"]["ECID"][0]["id"], "primary": True}]
    }
    assert compile_validator(event_resolved).validate(with_map) == []


def test_template_fills_required_data_type_fields():
    resolved = resolve_schema(
        {
            "$id": "https://ns.adobe.com/acme/schemas/t",
            "title": "t",
            "type": "object",
            "allOf": [{"$ref": std.EXPERIENCE_EVENT}, {"$ref": std.EVENT_COMMERCE}],
        },
        std.standard_lookup,
    )
    record = make_template(resolved)
    assert set(record) == {"_id", "timestamp", "identityMap"}
    assert compile_validator(resolved).validate(record) == []
    with pytest.raises(ValueError, match="not in the schema"):
        make_template(resolved, primary_identity=("Email", "/nowhere/email"))


def test_primary_identity_field_becomes_required(profile_resolved, sample_profiles):
    from aep_console.xdm.identity import require_primary_identity

    descriptor = {**LOYALTY_DESCRIPTOR, "xdm:sourceSchema": profile_resolved["$id"]}
    strict = require_primary_identity(profile_resolved, [descriptor])
    assert profile_resolved["required"] == []  # the input is not modified
    validator = compile_validator(strict)
    assert validator.validate(sample_profiles[0]) == []
    (v,) = validator.validate({"person": sample_profiles[0]["person"]})
    assert (v.pointer, v.message) == ("#", "required key [_exchangeinternal] not found")
    (v,) = validator.validate({"_exchangeinternal": {"loyaltyLevel": "Gold"}})
    assert (v.pointer, v.message) == ("#/_exchangeinternal", "required key [loyaltyID] not found")
    other = {**descriptor, "xdm:sourceSchema": "https://ns.adobe.com/x/schemas/other"}
    assert require_primary_identity(profile_resolved, [other]) == profile_resolved
