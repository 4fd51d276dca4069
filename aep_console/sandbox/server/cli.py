"""``aep-sandbox``: run the local AEP sandbox (a faithful offline stand-in for the AEP APIs).

    aep-sandbox --host 127.0.0.1 --port 8080 --data-dir DIR [--config FILE] [--token-lifetime SECONDS]
                [--edge-tls-port PORT]

``--edge-tls-port`` (or ``edge_tls_port`` in the config file) also serves the Edge Network over HTTPS on that port
(0 picks a free one), with a certificate from a local CA kept under ``DATA_DIR/tls/``: the Web SDK speaks only
``https://``.

Prints the three base URLs and the demo credentials it accepts. ``--ready-line`` (used by the launcher)
also prints ``AEP_SANDBOX_READY {json}`` once the port is bound and the app is up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import socket
import sys
from pathlib import Path

from pydantic import ValidationError

from ...priority import run_in_background
from .config import (
    DEMO_ORG,
    OTHER_ORG,
    ConfigError,
    OrgConfig,
    SandboxConfig,
    describe_errors,
    load_config_file,
)

READY_PREFIX = "AEP_SANDBOX_READY "
DEMO_SECRETS = frozenset({DEMO_ORG.client_secret, OTHER_ORG.client_secret})
SERVER_FILE = "server.json"  # {"base", "pid"} of the server that holds the data dir's lock


def _claim_data_dir(data_dir: Path):
    """One server per data dir (two would split the Profile index): an exclusive lock held for the
    process's life. None when another server holds it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(data_dir / "server.lock", "a+")  # noqa: SIM115 - held until the process exits
    try:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # pragma: no cover - Windows: no advisory lock, one server per dir by convention
        pass
    except OSError:
        handle.close()
        return None
    return handle


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aep-sandbox", description="Local AEP sandbox (offline stand-in for Adobe Experience Platform)"
    )
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=None, help="port (default 8080; 0 picks a free one)")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the database lives (default: the console's sandbox data dir)",
    )
    p.add_argument("--config", type=Path, default=None, help="TOML file with host/port/token_lifetime/orgs")
    p.add_argument(
        "--token-lifetime",
        type=int,
        default=None,
        help="IMS access-token lifetime in seconds (default 86399)",
    )
    p.add_argument("--client-id", default=None, help="demo client id (first org)")
    p.add_argument("--client-secret", default=None, help="demo client secret (first org)")
    p.add_argument("--org-id", default=None, help="demo org id (first org)")
    p.add_argument("--tenant-id", default=None, help="demo tenant id (first org)")
    p.add_argument(
        "--sandboxes", default=None, help="comma-separated sandbox names of the first org (default prod,dev)"
    )
    p.add_argument(
        "--faults",
        default=None,
        metavar="SPEC",
        help='fault injection for tests and demos, e.g. "error500=0.05,error429=0.02,drop=0.01,latencyMs=20" '
        "(off by default; also settable at run time on the loopback-only admin API)",
    )
    p.add_argument(
        "--edge-tls-port",
        type=int,
        default=None,
        metavar="PORT",
        help="also serve the Edge Network (Web SDK) over HTTPS on this port (0 picks a free one; off by default)",
    )
    p.add_argument(
        "--accept-missing-flow-id",
        action="store_true",
        default=None,
        help="the 2020 leniency: accept messages without a flowId on Flow Service streaming connections "
        "(today's AEP refuses them; for replaying old material). Config key: accept_missing_flow_id = true",
    )
    p.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="shut down when the process that started this one ends (used by the console's launcher)",
    )
    p.add_argument(
        "--ready-line", action="store_true", help="print AEP_SANDBOX_READY {json} when ready (for launchers)"
    )
    p.add_argument(
        "--nice",
        type=int,
        default=None,
        metavar="N",
        help="run at a lower CPU priority (the console starts its embedded sandbox with 10, so that its window "
        "comes first when the cores are busy)",
    )
    p.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    return p


def build_config(args: argparse.Namespace) -> SandboxConfig:
    data_dir = args.data_dir
    if data_dir is None:
        from aep_console.paths import sandbox_data_dir

        data_dir = sandbox_data_dir()
    if args.config:
        config = load_config_file(args.config, data_dir=data_dir)
    else:
        config = SandboxConfig(data_dir=Path(data_dir))
    config = config.with_overrides(host=args.host, port=args.port, token_lifetime=args.token_lifetime,
                                   faults=args.faults, edge_tls_port=args.edge_tls_port,
                                   accept_missing_flow_id=args.accept_missing_flow_id)
    overrides = {
        k: v
        for k, v in (
            ("client_id", args.client_id),
            ("client_secret", args.client_secret),
            ("org_id", args.org_id),
            ("tenant_id", args.tenant_id),
        )
        if v
    }
    if args.sandboxes:
        overrides["sandboxes"] = tuple(s.strip().lower() for s in args.sandboxes.split(",") if s.strip())
    if overrides:
        try:
            first = OrgConfig.model_validate({**config.orgs[0].model_dump(), **overrides})
        except ValidationError as exc:
            raise ConfigError(describe_errors(exc, "command line")) from None
        config = config.with_overrides(orgs=(first, *config.orgs[1:]))
    return config


