"""Real-Time Customer Profile access (``/data/core/ups``): entities and merge policies.

Event look-ups need Real-Time CDP Ultimate on real AEP (deprecated in the 2026 spec): treat them
as optional — callers should expect ``ForbiddenError``/``NotFoundError`` there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from .base import ServiceClient, keyed, parse
from .errors import NotFoundError
from .models import EventItem, EventPage, MergePolicy, ProfileEntity

PROFILE_SCHEMA = "_xdm.context.profile"
EVENT_SCHEMA = "_xdm.context.experienceevent"


def _entities(body: Any) -> list[ProfileEntity]:
    return [parse(ProfileEntity, {**obj, "xid": key}) for key, obj in keyed(body)]


class ProfileClient(ServiceClient):
    base_path = "/data/core/ups"

    async def get_entity(self, entity_id: str, namespace: str, *, schema_name: str = PROFILE_SCHEMA,
                         fields: list[str] | None = None, merge_policy_id: str | None = None) -> ProfileEntity:
        """A profile by one identity (``GET /access/entities?entityId=…&entityIdNS=…``)."""
        body = await self._get_json(self.p("/access/entities"), params={
            "schema.name": schema_name, "entityId": entity_id, "entityIdNS": namespace,
            "fields": fields, "mergePolicyId": merge_policy_id})
        found = _entities(body)
        if not found:
            raise NotFoundError(f"no profile for {namespace}:{entity_id}", status=404)
        return found[0]

    async def find_entity(self, entity_id: str, namespace: str, **kw: Any) -> ProfileEntity | None:
        try:
            return await self.get_entity(entity_id, namespace, **kw)
        except NotFoundError:
            return None

    async def get_entities(self, identities: list[tuple[str, str]], *, schema_name: str = PROFILE_SCHEMA,
                           fields: list[str] | None = None, merge_policy_id: str | None = None,
                           time_filter: dict[str, int] | None = None, limit: int | None = None,
                           orderby: str | None = None, with_ca: bool | None = None) -> list[ProfileEntity]:
        """The POST form: several ``(namespace, id)`` identities at once (a read: safe to retry)."""
        body: dict[str, Any] = {
            "schema": {"name": schema_name},
            "identities": [{"entityId": eid, "entityIdNS": {"code": ns}} for ns, eid in identities],
        }
        for key, value in (("fields", fields), ("mergePolicyId", merge_policy_id), ("timeFilter", time_filter),
                           ("limit", limit), ("orderby", orderby), ("withCA", with_ca)):
            if value is not None:
                body[key] = value
        reply = await self.t.request("POST", "platform", self.p("/access/entities"), json=body, idempotent=True)
        return _entities(reply.json())

    async def events_page(self, entity_id: str, namespace: str, *, schema_name: str = EVENT_SCHEMA,
                          related_schema: str = PROFILE_SCHEMA, fields: list[str] | None = None,
                          start_time: int | None = None, end_time: int | None = None, limit: int | None = None,
                          orderby: str | None = None, merge_policy_id: str | None = None) -> EventPage:
        """The first page of a profile's experience events."""
        return parse(EventPage, await self._events_body(
            entity_id, namespace, schema_name=schema_name, related_schema=related_schema, fields=fields,
            start_time=start_time, end_time=end_time, limit=limit, orderby=orderby,
            merge_policy_id=merge_policy_id) or {})

    async def next_events_page(self, page: EventPage) -> EventPage | None:
        href = page.next_href
        if not href:
            return None
        return parse(EventPage, await self._get_json(self._next_path(href)) or {})

    # plain-JSON forms (no model per event: for callers that read thousands, such as the GUI)

    async def events_page_json(self, entity_id: str, namespace: str, *, schema_name: str = EVENT_SCHEMA,
                               related_schema: str = PROFILE_SCHEMA, fields: list[str] | None = None,
                               start_time: int | None = None, end_time: int | None = None,
                               limit: int | None = None, orderby: str | None = None,
                               merge_policy_id: str | None = None) -> dict[str, Any]:
        """``events_page`` as the answer's JSON: ``{"_page", "children": [{entityId, timestamp, entity,
        …}], "_links": {"next": {"href"}}}`` (``{}`` when the body is empty)."""
        body = await self._events_body(entity_id, namespace, schema_name=schema_name, related_schema=related_schema,
                                       fields=fields, start_time=start_time, end_time=end_time, limit=limit,
                                       orderby=orderby, merge_policy_id=merge_policy_id)
        return body if isinstance(body, dict) else {}

    async def _events_body(self, entity_id: str, namespace: str, *, schema_name: str, related_schema: str,
                           fields: list[str] | None, start_time: int | None, end_time: int | None,
                           limit: int | None, orderby: str | None, merge_policy_id: str | None) -> Any:
        return await self._get_json(self.p("/access/entities"), params={
            "schema.name": schema_name, "relatedSchema.name": related_schema,
            "relatedEntityId": entity_id, "relatedEntityIdNS": namespace, "fields": fields,
            "startTime": start_time, "endTime": end_time, "limit": limit, "orderby": orderby,
            "mergePolicyId": merge_policy_id})

    async def next_events_json(self, href: str) -> dict[str, Any]:
        """The page behind a ``_links.next.href`` as JSON (see ``events_page_json``)."""
        body = await self._get_json(self._next_path(href))
        return body if isinstance(body, dict) else {}

    def _next_path(self, href: str) -> str:
        """``_links.next.href`` is relative to ``/data/core/ups/access`` (``/entities?start=…``);
        absolute URLs and full paths are accepted too (host and base path of the session are kept)."""
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(self.base_path):
            return path
        if path.startswith("/access/"):
            return self.base_path + path
        return self.base_path + "/access" + (path if path.startswith("/") else "/" + path)

    async def iter_events(self, entity_id: str, namespace: str, *, max_pages: int | None = None,
                          **kw: Any) -> AsyncIterator[EventItem]:
        """Every event, following ``_links.next`` until it is empty."""
        page: EventPage | None = await self.events_page(entity_id, namespace, **kw)
        pages, seen = 0, set()
        while page is not None:
            for child in page.children:
                yield child
            pages += 1
            href = page.next_href
            if (max_pages is not None and pages >= max_pages) or not href or href in seen:
                return
            seen.add(href)
            page = await self.next_events_page(page)

    async def list_events(self, entity_id: str, namespace: str, **kw: Any) -> list[EventItem]:
        return [e async for e in self.iter_events(entity_id, namespace, **kw)]

    # --- merge policies -------------------------------------------------------------------------

    async def list_merge_policies(self, *, default: bool | None = None, schema_name: str | None = None,
                                  limit: int | None = None) -> list[MergePolicy]:
        body = await self._get_json(self.p("/config/mergePolicies"), params={
            "default": default, "schema.name": schema_name, "limit": limit})
        rows = body.get("children", []) if isinstance(body, dict) else body or []
        return [parse(MergePolicy, r) for r in rows if isinstance(r, dict)]

    async def get_merge_policy(self, merge_policy_id: str) -> MergePolicy:
        return parse(MergePolicy, await self._get_json(self.p(f"/config/mergePolicies/{merge_policy_id}")))

    async def default_merge_policy(self, schema_name: str = PROFILE_SCHEMA) -> MergePolicy | None:
        policies = await self.list_merge_policies(default=True, schema_name=schema_name)
        return next((p for p in policies if p.default is not False), None)
