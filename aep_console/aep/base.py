"""Small helpers shared by the service clients."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from .errors import UnexpectedResponse
from .transport import Reply, Transport

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any) -> M:
    """Validate an answer into ``model``; a shape AEP did not document raises ``UnexpectedResponse``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors()[:5])
        raise UnexpectedResponse(f"the answer is not a valid {model.__name__}: {problems}") from None


def enc(value: str) -> str:
    """Percent-encode one path segment (schema ``$id`` URLs included)."""
    return quote(str(value), safe="")


def keyed(body: Any) -> list[tuple[str, dict[str, Any]]]:
    """Catalog/UPS answers keyed by id: ``{"<id>": {...}, …}`` → ``[(id, obj), …]``
    (skipping paging keys such as ``_page``/``_links``)."""
    if not isinstance(body, dict):
        return []
    return [(k, v) for k, v in body.items() if isinstance(v, dict) and not k.startswith("_")]


def items(body: Any) -> list[dict[str, Any]]:
    """Flow Service answers ``{"items": [...]}`` (or a bare list)."""
    if isinstance(body, list):
        return [b for b in body if isinstance(b, dict)]
    if isinstance(body, dict):
        found = body.get("items", body.get("data", body.get("children")))
        if isinstance(found, list):
            return [b for b in found if isinstance(b, dict)]
    return []


class ServiceClient:
    """Base of the per-service clients: a transport and a base path on one host."""

    service = "platform"
    base_path = ""

    def __init__(self, transport: Transport) -> None:
        self.t = transport

    def p(self, tail: str) -> str:
        return self.base_path + tail

    async def _get(self, path: str, **kwargs: Any) -> Reply:
        return await self.t.request("GET", self.service, path, **kwargs)

    async def _get_json(self, path: str, **kwargs: Any) -> Any:
        return (await self._get(path, **kwargs)).json()
