"""Path leniency where AEP is lenient, for every service, before routing (one rule, not per-route copies).

- A trailing slash on any collection or resource path is the same call: ``/tenant/schemas/`` is
  ``/tenant/schemas`` (Adobe's own SDK, aepp, has called the Schema Registry that way since 2020), PATCH
  ``/tenant/schemas/{id}/`` is PATCH ``/tenant/schemas/{id}``. Starlette would otherwise answer 405 or a 307
  redirect (which loses a POST's body in most clients).
- A service's root keeps its slash: ``/platform/data/foundation/catalog`` and ``…/catalog/`` are both
  the root route of its mount.
- Catalog serves ``/dataSets`` and ``/datasets`` (any case) alike, and answers ``@/dataSets/{id}``
  whatever the spelling, so both spellings are routed to ``/dataSets``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CATALOG_DATASETS = re.compile(r"^(/platform/data/foundation/catalog/)datasets(?=/|$)", re.I)


class PathLeniency:
    """ASGI middleware that rewrites ``scope["path"]`` (and ``raw_path``) to the sandbox's spelling."""

    def __init__(self, app, mounts: Iterable[str] = ()) -> None:
        self.app = app
        self.mounts = {m.rstrip("/") for m in mounts}

    def canonical(self, path: str) -> str:
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        if path in self.mounts:
            path += "/"
        m = _CATALOG_DATASETS.match(path)
        if m:
            path = m.group(1) + "dataSets" + path[m.end(0):]
        return path

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            fixed = self.canonical(path)
            if fixed != path:
                scope = dict(scope)
                scope["path"] = fixed
                scope["raw_path"] = fixed.encode()
        await self.app(scope, receive, send)
