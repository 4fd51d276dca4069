"""The client's streaming throughput beside Adobe's own SDK (issue 11): one table, one run.

Rows, each 100,000 distinct loyalty profile records (≈850 B each) unless ``--records`` says otherwise:

- engine → sandbox: ``BulkRun`` (what ``aep-console send`` runs) from a JSON Lines file into the local
  sandbox (validation, SQLite, Profile on the server side), end to end from file to last answer;
- engine → no-op DCS stand-in (``noop_dcs.py``: parses each body, answers 207 per message), client-side
  validation on, then off (``--no-validate``);
- aepp 0.6 → the same sandbox, and → the same no-op (``DataIngestion.streamMessages``, 500 per request);
  its timer covers only its send loop (envelopes pre-built in memory, no validation). aepp is installed
  by this script into its own cached virtual environment (``~/.cache/aep-console-bench/aepp-venv``);
- raw httpx → the no-op: pre-built bodies (500 records each, and the engine's ≤ 900 KB), 8 requests in
  flight, nothing else: the ceiling, which is the stand-in's own (it parses every body on one core; its
  CPU per 100,000 records is printed beside each no-op row).

Engine rates are by the engine's own clock (from its first record to its last answer, as aepp's timer
covers only its send loop); the wall clock around ``BulkRun.start()`` (token, schema fetch, worker
start-up included) is in the notes. Each engine row also gives the CPU seconds the client used (its
own process and its worker processes) per 100,000 records, which a busy machine distorts far less.

    .venv/bin/python benchmarks/streaming_bench.py [--records 100000] [--repeat 1] [--no-aepp]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from engine_bench import ROOT, member, setup, write_jsonl  # noqa: E402

from aep_console.sandbox.launcher import start_sandbox  # noqa: E402
from aep_console.services.bulk import BulkRun  # noqa: E402
from aep_console.services.connect import open_session  # noqa: E402
from aep_console.services.credentials import CredentialStore  # noqa: E402
from aep_console.services.engine_types import EngineOptions, SendTarget  # noqa: E402
from aep_console.services.profiles import local_profile  # noqa: E402
from aep_console.xdm.envelope import build_envelope  # noqa: E402

AEPP_VENV = Path(os.environ.get("AEPP_BENCH_VENV", Path.home() / ".cache" / "aep-console-bench" / "aepp-venv"))
AEPP_SPEC = "aepp==0.6.*"


# --- helpers -------------------------------------------------------------------------------------------

def aepp_python() -> Path | None:
    """The aepp virtual env's interpreter, created (once) on first use; None when it cannot be installed."""
    py = AEPP_VENV / "bin" / "python"
    if py.exists() and subprocess.run([py, "-c", "import aepp"], capture_output=True).returncode == 0:
        return py
    AEPP_VENV.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(AEPP_VENV)], check=True)
    r = subprocess.run([py, "-m", "pip", "install", "-q", AEPP_SPEC], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"aepp could not be installed ({AEPP_SPEC}): {r.stderr[-500:]}", file=sys.stderr)
        return None
    return py


def start_noop() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(HERE / "noop_dcs.py")], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise SystemExit(f"no-op DCS did not start: {line!r}")
    return proc, line.split()[1]


SERVERS: set[int] = set()  # pids of the sandbox and the no-op: not the client's CPU


def cpu_of(proc: psutil.Process) -> float:
    """CPU seconds of the client: this process and its live children other than the servers (a worker
    pool that lives through the run is counted here; a child that ended was reaped into ``children_*``)."""
    t = proc.cpu_times()
    total = t.user + t.system + t.children_user + t.children_system
    for child in proc.children(recursive=True):
        if child.pid in SERVERS or child.ppid() in SERVERS:
            continue
        try:
            ct = child.cpu_times()
            total += ct.user + ct.system
        except psutil.Error:
            pass
    return total


def token_of(sb) -> str:
    c = sb.credentials
    r = httpx.post(f"{sb.urls.ims}/ims/token/v3", data={"grant_type": "client_credentials", "client_id": c.client_id,
                                                          "client_secret": c.client_secret, "scope": c.scopes})
    return r.json()["access_token"]


# --- runs ----------------------------------------------------------------------------------------------

WORKERS: list[int | None] = [None]


async def engine_run(base: str, streaming: str | None, target: SendTarget, path: Path, validate: bool) -> dict:
    prof = local_profile(base)
    if streaming:
        prof = dataclasses.replace(prof, streaming_url=streaming)
    me = psutil.Process()
    async with open_session(prof, credentials=CredentialStore(session_only=True)) as s:
        extra = {"workers": WORKERS[0]} if WORKERS[0] is not None else {}
        run = BulkRun(s, path, target, options=EngineOptions(validate=validate, **extra), restart=True)
        c0, t0 = cpu_of(me), time.perf_counter()
        report = await run.start()
        secs, cpu = time.perf_counter() - t0, cpu_of(me) - c0
    p = report.progress
    if p.accepted + p.dead_lettered != p.read or p.dead_lettered:
        raise SystemExit(f"engine run lost or refused records: {report.summary()}")
    # the engine's own clock starts when it starts sending (after the token and the schema were fetched),
    # as aepp's timer covers only its send loop; the wall clock covers BulkRun.start() whole
    return {"records": p.accepted, "seconds": p.elapsed, "wall": secs, "cpu": cpu, "requests": p.requests}


