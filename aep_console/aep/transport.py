"""The one place that builds headers, applies time-outs, retries, refreshes tokens on 401 and
reports every HTTP exchange (redacted) to the ``on_exchange`` hook.

Retry rules (statuses, back-off and ``Retry-After`` come from ``retry.RetryPolicy``, which the
streaming engine shares):
- idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE) are retried on the policy's statuses, time-outs
  and connection errors, with exponential back-off + jitter; a ``Retry-After`` (or UPS ``retryAfterMs``)
  is honoured: never retried sooner; longer than ``RetryPolicy.max_retry_after`` → the error is raised;
- a create (POST, or PATCH) is never blindly repeated: it is retried only when the caller gives a
  ``lookup`` (find by name/title …), which runs before each retry — if it finds the resource, that is
  the result and nothing is sent again; a request that provably never left (connect error) is retried;
- ``retry=False`` (streaming: the engine retries) sends exactly once;
- a 401 on an authenticated request refreshes the token once and repeats the request once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import orjson

from . import redact
from .config import Endpoints, Timeouts
from .errors import (
    AEPError,
    AuthError,
    NetworkError,
    RateLimited,
    RequestTimeout,
    ServiceUnavailable,
    error_from_response,
    request_id_of,
)
from .retry import RetryPolicy

if TYPE_CHECKING:
    from .ims import TokenProvider

log = logging.getLogger(__name__)
T = TypeVar("T")
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
JSON = "application/json"
REFUSED = frozenset({429, 503})  # the server declares it did not process the request


@dataclass
class Exchange:
    """One HTTP exchange as the history service records it (already redacted)."""

    service: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    duration_ms: float = 0.0
    error: str | None = None
    started_at: float = 0.0  # epoch seconds
    attempt: int = 1
    request_id: str | None = None

    def as_curl(self) -> str:
        return redact.curl_command(self.method, self.url, self.request_headers, self.request_body)


@dataclass
class Reply:
    """A successful answer: status, headers, raw body and timing."""

    status: int
    headers: httpx.Headers
    content: bytes
    url: str
    started_at: float  # epoch seconds
    duration_s: float
    attempts: int = 1

    def json(self) -> Any:
        return orjson.loads(self.content) if self.content else None

    @property
    def request_id(self) -> str | None:
        return request_id_of(self.headers)


class Found(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


ExchangeHook = Callable[[Exchange], Any]
Lookup = Callable[[], Awaitable[Any]]


class Transport:
    def __init__(
        self,
        endpoints: Endpoints,
        *,
        org_id: str,
        sandbox_name: str,
        client_id: str,
        token_provider: TokenProvider | None = None,
        on_exchange: ExchangeHook | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        max_connections: int = 100,
        exchange_body_limit: int = 256 * 1024,
        http_transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        user_agent: str = "aep-ingestion-console",
    ) -> None:
        self.endpoints = endpoints
        self.org_id = org_id
        self.sandbox_name = sandbox_name.lower() if sandbox_name else sandbox_name
        self.client_id = client_id
        self.token_provider = token_provider
        self.on_exchange = on_exchange
        self.retry_policy = retry or RetryPolicy()
        timeouts = timeouts or Timeouts()
        self._hook_tasks: set[asyncio.Future[Any]] = set()
        self.exchange_body_limit = exchange_body_limit
        self._sleep = sleep
        self._random = random.Random()
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(connect=timeouts.connect, read=timeouts.read, write=timeouts.write,
                                  pool=timeouts.pool),
            limits=httpx.Limits(max_connections=max_connections,
                                max_keepalive_connections=max_connections, keepalive_expiry=30),
            verify=True,  # always: there is no switch
            follow_redirects=False,
            transport=http_transport,
            headers={"User-Agent": user_agent},
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    # --- headers ------------------------------------------------------------------------------

    def build_headers(self, service: str, token: str | None, *, accept: str | None = None,
                      content_type: str | None = None, sandbox: bool = True,
                      extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Every request header is built here."""
        headers: dict[str, str] = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
            headers["x-api-key"] = self.client_id
            headers["x-gw-ims-org-id"] = self.org_id
        if service != "ims" and sandbox and self.sandbox_name:
            headers["x-sandbox-name"] = self.sandbox_name
        if content_type:
            headers["Content-Type"] = content_type
        headers["Accept"] = accept or JSON
        if extra:
            headers.update(extra)
        return headers

    def url(self, service: str, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.endpoints.base(service) + (path if path.startswith("/") else "/" + path)

    # --- the request loop ---------------------------------------------------------------------

    async def request(
        self,
        method: str,
        service: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        data: Mapping[str, str] | None = None,
        accept: str | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        sandbox: bool = True,
        retry: bool = True,
        idempotent: bool | None = None,
        lookup: Lookup | None = None,
        retry_refused: bool = False,
        ok: Callable[[int], bool] | None = None,
    ) -> Reply:
        """Send a request; return the :class:`Reply` or raise an :class:`AEPError`.

        ``lookup`` (for creates): awaited before any retry; a non-None result ends the call by
        raising the internal ``Found`` — use :meth:`create` which turns it into a return value.
        ``retry_refused``: a non-idempotent request may be re-sent after a 429/503 (the server said it
        did not process it) without a look-up; never after a lost answer."""
        method = method.upper()
        url = self.url(service, path)
        if json is not None:
            content = orjson.dumps(json)
            content_type = content_type or JSON
        elif data is not None:
            content = httpx.QueryParams(data).__str__().encode()
            content_type = content_type or "application/x-www-form-urlencoded"
        elif content is not None:
            content_type = content_type or JSON
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        safe = idempotent if idempotent is not None else method in IDEMPOTENT
        policy = self.retry_policy
        attempts_allowed = policy.max_attempts if retry else 1
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            token = await self.token_provider.get_token() if (auth and self.token_provider) else None
            hdrs = self.build_headers(service, token, accept=accept, content_type=content_type,
                                      sandbox=sandbox, extra=headers)
            started, t0 = time.time(), time.perf_counter()
            try:
                response = await self.client.request(method, url, params=query or None, content=content,
                                                     headers=hdrs)
            except httpx.RequestError as exc:
                duration = time.perf_counter() - t0
                err = self._network_error(exc, method, url)
                self._report(service, method, url, query, hdrs, content, content_type, None, None, b"",
                             duration, started, attempt, str(err), token)
                never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
                if attempt >= attempts_allowed or not (safe or never_sent or lookup):
                    raise err from exc
                if lookup and not never_sent and not safe:
                    await self._run_lookup(lookup, err)
                await self._sleep(policy.backoff(attempt - 1, self._random.random()))
                continue
            body = response.content
            duration = time.perf_counter() - t0
            self._report(service, method, url, query, hdrs, content, content_type, response.status_code,
                         response.headers, body, duration, started, attempt, None, token)
            status = response.status_code
            if (ok(status) if ok else 200 <= status < 300):
                return Reply(status, response.headers, body, str(response.url), started, duration, attempt)
            err = error_from_response(status, response.headers, body, method=method,
                                      url=redact.redact_url(url))
            if status == 401 and token is not None and not refreshed and self.token_provider:
                refreshed = True
                await self.token_provider.refresh(stale=token)
                attempt -= 1  # the refresh repeat is not a retry
                continue
            if not policy.retryable(status) or attempt >= attempts_allowed:
                raise err
            wait = getattr(err, "retry_after", None)
            if not policy.follow_retry_after(wait):
                raise err
            if not safe and not (retry_refused and status in REFUSED):
                if lookup is None:
                    raise err
                await self._run_lookup(lookup, err)
            delay = policy.delay(attempt - 1, self._random.random(), wait)
            log.debug("retrying %s %s after %.2fs (HTTP %s)", method, url, delay, status)
            await self._sleep(delay)

    async def create(self, method: str, service: str, path: str, *, parse: Callable[[Reply], T],
                     lookup: Lookup | None = None, **kwargs: Any) -> T:
        """A non-idempotent create: retried only after ``lookup`` found nothing.
        If ``lookup`` finds the resource (created by an attempt whose answer was lost), it is returned."""
        try:
            reply = await self.request(method, service, path, lookup=lookup, **kwargs)
        except Found as found:
            return found.value
        return parse(reply)

    async def _run_lookup(self, lookup: Lookup, err: AEPError) -> None:
        try:
            found = await lookup()
        except AEPError as lookup_err:
            raise err from lookup_err
        if found is not None:
            raise Found(found)

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _network_error(exc: httpx.RequestError, method: str, url: str) -> NetworkError:
        cls = RequestTimeout if isinstance(exc, httpx.TimeoutException) else NetworkError
        what = type(exc).__name__
        detail = str(exc) or what
        return cls(f"{what}: {detail}", method=method, url=redact.redact_url(url))

    def _report(self, service: str, method: str, url: str, query: Mapping[str, str], req_headers: dict,
                content: bytes | None, content_type: str | None, status: int | None, resp_headers: Any,
                body: bytes, duration: float, started: float, attempt: int, error: str | None,
                token: str | None) -> None:
        hook = self.on_exchange
        if hook is None:
            return
        try:
            secrets = (token,)
            full_url = str(httpx.URL(url, params=query or None))
            resp_ctype = resp_headers.get("content-type") if resp_headers is not None else None
            exchange = Exchange(
                service=service, method=method, url=redact.redact_url(full_url, secrets),
                request_headers=redact.redact_headers(req_headers, secrets),
                request_body=redact.redact_body(content, content_type, secrets, self.exchange_body_limit),
                status=status,
                response_headers=redact.redact_headers(resp_headers.multi_items() if resp_headers else (),
                                                       secrets),
                response_body=redact.redact_body(body, resp_ctype, secrets, self.exchange_body_limit),
                duration_ms=duration * 1000.0, error=redact.redact_text(error, secrets), started_at=started,
                attempt=attempt, request_id=request_id_of(resp_headers) if resp_headers else None,
            )
            result = hook(exchange)
            if asyncio.iscoroutine(result):  # an async subscriber runs beside the request
                task = asyncio.ensure_future(result)
                self._hook_tasks.add(task)
                task.add_done_callback(self._hook_tasks.discard)
        except Exception:  # a broken subscriber must never break a request
            log.exception("on_exchange hook failed")


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


__all__ = ["AuthError", "Exchange", "RateLimited", "Reply", "ServiceUnavailable", "Transport"]
