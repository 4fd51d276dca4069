"""Fixtures of the XDM tests: the tutorial's loyalty schemas (tenant `exchangeinternal`)."""

from __future__ import annotations

import json

import pytest

from aep_console.xdm import standard as std
from aep_console.xdm.resolve import resolve_schema, tenant_field_group

TENANT = "exchangeinternal"
PROFILE_FG_ID = f"https://ns.adobe.com/{TENANT}/mixins/loyalty-profile"
EVENT_FG_ID = f"https://ns.adobe.com/{TENANT}/mixins/loyalty-event"
PROFILE_SCHEMA_ID = f"https://ns.adobe.com/{TENANT}/schemas/3f2b0c6d9e8a4b7c"
EVENT_SCHEMA_ID = f"https://ns.adobe.com/{TENANT}/schemas/8a7b6c5d4e3f2a1b"


def loyalty_resources() -> dict[str, dict]:
    profile_fg = tenant_field_group(
        TENANT,
        {
            "loyaltyID": {
                "title": "Loyalty ID",
                "type": "string",
                "format": "email",
                "meta:xdmType": "string",
            },
            "totalLoyaltyPoints": {"title": "Total points", "type": "integer", "meta:xdmType": "int"},
            "loyaltyLevel": {"title": "Loyalty level", "type": "string", "meta:xdmType": "string"},
        },
        field_group_id=PROFILE_FG_ID,
        title="Loyalty (profile)",
        intended_to_extend=[std.PROFILE],
    )
    event_fg = tenant_field_group(
        TENANT,
        {
            "loyaltyID": {"type": "string", "format": "email"},
            "pointsEarned": {"type": "integer"},
            "totalPoints": {"type": "integer"},
            "loyaltyLevel": {"type": "string"},
        },
        field_group_id=EVENT_FG_ID,
        title="Loyalty (event)",
        intended_to_extend=[std.EXPERIENCE_EVENT],
    )
    profile_schema = {
        "$id": PROFILE_SCHEMA_ID,
        "meta:altId": f"_{TENANT}.schemas.3f2b0c6d9e8a4b7c",
        "meta:resourceType": "schemas",
        "version": "1.0",
        "title": "Loyalty profiles",
        "type": "object",
        "meta:immutableTags": ["union"],
        "meta:tenantNamespace": f"_{TENANT}",
        "allOf": [
            {"$ref": std.PROFILE},
            {"$ref": std.PROFILE_PERSON_DETAILS},
            {"$ref": std.PROFILE_PERSONAL_DETAILS},
            {"$ref": PROFILE_FG_ID},
        ],
    }
    event_schema = {
        "$id": EVENT_SCHEMA_ID,
        "meta:resourceType": "schemas",
        "version": "1.0",
        "title": "Loyalty events",
        "type": "object",
        "allOf": [{"$ref": std.EXPERIENCE_EVENT}, {"$ref": EVENT_FG_ID}],
    }
    return {doc["$id"]: doc for doc in (profile_fg, event_fg, profile_schema, event_schema)}


@pytest.fixture(scope="session")
def loyalty_lookup():
    resources = loyalty_resources()
    return lambda ref: resources.get(ref) or std.standard_lookup(ref)


@pytest.fixture(scope="session")
def profile_resolved(loyalty_lookup):
    return resolve_schema(loyalty_lookup(PROFILE_SCHEMA_ID), loyalty_lookup)


@pytest.fixture(scope="session")
def event_resolved(loyalty_lookup):
    return resolve_schema(loyalty_lookup(EVENT_SCHEMA_ID), loyalty_lookup)


@pytest.fixture(scope="session")
def sample_profiles(shared_dir):
    return json.loads((shared_dir / "samples" / "AEP loyalty profiles.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_events(shared_dir):
    return json.loads((shared_dir / "samples" / "AEP loyalty events.json").read_text(encoding="utf-8"))
