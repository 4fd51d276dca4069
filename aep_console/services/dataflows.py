"""Which dataflow a record goes through: found from the streaming connection and the dataset, so nobody
has to copy a flow id (aep-api.md §5.2; streaming-ingestion.yaml: ``header.flowId`` is required).

Four Flow Service look-ups, each filtered on the server (``property=``) and checked again here:

    connection (inlet id → ``GET /connections?property=auth.params.inletId==…``, or the base connection id)
    → its source connections  (``GET /sourceConnections?property=baseConnectionId==…``)
    → target connections into the dataset (``GET /targetConnections?property=params.dataSetId==…``)
    → the dataflows joining them (``GET /flows?property=sourceConnectionIds[]==…``)

A connection made through the legacy inlet API (``/data/core/edge/inlet``) has no dataflows and needs none.

    found = await find_dataflows(session, connection_id, dataset_id)
    flow_id = choose_flow(found)          # raises NoDataflow / SeveralDataflows
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..aep import errors as E

_INLET_ID = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Dataflow:
    flow_id: str
    name: str
    state: str
    source_connection_id: str
    target_connection_id: str
    dataset_id: str

    def describe(self) -> str:
        return f"{self.flow_id}  {self.name!r} ({self.state})"


@dataclass
class FlowDiscovery:
    """What the look-ups found for one (connection, dataset)."""

    connection: str  # as given: the inlet id (CONNECTION_ID) or the base connection id
    dataset_id: str
    base_connection_id: str | None = None  # None for a legacy inlet
    inlet_id: str | None = None
    legacy_inlet: bool = False  # /data/core/edge/inlet: streams without a dataflow
    flows: list[Dataflow] = field(default_factory=list)


class FlowLookupError(Exception):
    """No single dataflow could be chosen; ``discovery`` says what was found."""

    def __init__(self, message: str, discovery: FlowDiscovery) -> None:
        super().__init__(message)
        self.discovery = discovery


class ConnectionNotFound(FlowLookupError):
    pass


class NoDataflow(FlowLookupError):
    pass


class SeveralDataflows(FlowLookupError):
    @property
    def flows(self) -> list[Dataflow]:
        return self.discovery.flows


async def base_connection(session: Any, connection: str) -> tuple[Any | None, bool]:
    """(the Flow Service base connection, is-a-legacy-inlet) for an inlet id or a base connection id;
    (None, False) when neither exists."""
    flows = session.flows
    if _INLET_ID.match(connection):
        rows = await flows.list_connections(property=f"auth.params.inletId=={connection}")
        found = next((c for c in rows if c.inlet_id == connection), None)
        if found is not None:
            return found, False
        try:
            await session.inlets.get_inlet(connection)
            return None, True
        except (E.NetworkError, E.ServerError):
            raise
        except E.AEPError:  # 404, or the legacy inlet API is not there at all (it may be gone on AEP)
            return None, False
    try:
        return await flows.get_connection(connection), False
    except E.NotFoundError:
        return None, False


async def find_dataflows(session: Any, connection: str, dataset_id: str) -> FlowDiscovery:
    """Every enabled dataflow from ``connection`` (inlet id or base connection id) into ``dataset_id``."""
    found = FlowDiscovery(connection=connection, dataset_id=dataset_id)
    base, legacy = await base_connection(session, connection)
    if legacy:
        found.legacy_inlet, found.inlet_id = True, connection
        return found
    if base is None:
        raise ConnectionNotFound(f"no streaming connection {connection!r} (neither a Flow Service connection nor "
                                 "a legacy inlet with that id)", found)
    found.base_connection_id, found.inlet_id = base.id, base.inlet_id
    f = session.flows
    sources = {s.id for s in await f.list("sourceConnections", property=f"baseConnectionId=={base.id}")
               if s.base_connection_id == base.id}
    targets = {t.id for t in await f.list("targetConnections", property=f"params.dataSetId=={dataset_id}")
               if (t.params or {}).get("dataSetId") == dataset_id}
    if not sources or not targets:
        return found
    rows = await f.list_flows(property=f"sourceConnectionIds[]=={','.join(sorted(sources))}")
    for flow in rows:
        src = next((s for s in flow.source_connection_ids or [] if s in sources), None)
        tgt = next((t for t in flow.target_connection_ids or [] if t in targets), None)
        if src and tgt and (flow.state or "enabled") != "disabled":
            found.flows.append(Dataflow(flow.id, flow.name or "", flow.state or "enabled", src, tgt, dataset_id))
    found.flows.sort(key=lambda d: d.name)
    return found


def choose_flow(found: FlowDiscovery) -> str | None:
    """The one flow id to send with (None for a legacy inlet), or a ``FlowLookupError`` that says why not."""
    if found.legacy_inlet:
        return None
    if not found.flows:
        raise NoDataflow(f"streaming connection {found.connection} has no dataflow into dataset {found.dataset_id} "
                         "(today's AEP refuses messages without one)", found)
    if len(found.flows) > 1:
        listing = "\n".join(f"  {d.describe()}" for d in found.flows)
        raise SeveralDataflows(f"streaming connection {found.connection} has {len(found.flows)} dataflows into "
                               f"dataset {found.dataset_id}; choose one:\n{listing}", found)
    return found.flows[0].flow_id


async def resolve_flow_id(session: Any, connection: str, dataset_id: str) -> str | None:
    return choose_flow(await find_dataflows(session, connection, dataset_id))


def create_command(connection: str, dataset_id: str, profile: str | None = None) -> str:
    """The command line that adds the missing dataflow (quoted in error messages)."""
    who = f' --profile "{profile}"' if profile else ""
    return f"aep-console setup dataflow{who} --connection {connection} --dataset {dataset_id}"


async def flow_for_send(session: Any, connection: str, dataset_id: str, *, profile: str | None = None) -> str | None:
    """``resolve_flow_id`` for a front-end that cannot ask: the errors say what to do next."""
    found = await find_dataflows(session, connection, dataset_id)
    try:
        return choose_flow(found)
    except NoDataflow as exc:
        raise NoDataflow(f"{exc}; create one with:\n  {create_command(connection, dataset_id, profile)}",
                         found) from None
    except SeveralDataflows as exc:
        raise SeveralDataflows(f"{exc}\npass one of them with --flow-id", found) from None
