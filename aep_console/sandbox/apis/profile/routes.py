"""Real-Time Customer Profile API (``https://platform.adobe.io/data/core/ups``, here
``/platform/data/core/ups``): merge policies, ``/access/entities`` (GET, POST and DELETE) and
``/config/eventTypes`` (../shared/docs/aep-api.md §7).

Error bodies as documented: 404 ``{"statusCode": "404", ...}``; 400/422
``{"message": "UPS-…", "cause": "…", "statusCode": "422"}``; 429 ``[{"message": "Too many requests",
"cause", "retryAfterMs", "statusCode": "429"}]``.
"""

from __future__ import annotations

import asyncio
import heapq
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...http.errors import ApiError
from ...http.gateway import platform_context, read_json
from .index import default_merge_policy, filter_fields, iso, too_many_identities

if TYPE_CHECKING:
    from ...server.state import SandboxServices

PROFILE = "_xdm.context.profile"
EVENT = "_xdm.context.experienceevent"
DEFAULT_LIMIT = 1000


def ups_error(status: int, code: str, message: str, cause: str = "") -> ApiError:
    return ApiError(status, {"message": f"{code}: {message}", "cause": cause or message, "statusCode": str(status)})


def not_found(message: str) -> ApiError:
    return ApiError(404, {"statusCode": "404", "message": message})


UNKNOWN_MERGE_POLICY = "UPLIB-101221-404"


def unknown_merge_policy(policy_id: str, sandbox: str, known: list[str]) -> ApiError:
    """AEP's answer to an unknown ``mergePolicyId`` (aep-api.md §12 #9): 422 with the problem type
    ``…/UPLIB-101221-404``, in the ``ResponseErrorContext`` shape (message, cause, statusCode)."""
    message = f"Merge policy [{policy_id}] not found in sandbox [{sandbox}]"
    return ApiError(422, {"type": f"http://ns.adobe.com/aep/errors/{UNKNOWN_MERGE_POLICY}", "status": 422,
                          "title": "Merge policy not found", "message": f"{UNKNOWN_MERGE_POLICY}: {message}",
                          "cause": f"Known merge policies of sandbox [{sandbox}]: {', '.join(known)}",
                          "statusCode": "422"})


def _json(body: Any, status: int = 200) -> Response:
    import orjson

    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


