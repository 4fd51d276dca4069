"""Start the local sandbox in a subprocess and hand back its URLs (tests, the console's
"Local sandbox" profile).

The child runs ``python -m aep_console.sandbox --data-dir DIR --port PORT --ready-line``; its stderr (logs) goes
to ``DIR/sandbox.log``; its stdout is drained by a daemon thread (so it never blocks on a full pipe).
The child writes one stdout line ``AEP_SANDBOX_READY {json}`` with the bound port and the accepted
credentials once it listens; we read that, then poll ``/__sandbox/health`` until it answers 200.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

READY_PREFIX = "AEP_SANDBOX_READY "
LOG_NAME = "sandbox.log"
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SandboxUrls:
    base: str  # http://127.0.0.1:PORT
    ims: str  # base + "/ims"
    platform: str  # base + "/platform"
    streaming: str  # base + "/dcs"
    edge: str = ""  # base + "/edge" (the Edge Network, plain http)
    edge_https: str | None = None  # https://127.0.0.1:TLS_PORT (Edge routes at the root) when served
    edge_ca: str | None = None  # the CA certificate (PEM) that signed the HTTPS port's certificate

    @classmethod
    def for_base(cls, base: str, edge: dict | None = None) -> SandboxUrls:
        base = base.rstrip("/")
        edge = edge or {}
        return cls(base=base, ims=base + "/ims", platform=base + "/platform", streaming=base + "/dcs",
                   edge=base + "/edge", edge_https=edge.get("https"), edge_ca=edge.get("ca"))


@dataclass(frozen=True)
class DemoCredentials:
    client_id: str
    client_secret: str
    org_id: str
    sandbox_name: str
    scopes: str
    tenant_id: str

    def __repr__(self) -> str:  # never show the secret
        return (
            f"DemoCredentials(client_id={self.client_id!r}, client_secret='***', org_id={self.org_id!r}, "
            f"sandbox_name={self.sandbox_name!r}, tenant_id={self.tenant_id!r})"
        )


class SandboxStartError(RuntimeError):
    """The sandbox process did not come up; the message quotes the end of its log."""


def _credentials(info: dict, index: int) -> DemoCredentials:
    org = info["orgs"][index]
    return DemoCredentials(
        client_id=org["client_id"],
        client_secret=org["client_secret"],
        org_id=org["org_id"],
        sandbox_name=org["sandboxes"][0],
        scopes=info["scopes"],
        tenant_id=org["tenant_id"],
    )


_RUNNING: set[SandboxProcess] = set()


@atexit.register
def _stop_leftovers() -> None:
    """A sandbox started by this process never outlives it by accident (a test that forgot one, an
    app that exits without closing its context): SIGTERM whatever is still running."""
    for proc in list(_RUNNING):
        with contextlib.suppress(Exception):
            proc.stop(timeout=5)


class SandboxProcess:
    def __init__(self, popen: subprocess.Popen, info: dict, data_dir: Path, launch: dict) -> None:
        _RUNNING.add(self)
        self._popen = popen
        self.info = info
        self.pid = popen.pid
        self.port: int = info["port"]
        self.host: str = info["host"]
        self.urls = SandboxUrls.for_base(info["base"], info.get("edge"))
        self.credentials = _credentials(info, 0)
        self.other_credentials = _credentials(info, 1 if len(info["orgs"]) > 1 else 0)
        self.data_dir = data_dir
        self._launch = launch

    def __repr__(self) -> str:
        return f"SandboxProcess(pid={self.pid}, base={self.urls.base!r}, data_dir={str(self.data_dir)!r})"

    @property
    def running(self) -> bool:
        return self._popen.poll() is None

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM and wait (SIGKILL if it does not exit in time)."""
        _RUNNING.discard(self)
        if self._popen.poll() is not None:
            return
        self._popen.send_signal(signal.SIGTERM)
        try:
            self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self._popen.kill()
            self._popen.wait(5)

    def kill(self) -> None:
        """SIGKILL, no clean-up (durability tests)."""
        _RUNNING.discard(self)
        if self._popen.poll() is None:
            self._popen.kill()
            self._popen.wait(5)

    def restart(self) -> SandboxProcess:
        """Stop (if running) and start again on the same data dir; same port if it is still free."""
        self.stop()
        try:
            return start_sandbox(self.data_dir, **{**self._launch, "port": self.port})
        except SandboxStartError:
            return start_sandbox(self.data_dir, **{**self._launch, "port": 0})

    def admin(self, path: str, payload: dict | None = None) -> dict:
        """POST /__sandbox/admin/{path} (fault injection and other test hooks)."""
        resp = httpx.post(
            f"{self.urls.base}/__sandbox/admin/{path.lstrip('/')}", json=payload or {}, timeout=30
        )
        resp.raise_for_status()
        return resp.json() if resp.content else {}


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start_sandbox(
    data_dir,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    token_lifetime: int | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = 20,
    edge_tls_port: int | None = None,
    nice: int | None = None,
) -> SandboxProcess:
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / LOG_NAME
    # a frozen build has no `python -m`: its executable starts the server with a subcommand
    entry = [sys.executable, "sandbox-server"] if getattr(sys, "frozen", False) else [sys.executable, "-m", "aep_console.sandbox"]
    cmd = [
        *entry,
        "--data-dir",
        str(data_dir),
        "--host",
        host,
        "--port",
        str(port),
        "--ready-line",
        "--exit-with-parent",
    ]
    if token_lifetime is not None:
        cmd += ["--token-lifetime", str(int(token_lifetime))]
    if edge_tls_port is not None:
        cmd += ["--edge-tls-port", str(int(edge_tls_port))]
    if nice:
        cmd += ["--nice", str(int(nice))]
    cmd += list(extra_args)
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    # stdout (banner + READY line, which carry the demo secrets) stays in a pipe that a daemon thread drains;
    # stderr (logs, never secrets) goes to DIR/sandbox.log.
    with open(log_path, "ab") as log:
        popen = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
    launch = {
        "host": host,
        "token_lifetime": token_lifetime,
        "extra_args": tuple(extra_args),
        "timeout": timeout,
        "edge_tls_port": edge_tls_port,
        "nice": nice,
    }
    ready: queue.Queue = queue.Queue()

    def drain(stream) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.startswith(READY_PREFIX):
                ready.put(line[len(READY_PREFIX) :])
        ready.put(None)

    threading.Thread(target=drain, args=(popen.stdout,), daemon=True, name="aep-sandbox-stdout").start()
    deadline = time.monotonic() + timeout
    try:
        payload = ready.get(timeout=timeout)
    except queue.Empty:
        payload = None
    if payload is None:
        popen.kill()
        popen.wait(5)
        raise SandboxStartError(
            f"sandbox did not start within {timeout}s (exit code {popen.returncode}); "
            f"log {log_path}:\n{_tail(log_path)}"
        )
    info = json.loads(payload)
    proc = SandboxProcess(popen, info, data_dir, launch)
    with httpx.Client(timeout=2) as client:
        while True:
            try:
                if client.get(f"{proc.urls.base}/__sandbox/health").status_code == 200:
                    return proc
            except httpx.HTTPError:
                pass
            if popen.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SandboxStartError(f"sandbox health check failed; log {log_path}:\n{_tail(log_path)}")
            time.sleep(0.02)


def running_sandbox(data_dir) -> SandboxUrls | None:
    """The URLs of the sandbox server that serves ``data_dir`` right now (started by the console, by
    ``aep-sandbox`` or by another command), or None."""
    try:
        info = json.loads((Path(data_dir) / "server.json").read_text())
        base = info["base"]
        if httpx.get(f"{base}/__sandbox/health", timeout=2).status_code == 200:
            return SandboxUrls.for_base(base, info.get("edge"))
    except (OSError, ValueError, KeyError, httpx.HTTPError):
        pass
    return None


def attach_or_start(data_dir, **start_options) -> tuple[SandboxUrls, SandboxProcess | None]:
    """Use the sandbox already serving ``data_dir``, or start one; the process is returned only when
    this call started it (the caller stops it)."""
    urls = running_sandbox(data_dir)
    if urls is not None:
        return urls, None
    proc = start_sandbox(data_dir, **start_options)
    return proc.urls, proc
