"""Fixtures for the AEP client tests: real ``AEPSession`` objects on a real sandbox subprocess."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from aep_console.aep import AEPSession, ClientCredentials, Endpoints, RetryPolicy

from .openapi_requests import check_exchanges

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def make_session(proc, creds=None, *, exchanges: list | None = None, **kwargs) -> AEPSession:
    creds = creds or proc.credentials
    hook = exchanges.append if exchanges is not None else None
    kwargs.setdefault("retry", RetryPolicy(max_attempts=4, base_delay=0.05, max_delay=0.5))
    return AEPSession(Endpoints.from_sandbox(proc.urls), ClientCredentials.from_demo(creds), creds.org_id,
                      creds.sandbox_name, on_exchange=hook, **kwargs)


@pytest.fixture
def exchanges() -> list:
    """Every exchange the session made (redacted), for assertions."""
    return []


@pytest.fixture
def checked_exchanges():
    """Like ``exchanges``; at the end of the test, every JSON request body sent to Platform/DCS is
    validated against ../shared/aep-openapi (when that folder is present)."""
    recorded: list = []
    yield recorded
    if SHARED.is_dir():
        problems, _checked = check_exchanges(SHARED, recorded)
        assert not problems, "request bodies that break the published spec:\n" + "\n".join(map(str, problems))


@pytest.fixture
async def aep(sandbox, checked_exchanges):
    session = make_session(sandbox, exchanges=checked_exchanges)
    yield session
    await session.aclose()


def xdm_schema_body(title: str, *refs: str, union: bool = True) -> dict:
    body = {"type": "object", "title": title, "description": f"{title} (client test)",
            "allOf": [{"$ref": r} for r in (refs or PROFILE_REFS)]}
    if union:
        body["meta:immutableTags"] = ["union"]
    return body


def loyalty_fieldgroup_body(title: str, tenant: str) -> dict:
    return {
        "type": "object", "title": title, "description": "Loyalty fields of the tutorial",
        "meta:intendedToExtend": ["https://ns.adobe.com/xdm/context/profile"],
        "definitions": {"loyalty": {"properties": {f"_{tenant}": {"type": "object", "properties": {
            "loyaltyID": {"type": "string", "title": "Loyalty ID"},
            "loyaltyLevel": {"type": "string", "title": "Loyalty level"},
            "points": {"type": "integer", "title": "Points"}}}}}},
        "allOf": [{"$ref": "#/definitions/loyalty"}],
    }


PROFILE_REFS = ("https://ns.adobe.com/xdm/context/profile",
                "https://ns.adobe.com/xdm/context/profile-person-details",
                "https://ns.adobe.com/xdm/context/profile-work-details")


@pytest.fixture
def uniq() -> str:
    return uuid.uuid4().hex[:10]
