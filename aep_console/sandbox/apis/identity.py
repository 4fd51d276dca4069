"""Identity Service namespaces (``/data/core/idnamespace/identities``), per org and sandbox.

Standard namespaces are built in (read-only, ``custom: false``); custom ones are stored. Codes compare
case-insensitively (docs write ``email``/``Email``). Duplicate code or name → 409.
Numeric ids of ``Email_LC_SHA256``, ``Phone_E.164``, ``Phone_SHA256``, ``AAID`` and ``CRMID`` are
UNCONFIRMED (aep-api.md §3); ``CRMID`` is listed as standard because the issue names it.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..http.errors import bad_request, identity_error
from ..http.gateway import platform_context, read_json
from ..storage.store import now_ms

if TYPE_CHECKING:
    from ..server.state import SandboxServices

_CREATED = 1495153678000
# code, id, idType, name, description
_STANDARD = [
    ("CORE", 0, "COOKIE", "CORE", "Adobe Audience Manager (AAM) Unique User ID"),
    ("ECID", 4, "COOKIE", "ECID", "ECID Namespace"),
    ("Email", 6, "Email", "Email", "Email Namespace"),
    ("Phone", 7, "Phone", "Phone", "Phone Namespace"),
    ("WAID", 8, "COOKIE", "Windows AID", "Windows Advertising ID"),
    ("TNTID", 9, "CROSS_DEVICE", "TNTID", "Adobe Target ID"),
    ("AAID", 10, "COOKIE", "Adobe Analytics (Legacy ID)", "Adobe Analytics legacy visitor ID"),
    ("Email_LC_SHA256", 11, "Email", "Emails (SHA256, lowercased)", "SHA256 of lower-cased email"),
    ("Phone_SHA256", 12, "Phone", "Phone (SHA256)", "SHA256 of phone number"),
    ("Phone_E.164", 13, "Phone", "Phone (E.164)", "Phone number in E.164 format"),
    ("CRMID", 14, "CROSS_DEVICE", "CRMID", "CRM identifier"),
    ("AdCloud", 411, "COOKIE", "AdCloud", "Adobe AdCloud ID"),
    ("GAID", 20914, "Device", "Google Ad ID (GAID)", "Google Advertising ID"),
    ("IDFA", 20915, "Device", "Apple IDFA (ID for Advertisers)", "Apple ID for Advertisers"),
]
STANDARD_NAMESPACES = [
    {
        "updateTime": _CREATED,
        "code": c,
        "status": "ACTIVE",
        "description": d,
        "id": i,
        "createTime": _CREATED,
        "idType": t,
        "name": n,
        "custom": False,
    }
    for c, i, t, n, d in _STANDARD
]
# request spelling (case-insensitive) → the spelling of identity-service.yaml's idType enum
ID_TYPES = {
    "cookie": "COOKIE",
    "cross_device": "CROSS_DEVICE",
    "device": "Device",
    "email": "Email",
    "mobile": "MOBILE",
    "non_people": "Non_people",
    "phone": "Phone",
}
CUSTOM_ID_BASE = 10_000_000


def all_namespaces(services, org: str, sandbox: str) -> list[dict]:
    return STANDARD_NAMESPACES + services.store.list(org, sandbox, "namespace")


def find_namespace(services, org: str, sandbox: str, code_or_id) -> dict | None:
    key = str(code_or_id).lower()
    for ns in all_namespaces(services, org, sandbox):
        if ns["code"].lower() == key or str(ns["id"]) == key:
            return ns
    return None




async def list_namespaces(request: Request) -> Response:
    ctx = await platform_context(request)
    import orjson

    return Response(
        orjson.dumps(all_namespaces(request.app.state.sandbox, ctx.org_id, ctx.sandbox)),
        media_type="application/json",
    )


async def get_namespace(request: Request) -> Response:
    ctx = await platform_context(request)
    import orjson

    ns = find_namespace(request.app.state.sandbox, ctx.org_id, ctx.sandbox, request.path_params["id"])
    if ns is None:
        raise identity_error(
            404, "Not Found", f"Namespace with id or code '{request.path_params['id']}' not found"
        )
    return Response(orjson.dumps(ns), media_type="application/json")


async def create_namespace(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    body = await read_json(request, partial(bad_request, "identity"), expect=dict)
    problems = []
    for field in ("name", "code", "idType"):
        if not isinstance(body.get(field), str) or not body[field].strip():
            problems.append(f"'{field}' is required (a non-empty string)")
    if problems:
        raise bad_request("identity", "; ".join(problems))
    code, name = body["code"].strip(), body["name"].strip()
    id_type = ID_TYPES.get(body["idType"].strip().lower())
    if id_type is None:
        raise bad_request("identity",
            f"idType '{body['idType']}' is invalid; expected one of Cookie, Cross_device, Device, Email, "
            "Mobile, Non_people, Phone"
        )
    if not all(ch.isalnum() or ch in "_.-" for ch in code):
        raise bad_request("identity", f"code '{code}' may contain only letters, digits, '_', '.' and '-'")
    with services.store.transaction():
        for ns in all_namespaces(services, ctx.org_id, ctx.sandbox):
            if ns["code"].lower() == code.lower():
                raise identity_error(
                    409, "Conflict", f"A namespace with code '{ns['code']}' already exists (id {ns['id']})"
                )
            if ns["name"].lower() == name.lower():
                raise identity_error(
                    409, "Conflict", f"A namespace with name '{ns['name']}' already exists (id {ns['id']})"
                )
        ts = now_ms()
        new_id = CUSTOM_ID_BASE + services.store.count(ctx.org_id, ctx.sandbox, "namespace") + 1
        doc = {
            "updateTime": ts,
            "code": code,
            "status": "ACTIVE",
            "description": body.get("description") or "",
            "id": new_id,
            "createTime": ts,
            "idType": id_type,
            "name": name,
            "custom": True,
        }
        services.store.put(ctx.org_id, ctx.sandbox, "namespace", str(new_id), doc, name=code.lower())
    import orjson

    return Response(orjson.dumps(doc), media_type="application/json")


def routes(services: SandboxServices) -> list[Route]:
    return [
        Route("/identities", list_namespaces, methods=["GET"]),
        Route("/identities", create_namespace, methods=["POST"]),
        Route("/identities/{id}", get_namespace, methods=["GET"]),
    ]
