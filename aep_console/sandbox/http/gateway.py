"""Adobe I/O gateway rules for every Platform call, and small request helpers.

``await platform_context(request)`` (or the sync ``context_from_headers``) checks, in this order:

1. ``Authorization: Bearer …`` present → else 403 ``403010 Oauth token is missing.``
2. ``x-api-key`` present → else 403 ``403000 Api Key is required``
3. token valid and unexpired → else 401 ``401013 Oauth token is not valid``
4. ``x-api-key`` equals the token's client id → else 403 ``403003 Api Key is invalid``
5. ``x-gw-ims-org-id`` present → else 400 ``400003 Missing header``; shaped ``…@AdobeOrg`` → else 403
   ``403027 User region is missing``; equal to the token's org → else 403 ``403025 Profile is not valid``
6. ``x-sandbox-name`` (lower-cased; absent → ``prod``) one of the org's sandboxes → else 403
   ``403026 Sandbox … not found`` (sandbox code UNCONFIRMED)

and yields a :class:`RequestContext` (org, sandbox, client id, tenant id) that scopes all data.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..server.config import OrgConfig
from .errors import ApiError, content_type_error, gateway_error


@dataclass(frozen=True)
class RequestContext:
    org_id: str
    sandbox: str
    client_id: str
    tenant_id: str
    org: OrgConfig
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def user_id(self) -> str:
        return f"{self.client_id}@techacct.adobe.com"

    @property
    def scope(self) -> tuple[str, str]:
        return (self.org_id, self.sandbox)


def context_from_headers(services, headers) -> RequestContext:
    auth = headers.get("authorization")
    api_key = headers.get("x-api-key")
    if not auth or not auth.strip():
        raise gateway_error(403, "403010", "Oauth token is missing.")
    if not api_key:
        raise gateway_error(403, "403000", "Api Key is required")
    scheme, _, token = auth.strip().partition(" ")
    info = services.tokens.verify(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if info is None:
        raise gateway_error(401, "401013", "Oauth token is not valid")
    if api_key != info.client_id:
        raise gateway_error(403, "403003", "Api Key is invalid")
    org_id = headers.get("x-gw-ims-org-id")
    if not org_id:
        raise gateway_error(400, "400003", "Missing header")
    if not org_id.endswith("@AdobeOrg") or len(org_id) <= len("@AdobeOrg"):
        raise gateway_error(403, "403027", "User region is missing")
    if org_id != info.org_id:
        raise gateway_error(403, "403025", "Profile is not valid")
    org = services.config.org_by_id(org_id)
    if org is None:  # token minted for an org no longer configured
        raise gateway_error(403, "403025", "Profile is not valid")
    sandbox = (headers.get("x-sandbox-name") or "prod").strip().lower()
    if sandbox not in org.sandboxes:
        raise gateway_error(
            403,
            "403026",
            f"Sandbox '{sandbox}' not found for org {org_id} (known: {', '.join(org.sandboxes)})",
        )
    return RequestContext(
        org_id=org_id, sandbox=sandbox, client_id=info.client_id, tenant_id=org.tenant_id, org=org
    )


async def platform_context(request: Request) -> RequestContext:
    return context_from_headers(request.app.state.sandbox, request.headers)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def is_json_type(ctype: str) -> bool:
    return ctype == "application/json" or (ctype.startswith("application/") and ctype.endswith("+json"))


async def read_json(
    request: Request,
    bad_json: Callable[[str], ApiError],
    bad_type: Callable[[str], ApiError] | None = None,
    *,
    expect: type | tuple | None = None,
):
    """The request's JSON body. Wrong/missing content type → ``bad_type`` (default: the gateway's
    ``A valid content-type must be specified``); unparsable or wrong top-level type → ``bad_json(message)``."""
    ctype = media_type(request)
    if not is_json_type(ctype):
        found = ctype or "none"
        raise (bad_type or (lambda m: content_type_error()))(
            f"A valid content-type must be specified (expected application/json, found {found})"
        )
    raw = await request.body()
    if not raw.strip():
        raise bad_json("The request body is empty; a JSON document is required")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise bad_json(f"The request body is not valid JSON: {exc}") from None
    if expect is not None and not isinstance(doc, expect):
        names = " or ".join(t.__name__ for t in (expect if isinstance(expect, tuple) else (expect,)))
        names = names.replace("dict", "a JSON object").replace("list", "a JSON array")
        raise bad_json(
            f"The request body must be {names}, found {type(doc).__name__.replace('dict', 'object')}"
        )
    return doc


def json_response(
    body, status: int = 200, headers: dict[str, str] | None = None, media_type: str = "application/json"
) -> Response:
    """A JSON answer (orjson); the one helper every route module uses."""
    return Response(orjson.dumps(body), status_code=status, headers=headers, media_type=media_type)


def require_loopback(request: Request) -> None:
    """For ``/__sandbox/admin`` routes: only loopback clients."""
    host = request.client.host if request.client else ""
    if host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("127."):
        raise gateway_error(403, "403099", "The sandbox admin API answers loopback clients only")
