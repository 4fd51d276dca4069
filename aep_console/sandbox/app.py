"""The sandbox's ASGI app: one Starlette app serving the three AEP hosts under path prefixes.

``/ims/...`` (IMS host), ``/platform/...`` (platform.adobe.io), ``/dcs/...`` (dcs.adobedc.net), plus
``/__sandbox/health``, ``/__sandbox/noop`` and ``/__sandbox/admin/...`` (loopback only).

How part 2 (streaming, Profile, data lake, faults) plugs in
-------------------------------------------------------------
Create ``aep_console/sandbox/part2.py`` with a function ``register(ext: Extension) -> None``.
``create_app`` imports it when it exists (any module listed in ``EXTENSION_MODULES``) and calls it once,
before the routes are assembled. With ``ext`` it can:

- ``ext.mount("/dcs", routes)`` / ``ext.mount("/platform/data/core/ups", routes)`` /
  ``ext.mount("", routes)``: Starlette ``Route`` lists under a path prefix of your own (a Mount answers
  every path under it), or ``""`` to add full-path routes as they are (e.g. ``/__sandbox/admin/...``).
  Part 1 owns ``/ims``, ``/platform/data/foundation/{schemaregistry,catalog,flowservice}``,
  ``/platform/data/core/{idnamespace,edge}``, ``/__sandbox/health`` and ``/__sandbox/noop``.
- ``ext.store.add_migration("part2", 1, [DDL, ...])``: own tables in the same SQLite file (see store.py).
- ``ext.services``: the :class:`~aep_console.sandbox.runtime.SandboxServices` (also at
  ``request.app.state.sandbox`` in handlers): ``.config``, ``.store``, ``.tokens``, ``.lookups``
  (connection by inlet id, dataset, resolved schema, identity descriptors), ``.batches`` (batches.py).
  Admin routes should call ``require_loopback(request)``.
- ``ext.on_startup(fn)`` / ``ext.on_shutdown(fn)``: sync or async callables (background workers).
- In handlers: ``ctx = await gateway.platform_context(request)`` for the gateway rules, raise
  ``errors.ApiError`` (or a helper from errors.py) for any error answer; ``read_json`` for bodies.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from . import catalog, flow_inlets, flow_service, identity, ims, schema_registry
from .config import SandboxConfig
from .errors import ApiError, gateway_error, internal_error
from .gateway import json_response
from .runtime import SandboxServices

log = logging.getLogger("aep_console.sandbox")

EXTENSION_MODULES: list[str] = ["aep_console.sandbox.part2"]


class Extension:
    """What an extension module's ``register(ext)`` receives."""

    def __init__(self, services: SandboxServices) -> None:
        self.services = services
        self.config = services.config
        self.store = services.store
        self.mounts: list[tuple[str, Sequence[BaseRoute]]] = []
        self.startup: list[Callable] = []
        self.shutdown: list[Callable] = []

    def mount(self, prefix: str, routes: Sequence[BaseRoute]) -> None:
        self.mounts.append((prefix.rstrip("/"), list(routes)))

    def on_startup(self, fn: Callable) -> None:
        self.startup.append(fn)

    def on_shutdown(self, fn: Callable) -> None:
        self.shutdown.append(fn)


def _load_extensions(ext: Extension) -> list[str]:
    loaded = []
    for name in EXTENSION_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(ext)
        loaded.append(name)
    return loaded


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
    services: SandboxServices = request.app.state.sandbox
    return json_response({"status": "ok", "pid": os.getpid(), "extensions": services.extensions})


async def _noop(request: Request) -> Response:
    return Response(b"{}", media_type="application/json")


async def _selftest_crash(request: Request) -> Response:
    raise RuntimeError("self-test: an unexpected error (AEP_SANDBOX_SELFTEST)")


def require_loopback(request: Request) -> None:
    """For ``/__sandbox/admin`` routes: only loopback clients."""
    host = request.client.host if request.client else ""
    if host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("127."):
        raise gateway_error(403, "403099", "The sandbox admin API answers loopback clients only")


def create_app(config: SandboxConfig, services: SandboxServices | None = None) -> Starlette:
    services = services or SandboxServices(config)
    ext = Extension(services)
    services.extensions = _load_extensions(ext)

    mounts: list[BaseRoute] = [
        Route("/__sandbox/health", _health, methods=["GET"]),
        Route("/__sandbox/noop", _noop, methods=["GET", "POST"]),
        Mount("/ims", routes=ims.routes()),
        Mount("/platform/data/foundation/schemaregistry", routes=schema_registry.routes()),
        Mount("/platform/data/foundation/catalog", routes=catalog.routes()),
        Mount("/platform/data/foundation/flowservice", routes=flow_service.routes()),
        Mount("/platform/data/core/idnamespace", routes=identity.routes()),
        Mount("/platform/data/core/edge", routes=flow_inlets.inlet_routes()),
    ]
    if os.environ.get("AEP_SANDBOX_SELFTEST") == "1":  # tests of the catch-all error handler
        mounts.insert(0, Route("/__sandbox/selftest/crash", _selftest_crash, methods=["GET"]))
    for prefix, routes in ext.mounts:
        if prefix:
            mounts.append(Mount(prefix, routes=list(routes)))
        else:  # full-path routes (a Mount("") would answer, and shadow, every path)
            mounts.extend(routes)

    @asynccontextmanager
    async def lifespan(app):
        for fn in ext.startup:
            result = fn()
            if inspect.isawaitable(result):
                await result
        try:
            yield
        finally:
            for fn in reversed(ext.shutdown):
                try:
                    result = fn()
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    log.exception("shutdown hook failed")
            services.close()

    app = Starlette(
        routes=mounts,
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _unexpected},
        lifespan=lifespan,
    )
    app.state.sandbox = services
    return app
