"""Adobe IMS: OAuth server-to-server (client_credentials) tokens, cached in memory only.

- ``get_token()`` returns the cached token, fetching a new one when there is none or it expires
  within the margin (``min(margin, lifetime / 2)`` before expiry);
- ``refresh(stale=token)`` is what the transport calls on a 401: concurrent callers share one
  refresh (an ``asyncio.Lock``); a caller whose token was already replaced gets the new one;
- the client secret comes from a callable each time a token is requested; it is never stored
  on this object, never written to a file and never part of a ``repr`` or an error text.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .config import ClientCredentials
from .errors import AEPError, TokenError

if TYPE_CHECKING:
    from .transport import Transport

TOKEN_PATH = "/ims/token/v3"


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: float  # clock() time
    lifetime: float  # seconds
    token_type: str = "bearer"
    obtained_at: float = 0.0

    def __repr__(self) -> str:
        return f"AccessToken(lifetime={self.lifetime:.0f}s, expires_at={self.expires_at:.1f})"


def expires_in_seconds(value: object) -> float:
    """IMS v3 answers seconds (86399); the legacy JWT exchange answered milliseconds (86399992)."""
    seconds = float(value)  # type: ignore[arg-type]
    return seconds / 1000.0 if seconds > 10_000_000 else seconds


class TokenProvider:
    """Fetches and caches the access token of one set of client credentials."""

    def __init__(self, credentials: ClientCredentials, *, margin: float = 300.0,
                 clock: Callable[[], float] = time.monotonic, token_path: str = TOKEN_PATH) -> None:
        self.credentials = credentials
        self.margin = margin
        self.clock = clock
        self.token_path = token_path
        self.transport: Transport | None = None
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        self.fetch_count = 0  # how many tokens were requested from IMS (diagnostics, tests)

    def __repr__(self) -> str:
        return f"TokenProvider(client_id={self.credentials.client_id!r}, token={self._token!r})"

    def bind(self, transport: Transport) -> None:
        self.transport = transport

    @property
    def token(self) -> AccessToken | None:
        return self._token

    def _fresh(self, token: AccessToken | None) -> bool:
        if token is None:
            return False
        margin = min(self.margin, token.lifetime / 2)
        return self.clock() < token.expires_at - margin

    async def get_token(self) -> str:
        token = self._token
        if self._fresh(token):
            return token.value  # type: ignore[union-attr]
        async with self._lock:
            if not self._fresh(self._token):
                self._token = await self._fetch()
            return self._token.value  # type: ignore[union-attr]

    async def refresh(self, *, stale: str | None = None) -> str:
        """Get a new token (after a 401). If ``stale`` is no longer the cached token, another caller
        already refreshed: its token is returned without asking IMS again."""
        async with self._lock:
            if self._token is not None and stale is not None and self._token.value != stale:
                return self._token.value
            self._token = await self._fetch()
            return self._token.value

    async def _secret(self) -> str:
        secret = self.credentials.secret()
        if inspect.isawaitable(secret):
            secret = await secret
        if not secret:
            raise TokenError("no client secret available (keyring empty or locked?)", status=None)
        return secret  # type: ignore[return-value]

    async def _fetch(self) -> AccessToken:
        if self.transport is None:
            raise RuntimeError("TokenProvider is not bound to a transport")
        form = {
            "grant_type": "client_credentials",
            "client_id": self.credentials.client_id,
            "client_secret": await self._secret(),
            "scope": self.credentials.scopes,
        }
        try:
            reply = await self.transport.request(
                "POST", "ims", self.token_path, data=form, auth=False, sandbox=False, idempotent=True
            )
        except TokenError:
            raise
        except AEPError as err:
            if err.status is None or err.status >= 500 or err.status == 429:
                raise
            raise TokenError(
                f"IMS refused the credentials of client id {self.credentials.client_id!r}: {err.message}",
                status=err.status, code=err.code, title="IMS token request failed", report=err.report,
                request_id=err.request_id, method=err.method, url=err.url, type=err.type,
            ) from None
        finally:
            form.clear()
        self.fetch_count += 1
        body = reply.json() or {}
        value = body.get("access_token")
        if not value:
            raise TokenError("IMS answered without an access_token", status=reply.status)
        lifetime = expires_in_seconds(body.get("expires_in", 86399))
        now = self.clock()
        return AccessToken(value, now + lifetime, lifetime, body.get("token_type", "bearer"), now)


class StaticTokenProvider(TokenProvider):
    """An access token obtained elsewhere (e.g. pasted from the Developer Console). No refresh."""

    def __init__(self, token: str, *, client_id: str) -> None:
        super().__init__(ClientCredentials(client_id, lambda: ""))
        self._static = token

    async def get_token(self) -> str:
        return self._static

    async def refresh(self, *, stale: str | None = None) -> str:
        raise TokenError("the access token was refused and it cannot be refreshed (static token)",
                         status=401)
