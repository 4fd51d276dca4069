"""Every official `*.example.*.json` (../shared/xdm), converted to Platform names, validates against the
project's resolved definitions — except the documented upstream defects listed below, whose violations
are asserted exactly (so a change either way makes the test fail)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aep_console.xdm import standard as std
from aep_console.xdm.names import to_platform_instance
from aep_console.xdm.resolve import resolve_schema
from aep_console.xdm.validate import compile_validator

pytestmark = pytest.mark.shared

# Example file → the schema it is validated against (allOf of these ids); default: its own resource.
COMPOSED = {
    "classes/experienceevent.example.1.json": [
        std.EXPERIENCE_EVENT,
        std.EVENT_COMMERCE,
        std.EVENT_WEB,
        std.EVENT_ENVIRONMENT_DETAILS,
    ],
    "classes/profile.example.1.json": [
        std.PROFILE,
        std.IDENTITY_MAP,
        std.PROFILE_PERSON_DETAILS,
        std.PROFILE_PERSONAL_DETAILS,
        std.PROFILE_WORK_DETAILS,
    ],
}
# Field-group examples that hold the value of the group's one field rather than the entity.
WRAPPED = {"fieldgroups/shared/identitymap.example.1.json": "identityMap"}
SKIPPED = {
    "datatypes/extensible.example.1.json": "the JSON-LD @context base is not a Platform data type",
}
# Upstream examples that AEP's strict validation rejects: (pointer, keyword, message).
KNOWN_DEFECTS = {
    "classes/experienceevent.example.1.json": {
        # fields of field groups that are not bundled (data source, channel, marketing, …)
        ("#", "additionalProperties", "extraneous key [dataSource] is not permitted"),
        ("#", "additionalProperties", "extraneous key [channel] is not permitted"),
        ("#", "additionalProperties", "extraneous key [marketing] is not permitted"),
        ("#", "additionalProperties", "extraneous key [profileStitch] is not permitted"),
        ("#", "additionalProperties", "extraneous key [segmentMemberships] is not permitted"),
        # misspelt upstream: paymentitem has transactionID; webPageDetails has isErrorPage/isHomePage
        (
            "#/commerce/order/payments/1",
            "additionalProperties",
            "extraneous key [transactionId] is not permitted",
        ),
        ("#/web/webPageDetails", "additionalProperties", "extraneous key [errorPage] is not permitted"),
        ("#/web/webPageDetails", "additionalProperties", "extraneous key [homePage] is not permitted"),
        ("#/web/webReferrer", "additionalProperties", "extraneous key [referrerType] is not permitted"),
        ("#/productListItems/0", "additionalProperties", "extraneous key [lineItemId] is not permitted"),
    },
    "classes/profile.example.1.json": {  # fields of field groups that are not bundled
        ("#", "additionalProperties", f"extraneous key [{name}] is not permitted")
        for name in ("optInOut", "orgUnit", "geoUnit", "segments")
    },
    # the example uses xdm: names where the schema has schema:latitude … (→ _schema.latitude)
    "datatypes/external/schema/geocoordinates.example.1.json": {
        ("#", "additionalProperties", f"extraneous key [{name}] is not permitted")
        for name in ("description", "latitude", "longitude", "elevation")
    },
    # the example predates the schema's environmentID/websiteCode/storeCode/storeViewCode
    "datatypes/marketing/commerce.example.1.json": {
        ("#/commerceScope", "additionalProperties", f"extraneous key [{name}] is not permitted")
        for name in ("environment", "website", "store", "storeView")
    },
    # the example uses the old POI shape (POIID/beacon and an IRI-keyed metric inside POIinteraction)
    "datatypes/placecontext.example.1.json": {
        *{
            ("#/POIinteraction", "additionalProperties", f"extraneous key [{name}] is not permitted")
            for name in (
                "https://ns.adobe.com/xdm/data/metrics/placecontext/poi-exits",
                "POIID",
                "name",
                "category",
                "type",
                "beacon",
            )
        },
        ("#/activePOIs/0", "additionalProperties", "extraneous key [beacon] is not permitted"),
        ("#/activePOIs/1", "additionalProperties", "extraneous key [beacon] is not permitted"),
    },
    # webReferrer has `type`, not `referrerType`
    "datatypes/webinfo.example.1.json": {
        ("#/webReferrer", "additionalProperties", "extraneous key [referrerType] is not permitted"),
    },
    "fieldgroups/experience-event/experienceevent-web.example.1.json": {
        ("#/web/webPageDetails", "additionalProperties", "extraneous key [errorPage] is not permitted"),
        ("#/web/webPageDetails", "additionalProperties", "extraneous key [homePage] is not permitted"),
        ("#/web/webReferrer", "additionalProperties", "extraneous key [referrerType] is not permitted"),
    },
    "fieldgroups/experience-event/experienceevent-commerce.example.1.json": {
        ("#/productListItems/0", "additionalProperties", "extraneous key [lineItemId] is not permitted"),
        (
            "#/commerce/order/payments/1",
            "additionalProperties",
            "extraneous key [transactionId] is not permitted",
        ),
    },
    # typo upstream: categoryPathath
    "datatypes/productlistitem.example.1.json": {
        (
            "#/productCategories/0",
            "additionalProperties",
            "extraneous key [categoryPathath] is not permitted",
        ),
    },
    # un-prefixed `productSize` given as a number; the schema's xdm:productSize is a string
    "fieldgroups/product/product-measurement.example.1.json": {
        ("#/productSize", "type", "expected type: String, found: Long"),
    },
}


def _examples(root: Path) -> list[Path]:
    return sorted(root.rglob("*.example.*.json"))


def _schema_for(example: Path) -> Path:
    return example.with_name(example.name.split(".example.")[0] + ".schema.json")


def _cases():
    # the parametrisation is static (file names are the shared folder's); files are read in the test
    root = Path(__file__).resolve().parents[2].parent / "shared" / "xdm" / "components"
    return [str(p.relative_to(root)) for p in _examples(root)] if root.is_dir() else ["<absent>"]


@pytest.mark.parametrize("rel", _cases())
def test_official_example_validates(shared_dir, rel):
    root = shared_dir / "xdm" / "components"
    if rel in SKIPPED:
        pytest.skip(SKIPPED[rel])
    example = root / rel
    official = json.loads(_schema_for(example).read_text(encoding="utf-8"))
    instance = to_platform_instance(json.loads(example.read_text(encoding="utf-8")))
    if rel in WRAPPED:
        instance = {WRAPPED[rel]: instance}
    ids = COMPOSED.get(rel, [official["$id"]])
    if len(ids) == 1:
        target = std.standard_lookup(ids[0])
        assert target is not None, f"{official['$id']} is not bundled"
        if not target.get("allOf"):  # a library of definitions (repo common): all of them
            target = {
                "$id": "https://ns.adobe.com/test/schemas/all",
                "title": "t",
                "type": "object",
                "allOf": [{"$ref": f"{ids[0]}#/definitions/{name}"} for name in target["definitions"]],
            }
    else:
        target = {
            "$id": "https://ns.adobe.com/test/schemas/" + example.stem,
            "title": "t",
            "type": "object",
            "allOf": [{"$ref": i} for i in ids],
        }
    resolved = resolve_schema(target, std.standard_lookup)
    if rel.startswith("fieldgroups/"):
        resolved = {**resolved, "required": []}  # a field group's example is not a whole record
    violations = compile_validator(resolved).validate(instance)
    found = {(v.pointer, v.keyword, v.message) for v in violations}
    assert found == KNOWN_DEFECTS.get(rel, set()), violations


def test_all_bundled_examples_were_found(shared_dir):
    rels = {
        str(p.relative_to(shared_dir / "xdm" / "components"))
        for p in _examples(shared_dir / "xdm" / "components")
    }
    assert len(rels) >= 45
    assert set(COMPOSED) | set(WRAPPED) | set(KNOWN_DEFECTS) <= rels
