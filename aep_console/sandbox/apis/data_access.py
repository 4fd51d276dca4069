"""Data Access API (``https://platform.adobe.io/data/foundation/export``, here
``/platform/data/foundation/export``): files of a batch, file download, failed records, batch meta,
dataset preview (../shared/aep-openapi/data-access.yaml).

Files are JSON Lines (one record per line; AEP stores Parquet). Each streaming batch has one data file
(``part-00000.json``, its accepted records) and, when some failed, one failed-records file
(``failed-00000.json``: the original record plus ``_errors``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..http.errors import ApiError, problem
from ..http.gateway import json_response as _json
from ..http.gateway import platform_context

if TYPE_CHECKING:
    from ..server.state import SandboxServices

DATA_FILE = "part-00000.json"
FAILED_FILE = "failed-00000.json"
ERROR_SAMPLES = ("row_errors_sample.json", "row_error_samples.json")
BASE = "/data/foundation/export"


def das_not_found(what: str) -> ApiError:
    return problem("DAS", 1404, 404, "Not Found", what)


class ExportApi:
    def __init__(self, state) -> None:
        self.state = state

    async def _ctx(self, request: Request):
        ctx = await platform_context(request)
        faults = self.state.faults
        if faults.applies("export"):
            mode = faults.draw()  # decided at arrival, before any injected latency
            retry = str(faults.retry_after)
            if faults.latency_ms:
                await asyncio.sleep(faults.latency_ms / 1000)
            if mode in ("error503", "error429"):
                status = 503 if mode == "error503" else 429
                err = problem("DAS", 1000 + status, status,
                              "Service Unavailable" if status == 503 else "Too Many Requests", "Injected fault")
                err.headers = {"Retry-After": retry}
                raise err
            if mode in ("error500", "drop"):
                raise problem("DAS", 1500, 500, "Internal Server Error", "Injected fault")
        return ctx

    def _batch(self, ctx, batch_id: str):
        row = self.state.lake.batch_row(batch_id)
        if row is None or row[0] != ctx.org_id or row[1] != ctx.sandbox:
            raise das_not_found(f"Batch [{batch_id}] not found in sandbox [{ctx.sandbox}]")
        return row

    def _file_id(self, batch_id: str) -> str:
        return f"{batch_id}-1"

    async def batch_files(self, request: Request) -> Response:
        ctx = await self._ctx(request)
        batch_id = request.path_params["batch_id"]
        _org, _sandbox, dataset_id, _status, body = self._batch(ctx, batch_id)
        count, size = self.state.lake.count(batch_id, ok=True)
        data = []
        if count:
            fid = self._file_id(batch_id)
            data.append({"dataSetFileId": fid, "dataSetViewId": dataset_id or "", "version": "1.0.0",
                         "created": str(body.get("created", "")), "updated": str(body.get("updated", "")),
                         "records": str(count), "size": str(size + count), "isValid": True,
                         "_links": {"self": {"href": f"{BASE}/files/{fid}"}}})
        return _json({"data": data, "_page": {"limit": 100, "count": len(data)},
                      "_links": {"next": {"href": ""},
                                 "page": {"href": f"{BASE}/batches/{batch_id}/files?start=0&limit={{limit}}",
                                          "templated": True}}})

    def _lines(self, batch_id: str, *, ok: bool) -> bytes:
        rows = self.state.lake.records(batch_id, ok=ok)
        if ok:
            return b"".join(r[3] + b"\n" for r in rows)
        out = []
        for _seq, xaction, _received, entity, errors in rows:
            record = orjson.loads(entity) if entity else {}
            out.append(orjson.dumps({**record, "_errors": orjson.loads(errors) if errors else [],
                                     "_xactionId": xaction}) + b"\n")
        return b"".join(out)

    async def file(self, request: Request) -> Response:
        ctx = await self._ctx(request)
        fid = request.path_params["file_id"]
        batch_id = fid[:-2] if fid.endswith("-1") else None
        if batch_id is None:
            raise das_not_found(f"Dataset file [{fid}] not found")
        self._batch(ctx, batch_id)
        count, size = self.state.lake.count(batch_id, ok=True)
        if not count:
            raise das_not_found(f"Dataset file [{fid}] not found")
        path = request.query_params.get("path")
        if path is None:
            if request.method == "HEAD":
                raise ApiError(400, {"status": 400, "title": "Bad Request",
                                     "detail": "Query parameter 'path' is required for HEAD"})
            return _json({"data": [{"name": DATA_FILE, "length": str(size + count),
                                    "_links": {"self": {"href": f"{BASE}/files/{fid}?path={DATA_FILE}"}}}],
                          "_page": {"limit": 100, "count": 1}})
        if path != DATA_FILE:
            raise das_not_found(f"File [{path}] not found in dataset file [{fid}] (it has {DATA_FILE})")
        data = self._lines(batch_id, ok=True)
        headers = {"Accept-Ranges": "bytes", "Content-Disposition": f'attachment; filename="{DATA_FILE}"'}
        if request.method == "HEAD":
            return Response(b"", headers={**headers, "Content-Length": str(len(data))},
                            media_type="application/octet-stream")
        rng = request.headers.get("range", "")
        if rng.startswith("bytes="):
            first, _, last = rng[6:].partition("-")
            try:
                a = int(first) if first else max(0, len(data) - int(last))
                b = int(last) if first and last else len(data) - 1
            except ValueError:
                raise ApiError(416, {"status": 416, "title": "Range Not Satisfiable",
                                     "detail": f"Cannot parse Range header {rng!r}"}) from None
            b = min(b, len(data) - 1)
            if a > b:
                raise ApiError(416, {"status": 416, "title": "Range Not Satisfiable",
                                     "detail": f"Range {rng!r} outside 0-{len(data) - 1}"})
            return Response(data[a:b + 1], status_code=206, media_type="application/octet-stream",
                            headers={**headers, "Content-Range": f"bytes {a}-{b}/{len(data)}"})
        return Response(data, media_type="application/octet-stream", headers=headers)

    async def failed(self, request: Request) -> Response:
        ctx = await self._ctx(request)
        batch_id = request.path_params["batch_id"]
        self._batch(ctx, batch_id)
        count, size = self.state.lake.count(batch_id, ok=False)
        path = request.query_params.get("path")
        if path is None:
            data = [] if not count else [{"name": FAILED_FILE, "length": str(size + count),
                                          "_links": {"self": {"href": f"{BASE}/batches/{batch_id}/failed?path="
                                                                      f"{FAILED_FILE}"}}}]
            return _json({"data": data, "_page": {"limit": 100, "count": len(data)}, "_links": {}})
        if path != FAILED_FILE or not count:
            raise das_not_found(f"File [{path}] not found among the failed records of batch [{batch_id}]")
        return Response(self._lines(batch_id, ok=False), media_type="application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{FAILED_FILE}"'})

    async def meta(self, request: Request) -> Response:
        ctx = await self._ctx(request)
        batch_id = request.path_params["batch_id"]
        body = self._batch(ctx, batch_id)[4]
        path = request.query_params.get("path")
        if path is None:
            return _json({"data": [{"name": ERROR_SAMPLES[0], "length": str(len(orjson.dumps(body.get("errors", [])))),
                                    "_links": {"self": {"href": f"{BASE}/batches/{batch_id}/meta?path="
                                                                f"{ERROR_SAMPLES[0]}"}}}],
                          "_page": {"limit": 100, "count": 1}})
        if path not in ERROR_SAMPLES:
            raise das_not_found(f"Meta path [{path}] not found (known: {ERROR_SAMPLES[0]})")
        # a file download, as the other ``?path=`` downloads of this API (its content is a JSON array)
        return Response(orjson.dumps(body.get("errors", [])), media_type="application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{path}"'})

    async def preview(self, request: Request) -> Response:
        ctx = await self._ctx(request)
        dataset_id = request.path_params["dataset_id"]
        if self.state.services.lookups.dataset(ctx.org_id, ctx.sandbox, dataset_id) is None:
            raise das_not_found(f"Dataset [{dataset_id}] not found in sandbox [{ctx.sandbox}]")
        rows = self.state.lake.preview(ctx.org_id, ctx.sandbox, dataset_id, 100)
        return Response(b'{"data":[' + b",".join(rows) + b"]}", media_type="application/json")


def routes(services: SandboxServices) -> list[Route]:
    state = services.ingestion
    api = ExportApi(state)
    return [
        Route("/batches/{batch_id}/files", api.batch_files, methods=["GET"]),
        Route("/batches/{batch_id}/failed", api.failed, methods=["GET"]),
        Route("/batches/{batch_id}/meta", api.meta, methods=["GET"]),
        Route("/files/{file_id}", api.file, methods=["GET", "HEAD"]),
        Route("/datasets/{dataset_id}/preview", api.preview, methods=["GET"]),
    ]
