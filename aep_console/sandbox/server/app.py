"""The sandbox's ASGI app: one Starlette app serving the three AEP hosts under path prefixes.

``/ims/...`` (IMS host), ``/platform/...`` (platform.adobe.io), ``/dcs/...`` (dcs.adobedc.net), ``/edge/...``
(edge.adobedc.net; also served at the root of the HTTPS port by :func:`create_edge_app`), plus
``/__sandbox/health``, ``/__sandbox/noop`` and ``/__sandbox/admin/...`` (loopback only).

Every AEP service lives in ``sandbox/apis/`` under the name of its client module in ``aep/`` and exposes
``routes(services) -> list[Route]``; :data:`SERVICES` says where each is mounted. Handlers get the
long-lived objects from their ``services`` argument (a :class:`SandboxServices`), apply the gateway rules
with ``await gateway.platform_context(request)`` and raise ``http.errors.ApiError`` for any error answer.
"""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from ..apis import admin, catalog, data_access, identity, ims
from ..apis.edge import datastreams as edge_datastreams
from ..apis.edge import routes as edge
from ..apis.flow_service import inlets as flow_inlets
from ..apis.flow_service import routes as flow_service
from ..apis.profile import routes as profile
from ..apis.schema_registry import routes as schema_registry
from ..apis.streaming import routes as streaming
from ..http import not_modelled
from ..http.errors import ApiError, internal_error
from ..http.gateway import json_response
from ..http.paths import PathLeniency
from .config import SandboxConfig
from .state import SandboxServices

log = logging.getLogger("aep_console.sandbox")

async def _api_error(request: Request, exc: ApiError) -> Response:
    return Response(exc.render(), status_code=exc.status, headers=exc.headers, media_type=exc.media_type)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if request.url.path.startswith("/ims/"):
        body = {
            "error": "not_found" if exc.status_code == 404 else "invalid_request",
            "error_description": f"{request.method} {request.url.path}: {exc.detail}",
        }
    elif exc.status_code == 405:
        body = {
            "error_code": "405050",
            "message": f"Method {request.method} is not allowed on {request.url.path}",
        }
    elif exc.status_code == 404:
        body = {"error_code": "404010", "message": f"No such resource or API: {request.url.path}"}
    else:
        body = {"error_code": str(exc.status_code), "message": str(exc.detail)}
    return Response(
        orjson.dumps(body),
        status_code=exc.status_code,
        media_type="application/json",
        headers=getattr(exc, "headers", None),
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    err = internal_error()
    return Response(err.render(), status_code=500, media_type="application/json")


async def _health(request: Request) -> Response:
    return json_response({"status": "ok", "pid": os.getpid()})


async def _noop(request: Request) -> Response:
    return Response(b"{}", media_type="application/json")


async def _selftest_crash(request: Request) -> Response:
    raise RuntimeError("self-test: an unexpected error (AEP_SANDBOX_SELFTEST)")


# Where each AEP service is mounted (the names are those of the client modules in ``aep/``).
SERVICES: list[tuple[str, object]] = [
    ("/ims", ims),
    ("/platform/data/foundation/schemaregistry", schema_registry),
    ("/platform/data/foundation/catalog", catalog),
    ("/platform/data/foundation/flowservice", flow_service),
    ("/platform/data/core/idnamespace", identity),
    ("/platform/data/core/edge", flow_inlets),
    ("/platform/data/core/ups", profile),
    ("/platform/data/foundation/export", data_access),
    ("/dcs", streaming),
    ("/edge", edge),
    ("/__sandbox/admin", admin),
    ("/__sandbox/admin", edge_datastreams),
]


def create_app(config: SandboxConfig, services: SandboxServices | None = None) -> Starlette:
    services = services or SandboxServices(config)
    routes: list[BaseRoute] = [
        Route("/__sandbox/health", _health, methods=["GET"]),
        Route("/__sandbox/noop", _noop, methods=["GET", "POST"]),
    ]
    if os.environ.get("AEP_SANDBOX_SELFTEST") == "1":  # tests of the catch-all error handler
        routes.append(Route("/__sandbox/selftest/crash", _selftest_crash, methods=["GET"]))
    # documented calls the sandbox does not model answer 501 (http/not_modelled.py), in front of the service's own;
    # services mounted at one prefix share one Mount (the first matching Mount wins)
    mounted: dict[str, list[BaseRoute]] = {}
    for prefix, module in SERVICES:
        mounted.setdefault(prefix, [*not_modelled.routes(prefix)]).extend(module.routes(services))
    routes += [Mount(prefix, routes=service_routes) for prefix, service_routes in mounted.items()]
    routes += [Mount(prefix, routes=not_modelled.routes(prefix)) for prefix in not_modelled.NOT_MODELLED
               if prefix not in mounted]

    @asynccontextmanager
    async def lifespan(app):
        await services.start()
        try:
            yield
        finally:
            await services.stop()

    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _unexpected},
        middleware=[Middleware(PathLeniency, mounts=[*dict(SERVICES), *not_modelled.NOT_MODELLED])],
        lifespan=lifespan,
    )
    app.state.sandbox = services
    return app


def create_edge_app(services: SandboxServices) -> Starlette:
    """The Edge Network host (``edge.adobedc.net``) on its own: the Edge routes at the root, for the sandbox's
    HTTPS port (the Web SDK speaks only ``https://`` to a host name without a port). Shares ``services`` with
    the main app, whose lifespan starts and stops them."""
    app = Starlette(
        routes=[Route("/__sandbox/health", _health, methods=["GET"]), *edge.routes(services)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _unexpected},
    )
    app.state.sandbox = services
    return app
