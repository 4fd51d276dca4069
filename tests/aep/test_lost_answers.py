"""A create whose answer is lost (the sandbox processed it, the connection then dropped) is not
blindly re-sent: the client's look-up finds what was created and returns it — exactly one exists.

The loss is made by an httpx transport wrapper that forwards every request to the real sandbox
and, for the first POST, throws the real answer away and raises a read error."""

from __future__ import annotations

import httpx
import pytest

from aep_console.aep import NetworkError
from aep_console.aep.models import IdentityDescriptor

from .conftest import make_session, xdm_schema_body


class LoseAnswers(httpx.AsyncHTTPTransport):
    def __init__(self, lose: int = 1) -> None:
        super().__init__()
        self.lose = lose
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if request.method == "POST" and "/ims/" not in request.url.path:
            self.posts += 1
            if self.lose > 0:
                self.lose -= 1
                await response.aread()
                await response.aclose()
                raise httpx.ReadError("connection dropped after the request was processed")
        return response


@pytest.fixture
async def lossy(sandbox, checked_exchanges):
    wire = LoseAnswers()
    session = make_session(sandbox, exchanges=checked_exchanges, http_transport=wire)
    yield session, wire
    await session.aclose()


async def test_schema_create(lossy, uniq):
    aep, wire = lossy
    created = await aep.schemas.create_schema(xdm_schema_body(f"Lost answer {uniq}"))
    assert created["$id"] and created["title"] == f"Lost answer {uniq}" and wire.posts == 1
    titles = [s.title for s in await aep.schemas.list_schemas()]
    assert titles.count(f"Lost answer {uniq}") == 1


async def test_dataset_create(lossy, uniq):
    aep, wire = lossy
    wire.lose = 0
    schema = await aep.schemas.create_schema(xdm_schema_body(f"Lost ds schema {uniq}"))
    wire.lose = 1
    dataset_id = await aep.catalog.create_dataset(f"Lost ds {uniq}", schema["$id"], profile=True)
    assert wire.posts == 2
    matches = [d for d in await aep.catalog.list_datasets(name=f"Lost ds {uniq}")]
    assert [d.id for d in matches] == [dataset_id]


async def test_flow_service_and_namespace_and_descriptor_creates(lossy, uniq):
    aep, wire = lossy
    conn = await aep.flows.create_streaming_connection(f"Lost conn {uniq}")
    assert conn.id and wire.posts == 1
    assert len([c for c in await aep.flows.list_connections() if c.name == f"Lost conn {uniq}"]) == 1
    wire.lose = 1
    ns = await aep.identity.create_namespace(f"LOST{uniq}"[:20], "Lost namespace")
    assert ns.code == f"LOST{uniq}"[:20] and wire.posts == 2
    wire.lose = 0
    schema = await aep.schemas.create_schema(xdm_schema_body(f"Lost desc schema {uniq}"))
    wire.lose = 1
    descriptor = await aep.schemas.create_descriptor(IdentityDescriptor(
        source_schema=schema["$id"], source_property="/workEmail/address", namespace="Email", is_primary=True))
    assert descriptor.id and len(await aep.schemas.descriptors_of(schema["$id"])) == 1


async def test_without_lookup_the_error_is_raised_and_nothing_is_resent(lossy, uniq):
    aep, wire = lossy
    with pytest.raises(NetworkError) as info:
        await aep.schemas.create_schema(xdm_schema_body(f"No lookup {uniq}"), lookup_by_title=False)
    assert wire.posts == 1 and "ReadError" in str(info.value)
    # it was created once, by the lost attempt; the user is told the outcome is unknown
    assert (await aep.schemas.find_by_title("schemas", f"No lookup {uniq}")) is not None


async def test_lookup_that_finds_nothing_allows_one_more_try(sandbox, uniq, checked_exchanges):
    """The answer of a request that was never processed (dropped before the server) is lost: the
    look-up finds nothing, so the create is sent again and succeeds."""

    class DropBeforeServer(httpx.AsyncHTTPTransport):
        dropped = False

        async def handle_async_request(self, request):
            if request.method == "POST" and "/ims/" not in request.url.path and not self.dropped:
                self.dropped = True
                raise httpx.ReadError("connection reset before the request reached the server")
            return await super().handle_async_request(request)

    async with make_session(sandbox, exchanges=checked_exchanges, http_transport=DropBeforeServer()) as aep:
        dataset_schema = await aep.schemas.create_schema(xdm_schema_body(f"Retry me {uniq}"))
        assert dataset_schema["title"] == f"Retry me {uniq}"
        posts = [e for e in checked_exchanges if e.method == "POST" and e.service == "platform"]
        assert len(posts) == 2 and posts[0].error and posts[1].status == 201
