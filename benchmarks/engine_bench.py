"""Streaming engine benchmark (a table; not a timed test).

1. 100,000 loyalty-shaped records into the local sandbox with the engine (client-side validation,
   envelopes, batches under 1 MB, bounded concurrency), once without and once with the request
   history recording every exchange;
2. the same kind of records sent the naive way, one request per record, sequentially (as a
   collection runner sends), on a sample of ``--naive-records`` records; the ratio of the rates;
3. peak resident memory of ``aep-console send`` streaming a 1 GB JSON Lines file into the sandbox, its
   worker processes included (the sum of their RSS, which counts shared library pages once per
   process: an upper bound); the file is generated in a temporary folder and deleted afterwards.

Targets: engine >= 10,000 records/s; peak RSS <= 200 MB.

    .venv/bin/python benchmarks/engine_bench.py [--records 100000] [--naive-records 5000] [--gb 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import orjson
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AEP_CONSOLE_HOME", tempfile.mkdtemp(prefix="aep-engine-bench-home-"))

from aep_console.sandbox.launcher import start_sandbox  # noqa: E402
from aep_console.services.bulk import BulkRun  # noqa: E402
from aep_console.services.connect import open_session  # noqa: E402
from aep_console.services.credentials import CredentialStore  # noqa: E402
from aep_console.services.engine_types import EngineOptions, SendTarget  # noqa: E402
from aep_console.services.history import HistoryStore  # noqa: E402
from aep_console.services.profiles import local_profile  # noqa: E402
from aep_console.services.setup import SetupWorkflows  # noqa: E402
from aep_console.xdm.envelope import build_envelope  # noqa: E402

LEVELS = ("Silver", "Gold", "Platinum", "Diamond")


def member(i: int) -> dict:
    email = f"bench{i}@example.com"
    return {"_exchangeinternal": {"loyaltyID": email, "totalLoyaltyPoints": i * 50 % 500_000,
                                  "loyaltyLevel": LEVELS[i % 4]},
            "person": {"name": {"firstName": f"First{i}", "lastName": f"Last{i}", "middleName": ""},
                       "birthDate": "1979-03-06", "gender": "female" if i % 2 else "male"},
            "personalEmail": {"primary": False, "address": email, "type": "personal", "status": "active"}}


def write_jsonl(path: Path, n: int | None = None, *, size: int | None = None, start: int = 0) -> int:
    count = 0
    with open(path, "wb", buffering=1 << 20) as fh:
        written = 0
        i = start
        while (n is not None and count < n) or (size is not None and written < size):
            line = orjson.dumps(member(i)) + b"\n"
            fh.write(line)
            written += len(line)
            count += 1
            i += 1
    return count


async def setup(sb) -> tuple[SendTarget, dict]:
    prof = local_profile(sb.urls.base)
    async with open_session(prof, credentials=CredentialStore(session_only=True)) as s:
        report = await SetupWorkflows(s).loyalty_tutorial(f"Bench{int(time.time())}")
    if not report.ok:
        raise SystemExit(report.summary())
    o = report.outputs
    return SendTarget(o["connection_id"], o["profile_dataset_id"], o["profile_schema_id"], prof.org_id,
                      flow_id=o["profile_flow_id"]), o


async def engine_run(sb, target: SendTarget, path: Path, *, history: HistoryStore | None) -> tuple[float, object]:
    prof = local_profile(sb.urls.base)
    async with open_session(prof, credentials=CredentialStore(session_only=True), history=history) as s:
        run = BulkRun(s, path, target, options=EngineOptions(concurrency=8), restart=True)
        t0 = time.perf_counter()
        report = await run.start()
        return time.perf_counter() - t0, report


def naive_run(sb, target: SendTarget, n: int, start: int) -> float:
    """One POST per record, sequentially, with a token fetched once (the collection-runner way)."""
    creds = sb.credentials
    with httpx.Client(timeout=30) as client:
        tok = client.post(f"{sb.urls.ims}/ims/token/v3", data={
            "grant_type": "client_credentials", "client_id": creds.client_id,
            "client_secret": creds.client_secret, "scope": creds.scopes}).json()["access_token"]
        headers = {"Authorization": f"Bearer {tok}", "x-api-key": creds.client_id,
                   "x-gw-ims-org-id": creds.org_id, "x-sandbox-name": creds.sandbox_name,
                   "Content-Type": "application/json"}
        url = f"{sb.urls.streaming}/collection/{target.connection_id}"
        t0 = time.perf_counter()
        for i in range(start, start + n):
            env = build_envelope(member(i), schema_id=target.schema_id, org_id=target.org_id,
                                 dataset_id=target.dataset_id, flow_id=target.flow_id)
            r = client.post(url, content=json.dumps(env), headers=headers)
            if r.status_code != 200:
                raise SystemExit(f"naive send failed: HTTP {r.status_code} {r.text[:200]}")
        return time.perf_counter() - t0


PEAKS: dict[str, int] = {}  # peak RSS per process (the engine's, each worker's)


def peak_rss_of(cmd: list[str]) -> tuple[int, str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        ps = psutil.Process(proc.pid)
        while not done.is_set():  # the process and its worker processes together
            try:
                total = ps.memory_info().rss
                pss = ps.memory_full_info().pss
                PEAKS["engine"] = max(PEAKS.get("engine", 0), total)
                for child in ps.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        rss = child.memory_info().rss
                        total += rss
                        pss += child.memory_full_info().pss
                        line = " ".join(child.cmdline())
                        name = ("resource tracker" if "resource_tracker" in line else
                                f"worker {child.pid}" if "multiprocessing" in line else "other")
                        PEAKS[name] = max(PEAKS.get(name, 0), rss)
                peak = max(peak, total)
                PEAKS["sum of PSS"] = max(PEAKS.get("sum of PSS", 0), pss)
            except psutil.Error:
                return
            time.sleep(0.02)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    done.set()
    t.join()
    if proc.returncode != 0:
        raise SystemExit(f"streaming child failed ({proc.returncode}): {err[-2000:]}")
    return peak, out


def throughput_rows(sb, target: SendTarget, work: Path, args) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    data = work / "members.jsonl"
    write_jsonl(data, args.records)
    secs, rep = asyncio.run(engine_run(sb, target, data, history=None))
    engine_rate = rep.progress.accepted / secs
    rows.append((f"engine, {args.records:,} records (8 in flight, batches < 1 MB)",
                 f"{engine_rate:,.0f} records/s", f"{secs:.1f} s, {rep.progress.requests} requests, "
                 f"{rep.progress.accepted:,} accepted"))
    hist = HistoryStore(work / "history.sqlite3")
    data2 = work / "members2.jsonl"
    write_jsonl(data2, args.records, start=10_000_000)
    secs_h, rep_h = asyncio.run(engine_run(sb, target, data2, history=hist))
    rows.append(("engine + request history (every exchange recorded, redacted)",
                 f"{rep_h.progress.accepted / secs_h:,.0f} records/s", f"{secs_h:.1f} s"))
    naive_s = naive_run(sb, target, args.naive_records, 20_000_000)
    naive_rate = args.naive_records / naive_s
    rows.append((f"naive: 1 request per record, sequential ({args.naive_records:,} records)",
                 f"{naive_rate:,.0f} records/s", f"{naive_s:.1f} s"))
    rows.append(("ratio engine / naive", f"{engine_rate / naive_rate:,.1f} x", ""))
    rows.append(("target", ">= 10,000 records/s", "met" if engine_rate >= 10_000 else "NOT met"))
    return rows


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--naive-records", type=int, default=5_000)
    ap.add_argument("--gb", type=float, default=1.0, help="size of the JSON Lines file for the memory run (0: skip)")
    ap.add_argument("--workers", type=int, default=None,
                    help="worker processes of the memory run (default: the engine's choice; 0: none)")
    ap.add_argument("--memory-only", action="store_true", help="only the memory run")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="aep-engine-bench-"))
    sb = start_sandbox(work / "sandbox")
    rows: list[tuple[str, str, str]] = []
    try:
        target, _ = asyncio.run(setup(sb))
        if not args.memory_only:
            rows += throughput_rows(sb, target, work, args)
        if args.gb > 0:
            big = work / "big.jsonl"
            n = write_jsonl(big, size=int(args.gb * 1024**3), start=30_000_000)
            size = big.stat().st_size
            # the command line a user runs (its worker processes import only what they need)
            cmd = [sys.executable, "-m", "aep_console", "send", str(big), "--profile", "Local sandbox",
                   "--sandbox-url", sb.urls.base, "--connection", target.connection_id, "--dataset",
                   target.dataset_id, "--schema", target.schema_id, "--no-progress", "--json"]
            if args.workers is not None:
                cmd += ["--workers", str(args.workers)]
            peak, out = peak_rss_of(cmd)
            child = json.loads(out[out.index("{"):])
            child["seconds"] = child["elapsed"]
            big.unlink()
            who = "" if args.workers is None else f", {args.workers} worker process(es)"
            rows.append((f"peak RSS streaming a {size / 1024**3:.2f} GB JSON Lines file ({n:,} records{who})",
                         f"{peak / 1024**2:,.0f} MB",
                         f"{'met' if peak <= 200 * 1024**2 else 'NOT met'} (<= 200 MB; per process: "
                         + ", ".join(f"{k} {v / 1024**2:,.0f} MB" for k, v in PEAKS.items()) + "); "
                         f"{child['accepted']:,} accepted in {child['seconds']:.0f} s "
                         f"({child['accepted'] / child['seconds']:,.0f} records/s)"))
    finally:
        sb.stop()
        shutil.rmtree(work, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"\n{'measure'.ljust(width)}  {'value'.ljust(vwidth)}  notes")
    print(f"{'-' * width}  {'-' * vwidth}  -----")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value.ljust(vwidth)}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
