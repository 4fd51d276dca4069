"""compile_validator: AEP's checks, wording, pointers and report shape."""

from __future__ import annotations

import pytest

from aep_console.xdm import standard as std
from aep_console.xdm.resolve import resolve_schema, tenant_field_group
from aep_console.xdm.validate import compile_validator, streaming_validation_report

TENANT_FIELDS = {
    "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "level": {"type": "string", "enum": ["Silver", "Gold"]},
    "hint": {"type": "string", "meta:enum": {"a": "A"}},
    "score": {"type": "integer", "minimum": 0, "maximum": 100},
    "ratio": {"type": "number"},
    "site": {"type": "string", "format": "uri"},
    "ref": {"type": "string", "format": "uri-reference"},
    "day": {"type": "string", "format": "date"},
    "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "short": {"type": "string", "maxLength": 3},
}


@pytest.fixture(scope="module")
def validator():
    group = tenant_field_group(
        "acme",
        TENANT_FIELDS,
        field_group_id="https://ns.adobe.com/acme/mixins/v",
        title="V",
        intended_to_extend=[],
    )
    schema = {
        "$id": "https://ns.adobe.com/acme/schemas/v",
        "title": "V",
        "type": "object",
        "allOf": [
            {"$ref": std.EXPERIENCE_EVENT},
            {"$ref": std.PROFILE_PERSONAL_DETAILS},
            {"$ref": std.EVENT_COMMERCE},
            {"$ref": group["$id"]},
        ],
    }
    lookup = lambda ref: group if ref == group["$id"] else std.standard_lookup(ref)  # noqa: E731
    return compile_validator(resolve_schema(schema, lookup))


def base(**acme):
    return {"_id": "e-1", "timestamp": "2020-03-03T06:34:55Z", **({"_acme": acme} if acme else {})}


def one(validator, entity):
    violations = validator.validate(entity)
    assert len(violations) == 1, violations
    v = violations[0]
    return v.pointer, v.keyword, v.message


def test_valid_entity(validator):
    assert (
        validator.validate(
            base(
                code="USD",
                level="Gold",
                hint="anything",
                score=100,
                ratio=1,
                site="https://x.y/",
                ref="not a uri but not checked",
                day="2020-02-29",
                tags=["t"],
                short="abc",
            )
        )
        == []
    )
    assert validator.is_valid(base())


def test_type_messages_integer_vs_number(validator):
    assert one(validator, {**base(), "_id": 15367038}) == (
        "#/_id",
        "type",
        "expected type: String, found: Long",
    )
    assert one(validator, base(score=1.5)) == (
        "#/_acme/score",
        "type",
        "expected type: Integer, found: Double",
    )
    assert one(validator, base(code=True)) == (
        "#/_acme/code",
        "type",
        "expected type: String, found: Boolean",
    )
    assert one(validator, base(tags="x")) == (
        "#/_acme/tags",
        "type",
        "expected type: JSONArray, found: String",
    )
    assert validator.validate(base(ratio=3)) == []  # an integer is a number


def test_extraneous_keys_top_level_and_nested(validator):
    v = validator.validate({**base(), "workEmail": {"address": "a@b.c"}})
    assert [(x.pointer, x.schema_location, x.keyword, x.message) for x in v] == [
        ("#", "#", "additionalProperties", "extraneous key [workEmail] is not permitted")
    ]
    v = validator.validate({**base(), "personalEmail": {"address": "a@b.c", "bogus": 1}})
    assert [(x.pointer, x.schema_location, x.message) for x in v] == [
        ("#/personalEmail", "#/properties/personalEmail", "extraneous key [bogus] is not permitted")
    ]


def test_identity_map_is_a_map(validator):
    entity = {**base(), "identityMap": {"Email": [{"id": "a@b.c", "primary": True}], "ECID": [{"id": "1"}]}}
    assert validator.validate(entity) == []
    bad = {**base(), "identityMap": {"Email": [{"id": "a@b.c", "primary": "yes", "x": 1}]}}
    assert {(v.pointer, v.message) for v in validator.validate(bad)} == {
        ("#/identityMap/Email/0/primary", "expected type: Boolean, found: String"),
        ("#/identityMap/Email/0", "extraneous key [x] is not permitted"),
    }
    assert one(
        validator, {**base(), "identityMap": {"Email": [{"id": "a", "authenticatedState": "nope"}]}}
    ) == ("#/identityMap/Email/0/authenticatedState", "enum", "nope is not a valid enum value")


def test_required_enum_pattern_bounds_formats(validator):
    assert one(validator, {"_id": "x"}) == ("#", "required", "required key [timestamp] not found")
    assert one(validator, base(level="Bronze")) == (
        "#/_acme/level",
        "enum",
        "Bronze is not a valid enum value",
    )
    assert one(validator, base(code="usd")) == (
        "#/_acme/code",
        "pattern",
        "string [usd] does not match pattern ^[A-Z]{3}$",
    )
    assert one(validator, base(score=-1)) == ("#/_acme/score", "minimum", "-1 is not greater or equal to 0")
    assert one(validator, base(score=101)) == ("#/_acme/score", "maximum", "101 is not less or equal to 100")
    assert one(validator, base(day="2020-02-30"))[1:] == (
        "format",
        "[2020-02-30] is not a valid date. Expected [yyyy-MM-dd]",
    )
    assert one(validator, {**base(), "timestamp": "yesterday"})[:2] == ("#/timestamp", "format")
    assert one(validator, base(site="not a uri")) == (
        "#/_acme/site",
        "format",
        "[not a uri] is not a valid URI",
    )
    assert one(validator, {**base(), "personalEmail": {"address": "nope"}}) == (
        "#/personalEmail/address",
        "format",
        "[nope] is not a valid email address",
    )
    assert one(validator, base(tags=[]))[1:] == ("minItems", "expected minimum item count: 1, found: 0")
    assert one(validator, base(short="abcd"))[1:] == ("maxLength", "expected maxLength: 3, actual: 4")
    # a data type's required field (measure.value) and a pattern from the official definitions
    assert one(validator, {**base(), "commerce": {"purchases": {}}}) == (
        "#/commerce/purchases",
        "required",
        "required key [value] not found",
    )
    assert one(validator, {**base(), "commerce": {"order": {"currencyCode": "usd"}}})[:2] == (
        "#/commerce/order/currencyCode",
        "pattern",
    )


def test_meta_enum_is_advisory(validator):
    assert validator.validate({**base(), "eventType": "loyaltyBalanceUpdate"}) == []
    assert validator.validate(base(hint="zzz")) == []


def test_limit_and_report(validator):
    entity = {**base(score="x", level="x", code="x", day="x", short="xxxxx", site="::"), "_id": 1, "foo": 1}
    everything = validator.validate(entity)
    assert len(everything) == 8
    assert len(validator.validate(entity, limit=5)) == 5
    report = streaming_validation_report(everything)
    (top,) = report["_streamingValidation"]
    assert (top["schemaLocation"], top["pointerToViolation"]) == ("#", "#")
    assert top["message"] == "8 schema violations found"
    assert len(top["causingExceptions"]) == 5
    first = top["causingExceptions"][0]
    assert set(first) == {"schemaLocation", "pointerToViolation", "causingExceptions", "keyword", "message"}
    assert streaming_validation_report([]) == {"_streamingValidation": []}
    json_paths = {v.json_path for v in everything}
    assert "$._acme.score" in json_paths and "$._id" in json_paths
