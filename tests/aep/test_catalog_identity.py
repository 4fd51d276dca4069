"""Catalog (datasets, batches) and Identity Service (namespaces) clients against the sandbox."""

from __future__ import annotations

import pytest

from aep_console.aep import ConflictError, NotFoundError
from aep_console.aep.catalog import dataset_id_from_create

from .conftest import xdm_schema_body


@pytest.fixture
async def schema_id(aep, uniq):
    created = await aep.schemas.create_schema(xdm_schema_body(f"Catalog test {uniq}"))
    yield created["$id"]


async def test_dataset_lifecycle(aep, schema_id, uniq, checked_exchanges):
    name = f"Client dataset {uniq}"
    dataset_id = await aep.catalog.create_dataset(name, schema_id, description="from the client", profile=True)
    assert len(dataset_id) == 24 and all(c in "0123456789abcdef" for c in dataset_id)
    sent = next(e for e in checked_exchanges if e.method == "POST" and e.url.endswith("/dataSets"))
    assert '"unifiedProfile":["enabled:true"]' in sent.request_body
    assert '"unifiedIdentity":["enabled:true"]' in sent.request_body
    ds = await aep.catalog.get_dataset(dataset_id)
    assert ds.id == dataset_id and ds.name == name and ds.schema_ref.id == schema_id
    assert ds.profile_enabled and ds.identity_enabled
    listed = await aep.catalog.list_datasets(limit=100)
    assert dataset_id in {d.id for d in listed}
    assert (await aep.catalog.find_dataset(name)).id == dataset_id
    await aep.catalog.patch_dataset(dataset_id, {"description": "patched"})
    assert (await aep.catalog.get_dataset(dataset_id)).description == "patched"
    await aep.catalog.delete_dataset(dataset_id)
    with pytest.raises(NotFoundError):
        await aep.catalog.get_dataset(dataset_id)


async def test_dataset_without_profile_then_enabled(aep, schema_id, uniq):
    dataset_id = await aep.catalog.create_dataset(f"Plain {uniq}", schema_id)
    ds = await aep.catalog.get_dataset(dataset_id)
    assert not ds.profile_enabled
    await aep.catalog.enable_for_profile(dataset_id)
    ds = await aep.catalog.get_dataset(dataset_id)
    assert ds.profile_enabled and ds.identity_enabled


async def test_unknown_dataset_and_batch(aep):
    with pytest.raises(NotFoundError) as info:
        await aep.catalog.get_dataset("000000000000000000000000")
    assert info.value.status == 404
    with pytest.raises(NotFoundError):
        await aep.catalog.get_batch("01NOSUCHBATCH0000000000000")


async def test_batches_listing_of_a_new_dataset_is_empty(aep, schema_id, uniq):
    dataset_id = await aep.catalog.create_dataset(f"No batches {uniq}", schema_id)
    assert await aep.catalog.list_batches(dataset_id=dataset_id) == []


def test_dataset_id_from_both_create_forms():
    import httpx

    from aep_console.aep.transport import Reply

    def reply(body: bytes, headers=None):
        return Reply(201, httpx.Headers(headers or {}), body, "u", 0.0, 0.0)

    assert dataset_id_from_create(reply(b'["@/dataSets/5e30d7986c0cc218a85cee65"]')) == "5e30d7986c0cc218a85cee65"
    assert dataset_id_from_create(reply(b'["@/datasets/abc"]')) == "abc"
    assert dataset_id_from_create(reply(b"", {"location": "/data/foundation/catalog/dataSets/xyz"})) == "xyz"


async def test_namespaces(aep, uniq):
    namespaces = await aep.identity.list_namespaces()
    codes = {n.code for n in namespaces}
    assert {"Email", "ECID", "Phone"} <= codes
    email = await aep.identity.find_namespace("email")
    assert email.code == "Email" and email.id == 6 and not email.custom
    assert (await aep.identity.get_namespace(6)).code == "Email"
    code = f"CRM{uniq}"[:20]
    created = await aep.identity.create_namespace(code, f"CRM id {uniq}", id_type="Cross_device",
                                                  description="client test")
    assert created.code == code and created.custom
    assert (await aep.identity.require_namespace(code.lower())).code == code
    with pytest.raises(ConflictError):
        await aep.identity.create_namespace(code, "again")
    with pytest.raises(NotFoundError):
        await aep.identity.require_namespace("NoSuchNamespace")
    with pytest.raises(ValueError):
        await aep.identity.create_namespace("X", id_type="Person")