class UpsApi:
    def __init__(self, state) -> None:
        self.state = state

    async def _ctx(self, request: Request):
        ctx = await platform_context(request)
        await self.state.profiles.wait_ready()
        faults = self.state.faults
        if faults.applies("ups"):
            mode = faults.draw()  # decided at arrival, before any injected latency
            retry = str(faults.retry_after)
            retry_ms = str(faults.retry_after * 1000)
            if faults.latency_ms:
                await asyncio.sleep(faults.latency_ms / 1000)
            if mode == "error429":
                raise ApiError(429, [{"message": "Too many requests", "cause": "{\"Errors\":[\"Request rate is large\"]}",
                                      "retryAfterMs": retry_ms, "statusCode": "429"}],
                               headers={"Retry-After": retry})
            if mode == "error503":
                raise ApiError(503, {"message": "Service Unavailable", "cause": "Injected fault",
                                     "statusCode": "503"}, headers={"Retry-After": retry})
            if mode in ("error500", "drop"):
                raise ApiError(500, {"message": "Unable to connect to server", "cause": "Injected fault",
                                     "statusCode": "500"})
        return ctx

    # --- merge policies ----------------------------------------------------------------------------

    async def merge_policies(self, request: Request) -> Response:
        ctx = await self._ctx(request)
        policies = [default_merge_policy(ctx.org_id, ctx.sandbox)]
        name = request.query_params.get("schema.name")
        if name and name != PROFILE:
            policies = []
        if request.query_params.get("default", "").lower() == "false":
            policies = [p for p in policies if not p["default"]]
        return _json({"_page": {"totalCount": len(policies), "pageSize": len(policies), "count": len(policies),
                                "next": ""}, "children": policies, "_links": {"next": {"href": ""}}})

    async def merge_policy(self, request: Request) -> Response:
        ctx = await self._ctx(request)
        policy = default_merge_policy(ctx.org_id, ctx.sandbox)
        if request.path_params["policy_id"] != policy["id"]:
            raise not_found(f"Merge policy [{request.path_params['policy_id']}] not found")
        return _json(policy)

    def _policy(self, ctx, policy_id: str | None) -> dict:
        policy = default_merge_policy(ctx.org_id, ctx.sandbox)
        if policy_id and policy_id != policy["id"]:
            raise unknown_merge_policy(policy_id, ctx.sandbox, [policy["id"]])
        return policy

    # --- entities ----------------------------------------------------------------------------------

    async def get_entities(self, request: Request) -> Response:
        ctx = await self._ctx(request)
        q = request.query_params
        schema = q.get("schema.name")
        if not schema:
            raise ups_error(400, "UPS-ACC-1000001", "Query parameter 'schema.name' is required",
                            f"use schema.name={PROFILE} or schema.name={EVENT}")
        fields = [f for f in q.get("fields", "").split(",") if f.strip()] or None
        policy = self._policy(ctx, q.get("mergePolicyId"))
        space = self.state.profiles.space(ctx.org_id, ctx.sandbox)
        if schema == PROFILE:
            entity_id = q.get("entityId")
            if not entity_id:
                raise ups_error(400, "UPS-ACC-1000002", "Query parameter 'entityId' is required",
                                "give entityId (an XID, or an identity value together with entityIdNS)")
            ns = q.get("entityIdNS")
            prof = space.find(entity_id, ns)
            if prof is None:
                raise not_found(f"No profile with entityId [{entity_id}]"
                                + (f" in namespace [{ns}]" if ns else " (read as an XID: no entityIdNS given)"))
            if too_many_identities(prof):
                raise ups_error(422, "UPS-ACC-1000010", "Too many related identities",
                                f"the identity graph of [{entity_id}] links {len(prof.identities)} identities (max 50)")
            return _json({prof.xid: self.state.profiles.entity_doc(space, prof, fields, policy)})
        if schema == EVENT:
            return _json(self._events(ctx, q, space, fields))
        raise ups_error(422, "UPS-ACC-1000003", f"schema.name [{schema}] is not supported",
                        f"supported: {PROFILE}, {EVENT}")

    async def delete_entities(self, request: Request) -> Response:
        """Delete a profile entity (profile.yaml ``deleteEntity``): 202 Accepted, then the entity is gone."""
        ctx = await self._ctx(request)
        q = request.query_params
        schema = q.get("schema.name")
        if schema != PROFILE:
            raise ups_error(400, "UPS-ACC-1000001", f"Query parameter 'schema.name' must be {PROFILE}",
                            f"only {PROFILE} entities can be deleted, found {schema!r}")
        entity_id = q.get("entityId")
        if not entity_id:
            raise ups_error(400, "UPS-ACC-1000002", "Query parameter 'entityId' is required",
                            "give entityId (an XID, or an identity value together with entityIdNS)")
        self._policy(ctx, q.get("mergePolicyId"))
        space = self.state.profiles.space(ctx.org_id, ctx.sandbox)
        prof = space.find(entity_id, q.get("entityIdNS"))
        if prof is None:
            raise not_found(f"No profile with entityId [{entity_id}]")
        await self.state.profiles.delete_profile(space, prof)
        return Response(status_code=202)

    def _events(self, ctx, q, space, fields) -> dict:
        related = q.get("relatedSchema.name")
        if related is not None and related != PROFILE:
            raise ups_error(422, "UPS-ACC-1000004", f"relatedSchema.name [{related}] is not supported",
                            f"experience events are related to {PROFILE}")
        entity_id = q.get("relatedEntityId") or q.get("entityId")
        ns = q.get("relatedEntityIdNS") or q.get("entityIdNS")
        if not entity_id:
            raise ups_error(400, "UPS-ACC-1000002", "Query parameter 'relatedEntityId' is required",
                            "give relatedEntityId (and relatedEntityIdNS unless it is an XID)")
        start_time = _number(q, "startTime")
        end_time = _number(q, "endTime")
        limit = _number(q, "limit")
        if limit is not None and (limit != int(limit) or not 1 <= limit <= 1_000_000):
            raise ups_error(400, "UPS-ACC-1000005", f"'limit' must be a whole number from 1, found {q.get('limit')}")
        limit = DEFAULT_LIMIT if limit is None else int(limit)
        orderby = (q.get("orderby") or q.get("orderBy") or "+timestamp").strip().replace(" ", "+")
        if orderby not in ("timestamp", "+timestamp", "-timestamp"):
            raise ups_error(400, "UPS-ACC-1000006", f"'orderby' must be +timestamp or -timestamp, found {orderby}")
        descending = orderby == "-timestamp"
        prof = space.find(entity_id, ns)
        if prof is None:
            raise not_found(f"No profile with entityId [{entity_id}]" + (f" in namespace [{ns}]" if ns else ""))
        page, next_id = self._event_page(prof, start_time, end_time, limit, descending, q.get("start"), fields)
        href = ""
        if next_id:
            params = {"start": next_id, "orderby": "-timestamp" if descending else "timestamp",
                      "schema.name": EVENT, "relatedSchema.name": PROFILE, "relatedEntityId": entity_id,
                      "limit": str(limit)}
            if ns:
                params["relatedEntityIdNS"] = ns
            for key in ("startTime", "endTime", "fields", "mergePolicyId"):
                if q.get(key):
                    params[key] = q[key]
            href = "/entities?" + urlencode(params)
        return {**page, "_links": {"next": {"href": href}}}

    def _event_page(self, prof, start_time, end_time, limit: int, descending: bool, start: str | None,
                    fields: list[str] | None) -> tuple[dict, str]:
        """One page of a profile's events: ({"_page", "children"}, id of the next page's first event or "")."""
        every = prof.events or {}
        if start_time is None and end_time is None and not start and (limit + 1) * 4 < len(every):
            # the first page of a big profile: its limit + 1 first events, without sorting them all
            pick = heapq.nlargest if descending else heapq.nsmallest
            events = pick(limit + 1, ((ts, eid, seq) for eid, (ts, seq) in every.items()))
        else:
            if start_time is None and end_time is None:
                events = self.state.profiles.events_of(prof)
            else:  # the time filter first, then the sort: a window of a big profile sorts only its own events
                lo = float("-inf") if start_time is None else start_time
                hi = float("inf") if end_time is None else end_time
                events = sorted((ts, eid, seq) for eid, (ts, seq) in every.items() if lo <= ts < hi)
            if descending:
                events.reverse()
        if start:
            pos = next((i for i, e in enumerate(events) if e[1] == start), None)
            if pos is None:
                raise ups_error(400, "UPS-ACC-1000007", f"'start' [{start}] is not an event of this page sequence")
            events = events[pos:]
        page, rest = events[:limit], events[limit:]
        # without `fields`, each stored entity goes out as the JSON it is stored as (no parse, no re-dump)
        rows = (self.state.lake.event_rows if fields else _raw_event_rows(self.state.lake))([e[2] for e in page])
        children = []
        stamps: dict[int, str] = {}  # rows of one batch share their received time
        xid = prof.xid
        for ts, eid, seq in page:
            received, entity = rows.get(seq, (ts, {}))
            if fields:
                entity = filter_fields(entity, fields)
            stamp = stamps.get(received)
            if stamp is None:
                stamp = stamps[received] = iso(received)
            children.append({"relatedEntityId": xid, "entityId": eid, "timestamp": ts, "entity": entity,
                             "lastModifiedAt": stamp})
        next_id = rest[0][1] if rest else ""
        return ({"_page": {"orderby": "-timestamp" if descending else "timestamp",
                           "start": page[0][1] if page else "", "count": len(children), "next": next_id},
                 "children": children}, next_id)

    def _post_events(self, ctx, body: dict, space, fields) -> dict:
        """POST form for events of several profiles (shape UNCONFIRMED in ../shared docs): keyed by the
        profile's XID, each a page as the GET form answers; ``_links.next.payload`` is the body for the next
        page of that profile."""
        related = body.get("relatedSchema")
        if related is not None and (not isinstance(related, dict) or related.get("name") != PROFILE):
            raise ups_error(422, "UPS-ACC-1000004", "relatedSchema.name must be _xdm.context.profile",
                            f"found {related!r}")
        tf = body.get("timeFilter") or {}
        if not isinstance(tf, dict):
            raise ups_error(400, "UPS-ACC-1000005", "'timeFilter' must be an object with startTime/endTime (ms)")
        bounds = []
        for key in ("startTime", "endTime"):
            v = tf.get(key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                raise ups_error(400, "UPS-ACC-1000005", f"'timeFilter.{key}' must be a number (ms), found {v!r}")
            bounds.append(v)
        limit = body.get("limit", DEFAULT_LIMIT)
        if isinstance(limit, bool) or not isinstance(limit, int | float) or limit != int(limit) or limit < 1:
            raise ups_error(400, "UPS-ACC-1000005", f"'limit' must be a whole number from 1, found {limit!r}")
        orderby = str(body.get("orderby") or body.get("orderBy") or "+timestamp").strip()
        if orderby not in ("timestamp", "+timestamp", "-timestamp"):
            raise ups_error(400, "UPS-ACC-1000006", f"'orderby' must be +timestamp or -timestamp, found {orderby}")
        descending = orderby == "-timestamp"
        out: dict[str, Any] = {}
        for i, item in enumerate(body.get("identities") or []):
            if not isinstance(item, dict):
                raise ups_error(400, "UPS-ACC-1000002", f"identities[{i}] must be an object")
            entity_id = item.get("relatedEntityId") or item.get("entityId")
            ns_obj = item.get("relatedEntityIdNS") or item.get("entityIdNS")
            ns = ns_obj.get("code") if isinstance(ns_obj, dict) else ns_obj
            if not isinstance(entity_id, str) or (ns is not None and not isinstance(ns, str)):
                raise ups_error(400, "UPS-ACC-1000002",
                                f"identities[{i}] needs a string relatedEntityId (and relatedEntityIdNS.code)")
            prof = space.find(entity_id, ns)
            if prof is None:
                continue
            page, next_id = self._event_page(prof, bounds[0], bounds[1], int(limit), descending,
                                             item.get("start") if isinstance(item.get("start"), str) else None,
                                             fields)
            payload = ""
            if next_id:
                payload = {**body, "identities": [{**item, "start": next_id}]}
            out[prof.xid] = {**page, "_links": {"next": {"href": "/entities" if next_id else "",
                                                         **({"payload": payload} if payload else {})}}}
        if not out:
            raise not_found("None of the requested identities has a profile")
        return out

    async def post_entities(self, request: Request) -> Response:
        ctx = await self._ctx(request)
        body = await read_json(request, lambda m: ups_error(400, "UPS-ACC-1000000", m), expect=dict)
        schema = (body.get("schema") or {}).get("name") if isinstance(body.get("schema"), dict) else None
        if schema not in (PROFILE, EVENT):
            raise ups_error(400, "UPS-ACC-1000001",
                            f"'schema.name' is required and must be {PROFILE} or {EVENT}", f"found {schema!r}")
        identities = body.get("identities")
        if not isinstance(identities, list) or not identities:
            raise ups_error(400, "UPS-ACC-1000002", "'identities' must be a non-empty array",
                            "each item: {\"entityId\": …, \"entityIdNS\": {\"code\": …}}")
        fields = body.get("fields")
        if fields is not None and (not isinstance(fields, list) or not all(isinstance(f, str) for f in fields)):
            raise ups_error(400, "UPS-ACC-1000008", "'fields' must be an array of strings")
        policy = self._policy(ctx, body.get("mergePolicyId"))
        space = self.state.profiles.space(ctx.org_id, ctx.sandbox)
        if schema == EVENT:
            return _json(self._post_events(ctx, body, space, fields))
        out: dict[str, Any] = {}
        for i, item in enumerate(identities):
            if not isinstance(item, dict) or not isinstance(item.get("entityId"), str):
                raise ups_error(400, "UPS-ACC-1000002", f"identities[{i}].entityId must be a string")
            ns_obj = item.get("entityIdNS")
            ns = ns_obj.get("code") if isinstance(ns_obj, dict) else ns_obj
            if ns is not None and not isinstance(ns, str):
                raise ups_error(400, "UPS-ACC-1000002", f"identities[{i}].entityIdNS.code must be a string")
            prof = space.find(item["entityId"], ns)
            if prof is None:
                continue
            requested = {"entityId": item["entityId"]}
            if ns:
                requested["entityIdNS"] = {"code": ns}
            out[prof.xid] = self.state.profiles.entity_doc(space, prof, fields, policy, requested)
        if not out:
            raise not_found("None of the requested identities has a profile")
        return _json(out)

    async def event_types(self, request: Request) -> Response:
        ctx = await self._ctx(request)
        space = self.state.profiles.space(ctx.org_id, ctx.sandbox)
        children = [{"eventType": name, "count": count} for name, count in sorted(space.event_types.items())]
        return _json({"_page": {"count": len(children)}, "children": children})


def _raw_event_rows(lake):
    """Like ``lake.event_rows``, with each entity as an ``orjson.Fragment`` of its stored JSON."""
    import orjson

    def rows(seqs: list[int]) -> dict[int, tuple[int, Any]]:
        out: dict[int, tuple[int, Any]] = {}
        fragment = orjson.Fragment
        for start in range(0, len(seqs), 500):
            chunk = seqs[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for seq, received, entity in lake.store.query(
                    f"SELECT seq, received, entity FROM dl_records WHERE seq IN ({marks})", chunk):
                out[seq] = (received, fragment(entity))
        return out

    return rows


def _number(q, key: str) -> float | None:
    raw = q.get(key)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        raise ups_error(400, "UPS-ACC-1000005", f"'{key}' must be a number, found {raw!r}")
    return value


def routes(services: SandboxServices) -> list[Route]:
    state = services.ingestion
    api = UpsApi(state)
    return [
        Route("/config/mergePolicies", api.merge_policies, methods=["GET"]),
        Route("/config/mergePolicies/{policy_id}", api.merge_policy, methods=["GET"]),
        Route("/config/eventTypes", api.event_types, methods=["GET"]),
        Route("/access/entities", api.get_entities, methods=["GET"]),
        Route("/access/entities", api.post_entities, methods=["POST"]),
        Route("/access/entities", api.delete_entities, methods=["DELETE"]),
    ]
