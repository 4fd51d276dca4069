"""Reading back what reached the sandbox's data lake (through the Data Access API, like a user would)."""

from __future__ import annotations

import orjson


async def dataset_batches(session, dataset_id: str) -> list:
    out, start = [], 0
    while True:
        page = await session.catalog.list_batches(dataset_id=dataset_id, limit=100, start=start,
                                                  order_by="asc:created")
        out += page
        if len(page) < 100:
            return out
        start += len(page)


async def dataset_records(session, sandbox, dataset_id: str) -> list[dict]:
    """Every accepted record of ``dataset_id`` (open streaming batches are flushed first)."""
    sandbox.admin("datalake/flush", {"datasetId": dataset_id})
    records: list[dict] = []
    seen = set()
    for batch in await dataset_batches(session, dataset_id):
        if batch.id in seen:
            continue
        seen.add(batch.id)
        for f in await session.data_access.batch_files(batch.id):
            for entry in await session.data_access.file_entries(f.data_set_file_id):
                raw = await session.data_access.download(f.data_set_file_id, entry.name)
                records += [orjson.loads(line) for line in raw.splitlines() if line.strip()]
    return records
