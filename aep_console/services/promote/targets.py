"""Where to stream into a promoted set-up: per dataset, its schema, the CONNECTION_ID and (HTTP API
route) the dataflow that writes into it, all as the target knows them.

    for t in streaming_targets(plan, report.outputs): print(t.dataset_name, t.connection_id, t.flow_id)
"""

from __future__ import annotations

from dataclasses import dataclass

from .plan import Plan


@dataclass(frozen=True)
class StreamingTarget:
    dataset_name: str
    dataset_id: str
    schema_id: str
    connection_id: str  # the inlet id (CONNECTION_ID)
    flow_id: str = ""  # the dataflow into the dataset (HTTP API route); empty on the tutorial's route


def streaming_targets(plan: Plan, ids: dict[str, str]) -> list[StreamingTarget]:
    """``ids``: source id → target id (an apply report's outputs). Datasets that no streaming
    connection of the set-up reaches are left out (unless the set-up has exactly one connection:
    the tutorial's route, where a message names its dataset in its header)."""
    res = plan.bundle.resources
    by_id = {r.id: r for r in res}
    connections = [r for r in res if r.kind == "connection" and r.inlet_id in ids]
    out = []
    for ds in (r for r in res if r.kind == "dataset" and r.id in ids):
        inlet = flow = ""
        for tc in (r for r in res if r.kind == "targetConnection"
                   and (r.body.get("params") or {}).get("dataSetId") == ds.id):
            for fl in (r for r in res if r.kind == "flow" and tc.id in (r.body.get("targetConnectionIds") or [])):
                for sc_id in fl.body.get("sourceConnectionIds") or []:
                    base = by_id.get((by_id[sc_id].body.get("baseConnectionId") if sc_id in by_id else "") or "")
                    if base is not None and base.inlet_id in ids and fl.id in ids:
                        inlet, flow = ids[base.inlet_id], ids[fl.id]
        if not inlet and len(connections) == 1 and not any(r.kind == "flow" for r in res):
            inlet = ids[connections[0].inlet_id]
        if inlet:
            out.append(StreamingTarget(ds.title, ids[ds.id], ids.get(ds.body["schemaRef"]["id"], ""), inlet, flow))
    return out
