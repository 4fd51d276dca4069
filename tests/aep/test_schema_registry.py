"""Schema Registry client against the sandbox: stats/tenant, listings and paging, lookups with the
versioned Accept, create/patch/replace/delete of schemas and field groups, descriptors, unions."""

from __future__ import annotations

import pytest

from aep_console.aep import NotFoundError
from aep_console.aep.models import IdentityDescriptor
from aep_console.aep.schema_registry import ACCEPT_LIST, accept_lookup, container_of

from .conftest import loyalty_fieldgroup_body, xdm_schema_body

PROFILE = "https://ns.adobe.com/xdm/context/profile"
EVENT = "https://ns.adobe.com/xdm/context/experienceevent"


async def test_stats_and_cached_tenant_id(aep, sandbox, checked_exchanges):
    stats = await aep.schemas.stats()
    assert stats.tenant_id == sandbox.credentials.tenant_id and stats.ims_org == sandbox.credentials.org_id
    n = len(checked_exchanges)
    assert await aep.schemas.tenant_id() == sandbox.credentials.tenant_id
    assert len(checked_exchanges) == n  # cached


async def test_global_listings_and_accept_headers(aep, checked_exchanges):
    classes = await aep.schemas.list_classes()
    assert {PROFILE, EVENT} <= {c.id for c in classes}
    assert all(c.alt_id and c.title for c in classes)
    fieldgroups = await aep.schemas.list_fieldgroups()
    assert "https://ns.adobe.com/xdm/context/profile-person-details" in {f.id for f in fieldgroups}
    datatypes = await aep.schemas.list_datatypes()
    assert datatypes and all(d.id and d.alt_id for d in datatypes)
    full = await aep.schemas.list("classes", "global", full=True)
    assert full.results and all(r.id for r in full.results)
    lists = [e for e in checked_exchanges if e.url.split("?")[0].endswith(("/global/classes", "/global/datatypes"))]
    assert lists and lists[0].request_headers["accept"] == ACCEPT_LIST  # no version on listings


async def test_paging_follows_page_next(aep):
    everything = await aep.schemas.list_all("fieldgroups", "global")
    paged = [r async for r in aep.schemas.iter_all("fieldgroups", "global", page_size=3)]
    assert [r.id for r in paged] == [r.id for r in everything] and len(paged) > 3


async def test_lookups_by_id_and_alt_id_with_versioned_accept(aep, checked_exchanges):
    cls = await aep.schemas.get_class(PROFILE)
    assert cls["$id"] == PROFILE and cls["meta:altId"] == "_xdm.context.profile"
    again = await aep.schemas.get("classes", "_xdm.context.profile", "global")
    assert again["$id"] == PROFILE
    full = await aep.schemas.get_class(EVENT, full=True)
    assert "properties" in full
    accepts = [e.request_headers["accept"] for e in checked_exchanges if "/global/classes/" in e.url]
    assert accepts[0] == accept_lookup() == "application/vnd.adobe.xed+json; version=1"
    assert accepts[-1] == "application/vnd.adobe.xed-full+json; version=1"
    with pytest.raises(NotFoundError) as info:
        await aep.schemas.get_class("https://ns.adobe.com/xdm/context/no-such-class")
    assert info.value.status == 404 and info.value.message
    assert await aep.schemas.find("classes", "https://ns.adobe.com/xdm/context/nope") is None


async def test_schema_lifecycle(aep, uniq):
    tenant = await aep.schemas.tenant_id()
    body = xdm_schema_body(f"Client schema {uniq}", union=False)
    created = await aep.schemas.create_schema(body)
    sid = created["$id"]
    assert sid.startswith(f"https://ns.adobe.com/{tenant}/schemas/") and created["meta:altId"].startswith(f"_{tenant}.")
    assert created["meta:class"] == PROFILE and created["version"] == "1.0"
    got = await aep.schemas.get_schema(sid)
    assert got["title"] == body["title"] and container_of(sid) == "tenant"
    assert (await aep.schemas.get_schema(created["meta:altId"]))["$id"] == sid
    patched = await aep.schemas.enable_for_profile(sid)
    assert "union" in patched["meta:immutableTags"] and patched["version"] != "1.0"
    replaced = await aep.schemas.replace("schemas", sid, {**body, "description": "replaced",
                                                          "meta:immutableTags": ["union"]})
    assert replaced["description"] == "replaced"
    listed = await aep.schemas.list_schemas()
    assert sid in {s.id for s in listed}
    found = await aep.schemas.find_by_title("schemas", body["title"])
    assert found is not None and found.id == sid
    full = await aep.schemas.get_full_schema(sid)
    assert full["$id"] == sid and "properties" in full
    await aep.schemas.delete_schema(sid)
    with pytest.raises(NotFoundError):
        await aep.schemas.get_schema(sid)


async def test_fieldgroup_and_descriptor_lifecycle(aep, uniq):
    tenant = await aep.schemas.tenant_id()
    fg = await aep.schemas.create_fieldgroup(loyalty_fieldgroup_body(f"Loyalty {uniq}", tenant))
    assert fg["$id"].startswith(f"https://ns.adobe.com/{tenant}/mixins/") or "/fieldgroups/" in fg["$id"] \
        or fg["$id"].startswith(f"https://ns.adobe.com/{tenant}/")
    got = await aep.schemas.get_fieldgroup(fg["$id"])
    assert got["title"] == f"Loyalty {uniq}"
    schema = await aep.schemas.create_schema(xdm_schema_body(f"Loyalty profile {uniq}", PROFILE, fg["$id"]))
    descriptor = await aep.schemas.create_descriptor(IdentityDescriptor(
        source_schema=schema["$id"], source_property=f"/_{tenant}/loyaltyID", namespace="Email", is_primary=True))
    assert descriptor.id and descriptor.namespace == "Email" and descriptor.is_primary
    assert descriptor.source_property == f"/_{tenant}/loyaltyID"
    assert (await aep.schemas.get_descriptor(descriptor.id)).source_schema == schema["$id"]
    mine = await aep.schemas.descriptors_of(schema["$id"])
    assert [d.id for d in mine] == [descriptor.id]
    updated = await aep.schemas.update_descriptor(descriptor.id, {
        **descriptor.to_json(), "xdm:isPrimary": False})
    assert updated.is_primary is False
    full = await aep.schemas.get_full_schema(schema["$id"])
    assert f"_{tenant}" in full["properties"]
    unions = await aep.schemas.list_unions()
    profile_union = next((u for u in unions if "profile" in u.id), None)
    assert profile_union is not None, [u.id for u in unions]
    assert (await aep.schemas.get_union(profile_union.id))["$id"] == profile_union.id
    await aep.schemas.delete_descriptor(descriptor.id)
    with pytest.raises(NotFoundError):
        await aep.schemas.get_descriptor(descriptor.id)
    await aep.schemas.delete_schema(schema["$id"])
    await aep.schemas.delete_fieldgroup(fg["$id"])
    with pytest.raises(NotFoundError):
        await aep.schemas.get_fieldgroup(fg["$id"])


async def test_bad_request_carries_aep_error_details(aep, uniq):
    from aep_console.aep import AEPError

    with pytest.raises(AEPError) as info:
        await aep.schemas.create_schema({"type": "object", "title": f"Broken {uniq}", "description": "x",
                                         "allOf": [{"$ref": "https://ns.adobe.com/xdm/context/not-a-class"}]})
    err = info.value
    assert err.status in (400, 404, 422) and err.message and err.title
    assert err.method == "POST" and "/tenant/schemas" in err.url