def aepp_run(py: Path, envelopes: Path, dcs: str, inlet: str, org: str, client_id: str, token: str) -> dict:
    out = subprocess.run([str(py), str(HERE / "aepp_peer.py"), "--envelopes", str(envelopes), "--dcs", dcs,
                          "--inlet", inlet, "--org", org, "--client-id", client_id, "--token", token],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"aepp peer failed: {out.stderr[-2000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if res["failed"]:
        raise SystemExit(f"aepp peer: {res['failed']} messages refused")
    return res


def bodies_of(envelopes: list[bytes], max_bytes: int):
    """Request bodies of whole envelopes, each at most ``max_bytes`` (as the engine fills them)."""
    batch: list[bytes] = []
    size = 15
    for e in envelopes:
        if batch and size + len(e) + 1 > max_bytes:
            yield b'{"messages":[' + b",".join(batch) + b"]}"
            batch, size = [], 15
        batch.append(e)
        size += len(e) + 1
    if batch:
        yield b'{"messages":[' + b",".join(batch) + b"]}"


async def raw_httpx(url: str, bodies: list[bytes], records: int, in_flight: int = 8) -> dict:
    async with httpx.AsyncClient(timeout=60, headers={"Content-Type": "application/json"}) as client:
        queue = list(bodies)

        async def worker() -> None:
            while queue:
                r = await client.post(url, content=queue.pop())
                if r.status_code != 207:
                    raise SystemExit(f"raw httpx: HTTP {r.status_code}")

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        return {"records": records, "seconds": time.perf_counter() - t0}


def profile_run(base: str, streaming: str, target: SendTarget, path: Path) -> int:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    res = asyncio.run(engine_run(base, streaming, target, path, True))
    prof.disable()
    print(f"{res['records'] / res['seconds']:,.0f} records/s under the profiler (main process only)")
    pstats.Stats(prof).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "tottime")).print_stats(int(os.environ.get("BENCH_PROFILE_ROWS", "30")))
    return 0


def envelopes_file(path: Path, target: SendTarget, n: int, start: int) -> None:
    with open(path, "wb") as fh:
        for i in range(start, start + n):
            fh.write(orjson.dumps(build_envelope(member(i), schema_id=target.schema_id, org_id=target.org_id,
                                                 dataset_id=target.dataset_id, flow_id=target.flow_id)) + b"\n")


