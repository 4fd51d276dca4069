"""resolve_schema: composition into the xed-full form, and its errors."""

from __future__ import annotations

import pytest

from aep_console.xdm import standard as std
from aep_console.xdm.errors import (
    IncompatibleFieldGroupError,
    SchemaCompositionError,
    TenantNamespaceError,
    UnknownReferenceError,
)
from aep_console.xdm.resolve import resolve_schema, tenant_field_group


def lookup_with(*docs):
    extra = {d["$id"]: d for d in docs}
    return lambda ref: extra.get(ref) or std.standard_lookup(ref)


def schema(*refs, sid="https://ns.adobe.com/acme/schemas/s1"):
    return {
        "$id": sid,
        "title": "S",
        "type": "object",
        "meta:resourceType": "schemas",
        "allOf": [{"$ref": r} for r in refs],
    }


def test_load_standard_is_cached_and_in_registry_form():
    first, second = std.load_standard(), std.load_standard()
    assert first == second and std._load.cache_info().hits >= 1
    for rid, doc in first.items():
        assert doc["$id"] == rid
        assert (
            doc["meta:altId"].startswith("_") and doc["version"] and doc["title"] and doc["type"] == "object"
        )
        assert doc["meta:resourceType"] in ("classes", "behaviors", "mixins", "datatypes")
        if doc["meta:resourceType"] == "mixins":
            assert isinstance(doc["meta:intendedToExtend"], list)
    assert first[std.PROFILE]["meta:altId"] == "_xdm.context.profile"
    assert first[std.EXPERIENCE_EVENT]["required"] == ["_id", "timestamp"]


def test_profile_schema_resolves_to_the_full_form(profile_resolved):
    r = profile_resolved
    assert r["meta:class"] == std.PROFILE
    assert r["meta:xdmType"] == "object" and r["type"] == "object"
    for rid in (
        std.PROFILE,
        std.RECORD,
        std.PROFILE_PERSON_DETAILS,
        std.PROFILE_PERSONAL_DETAILS,
        "https://ns.adobe.com/exchangeinternal/mixins/loyalty-profile",
    ):
        assert rid in r["meta:extends"]
    assert r["meta:immutableTags"] == ["union"]  # the input's meta:* keys are kept
    assert "allOf" not in r and "definitions" not in r
    props = r["properties"]
    assert {"_id", "personID", "person", "personalEmail", "homeAddress", "_repo", "_exchangeinternal"} <= set(
        props
    )
    assert props["person"]["meta:referencedFrom"] == "https://ns.adobe.com/xdm/context/person"
    assert props["person"]["properties"]["name"]["properties"]["firstName"]["type"] == "string"
    assert props["person"]["properties"]["gender"]["enum"] == [
        "male",
        "female",
        "not_specified",
        "non_specific",
    ]
    assert props["personalEmail"]["properties"]["address"]["format"] == "email"
    assert props["homeAddress"]["properties"]["_schema"]["properties"]["latitude"]["minimum"] == -90
    assert props["_repo"]["properties"]["createDate"]["format"] == "date-time"
    assert set(props["_exchangeinternal"]["properties"]) == {
        "loyaltyID",
        "totalLoyaltyPoints",
        "loyaltyLevel",
    }
    assert r["required"] == []


def test_event_schema_requires_id_and_timestamp(event_resolved):
    assert event_resolved["meta:class"] == std.EXPERIENCE_EVENT
    assert event_resolved["required"] == ["_id", "timestamp"]
    assert event_resolved["properties"]["identityMap"]["meta:xdmType"] == "map"
    assert std.TIME_SERIES in event_resolved["meta:extends"]


def test_unknown_ref_in_allof_is_named():
    with pytest.raises(UnknownReferenceError) as info:
        resolve_schema(schema(std.PROFILE, "https://ns.adobe.com/acme/mixins/nope"), std.standard_lookup)
    assert info.value.ref == "https://ns.adobe.com/acme/mixins/nope"
    assert "https://ns.adobe.com/acme/mixins/nope" in str(info.value)


def test_unknown_ref_in_a_field_and_in_a_fragment():
    group = tenant_field_group(
        "acme",
        {"thing": {"$ref": "https://ns.adobe.com/acme/datatypes/missing"}},
        field_group_id="https://ns.adobe.com/acme/mixins/g",
        title="G",
        intended_to_extend=[std.PROFILE],
    )
    with pytest.raises(UnknownReferenceError) as info:
        resolve_schema(schema(std.PROFILE, group["$id"]), lookup_with(group))
    assert info.value.ref == "https://ns.adobe.com/acme/datatypes/missing"
    assert info.value.referenced_from == group["$id"]
    with pytest.raises(UnknownReferenceError, match="definitions/nothing"):
        resolve_schema(
            schema(std.PROFILE, std.PROFILE_PERSON_DETAILS + "#/definitions/nothing"), std.standard_lookup
        )


