"""The ingestion pipeline behind both DCS endpoints: envelope rules, XDM validation, one SQLite
transaction per request (data lake rows + Catalog batch rows), then the in-memory Profile index.

Nothing is acknowledged before COMMIT: the handler builds its answer from ``Outcome`` objects only after
``Pipeline.ingest`` returned, and ``ingest`` applies profile changes only after the COMMIT succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from ..apis.profile.index import ProfileIndex
from ..apis.streaming.responses import violations_text
from .datalake import KIND_EVENT, KIND_NONE, KIND_RECORD, MAX_ERROR_SAMPLES, BatchDelta, DataLake, now_ms
from .targets import Connection, Target, TargetError, TargetLookups

HEADER_MANDATORY = "The 'header' field is mandatory. Provide a valid 'header' value and try again."
BODY_MANDATORY = "The 'body' field is mandatory. Provide a valid 'body' value and try again."


FLOW_TITLE = "Invalid Dataflow"


class MessageRejected(Exception):
    """A message refused at the door (status 400 with this message; ``title`` for the problem body)."""

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.title = title


@dataclass(slots=True)
class Outcome:
    ok: bool  # acknowledged (persisted); False = refused at the door
    message: str = ""  # refusal reason (status 400)
    violations: list | None = None  # XDM violations (recorded as a failed record when acknowledged)
    status: int = 400
    seq: int = 0


ACCEPTED = Outcome(ok=True)


@dataclass(slots=True)
class Prepared:
    outcomes: list[Outcome]
    rows: list[tuple]
    ranges: list[tuple[str, int, int]]
    deltas: list[BatchDelta]
    profile_ops: list[tuple]


def _ts_ms(value: Any) -> int:
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            return 0
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return 0


class Pipeline:
    def __init__(self, lookups: TargetLookups, lake: DataLake, profiles: ProfileIndex, *,
                 accept_missing_flow_id: bool = False) -> None:
        self.accept_missing_flow_id = accept_missing_flow_id
        self.lookups = lookups
        self.lake = lake
        self.profiles = profiles

    # --- envelope --------------------------------------------------------------------------------

    def route(self, conn: Connection, msg: Any, flow_hint: str | None, cache: dict) -> tuple[Target, dict]:
        """Check the envelope of one message; returns its target dataset and its xdmEntity.

        ``cache`` lives for one request: a message whose header and xdmMeta equal those of the previous
        accepted message (the usual case in a batch) skips the header rules (same verdict, same target).
        """
        if type(msg) is dict:
            last = cache.get(None)
            if last is not None:
                header = msg.get("header")
                body = msg.get("body")
                if header == last[0] and type(body) is dict and body.get("xdmMeta") == last[1]:
                    entity = body.get("xdmEntity")
                    if type(entity) is dict:
                        return last[2], entity
            target, entity = self._route(conn, msg, flow_hint, cache)
            cache[None] = (msg["header"], msg["body"]["xdmMeta"], target)
            return target, entity
        return self._route(conn, msg, flow_hint, cache)

    def _route(self, conn: Connection, msg: Any, flow_hint: str | None, cache: dict) -> tuple[Target, dict]:
        if not isinstance(msg, dict):
            raise MessageRejected(f"Message must be a JSON object, found {type(msg).__name__}. {HEADER_MANDATORY}")
        header = msg.get("header")
        if not isinstance(header, dict):
            raise MessageRejected(HEADER_MANDATORY)
        if "msgType" in header or "xdmSchema" in header:
            raise MessageRejected("Message has unknown xdm format")
        schema_ref = header.get("schemaRef")
        if not isinstance(schema_ref, dict) or not isinstance(schema_ref.get("id"), str) or not schema_ref["id"]:
            raise MessageRejected("Message has unknown xdm format: 'header.schemaRef.id' is mandatory")
        org = header.get("imsOrgId")
        if org is not None and org != conn.org_id:
            raise MessageRejected("Message has an absent or wrong ims org in the header")
        flow_id = header.get("flowId") or flow_hint
        if flow_id is not None and not isinstance(flow_id, str):
            raise MessageRejected("'header.flowId' must be a string", title=FLOW_TITLE)
        dataset_id = header.get("datasetId")
        if not isinstance(dataset_id, str) or not dataset_id:
            raise MessageRejected("The 'header.datasetId' field is mandatory. Provide a valid 'datasetId' value "
                                  "and try again.")
        source = header.get("source")
        if source is not None and (not isinstance(source, dict) or not isinstance(source.get("name", ""), str)):
            raise MessageRejected("'header.source' must be an object with a string 'name'")
        body = msg.get("body")
        if not isinstance(body, dict):
            raise MessageRejected(BODY_MANDATORY)
        meta = body.get("xdmMeta")
        if not isinstance(meta, dict) or not isinstance(meta.get("schemaRef"), dict):
            raise MessageRejected("The 'body.xdmMeta.schemaRef' field is mandatory. Provide a valid 'xdmMeta' "
                                  "value and try again.")
        meta_id = meta["schemaRef"].get("id")
        if meta_id != schema_ref["id"]:
            raise MessageRejected(f"'body.xdmMeta.schemaRef.id' [{meta_id}] does not match 'header.schemaRef.id' "
                                  f"[{schema_ref['id']}]")
        entity = body.get("xdmEntity")
        if not isinstance(entity, dict):
            raise MessageRejected("The 'body.xdmEntity' field is mandatory and must be a JSON object. Provide a "
                                  "valid 'xdmEntity' value and try again.")
        key = dataset_id
        target = cache.get(key)
        if target is None:
            try:
                target = self.lookups.target(conn.org_id, conn.sandbox, dataset_id)
            except TargetError as exc:
                target = exc
            cache[key] = target
        if isinstance(target, TargetError):
            raise MessageRejected(str(target))
        if schema_ref["id"] != target.schema_id:
            raise MessageRejected(f"Schema [{schema_ref['id']}] in the header does not match the schema "
                                  f"[{target.schema_id}] of dataset [{dataset_id}]")
        self._check_flow(conn, flow_id, dataset_id)
        return target, entity

    def _check_flow(self, conn: Connection, flow_id: str | None, dataset_id: str) -> None:
        """The dataflow rules (streaming-ingestion.yaml: ``messageHeader.required`` includes ``flowId``).

        A Flow Service streaming connection takes a message only through one of its own dataflows, and that
        dataflow must write to the message's dataset; ``accept_missing_flow_id`` (the 2020 leniency) lets a
        message without a flow id through. A legacy inlet (``/data/core/edge/inlet``) has no dataflows and
        keeps its 2020 behaviour: no flow id needed, and none of its own to name."""
        if conn.legacy_inlet:
            if flow_id:
                raise MessageRejected(f"Dataflow [{flow_id}] is not a dataflow of this streaming connection "
                                      "(a legacy data inlet has no dataflows: send without a flowId)",
                                      title=FLOW_TITLE)
            return
        if not flow_id:
            if self.accept_missing_flow_id:
                return
            known = (f"this connection's dataflows: {', '.join(sorted(conn.flows))}" if conn.flows else
                     "this connection has no dataflow yet: create a source connection, a target connection to "
                     "the dataset and a dataflow joining them (Flow Service)")
            raise MessageRejected("The 'flowId' field is mandatory. Provide a valid 'flowId' value (header.flowId, "
                                  f"or the x-adobe-flow-id header) and try again; {known}", title=FLOW_TITLE)
        if flow_id not in conn.flows:
            raise MessageRejected(f"Dataflow [{flow_id}] is not an enabled dataflow of this streaming connection",
                                  title=FLOW_TITLE)
        flow_dataset = conn.flows[flow_id]
        if flow_dataset and flow_dataset != dataset_id:
            raise MessageRejected(f"Dataflow [{flow_id}] writes to dataset [{flow_dataset}], not to the message's "
                                  f"dataset [{dataset_id}]", title=FLOW_TITLE)

    # --- the write path --------------------------------------------------------------------------

    async def ingest(self, conn: Connection, items: list[tuple[Target, dict] | Outcome], received_ms: int,
                     xaction_ids: list[str]) -> list[Outcome]:
        """Validate, persist (one transaction, on the writer thread) and index the routed messages.

        ``items``: per message either (target, entity) or an ``Outcome`` already decided (refused).
        Returns one Outcome per message, in order, once everything acknowledged is committed.
        """
        prep = self.prepare(conn, items, received_ms, xaction_ids)
        lake = self.lake
        if prep.rows:
            try:
                await lake.run(lake.commit, prep.rows, prep.ranges, prep.deltas)
            except Exception:
                lake.release(prep.deltas)
                raise
        if prep.profile_ops:
            await self.profiles.wait_ready()
        close = self.finish(conn, prep, received_ms)
        if close:  # a batch reached its size: closed before this answer goes out
            await lake.run(lake.close, close)
        return prep.outcomes

    def prepare(self, conn: Connection, items: list, received_ms: int, xaction_ids: list[str]) -> Prepared:
        """Validation, rows, seq numbers and batch counters (event-loop thread, nothing written yet)."""
        lake = self.lake
        outcomes: list[Outcome] = []
        append_outcome = outcomes.append
        rows: list[tuple] = []
        append_row = rows.append
        deltas: dict[str, BatchDelta] = {}  # dataset id -> what this request adds to its open batch
        ranges: dict[str, list[int]] = {}  # batch id -> [first seq, last seq]
        profile_ops: list[tuple] = []
        seq = lake.next_seq
        org, sandbox = conn.org_id, conn.sandbox
        dumps = orjson.dumps
        for i, item in enumerate(items):
            if type(item) is Outcome:
                append_outcome(item)
                continue
            target, entity = item
            dataset_id = target.dataset_id
            d = deltas.get(dataset_id)
            if d is None:
                d = deltas[dataset_id] = BatchDelta(lake.batch_for(org, sandbox, dataset_id))
                ranges[d.batch.id] = [seq, seq]
            batch = d.batch
            batch_id = batch.id
            ranges[batch_id][1] = seq
            raw = dumps(entity)
            d.size += len(raw)
            violations = target.validate(entity)
            if violations:
                errors = dumps([{"pointer": getattr(v, "pointer", "#"), "keyword": getattr(v, "keyword", ""),
                                 "message": getattr(v, "message", str(v)), "path": getattr(v, "json_path", "")}
                                for v in violations[:5]])
                append_row((seq, batch_id, dataset_id, xaction_ids[i], received_ms, 0, KIND_NONE, None,
                            None, None, None, raw, errors))
                d.failed += 1
                if batch.samples + len(d.errors) < MAX_ERROR_SAMPLES:
                    # rows: position among this request's messages for the batch (absolute at COMMIT)
                    d.errors.append({"code": "XDM-VALIDATION", "description": violations_text(violations),
                                     "rows": [d.records + d.failed], "xactionId": xaction_ids[i]})
                append_outcome(Outcome(ok=True, violations=violations, seq=seq))
            else:
                kind = KIND_NONE
                idents_raw = event_id = ts = event_type = None
                if target.profile:
                    idents = target.identities(entity)
                    if idents:
                        idents_raw = dumps(idents)
                        if target.is_event:
                            kind = KIND_EVENT
                            event_id = entity.get("_id")
                            ts = _ts_ms(entity.get("timestamp"))
                            event_type = entity.get("eventType")
                            if type(event_type) is not str:
                                event_type = None
                            profile_ops.append((KIND_EVENT, seq, idents, None, dataset_id, batch_id,
                                                event_id, ts, event_type))
                        else:
                            kind = KIND_RECORD
                            profile_ops.append((KIND_RECORD, seq, idents, None, dataset_id, batch_id,
                                                None, None, None))
                append_row((seq, batch_id, dataset_id, xaction_ids[i], received_ms, 1, kind, idents_raw,
                            event_id, ts, event_type, raw, None))
                d.records += 1
                append_outcome(ACCEPTED)
            seq += 1
        touched = list(deltas.values())
        lake.reserve(touched)
        lake.next_seq = seq
        return Prepared(outcomes, rows, [(bid, r[0], r[1]) for bid, r in ranges.items()], touched, profile_ops)

    def finish(self, conn: Connection, prep: Prepared, received_ms: int) -> list:
        """After COMMIT: the Profile index (write-through); returns the batches to close (those that
        reached their size, and any other due one)."""
        space = None
        for op in prep.profile_ops:
            if space is None:
                space = self.profiles.space(conn.org_id, conn.sandbox)
            kind, s, idents, _entity, dataset_id, batch_id, event_id, ts, event_type = op
            if kind == KIND_RECORD:
                space.apply_record(s, idents, None, dataset_id, batch_id, received_ms)
            else:
                space.apply_event(s, idents, event_id, ts, dataset_id, batch_id, received_ms, event_type)
        if any(d.batch.records + d.batch.failed >= self.lake.max_records for d in prep.deltas):
            return self.lake.due()
        return []


def now() -> int:
    return now_ms()
