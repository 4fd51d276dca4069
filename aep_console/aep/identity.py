"""Identity Service namespaces (``/data/core/idnamespace/identities``)."""

from __future__ import annotations

from typing import Any

from .base import ServiceClient, enc, parse
from .errors import NotFoundError
from .models import Namespace

ID_TYPES = ("Cookie", "Cross_device", "Device", "Email", "Mobile", "Non_people", "Phone")


class IdentityClient(ServiceClient):
    base_path = "/data/core/idnamespace"

    async def list_namespaces(self) -> list[Namespace]:
        body = await self._get_json(self.p("/identities"))
        rows = body if isinstance(body, list) else (body or {}).get("items", [])
        return [parse(Namespace, r) for r in rows if isinstance(r, dict)]

    async def get_namespace(self, namespace_id: int | str) -> Namespace:
        return parse(Namespace, await self._get_json(self.p(f"/identities/{enc(str(namespace_id))}")))

    async def find_namespace(self, code: str) -> Namespace | None:
        """By code, case-insensitively (docs write ``email``/``Email``, ``ECID``/``ecid``)."""
        code_l = code.lower()
        return next((n for n in await self.list_namespaces() if n.code.lower() == code_l), None)

    async def require_namespace(self, code: str) -> Namespace:
        found = await self.find_namespace(code)
        if found is None:
            raise NotFoundError(f"identity namespace {code!r} does not exist in this sandbox", status=404)
        return found

    async def create_namespace(self, code: str, name: str | None = None, *, id_type: str = "Cross_device",
                               description: str | None = None) -> Namespace:
        """``POST /identities`` (409 when the code exists). Looked up by code before any retry."""
        if id_type not in ID_TYPES:
            raise ValueError(f"id_type {id_type!r} is not one of {', '.join(ID_TYPES)}")
        body: dict[str, Any] = {"name": name or code, "code": code, "idType": id_type}
        if description:
            body["description"] = description
        return await self.t.create("POST", "platform", self.p("/identities"), json=body,
                                   parse=lambda r: parse(Namespace, r.json()),
                                   lookup=lambda: self.find_namespace(code))