def test_field_group_for_another_class_is_rejected():
    with pytest.raises(IncompatibleFieldGroupError) as info:
        resolve_schema(schema(std.PROFILE, std.EVENT_COMMERCE), std.standard_lookup)
    assert info.value.field_group == std.EVENT_COMMERCE and info.value.class_id == std.PROFILE
    with pytest.raises(IncompatibleFieldGroupError):
        resolve_schema(schema(std.EXPERIENCE_EVENT, std.PROFILE_LOYALTY_DETAILS), std.standard_lookup)
    # identitymap (intendedToExtend: []) and person details (profile + event) fit both classes
    resolve_schema(schema(std.PROFILE, std.IDENTITY_MAP, std.PROFILE_PERSON_DETAILS), std.standard_lookup)
    resolve_schema(schema(std.EXPERIENCE_EVENT, std.PROFILE_PERSON_DETAILS), std.standard_lookup)


def test_two_classes_or_no_class_are_rejected():
    with pytest.raises(SchemaCompositionError, match="more than one class"):
        resolve_schema(schema(std.PROFILE, std.EXPERIENCE_EVENT), std.standard_lookup)
    with pytest.raises(SchemaCompositionError, match="no class"):
        resolve_schema(schema(std.PROFILE_PERSON_DETAILS), std.standard_lookup)


def test_tenant_field_groups_merge_under_the_tenant_object():
    one = tenant_field_group(
        "acme",
        {"a": {"type": "string"}},
        field_group_id="https://ns.adobe.com/acme/mixins/one",
        title="One",
        intended_to_extend=[std.PROFILE],
    )
    two = tenant_field_group(
        "acme",
        {"b": {"type": "integer"}},
        field_group_id="https://ns.adobe.com/acme/mixins/two",
        title="Two",
        intended_to_extend=[],
    )
    r = resolve_schema(schema(std.PROFILE, one["$id"], two["$id"]), lookup_with(one, two))
    assert set(r["properties"]["_acme"]["properties"]) == {"a", "b"}


def test_tenant_field_group_outside_its_namespace_is_rejected():
    bad = tenant_field_group(
        "acme",
        {"a": {"type": "string"}},
        field_group_id="https://ns.adobe.com/acme/mixins/bad",
        title="Bad",
        intended_to_extend=[std.PROFILE],
    )
    bad["definitions"]["bad"]["properties"]["loose"] = {"type": "string"}
    with pytest.raises(TenantNamespaceError) as info:
        resolve_schema(schema(std.PROFILE, bad["$id"]), lookup_with(bad))
    assert info.value.fields == ["loose"]


def test_conflicting_field_types_and_ref_cycles_are_reported():
    one = tenant_field_group(
        "acme",
        {"a": {"type": "string"}},
        field_group_id="https://ns.adobe.com/acme/mixins/one",
        title="One",
        intended_to_extend=[],
    )
    two = tenant_field_group(
        "acme",
        {"a": {"type": "integer"}},
        field_group_id="https://ns.adobe.com/acme/mixins/two",
        title="Two",
        intended_to_extend=[],
    )
    with pytest.raises(SchemaCompositionError, match="_acme/a"):
        resolve_schema(schema(std.PROFILE, one["$id"], two["$id"]), lookup_with(one, two))
    loop = {
        "$id": "https://ns.adobe.com/acme/datatypes/loop",
        "meta:resourceType": "datatypes",
        "title": "L",
        "type": "object",
        "properties": {"again": {"$ref": "https://ns.adobe.com/acme/datatypes/loop"}},
    }
    group = tenant_field_group(
        "acme",
        {"x": {"$ref": loop["$id"]}},
        field_group_id="https://ns.adobe.com/acme/mixins/l",
        title="L",
        intended_to_extend=[],
    )
    with pytest.raises(SchemaCompositionError, match="recursive"):
        resolve_schema(schema(std.PROFILE, group["$id"]), lookup_with(loop, group))


def test_every_bundled_resource_resolves():
    for rid, doc in std.load_standard().items():
        resolved = resolve_schema(doc, std.standard_lookup)
        assert resolved["$id"] == rid


def test_tutorial_schema_with_work_details():
    """The streaming-record tutorial's schema: profile + person details + work details."""
    from aep_console.xdm.validate import compile_validator

    resolved = resolve_schema(
        schema(std.PROFILE, std.PROFILE_PERSON_DETAILS, std.PROFILE_WORK_DETAILS), std.standard_lookup
    )
    assert {"workEmail", "workAddress", "workPhone", "organizations", "person"} <= set(resolved["properties"])
    validator = compile_validator(resolved)
    record = {
        "workEmail": {"primary": True, "address": "janedoe@example.com", "type": "work", "status": "active"},
        "person": {"name": {"firstName": "Jane", "lastName": "Doe"}},
        "organizations": ["Acme"],
    }
    assert validator.validate(record) == []
    (v,) = validator.validate({"workEmail": {"address": "not-an-email"}})
    assert (v.pointer, v.keyword) == ("#/workEmail/address", "format")
