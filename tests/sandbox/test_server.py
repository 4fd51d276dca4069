"""Server basics: launcher, CLI banner, health, IMS tokens, gateway rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from aep_console.sandbox.launcher import SandboxStartError, start_sandbox

from .helpers import Platform, fetch_token


def test_launcher_urls_and_credentials(sandbox):
    assert sandbox.urls.ims == sandbox.urls.base + "/ims"
    assert sandbox.urls.platform == sandbox.urls.base + "/platform"
    assert sandbox.urls.streaming == sandbox.urls.base + "/dcs"
    assert sandbox.urls.base.startswith("http://127.0.0.1:")
    c = sandbox.credentials
    assert (c.client_id, c.client_secret, c.org_id, c.sandbox_name, c.tenant_id) == (
        "aep-sandbox-client",
        "sandbox-demo-secret",
        "DEMO0000000000000000000@AdobeOrg",
        "prod",
        "exchangeinternal",
    )
    assert sandbox.other_credentials.org_id == "OTHER000000000000000000@AdobeOrg"
    assert "sandbox-demo-secret" not in repr(c)
    r = httpx.get(f"{sandbox.urls.base}/__sandbox/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert httpx.get(f"{sandbox.urls.base}/__sandbox/noop").status_code == 200


def test_cli_banner_and_flags(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aep_console.sandbox",
            "--data-dir",
            str(tmp_path / "d"),
            "--port",
            "0",
            "--client-id",
            "my-client",
            "--client-secret",
            "my-secret",
            "--token-lifetime",
            "5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            **__import__("os").environ,
            "PYTHONPATH": str(__import__("pathlib").Path(__file__).resolve().parents[2]),
        },
    )
    try:
        lines = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "scopes" in line:
                break
        text = "".join(lines)
        assert "http://127.0.0.1:" in text and "/ims" in text and "/platform" in text and "/dcs" in text
        assert "my-client" in text and "DEMO0000000000000000000@AdobeOrg" in text
        # a secret given at start is never printed; the built-in demo secret of the other org is
        assert "my-secret" not in text and "(given at start; not shown)" in text
        assert "sandbox-other-secret" in text
        assert "AEP_SANDBOX_READY" not in text
    finally:
        proc.terminate()
        proc.wait(10)


def test_cli_rejects_bad_config(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("port = 'x'\n")
    r = subprocess.run(
        [sys.executable, "-m", "aep_console.sandbox", "--data-dir", str(tmp_path), "--config", str(cfg)],
        capture_output=True,
        text=True,
        timeout=30,
        env={
            **__import__("os").environ,
            "PYTHONPATH": str(__import__("pathlib").Path(__file__).resolve().parents[2]),
        },
    )
    assert r.returncode == 2
    assert "'port' must be int" in r.stderr
    assert "Traceback" not in r.stderr


def test_config_file_orgs(fresh_sandbox, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        'token_lifetime = 100\n[[orgs]]\norg_id = "ABC@AdobeOrg"\ntenant_id = "abc"\nclient_id = "c1"\n'
        'client_secret = "s1"\nsandboxes = ["prod", "qa"]\n'
    )
    proc = fresh_sandbox(extra_args=["--config", str(cfg)])
    assert proc.credentials.org_id == "ABC@AdobeOrg"
    tok = fetch_token(proc)
    assert tok["expires_in"] == 100
    p = Platform(proc, sandbox_name="qa")
    r = p.get("/data/foundation/schemaregistry/stats")
    assert r.status_code == 200, r.text
    assert r.json()["tenantId"] == "abc"


def test_restart_same_port(fresh_sandbox):
    proc = fresh_sandbox()
    token = fetch_token(proc)["access_token"]
    again = proc.restart()
    try:
        assert again.port == proc.port
        p = Platform(again, token=token)  # tokens survive a restart
        assert p.get("/data/foundation/schemaregistry/stats").status_code == 200
    finally:
        again.stop()


def test_unexpected_error_answers_in_aep_shape(fresh_sandbox, monkeypatch):
    monkeypatch.setenv("AEP_SANDBOX_SELFTEST", "1")
    proc = fresh_sandbox()
    r = httpx.get(f"{proc.urls.base}/__sandbox/selftest/crash")
    assert r.status_code == 500
    body = r.json()
    assert body["status"] == 500 and body["title"] == "InternalServerError" and "Traceback" not in r.text
    assert "self-test" not in r.text  # the exception's text stays in the log
    assert httpx.get(f"{proc.urls.base}/__sandbox/health").status_code == 200
    proc.stop()
    assert "self-test: an unexpected error" in (proc.data_dir / "sandbox.log").read_text()


def test_ims_unknown_path_and_jwt(sandbox):
    r = httpx.get(f"{sandbox.urls.ims}/ims/nothing")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = httpx.post(f"{sandbox.urls.ims}/ims/exchange/jwt", data={"client_id": "x"})
    assert r.status_code == 400 and "token/v3" in r.json()["error_description"]


def test_launcher_reports_a_failed_start(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("token_lifetime = 'soon'\n")
    with pytest.raises(SandboxStartError) as err:
        start_sandbox(tmp_path / "d", extra_args=["--config", str(cfg)], timeout=15)
    assert "exit code 2" in str(err.value)


def test_restart_falls_back_to_a_free_port(fresh_sandbox):
    import socket

    proc = fresh_sandbox()
    proc.stop()
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", proc.port))
    blocker.listen(1)
    try:
        again = proc.restart()
        try:
            assert again.port != proc.port
            assert httpx.get(f"{again.urls.base}/__sandbox/health").status_code == 200
        finally:
            again.stop()
    finally:
        blocker.close()


def test_the_sandbox_starts_without_uvloop(tmp_path):
    """Where uvloop does not install (Windows), the sandbox runs on asyncio's own loop."""
    code = ("import sys; sys.modules['uvloop'] = None; from aep_console.sandbox.server.cli import main; "
            f"sys.exit(main(['--data-dir', {str(tmp_path)!r}, '--port', '0', '--ready-line']))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    try:
        ready = next(line for line in proc.stdout if line.startswith("AEP_SANDBOX_READY "))
        base = json.loads(ready.removeprefix("AEP_SANDBOX_READY "))["base"]
        assert httpx.get(f"{base}/__sandbox/health").json()["status"] == "ok"
    finally:
        proc.terminate()
        proc.wait(10)
    assert "uvloop" not in proc.stderr.read()


def _nice_of_threads(pid: int) -> dict[int, int]:
    """Each thread's nice value (field 19 of /proc/PID/task/TID/stat)."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        stat = (task / "stat").read_text()
        out[int(task.name)] = int(stat[stat.rindex(")") + 2:].split()[16])
    return out


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc to read each thread's priority")
def test_the_embedded_sandbox_runs_below_the_window(tmp_path):
    """The console starts its sandbox with ``nice=10``: every thread of the server (also those it started
    before it was ready: the data lake's writer, the event loop's executor) and, under autogroup
    scheduling, its session's group run at the lower priority; a sandbox started without it does not."""
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    low = start_sandbox(tmp_path / "low", nice=10)
    plain = start_sandbox(tmp_path / "plain")
    try:
        for sb in (low, plain):  # some work first, so that the server's threads exist
            assert httpx.get(f"{sb.urls.base}/__sandbox/health").status_code == 200
        threads = _nice_of_threads(low.pid)
        assert len(threads) > 1
        assert set(threads.values()) == {max(mine, 10)}, threads
        assert set(_nice_of_threads(plain.pid).values()) == {mine}
        group = Path(f"/proc/{low.pid}/autogroup")
        if group.exists() and Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1":
            assert group.read_text().split()[-1] == "10"
            assert Path(f"/proc/{plain.pid}/autogroup").read_text().split()[-1] == "0"
    finally:
        low.stop()
        plain.stop()