def _event_loop_runner():
    """uvloop where it installs (Linux, macOS: pyproject's environment marker), else asyncio's own loop
    (Windows), so the sandbox starts everywhere."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _banner(config: SandboxConfig, base: str, edge: dict | None) -> str:
    lines = [
        "AEP local sandbox",
        f"  IMS        {base}/ims        (token: POST {base}/ims/ims/token/v3)",
        f"  Platform   {base}/platform",
        f"  Streaming  {base}/dcs",
        f"  Edge       {base}/edge       (POST {base}/edge/ee/v2/interact?datastreamId=…)",
    ]
    if edge and edge.get("https"):
        lines += [
            f"  Edge HTTPS {edge['https']}  (CA certificate {edge['ca']})",
            f"             a browser: --host-resolver-rules=\"MAP edge.local.test 127.0.0.1:{edge['tls_port']}\" and "
            "alloy edgeDomain \"edge.local.test\"",
        ]
    if config.accept_missing_flow_id:
        lines.append("  Streaming accepts messages without a flowId (2020 leniency; today's AEP refuses them)")
    lines += [f"  Data dir   {config.data_dir}", "Demo credentials:"]
    for org in config.orgs:
        # only the built-in demo secrets are shown: one given with --client-secret or --config is a
        # real secret to someone, and a terminal's scroll-back or a captured log is no place for it
        secret = org.client_secret if org.client_secret in DEMO_SECRETS else "(given at start; not shown)"
        lines += [
            f"  org {org.org_id}  tenant {org.tenant_id}  sandboxes {', '.join(org.sandboxes)}",
            f"    client id {org.client_id}  client secret {secret}",
        ]
    lines.append(f"  scopes {config.scopes}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.nice:
        run_in_background(args.nice)  # before any thread starts: they inherit it
    try:
        config = build_config(args)
    except ConfigError as exc:
        print(f"aep-sandbox: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper(), logging.WARNING),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        sock = _bind(config.host, config.port)
    except OSError as exc:
        print(f"aep-sandbox: cannot listen on {config.host}:{config.port}: {exc.strerror}", file=sys.stderr)
        return 3
    lock = _claim_data_dir(Path(config.data_dir))
    if lock is None:
        try:
            running = json.loads((Path(config.data_dir) / SERVER_FILE).read_text())["base"]
        except (OSError, ValueError, KeyError):
            running = "an unknown address"
        print(f"aep-sandbox: another sandbox already serves {config.data_dir} (at {running}); "
              "stop it first, or use another --data-dir", file=sys.stderr)
        return 4
    port = sock.getsockname()[1]
    config = config.with_overrides(port=port)
    host_for_url = f"[{config.host}]" if ":" in config.host else config.host
    base = f"http://{host_for_url}:{port}"

    import uvicorn

    tls_sock = tls_files = None
    tls_port = config.edge_tls_port
    if tls_port is not None:
        from .tls import ensure_certificate

        try:
            tls_sock = _bind(config.host, tls_port)
        except OSError as exc:
            print(f"aep-sandbox: cannot listen on {config.host}:{tls_port} (edge TLS): {exc.strerror}",
                  file=sys.stderr)
            return 3
        tls_files = ensure_certificate(Path(config.data_dir))
    edge: dict = {"base": f"{base}/edge"}
    if tls_sock is not None:
        edge_port = tls_sock.getsockname()[1]
        edge.update(tls_port=edge_port, https=f"https://{host_for_url}:{edge_port}", ca=str(tls_files.ca))

    from .app import create_app, create_edge_app
    from .state import SandboxServices

    services = SandboxServices(config)
    app = create_app(config, services)
    loop_runner = _event_loop_runner()
    uv_config = uvicorn.Config(
        app,
        loop="uvloop" if loop_runner is not asyncio.run else "asyncio",
        http="httptools",
        lifespan="on",
        log_level=args.log_level,
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    server_file = Path(config.data_dir) / SERVER_FILE

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):
            # uvicorn re-raises SIGTERM/SIGINT after a graceful shutdown (so the process ends "killed
            # by signal"): forget the data dir's address before that, not in a `finally` it never reaches
            with super().capture_signals():
                try:
                    yield
                finally:
                    server_file.unlink(missing_ok=True)

    server = Server(uv_config)
    tls_server = None
    if tls_sock is not None:

        class TlsServer(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self):  # the main server owns the signals and ends this one
                yield

        tls_server = TlsServer(uvicorn.Config(
            create_edge_app(services), loop=uv_config.loop, http="httptools", lifespan="off", log_level=args.log_level,
            access_log=False, timeout_graceful_shutdown=2, ssl_certfile=str(tls_files.cert),
            ssl_keyfile=str(tls_files.key)))

    async def announce() -> None:
        while not server.started or (tls_server is not None and not tls_server.started):
            if server.should_exit:
                return
            await asyncio.sleep(0.01)
        server_file.write_text(json.dumps({"base": base, "pid": os.getpid(), "edge": edge}))
        print(_banner(config, base, edge), flush=True)
        if args.ready_line:
            info = {
                "host": config.host,
                "port": port,
                "base": base,
                "pid": os.getpid(),
                "scopes": config.scopes,
                "token_lifetime": config.token_lifetime,
                "orgs": [o.to_public() for o in config.orgs],
                "edge": edge,
            }
            print(READY_PREFIX + json.dumps(info), flush=True)

    parent = os.getppid()

    async def watch_parent() -> None:
        """An embedded sandbox must not outlive the console that started it (a crash, a SIGKILL)."""
        while not server.should_exit:
            await asyncio.sleep(1)
            if os.getppid() != parent:
                logging.getLogger(__name__).warning("the process that started this sandbox ended: shutting down")
                server.should_exit = True

    async def run() -> None:
        tasks = [asyncio.ensure_future(announce())]
        if args.exit_with_parent:
            tasks.append(asyncio.ensure_future(watch_parent()))
        if tls_server is not None:
            tasks.append(asyncio.ensure_future(tls_server.serve(sockets=[tls_sock])))
        await server.serve(sockets=[sock])
        if tls_server is not None:
            tls_server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(tasks[-1], 3)
        for task in tasks:
            task.cancel()

    try:
        loop_runner(run())
    finally:
        lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