# --- main ----------------------------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1, help="repeat every row; the best run is shown, with the spread")
    ap.add_argument("--no-aepp", action="store_true")
    ap.add_argument("--profile", action="store_true",
                    help="run engine -> no-op (validation on) under cProfile and print where the client's time goes")
    ap.add_argument("--only", default="", help="comma-separated row keys: sandbox,noop,novalidate,aepp,raw")
    ap.add_argument("--workers", type=int, default=None, help="engine worker processes (default: one per spare core)")
    args = ap.parse_args(argv)
    WORKERS[0] = args.workers
    only = set(filter(None, args.only.split(",")))
    n = args.records
    work = Path(tempfile.mkdtemp(prefix="aep-streaming-bench-"))
    sb = start_sandbox(work / "sandbox")
    noop, noop_base = start_noop()
    SERVERS.update({noop.pid, sb.pid})
    results: dict[str, list[dict]] = {}
    offset = [40_000_000]

    def fresh(kind: str) -> Path:
        offset[0] += n
        p = work / f"{kind}-{offset[0]}.jsonl"
        write_jsonl(p, n, start=offset[0])
        return p

    try:
        target, _ = asyncio.run(setup(sb))
        py = None if args.no_aepp or (only and "aepp" not in only) else aepp_python()
        token = token_of(sb)
        if args.profile:
            return profile_run(sb.urls.base, noop_base + "/dcs", target, fresh("prof"))
        load0 = os.getloadavg()
        stand_in = psutil.Process(noop.pid)

        def row(key: str, run) -> None:
            """Run one row; against the no-op, note the stand-in's CPU beside it (its own ceiling)."""
            t = stand_in.cpu_times()
            res = run()
            t2 = stand_in.cpu_times()
            if "noop" in key:
                res["server_cpu"] = (t2.user + t2.system - t.user - t.system)
            results.setdefault(key, []).append(res)

        url = noop_base + f"/dcs/collection/batch/{target.connection_id}"
        for _ in range(args.repeat):
            def want(key: str) -> bool:
                return not only or key in only

            if want("sandbox"):
                row("engine_sandbox", lambda: asyncio.run(engine_run(sb.urls.base, None, target, fresh("sb"), True)))
            if want("noop"):
                row("engine_noop", lambda: asyncio.run(
                    engine_run(sb.urls.base, noop_base + "/dcs", target, fresh("noop"), True)))
            if want("novalidate"):
                row("engine_noop_novalidate", lambda: asyncio.run(
                    engine_run(sb.urls.base, noop_base + "/dcs", target, fresh("nv"), False)))
            if py is not None:
                for key, dcs in (("aepp_sandbox", sb.urls.streaming), ("aepp_noop", noop_base + "/dcs")):
                    offset[0] += n
                    env = work / f"{key}.jsonl"
                    envelopes_file(env, target, n, offset[0])
                    row(key, lambda env=env, dcs=dcs: aepp_run(py, env, dcs, target.connection_id, target.org_id,
                                                               sb.credentials.client_id, token))
                    env.unlink()
            if want("raw"):  # built here and dropped after: the engine rows run in this process too
                envelopes = [orjson.dumps(build_envelope(member(i), schema_id=target.schema_id, org_id=target.org_id,
                                                         dataset_id=target.dataset_id, flow_id=target.flow_id))
                             for i in range(n)]
                for key, bodies in (("raw_noop", [b'{"messages":[' + b",".join(envelopes[b:b + 500]) + b"]}"
                                                  for b in range(0, n, 500)]),
                                    ("raw_noop_engine_size", list(bodies_of(envelopes,
                                                                            EngineOptions().max_batch_bytes)))):
                    row(key, lambda bodies=bodies: asyncio.run(raw_httpx(url, bodies, n)))
                del envelopes, bodies
        load1 = os.getloadavg()
    finally:
        noop.terminate()
        noop.wait(10)
        sb.stop()
        shutil.rmtree(work, ignore_errors=True)

    def rate(key: str) -> float:
        return max(r["records"] / r["seconds"] for r in results[key]) if key in results else 0.0

    labels = [("engine_sandbox", "engine -> sandbox (validation, persistence, Profile)"),
              ("aepp_sandbox", "aepp 0.6 -> sandbox (send loop only)"),
              ("engine_noop", "engine -> no-op DCS, validation on"),
              ("engine_noop_novalidate", "engine -> no-op DCS, validation off"),
              ("aepp_noop", "aepp 0.6 -> no-op DCS (send loop only)"),
              ("raw_noop", "raw httpx -> no-op DCS, pre-built 500-record bodies (ceiling)"),
              ("raw_noop_engine_size", "raw httpx -> no-op DCS, pre-built bodies of the engine's size")]
    rows = []
    for key, label in labels:
        if key not in results:
            continue
        rates = sorted(r["records"] / r["seconds"] for r in results[key])
        spread = f"runs {', '.join(f'{x:,.0f}' for x in rates)}" if len(rates) > 1 else ""
        cpu = [r["cpu"] / r["records"] * 100_000 for r in results[key] if "cpu" in r]
        note = f"client CPU {min(cpu):.2f} s per 100k records" if cpu else ""
        servers = [r["server_cpu"] / r["records"] * 100_000 for r in results[key] if "server_cpu" in r]
        if servers:
            note = "; ".join(x for x in (note, f"no-op stand-in CPU {min(servers):.2f} s per 100k") if x)
        walls = [r["records"] / r["wall"] for r in results[key] if "wall" in r]
        if walls:
            note += f"; wall clock (with token, schema, start-up) best {max(walls):,.0f}/s"
        rows.append((label, f"{rates[-1]:,.0f} records/s", "; ".join(x for x in (note, spread) if x)))
    checks = []
    if "engine_noop" in results:
        checks.append(("target: engine -> no-op, validation on >= 100,000/s",
                       "met" if rate("engine_noop") >= 100_000 else "NOT met", ""))
    if "engine_noop" in results and "aepp_noop" in results:
        ratio = rate("engine_noop") / rate("aepp_noop")
        ceiling = max(rate("raw_noop"), rate("raw_noop_engine_size")) / rate("aepp_noop")
        checks.append(("target: engine / aepp (no-op) >= 3x", f"{ratio:.1f} x", ("met" if ratio >= 3 else "NOT met")
                       + (f" (the stand-in's own ceiling, raw httpx / aepp: {ceiling:.1f} x)" if ceiling else "")))
    if "engine_sandbox" in results:
        checks.append(("target: engine -> sandbox >= 40,000/s",
                       "met" if rate("engine_sandbox") >= 40_000 else "NOT met", ""))
    rows += checks
    rows.append(("load average (1 min) before / after", f"{load0[0]:.2f} / {load1[0]:.2f}", f"{os.cpu_count()} CPUs"))
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"\n{n:,} records per row; best of {args.repeat}\n")
    print(f"{'run'.ljust(width)}  {'value'.ljust(vwidth)}  notes")
    print(f"{'-' * width}  {'-' * vwidth}  -----")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value.ljust(vwidth)}  {note}")
    return 0


if __name__ == "__main__":
    _ = ROOT
    sys.exit(main(sys.argv[1:]))
