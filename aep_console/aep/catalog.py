"""Catalog (``/data/foundation/catalog``): datasets and batches.

Answers are keyed by id (``{"<id>": {...}}``); a dataset create answers ``["@/dataSets/<id>"]``
(legacy: ``@/datasets/``), with the id also in the ``Location`` header.
"""

from __future__ import annotations

import re
from typing import Any

from .base import ServiceClient, enc, keyed, parse
from .errors import AEPError, NotFoundError
from .models import Batch, Dataset, SchemaRef
from .transport import Reply

_REF = re.compile(r"@?/?data[sS]ets/([^/\"?\s]+)")
ENABLED = "enabled:true"


def dataset_id_from_create(reply: Reply) -> str:
    body = reply.json()
    candidates: list[str] = []
    if isinstance(body, list):
        candidates += [str(x) for x in body]
    elif isinstance(body, dict):
        candidates += [str(body.get("id", ""))] + [str(k) for k in body]
    candidates.append(reply.headers.get("location", ""))
    for cand in candidates:
        m = _REF.search(cand)
        if m:
            return m.group(1)
    if isinstance(body, dict) and body.get("id"):
        return str(body["id"])
    raise AEPError(f"dataset create answered HTTP {reply.status} without a dataset id", status=reply.status)


class CatalogClient(ServiceClient):
    base_path = "/data/foundation/catalog"

    # --- datasets -----------------------------------------------------------------------------------

    async def create_dataset(
        self, name: str, schema_id: str, *, description: str | None = None, profile: bool = False,
        identity: bool | None = None, content_type: str = "application/vnd.adobe.xed-full+json;version=1",
        tags: dict[str, list[str]] | None = None, extra: dict[str, Any] | None = None,
    ) -> str:
        """Create a dataset; returns its id. ``profile=True`` sets both ``unifiedProfile`` and
        ``unifiedIdentity`` (AdobeDocs/experience-platform.en#109). Looked up by name before a retry."""
        body: dict[str, Any] = {"name": name, "schemaRef": {"id": schema_id, "contentType": content_type}}
        if description:
            body["description"] = description
        all_tags = dict(tags or {})
        if profile:
            all_tags.setdefault("unifiedProfile", [ENABLED])
        if identity or (identity is None and profile):
            all_tags.setdefault("unifiedIdentity", [ENABLED])
        if all_tags:
            body["tags"] = all_tags
        body.update(extra or {})

        async def lookup() -> str | None:
            found = await self.find_dataset(name)
            return found.id if found else None

        return await self.t.create("POST", "platform", self.p("/dataSets"), json=body,
                                   parse=dataset_id_from_create, lookup=lookup)

    async def get_dataset(self, dataset_id: str) -> Dataset:
        rows = keyed(await self._get_json(self.p(f"/dataSets/{enc(dataset_id)}")))
        if not rows:
            raise NotFoundError(f"dataset {dataset_id!r} not found", status=404)
        key, obj = next(((k, v) for k, v in rows if k == dataset_id), rows[0])
        return parse(Dataset, {**obj, "id": key})

    async def list_datasets(self, *, limit: int | None = 100, start: int | None = None,
                            name: str | None = None, order_by: str | None = None,
                            properties: list[str] | None = None, **filters: Any) -> list[Dataset]:
        params = {"limit": limit, "start": start, "name": name, "orderBy": order_by,
                  "properties": properties, **filters}
        body = await self._get_json(self.p("/dataSets"), params=params)
        return [parse(Dataset, {**obj, "id": key}) for key, obj in keyed(body)]

    async def find_dataset(self, name: str) -> Dataset | None:
        return next((d for d in await self.list_datasets(name=name) if d.name == name), None)

    async def patch_dataset(self, dataset_id: str, changes: dict[str, Any]) -> list[str]:
        """Catalog PATCH merges the given fields (idempotent); answers ``["@/dataSets/<id>"]``."""
        reply = await self.t.request("PATCH", "platform", self.p(f"/dataSets/{enc(dataset_id)}"),
                                     json=changes, idempotent=True)
        body = reply.json()
        return body if isinstance(body, list) else []

    async def enable_for_profile(self, dataset_id: str) -> list[str]:
        return await self.patch_dataset(
            dataset_id, {"tags": {"unifiedProfile": [ENABLED], "unifiedIdentity": [ENABLED]}})

    async def delete_dataset(self, dataset_id: str) -> None:
        await self.t.request("DELETE", "platform", self.p(f"/dataSets/{enc(dataset_id)}"))

    # --- batches ----------------------------------------------------------------------------------

    async def list_batches(self, *, dataset_id: str | None = None, limit: int | None = 100,
                           start: int | None = None, order_by: str | None = "desc:created",
                           status: str | None = None, **filters: Any) -> list[Batch]:
        params = {"dataSet": dataset_id, "limit": limit, "start": start, "orderBy": order_by,
                  "status": status, **filters}
        body = await self._get_json(self.p("/batches"), params=params)
        return [parse(Batch, {**obj, "id": key}) for key, obj in keyed(body)]

    async def get_batch(self, batch_id: str) -> Batch:
        rows = keyed(await self._get_json(self.p(f"/batches/{enc(batch_id)}")))
        if not rows:
            raise NotFoundError(f"batch {batch_id!r} not found", status=404)
        key, obj = next(((k, v) for k, v in rows if k == batch_id), rows[0])
        return parse(Batch, {**obj, "id": key})


__all__ = ["CatalogClient", "SchemaRef", "dataset_id_from_create"]
