"""Adobe IMS stand-in: client-credentials tokens (``/ims/token/v3`` form body, older ``v2``/``v1`` query form).

Tokens are JWT-shaped (``header.payload.signature``, HMAC-SHA256 with a per-data-dir secret kept in the
database), so verifying one needs no database read and they survive a restart. The payload carries
``client_id``, ``org``, ``created_at`` and ``expires_in`` (ms, as IMS tokens do).

``expires_in`` in the response: seconds on v3 (as documented); milliseconds on the older v1/v2 forms
(as IMS v1/v2 answered; UNCONFIRMED, clients should prefer v3).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import orjson
from cachetools import LRUCache
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..http.errors import ApiError, ims_error
from ..server.config import SandboxConfig
from ..storage.store import Store

if TYPE_CHECKING:
    from ..server.state import SandboxServices

_HEADER = {"alg": "HS256", "x5u": "ims_na1-key-sandbox.cer", "kid": "ims_na1-key-sandbox", "itt": "at"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class TokenInfo:
    client_id: str
    org_id: str
    scope: str
    created_ms: int
    expires_ms: int  # absolute

    @property
    def user_id(self) -> str:
        return f"{self.client_id}@techacct.adobe.com"


class TokenService:
    def __init__(self, store: Store, config: SandboxConfig) -> None:
        self.config = config
        secret = store.meta_get("token_secret")
        if secret is None:
            secret = secrets.token_hex(32)
            store.meta_set("token_secret", secret)
        self._key = bytes.fromhex(secret)
        self._hdr = _b64(orjson.dumps(_HEADER))
        self._cache: LRUCache[str, TokenInfo] = LRUCache(maxsize=10_000)  # verified tokens, least recent out

    def issue(
        self, client_id: str, org_id: str, scope: str, lifetime_s: int | None = None
    ) -> tuple[str, int]:
        lifetime = self.config.token_lifetime if lifetime_s is None else lifetime_s
        created = int(time.time() * 1000)
        payload = {
            "id": f"{int(created)}_{uuid.uuid4()}_ue1",
            "type": "access_token",
            "client_id": client_id,
            "user_id": f"{client_id}@techacct.adobe.com",
            "as": "ims-na1",
            "aa_id": f"{client_id}@techacct.adobe.com",
            "org": org_id,
            "ctp": 0,
            "scope": scope,
            "created_at": str(created),
            "expires_in": str(lifetime * 1000),
        }
        body = f"{self._hdr}.{_b64(orjson.dumps(payload))}"
        sig = _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
        return f"{body}.{sig}", lifetime

    def verify(self, token: str) -> TokenInfo | None:
        """The token's facts if it is ours, intact and unexpired; else None."""
        info = self._cache.get(token)
        if info is None:
            parts = token.split(".")
            if len(parts) != 3:
                return None
            body = f"{parts[0]}.{parts[1]}"
            expected = _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
            if not hmac.compare_digest(expected, parts[2]):
                return None
            try:
                p = orjson.loads(_unb64(parts[1]))
                created = int(p["created_at"])
                info = TokenInfo(
                    p["client_id"], p["org"], p.get("scope", ""), created, created + int(p["expires_in"])
                )
            except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
                return None
            self._cache[token] = info
        if time.time() * 1000 >= info.expires_ms:
            return None
        return info


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method == "POST":
        if ctype == "application/x-www-form-urlencoded":
            raw = (await request.body()).decode("utf-8", "replace")
            params.update(dict(parse_qsl(raw, keep_blank_values=True)))
        elif ctype == "multipart/form-data":
            try:
                form = await request.form()
            except Exception:  # malformed multipart
                raise ims_error(
                    400, "invalid_request", "the multipart/form-data body could not be parsed"
                ) from None
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


def _token_handler(version: str):
    async def handler(request: Request) -> Response:
        services = request.app.state.sandbox
        config: SandboxConfig = services.config
        params = await _params(request)
        grant = params.get("grant_type")
        if not grant:
            raise ims_error(400, "invalid_request", "grant_type parameter is missing")
        if grant != "client_credentials":
            raise ims_error(
                400,
                "unsupported_grant_type",
                f"grant_type '{grant}' is not supported (use client_credentials)",
            )
        client_id = params.get("client_id")
        if not client_id:
            raise ims_error(400, "invalid_client", "invalid client_id parameter (missing)")
        org = config.org_by_client(client_id)
        if org is None:
            raise ims_error(400, "invalid_client", "invalid client_id parameter")
        secret = params.get("client_secret")
        if not secret or not hmac.compare_digest(secret.encode(), org.client_secret.encode()):
            raise ims_error(401, "invalid_client", "invalid client_secret parameter")
        allowed = [s.strip() for s in config.scopes.split(",") if s.strip()]
        scope = params.get("scope")
        if scope is None or not scope.strip():
            scope_list = allowed
        else:
            scope_list = [s.strip() for s in scope.replace(" ", ",").split(",") if s.strip()]
            bad = [s for s in scope_list if s not in allowed]
            if bad:
                raise ims_error(400, "invalid_scope", f"Invalid scope ({','.join(bad)})")
        token, lifetime = services.tokens.issue(client_id, org.org_id, ",".join(scope_list))
        expires = lifetime if version == "v3" else lifetime * 1000
        return Response(
            orjson.dumps({"access_token": token, "token_type": "bearer", "expires_in": expires}),
            media_type="application/json",
        )

    return handler


async def _method_not_allowed(request: Request) -> Response:
    raise ApiError(
        405,
        {"error": "method_not_allowed", "error_description": f"{request.method} is not supported, use POST"},
    )


async def _jwt_exchange(request: Request) -> Response:
    raise ims_error(
        400,
        "invalid_grant",
        "JWT (Service Account) credentials reached end of life; "
        "use OAuth Server-to-Server: POST /ims/token/v3 with grant_type=client_credentials",
    )


def routes(services: SandboxServices) -> list[Route]:
    """Mounted under ``/ims`` (the IMS host), so the token URL is ``/ims/ims/token/v3``."""
    out = []
    for version in ("v3", "v2", "v1"):
        out.append(Route(f"/ims/token/{version}", _token_handler(version), methods=["POST"]))
        out.append(
            Route(f"/ims/token/{version}", _method_not_allowed, methods=["GET", "PUT", "DELETE", "PATCH"])
        )
    out.append(Route("/ims/exchange/jwt", _jwt_exchange, methods=["POST"]))
    return out
