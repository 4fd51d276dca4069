"""Benchmark of the local sandbox's streaming path (issue 4). Prints a table; not a timed test.

    .venv/bin/python benchmarks/sandbox_bench.py [--seconds 10] [--batch 500] [--clients 1] [--threads 4]

1. messages/s accepted on ``POST /dcs/collection/batch/{inlet}`` with loyalty-shaped profile records
   (XDM validation, SQLite persistence and Profile merge on), the client in other process(es);
2. the same request bodies against ``POST /__sandbox/noop`` (the loopback ceiling of this server);
3. latency from the 200 of one streamed profile to its visibility in ``GET /access/entities``
   (p50/p95/p99), next to the round trip of ``GET /__sandbox/noop``.

The server is started with the launcher in a temporary data dir; set-up is done over HTTP.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import orjson
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aep_console.sandbox.launcher import start_sandbox

XED_FULL = "application/vnd.adobe.xed-full+json;version=1"
PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"


# --- set-up over HTTP -------------------------------------------------------------------------------

def _ok(resp: httpx.Response) -> dict:
    if resp.status_code not in (200, 201):
        raise SystemExit(f"set-up failed: {resp.request.method} {resp.request.url} -> {resp.status_code} "
                         f"{resp.text[:500]}")
    return resp.json()


def setup(proc) -> dict:
    creds = proc.credentials
    token = _ok(httpx.post(f"{proc.urls.ims}/ims/token/v3", data={
        "grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": creds.client_secret,
        "scope": creds.scopes}))["access_token"]
    headers = {"Authorization": f"Bearer {token}", "x-api-key": creds.client_id,
               "x-gw-ims-org-id": creds.org_id, "x-sandbox-name": creds.sandbox_name,
               "Accept": "application/vnd.adobe.xed+json"}
    p = httpx.Client(base_url=proc.urls.platform, headers=headers, timeout=30)
    t = creds.tenant_id
    fg = _ok(p.post("/data/foundation/schemaregistry/tenant/fieldgroups", json={
        "title": "Loyalty (bench)", "type": "object", "meta:intendedToExtend": [PROFILE_CLASS],
        "definitions": {"custom": {"properties": {f"_{t}": {"type": "object", "properties": {
            "loyaltyID": {"type": "string", "format": "email"},
            "totalLoyaltyPoints": {"type": "integer"},
            "loyaltyLevel": {"type": "string"}}}}}},
        "allOf": [{"$ref": "#/definitions/custom"}]}))["$id"]
    schema_id = _ok(p.post("/data/foundation/schemaregistry/tenant/schemas", json={
        "type": "object", "title": "Loyalty profiles (bench)", "meta:immutableTags": ["union"],
        "allOf": [{"$ref": PROFILE_CLASS}, {"$ref": "https://ns.adobe.com/xdm/context/profile-person-details"},
                  {"$ref": "https://ns.adobe.com/xdm/context/profile-personal-details"}, {"$ref": fg}]}))["$id"]
    _ok(p.post("/data/foundation/schemaregistry/tenant/descriptors", json={
        "@type": "xdm:descriptorIdentity", "xdm:sourceSchema": schema_id, "xdm:sourceVersion": 1,
        "xdm:sourceProperty": f"/_{t}/loyaltyID", "xdm:namespace": "Email", "xdm:property": "xdm:code",
        "xdm:isPrimary": True}))
    ds = _ok(p.post("/data/foundation/catalog/dataSets", json={
        "name": "bench-loyalty", "schemaRef": {"id": schema_id, "contentType": XED_FULL},
        "tags": {"unifiedIdentity": ["enabled:true"], "unifiedProfile": ["enabled:true"]}}))[0].split("/")[-1]
    cid = _ok(p.post("/data/foundation/flowservice/connections", json={
        "name": "bench", "connectionSpec": {"id": "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb", "version": "1.0"},
        "auth": {"specName": "Streaming Connection", "params": {"dataType": "xdm"}}}))["id"]
    inlet = _ok(p.get(f"/data/foundation/flowservice/connections/{cid}"))["items"][0]["auth"]["params"]["inletId"]
    # today's route: a dataflow from the connection into the dataset, named by every message
    fs = "/data/foundation/flowservice"
    src = _ok(p.post(f"{fs}/sourceConnections", json={
        "name": "bench source", "baseConnectionId": cid,
        "connectionSpec": {"id": "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb", "version": "1.0"}}))["id"]
    tgt = _ok(p.post(f"{fs}/targetConnections", json={
        "name": "bench target", "data": {"schema": {"id": schema_id, "version": XED_FULL + ".0"}},
        "params": {"dataSetId": ds}, "connectionSpec": {"id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c",
                                                        "version": "1.0"}}))["id"]
    flow = _ok(p.post(f"{fs}/flows", json={
        "name": "bench dataflow", "flowSpec": {"id": "d8a6f005-7eaf-4153-983e-e8574508b877", "version": "1.0"},
        "sourceConnectionIds": [src], "targetConnectionIds": [tgt]}))["id"]
    return {"tenant": t, "org": creds.org_id, "schema": schema_id, "dataset": ds, "inlet": inlet, "flow": flow,
            "headers": {k: v for k, v in headers.items() if k != "Accept"}}


def loyalty(tenant: str, i: int) -> dict:
    levels = ("Bronze", "Silver", "Gold", "Platinum")
    return {f"_{tenant}": {"loyaltyID": f"member{i}@bench.example.com", "totalLoyaltyPoints": 1000 + i,
                           "loyaltyLevel": levels[i % 4]},
            "person": {"name": {"firstName": f"First{i}", "lastName": f"Last{i}"}, "birthDate": "1980-01-02",
                       "gender": "female" if i % 2 else "male"},
            "personalEmail": {"address": f"member{i}@bench.example.com", "primary": True, "type": "personal",
                              "status": "active"}}


def envelope(ctx: dict, entity: dict) -> dict:
    ref = {"id": ctx["schema"], "contentType": XED_FULL}
    return {"header": {"schemaRef": ref, "imsOrgId": ctx["org"], "datasetId": ctx["dataset"],
                       "flowId": ctx["flow"], "source": {"name": "bench"}},
            "body": {"xdmMeta": {"schemaRef": ref}, "xdmEntity": entity}}


def bodies(ctx: dict, batch: int, distinct: int, worker: int) -> list[bytes]:
    out = []
    n = 0
    while n < distinct:
        msgs = [envelope(ctx, loyalty(ctx["tenant"], worker * distinct + n + k)) for k in range(batch)]
        out.append(orjson.dumps({"messages": msgs}))
        n += batch
    return out


# --- client processes ---------------------------------------------------------------------------------

def _client(url: str, payloads: list[bytes], seconds: float, threads: int, start_at: float, q) -> None:
    acked = failed = requests = 0
    lock = threading.Lock()

    def run(offset: int) -> None:
        nonlocal acked, failed, requests
        a = f = r = 0
        with httpx.Client(timeout=60, headers={"Content-Type": "application/json"}) as c:
            i = offset
            while time.time() < start_at:
                time.sleep(0.001)
            deadline = start_at + seconds
            while time.time() < deadline:
                resp = c.post(url, content=payloads[i % len(payloads)])
                i += 1
                r += 1
                if resp.status_code == 207:
                    res = orjson.loads(resp.content)["responses"]
                    bad = sum(1 for x in res if "status" in x)
                    a += len(res) - bad
                    f += bad
                elif resp.status_code == 200:
                    a += payloads[0].count(b'"xdmEntity"')
                else:
                    f += 1
        with lock:
            acked += a
            failed += f
            requests += r

    ts = [threading.Thread(target=run, args=(k * 7,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    q.put((acked, failed, requests))


def throughput(url: str, payload_sets: list[list[bytes]], seconds: float, threads: int) -> tuple[float, int, int]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    start_at = time.time() + 1.0
    procs = [ctx.Process(target=_client, args=(url, ps, seconds, threads, start_at, q)) for ps in payload_sets]
    for pr in procs:
        pr.start()
    results = [q.get(timeout=seconds + 120) for _ in procs]
    for pr in procs:
        pr.join()
    acked = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    reqs = sum(r[2] for r in results)
    return acked / seconds, failed, reqs


# --- latency ------------------------------------------------------------------------------------------

def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def visibility(proc, ctx: dict, n: int) -> list[float]:
    lat = []
    with httpx.Client(timeout=30) as dcs, httpx.Client(base_url=proc.urls.platform, headers=ctx["headers"],
                                                       timeout=30) as plat:
        for i in range(n):
            ident = 10_000_000 + i
            body = orjson.dumps(envelope(ctx, loyalty(ctx["tenant"], ident)))
            r = dcs.post(f"{proc.urls.streaming}/collection/{ctx['inlet']}", content=body,
                         headers={"Content-Type": "application/json"})
            t0 = time.perf_counter()
            assert r.status_code == 200, r.text
            params = {"schema.name": "_xdm.context.profile", "entityId": f"member{ident}@bench.example.com",
                      "entityIdNS": "email"}
            while True:
                g = plat.get("/data/core/ups/access/entities", params=params)
                if g.status_code == 200:
                    break
                if time.perf_counter() - t0 > 5:
                    raise SystemExit(f"profile {ident} not visible after 5 s: {g.status_code} {g.text[:200]}")
            lat.append((time.perf_counter() - t0) * 1000)
    return lat


def merged_reads(proc, ctx: dict, n: int, distinct: int) -> list[float]:
    """GET of profiles that took many fragments in the batch phase: merging is lazy (folded on the first
    read), so this is where its cost shows."""
    lat = []
    with httpx.Client(base_url=proc.urls.platform, headers=ctx["headers"], timeout=30) as plat:
        for i in range(n):
            params = {"schema.name": "_xdm.context.profile", "entityIdNS": "email",
                      "entityId": f"member{(i * 7919) % distinct}@bench.example.com"}
            t0 = time.perf_counter()
            g = plat.get("/data/core/ups/access/entities", params=params)
            lat.append((time.perf_counter() - t0) * 1000)
            if g.status_code != 200:
                raise SystemExit(f"profile read failed: {g.status_code} {g.text[:200]}")
    return lat


def noop_rtt(proc, n: int) -> list[float]:
    lat = []
    with httpx.Client(timeout=30) as c:
        for _ in range(n):
            t0 = time.perf_counter()
            c.get(f"{proc.urls.base}/__sandbox/noop")
            lat.append((time.perf_counter() - t0) * 1000)
    return lat


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0, help="duration of each throughput phase")
    ap.add_argument("--batch", type=int, default=500, help="messages per /collection/batch request")
    ap.add_argument("--clients", type=int, default=1, help="client processes")
    ap.add_argument("--threads", type=int, default=3, help="connections (threads) per client process")
    ap.add_argument("--distinct", type=int, default=20_000, help="distinct profiles per client process")
    ap.add_argument("--latency-samples", type=int, default=300)
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args(argv)

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="aep-sandbox-bench-"))
    proc = start_sandbox(data_dir)
    try:
        ctx = setup(proc)
        payload_sets = [bodies(ctx, args.batch, args.distinct, w) for w in range(args.clients)]
        size = sum(len(b) for b in payload_sets[0]) / len(payload_sets[0])
        # warm-up (validator compiled, connections open)
        with httpx.Client(timeout=60) as c:
            c.post(f"{proc.urls.streaming}/collection/batch/{ctx['inlet']}", content=payload_sets[0][0],
                   headers={"Content-Type": "application/json"})
        batch_url = f"{proc.urls.streaming}/collection/batch/{ctx['inlet']}"
        server = psutil.Process(proc.pid)
        cpu0 = server.cpu_times()
        load0 = os.getloadavg()[0]
        rate, failed, reqs = throughput(batch_url, payload_sets, args.seconds, args.threads)
        cpu1 = server.cpu_times()
        server_cpu = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
        cpu_per_msg = server_cpu / max(1.0, rate * args.seconds) * 1e6
        noop_req_rate = throughput(f"{proc.urls.base}/__sandbox/noop", payload_sets, args.seconds, args.threads)
        # noop answers 200 {}: the client counts a full batch per request
        noop_rate = noop_req_rate[0]
        merged = merged_reads(proc, ctx, args.latency_samples, args.distinct)
        lat = visibility(proc, ctx, args.latency_samples)
        rtt = noop_rtt(proc, args.latency_samples)
        stats = httpx.get(f"{proc.urls.base}/__sandbox/admin/stats", timeout=30).json()
    finally:
        proc.stop()
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)

    rows = [
        ("/collection/batch messages/s (validate+persist+profile)", f"{rate:,.0f}", ">= 20,000"),
        ("/__sandbox/noop same bodies, messages/s (ceiling)", f"{noop_rate:,.0f}", ""),
        ("ratio batch / ceiling", f"{rate / noop_rate:.0%}" if noop_rate else "n/a", ""),
        ("failed entries / requests (batch phase)", f"{failed} / {reqs}", "0 failed"),
        ("server CPU per accepted message, us", f"{cpu_per_msg:.1f}", ""),
        ("server CPU use during batch phase (100% = one core)", f"{server_cpu / args.seconds:.0%}", ""),
        ("=> messages per server CPU-second", f"{1e6 / cpu_per_msg:,.0f}", ""),
        ("machine load average at start of batch phase", f"{load0:.2f}", "(other processes share the CPUs)"),
        ("200 -> visible in /access/entities p50 ms", f"{statistics.median(lat):.2f}", ""),
        ("200 -> visible in /access/entities p95 ms", f"{pct(lat, 95):.2f}", ""),
        ("200 -> visible in /access/entities p99 ms", f"{pct(lat, 99):.2f}", "<= 50"),
        ("GET /__sandbox/noop round trip p99 ms", f"{pct(rtt, 99):.2f}", ""),
        (f"first GET of a profile with ~{stats['records'] / max(1, sum(stats['profiles'].values())):.0f} "
         "fragments p50 / p99 ms", f"{statistics.median(merged):.2f} / {pct(merged, 99):.2f}", ""),
        ("profiles in index / records in data lake", f"{sum(stats['profiles'].values()):,} / {stats['records']:,}",
         ""),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print(f"\nsandbox benchmark: {args.clients} client process(es) x {args.threads} connections, batch "
          f"{args.batch} ({size / args.batch:.0f} B/message), {args.seconds:.0f} s per phase, "
          f"{mp.cpu_count()} CPUs")
    print(f"{'measure'.ljust(w0)}  {'value'.rjust(w1)}  target")
    print(f"{'-' * w0}  {'-' * w1}  ------")
    for name, value, target in rows:
        print(f"{name.ljust(w0)}  {value.rjust(w1)}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
