"""Catalog batch counts equal what the data lake holds, everywhere (Catalog batch, dataset lastBatch*,
export files / failed records, preview): the tutorial's 20 sample events with integer ``_id`` (invalid, so
acknowledged in async mode and recorded as failed records), sent twice through both DCS routes, across
batch closes, restarts and a COMMIT that fails while the batch is being closed."""

from __future__ import annotations

import copy
import sqlite3
import threading
import time

import orjson

from .helpers import Platform
from .ingestion_setup import Loyalty, dcs_batch, dcs_single, http, load_samples


def sample_events(shared_dir, tenant: str) -> list[dict]:
    _profiles, events = load_samples(shared_dir)
    out = []
    for e in events:
        e = copy.deepcopy(e)
        e[f"_{tenant}"] = e.pop("_exchangeinternal")
        out.append(e)
    return out


def lake_view(p: Platform, dataset_id: str) -> dict[str, dict]:
    """Per batch of the dataset: the Catalog counts and what the export API lists."""
    out = {}
    batches = p.get("/data/foundation/catalog/batches", params={"dataSet": dataset_id, "limit": 100}).json()
    for bid, b in batches.items():
        failed_rows = []
        for entry in p.get(f"/data/foundation/export/batches/{bid}/failed").json()["data"]:
            raw = p.get(f"/data/foundation/export/batches/{bid}/failed", params={"path": entry["name"]}).content
            failed_rows += [orjson.loads(line) for line in raw.splitlines()]
        ok_rows = []
        for entry in p.get(f"/data/foundation/export/batches/{bid}/files").json()["data"]:
            assert int(entry["records"]) > 0
            raw = p.get(f"/data/foundation/export/files/{entry['dataSetFileId']}",
                        params={"path": "part-00000.json"}).content
            ok_rows += [orjson.loads(line) for line in raw.splitlines()]
        out[bid] = {"status": b["status"], "recordCount": b["recordCount"], "failedRecordCount": b["failedRecordCount"],
                    "metrics": b["metrics"], "errors": b["errors"], "created": b["created"],
                    "ok": ok_rows, "failed": failed_rows}
    return out


def assert_consistent(p: Platform, dataset_id: str) -> dict[str, dict]:
    view = lake_view(p, dataset_id)
    for bid, b in view.items():
        where = f"batch {bid} ({b['status']})"
        assert b["failedRecordCount"] == len(b["failed"]), f"{where}: failedRecordCount {b['failedRecordCount']} " \
                                                           f"but {len(b['failed'])} failed records listed"
        assert b["recordCount"] == len(b["ok"]), f"{where}: recordCount {b['recordCount']} but {len(b['ok'])} rows"
        assert b["metrics"]["failedRecordCount"] == b["failedRecordCount"], where
        assert b["metrics"]["inputRecordCount"] == b["recordCount"] + b["failedRecordCount"], where
        assert len(b["errors"]) == min(100, b["failedRecordCount"]), where
        assert {e["xactionId"] for e in b["errors"]} <= {r["_xactionId"] for r in b["failed"]}, where
        if b["status"] != "loading":
            assert b["status"] == ("failed" if b["failedRecordCount"] and not b["recordCount"] else "success"), where
    if view:
        ds = p.get(f"/data/foundation/catalog/dataSets/{dataset_id}").json()[dataset_id]
        last = max(view, key=lambda bid: (view[bid]["created"], bid))
        assert ds["lastBatchId"] == last and ds["lastBatchStatus"] == view[last]["status"]
    preview = p.get(f"/data/foundation/export/datasets/{dataset_id}/preview").json()["data"]
    ok_rows = [r for bid in sorted(view, key=lambda b: (view[b]["created"], b)) for r in view[bid]["ok"]]
    assert preview == ok_rows[:100]
    return view


def test_integer_id_events_twice_counts_match_the_failed_records(fresh_sandbox, shared_dir):
    proc = fresh_sandbox()
    p = Platform(proc)
    procs = []
    try:
        w = Loyalty.create(p)
        events = sample_events(shared_dir, p.tenant)
        msgs = [w.envelope(e, event=True) for e in events]
        for m in msgs:  # single route, async: acknowledged, then recorded as failed records
            assert dcs_single(proc, w.inlet, m).status_code == 200
        resp = dcs_batch(proc, w.inlet, msgs)
        assert resp.status_code == 207 and all("status" not in r for r in resp.json()["responses"])
        (only,) = assert_consistent(p, w.event_ds).values()
        assert only["failedRecordCount"] == 40 and only["recordCount"] == 0
        assert "expected type: String, found: Long" in orjson.dumps(only["failed"][0]["_errors"]).decode()

        proc.admin("datalake/flush", {"datasetId": w.event_ds})  # close, send again, restart, send again
        dcs_batch(proc, w.inlet, msgs)
        for m in msgs[:5]:
            dcs_single(proc, w.inlet, m)
        p.close()
        proc = proc.restart()
        procs.append(proc)
        p = Platform(proc)
        dcs_batch(proc, w.inlet, msgs)
        fixed = [w.envelope({**e, "_id": str(e["_id"])}, event=True) for e in events]
        dcs_batch(proc, w.inlet, fixed[:10])
        view = assert_consistent(p, w.event_ds)
        assert sorted((b["failedRecordCount"], b["recordCount"]) for b in view.values()) == [(20, 10), (25, 0), (40, 0)]
    finally:
        p.close()
        for extra in procs:
            extra.stop()


def test_a_failed_commit_leaves_no_phantom_counts(fresh_sandbox, shared_dir):
    """A COMMIT that fails (here: another process holds the database's write lock longer than the busy
    timeout) answers 503 "nothing was accepted": the batch's Catalog counts must not include that request,
    even when the batch is closed (or another request is prepared) while the COMMIT is pending."""
    proc = fresh_sandbox()
    p = Platform(proc)
    try:
        w = Loyalty.create(p)
        msgs = [w.envelope(e, event=True) for e in sample_events(shared_dir, p.tenant)]
        for m in msgs:
            assert dcs_single(proc, w.inlet, m).status_code == 200
        blocker = sqlite3.connect(proc.data_dir / "sandbox.sqlite3", isolation_level=None, timeout=30)
        blocker.execute("BEGIN IMMEDIATE")  # hold the write lock
        answers: dict[str, int] = {}

        def send(name: str, fn) -> None:
            answers[name] = fn().status_code

        first = threading.Thread(target=send, args=("batch", lambda: dcs_batch(proc, w.inlet, msgs)))
        first.start()
        time.sleep(0.5)  # its COMMIT now waits for the lock
        flush = threading.Thread(target=send, args=("flush", lambda: http().post(
            f"{proc.urls.base}/__sandbox/admin/datalake/flush", json={"datasetId": w.event_ds})))
        flush.start()
        first.join(30)
        blocker.execute("ROLLBACK")  # the close queued behind the failed COMMIT now goes through
        blocker.close()
        flush.join(30)
        assert answers == {"batch": 503, "flush": 200}
        (batch,) = assert_consistent(p, w.event_ds).values()
        assert (batch["status"], batch["failedRecordCount"]) == ("failed", 20)
        # the client retries what was refused: a new batch, and the counts still match
        assert dcs_batch(proc, w.inlet, msgs).status_code == 207
        view = assert_consistent(p, w.event_ds)
        assert sorted(b["failedRecordCount"] for b in view.values()) == [20, 20]
    finally:
        p.close()
