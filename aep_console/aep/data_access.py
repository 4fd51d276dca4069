"""Data Access (``/data/foundation/export``): what reached the data lake."""

from __future__ import annotations

from typing import Any

import orjson

from .base import ServiceClient, enc, items, parse
from .models import BatchFile, FileEntry


class DataAccessClient(ServiceClient):
    base_path = "/data/foundation/export"

    async def batch_files(self, batch_id: str) -> list[BatchFile]:
        body = await self._get_json(self.p(f"/batches/{enc(batch_id)}/files"))
        return [parse(BatchFile, r) for r in items(body)]

    async def file_entries(self, data_set_file_id: str) -> list[FileEntry]:
        body = await self._get_json(self.p(f"/files/{enc(data_set_file_id)}"))
        return [parse(FileEntry, r) for r in items(body)]

    async def download(self, data_set_file_id: str, path: str) -> bytes:
        """One file of a dataset file (``?path=<name>``), e.g. a parquet file, in memory."""
        reply = await self._get(self.p(f"/files/{enc(data_set_file_id)}"), params={"path": path},
                                accept="application/octet-stream, */*")
        return reply.content

    async def failed_files(self, batch_id: str) -> list[FileEntry]:
        body = await self._get_json(self.p(f"/batches/{enc(batch_id)}/failed"))
        return [parse(FileEntry, r) for r in items(body)]

    async def failed_download(self, batch_id: str, path: str) -> bytes:
        reply = await self._get(self.p(f"/batches/{enc(batch_id)}/failed"), params={"path": path},
                                accept="application/octet-stream, */*")
        return reply.content

    async def failed_records(self, batch_id: str) -> list[dict[str, Any]]:
        """Every failed record of a batch (all failed files, JSON or JSON lines), parsed."""
        records: list[dict[str, Any]] = []
        for entry in await self.failed_files(batch_id):
            records += _parse_records(await self.failed_download(batch_id, entry.name))
        return records

    async def batch_meta(self, batch_id: str, path: str | None = None) -> Any:
        reply = await self._get(self.p(f"/batches/{enc(batch_id)}/meta"), params={"path": path})
        try:
            return reply.json()
        except orjson.JSONDecodeError:
            return reply.content

    async def preview(self, dataset_id: str) -> list[dict[str, Any]]:
        body = await self._get_json(self.p(f"/datasets/{enc(dataset_id)}/preview"))
        return items(body)


def _parse_records(content: bytes) -> list[dict[str, Any]]:
    try:
        data = orjson.loads(content)
    except orjson.JSONDecodeError:
        out = []
        for line in content.splitlines():
            if line.strip():
                try:
                    out.append(orjson.loads(line))
                except orjson.JSONDecodeError:
                    out.append({"raw": line.decode("utf-8", "replace")})
        return out
    if isinstance(data, list):
        return data
    return items(data) or [data]
