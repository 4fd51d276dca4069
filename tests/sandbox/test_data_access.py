"""Data lake on the real sandbox process: streaming batches in Catalog, the Data Access export API,
fault injection, and durability across kill -9."""

from __future__ import annotations

import threading
import time

import httpx
import orjson
import pytest

from .helpers import Platform, unique
from .ingestion_setup import Loyalty, check_response, dcs_batch, dcs_single, http, profile_get

SPEC = "data-access.yaml"


@pytest.fixture(scope="module")
def plat(sandbox):
    p = Platform(sandbox)
    yield p
    p.close()


def member(t: str, tag: str, i: int) -> dict:
    return {f"_{t}": {"loyaltyID": f"{tag}-{i}@example.com", "totalLoyaltyPoints": i}}


@pytest.fixture
def lake_config(sandbox):
    """Batch thresholds of the shared sandbox for one test (other tests may have changed them)."""
    def set_config(**settings):
        return sandbox.admin("datalake/config", settings)

    set_config(maxRecords=50_000, maxAgeSeconds=600)
    yield set_config
    sandbox.admin("datalake/config", {"maxRecords": 50_000, "maxAgeSeconds": 30})


def test_streamed_records_land_in_batches_and_export(sandbox, plat, shared_dir, lake_config):
    w = Loyalty.create(plat)
    t = plat.tenant
    tag = unique("dl")
    msgs = [w.envelope(member(t, tag, i)) for i in range(30)]
    msgs.append(w.envelope({f"_{t}": {"loyaltyID": 5}}))  # invalid: recorded as a failed record
    resp = dcs_batch(sandbox, w.inlet, msgs)
    assert all("status" not in r for r in resp.json()["responses"])
    # while open, the batch is already visible with its counts
    batches = plat.get("/data/foundation/catalog/batches", params={"dataSet": w.profile_ds}).json()
    (batch_id, batch), = batches.items()
    assert batch["status"] == "loading" and batch["recordCount"] == 30 and batch["failedRecordCount"] == 1
    assert sandbox.admin("datalake/flush", {"datasetId": w.profile_ds})["closed"] == [batch_id]
    batch = plat.get(f"/data/foundation/catalog/batches/{batch_id}").json()[batch_id]
    assert batch["status"] == "success" and batch["completed"] >= batch["created"]
    assert batch["relatedObjects"] == [{"type": "dataSet", "id": w.profile_ds}]
    ds = plat.get(f"/data/foundation/catalog/dataSets/{w.profile_ds}").json()[w.profile_ds]
    assert ds.get("lastBatchId", batch_id) == batch_id

    files = plat.get(f"/data/foundation/export/batches/{batch_id}/files")
    check_response(shared_dir, SPEC, files)
    (entry,) = files.json()["data"]
    assert entry["records"] == "30" and entry["isValid"] is True
    listing = plat.get(f"/data/foundation/export/files/{entry['dataSetFileId']}")
    assert listing.status_code == 200
    (f,) = listing.json()["data"]
    data = plat.get(f"/data/foundation/export/files/{entry['dataSetFileId']}", params={"path": f["name"]})
    assert data.status_code == 200 and data.headers["content-type"].startswith("application/octet-stream")
    rows = [orjson.loads(line) for line in data.content.splitlines()]
    assert rows == [m["body"]["xdmEntity"] for m in msgs[:30]]
    part = plat.get(f"/data/foundation/export/files/{entry['dataSetFileId']}", params={"path": f["name"]},
                    headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == data.content[:10]
    head = plat.request("HEAD", f"/data/foundation/export/files/{entry['dataSetFileId']}", params={"path": f["name"]})
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(data.content)

    failed = plat.get(f"/data/foundation/export/batches/{batch_id}/failed")
    check_response(shared_dir, SPEC, failed)
    (ff,) = failed.json()["data"]
    frows = plat.get(f"/data/foundation/export/batches/{batch_id}/failed", params={"path": ff["name"]}).text
    assert "expected type: String, found: Long" in frows
    meta = plat.get(f"/data/foundation/export/batches/{batch_id}/meta", params={"path": "row_errors_sample.json"})
    assert meta.status_code == 200 and meta.json()[0]["rows"] == ["31"]

    preview = plat.get(f"/data/foundation/export/datasets/{w.profile_ds}/preview")
    check_response(shared_dir, SPEC, preview)
    assert preview.json()["data"][:30] == rows

    # next message opens a new batch
    assert dcs_single(sandbox, w.inlet, w.envelope(member(t, tag, 99))).status_code == 200
    assert len(plat.get("/data/foundation/catalog/batches", params={"dataSet": w.profile_ds}).json()) == 2


def test_export_errors_name_what_is_missing(plat):
    for path in ("/data/foundation/export/batches/01NOPE/files", "/data/foundation/export/batches/01NOPE/failed",
                 "/data/foundation/export/files/01NOPE-1", "/data/foundation/export/datasets/000000000000/preview"):
        resp = plat.get(path)
        assert resp.status_code == 404, path
        assert "01NOPE" in resp.text or "000000000000" in resp.text


def test_batches_close_on_size_and_time_thresholds(sandbox, plat, lake_config):
    w = Loyalty.create(plat)
    t = plat.tenant
    lake_config(maxRecords=10, maxAgeSeconds=1.5)
    dcs_batch(sandbox, w.inlet, [w.envelope(member(t, "size", i)) for i in range(10)])
    batches = plat.get("/data/foundation/catalog/batches", params={"dataSet": w.profile_ds}).json()
    assert [b["status"] for b in batches.values()] == ["success"]
    dcs_single(sandbox, w.inlet, w.envelope(member(t, "time", 1)))
    deadline = time.time() + 6
    while time.time() < deadline:
        statuses = sorted(b["status"] for b in plat.get(
            "/data/foundation/catalog/batches", params={"dataSet": w.profile_ds}).json().values())
        if statuses == ["success", "success"]:
            break
        time.sleep(0.2)
    assert statuses == ["success", "success"]


def test_fault_injection(sandbox, plat):
    w = Loyalty.create(plat)
    t = plat.tenant
    url = f"{sandbox.urls.streaming}/collection/{w.inlet}"
    msg = w.envelope(member(t, "fault", 1))
    assert sandbox.admin("faults", {})["enabled"] is False
    try:
        for mode, status in (("error500", 500), ("error503", 503), ("error429", 429)):
            sandbox.admin("faults", {mode: 1, "retryAfter": 3})
            resp = http().post(url, json=msg)
            assert resp.status_code == status
            if status != 500:
                assert resp.headers["Retry-After"] == "3"
        sandbox.admin("faults", {"drop": 1})
        with pytest.raises(httpx.HTTPError):
            http().post(url, json=msg)
        sandbox.admin("faults", {"partial": 0.5, "seed": 3})
        resp = dcs_batch(sandbox, w.inlet, [w.envelope(member(t, "partial", i)) for i in range(40)])
        failed = [r for r in resp.json()["responses"] if "status" in r]
        assert resp.status_code == 207 and 5 < len(failed) < 35 and all(r["status"] == 503 for r in failed)
        sandbox.admin("faults", {"latencyMs": 200})
        t0 = time.perf_counter()
        assert http().post(url, json=msg).status_code == 200
        assert time.perf_counter() - t0 >= 0.2
        sandbox.admin("faults", {"error503": 1, "scope": "all"})
        resp = profile_get(plat, "fault-1@example.com")
        assert resp.status_code == 503
        sandbox.admin("faults", {"error429": 1, "scope": "all"})
        resp = profile_get(plat, "fault-1@example.com")
        assert resp.status_code == 429 and resp.json()[0]["statusCode"] == "429"
        assert http().post(f"{sandbox.urls.base}/__sandbox/admin/faults", json={"error503": 2}).status_code == 400
        assert http().post(f"{sandbox.urls.base}/__sandbox/admin/faults", json={"bogus": 1}).status_code == 400
    finally:
        sandbox.admin("faults", {})
    assert http().post(url, json=msg).status_code == 200
    # accepted partial-batch messages are the ones persisted
    batches = plat.get("/data/foundation/catalog/batches", params={"dataSet": w.profile_ds}).json()
    assert sum(b["recordCount"] for b in batches.values()) == 2 + (40 - len(failed))


def test_faults_can_be_switched_on_at_start(fresh_sandbox, monkeypatch):
    monkeypatch.setenv("AEP_SANDBOX_FAULTS", "error503=1,retryAfter=2")
    proc = fresh_sandbox()
    resp = http().post(f"{proc.urls.streaming}/collection/{'ab' * 32}", json={})
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "2"
    assert proc.admin("faults", {})["enabled"] is False


@pytest.mark.slow
def test_kill_9_during_a_stream_loses_no_acknowledged_message(fresh_sandbox):
    proc = fresh_sandbox()
    p = Platform(proc)
    w = Loyalty.create(p)
    t = p.tenant
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def sender(worker: int) -> None:
        n = 0
        with httpx.Client(timeout=10) as c:
            while not stop.is_set():
                ids = [f"k{worker}-{n + i}" for i in range(50)]
                n += 50
                msgs = [w.envelope(member(t, ident, 0)) for ident in ids]
                try:
                    resp = c.post(f"{proc.urls.streaming}/collection/batch/{w.inlet}", json={"messages": msgs})
                except httpx.HTTPError:
                    return
                if resp.status_code != 207:
                    return
                ok = [ids[i] for i, r in enumerate(resp.json()["responses"]) if "status" not in r]
                with lock:
                    acked.extend(ok)
            return

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(3)]
    for th in threads:
        th.start()
    deadline = time.time() + 10
    while time.time() < deadline and len(acked) < 6000:
        time.sleep(0.01)
    proc.kill()
    stop.set()
    for th in threads:
        th.join(10)
    p.close()
    assert len(acked) >= 3000, len(acked)  # thousands acknowledged before the kill

    proc2 = proc.restart()
    p2 = Platform(proc2)
    try:
        # data lake: every acknowledged record is in a file of a (now closed) batch of the dataset
        batches = p2.get("/data/foundation/catalog/batches", params={"dataSet": w.profile_ds, "limit": 100}).json()
        assert batches and all(b["status"] == "success" for b in batches.values())
        found: set[str] = set()
        for batch_id in batches:
            for entry in p2.get(f"/data/foundation/export/batches/{batch_id}/files").json()["data"]:
                raw = p2.get(f"/data/foundation/export/files/{entry['dataSetFileId']}",
                             params={"path": "part-00000.json"}).content
                found.update(orjson.loads(line)[f"_{t}"]["loyaltyID"].split("-0@")[0]
                             for line in raw.splitlines())
        missing = [a for a in acked if a not in found]
        assert not missing, f"{len(missing)} acknowledged records missing from the data lake, e.g. {missing[:5]}"
        # profile: rebuilt from the data lake
        for ident in acked[:: max(1, len(acked) // 300)] + acked[-20:]:
            resp = profile_get(p2, f"{ident}-0@example.com")
            assert resp.status_code == 200, (ident, resp.text)
    finally:
        p2.close()


def test_ingestion_settings_from_the_config_file(fresh_sandbox, tmp_path):
    cfg = tmp_path / "sandbox.toml"
    cfg.write_text('datalake_max_records = 5\ndatalake_max_age_s = 600\nsync_validation_per_minute = 2\n'
                   'faults = { latencyMs = 1 }\n')
    proc = fresh_sandbox(extra_args=["--config", str(cfg)])
    assert proc.admin("faults", {"latencyMs": 1})["latencyMs"] == 1
    p = Platform(proc)
    try:
        w = Loyalty.create(p)
        dcs_batch(proc, w.inlet, [w.envelope(member(p.tenant, "cfg", i)) for i in range(12)])
        batches = p.get("/data/foundation/catalog/batches", params={"dataSet": w.profile_ds}).json()
        assert sorted(b["recordCount"] for b in batches.values()) == [12]
        dcs_batch(proc, w.inlet, [w.envelope(member(p.tenant, "cfg2", 1))])
        batches = p.get("/data/foundation/catalog/batches", params={"dataSet": w.profile_ds}).json()
        assert sorted((b["status"], b["recordCount"]) for b in batches.values()) == [("loading", 1), ("success", 12)]
        codes = [dcs_single(proc, w.inlet, w.envelope(member(p.tenant, "cfg3", i)), sync="syncValidation").status_code
                 for i in range(3)]
        assert codes == [200, 200, 429]
    finally:
        p.close()
