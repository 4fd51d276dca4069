"""Fixtures for the browser tests (imported by the test modules that use them): the real Web SDK (npm ``@adobe/alloy``, cached under ``.cache/`` in the
checkout), Debian's Chromium driven by Playwright's sync API (never ``playwright install``), and a sandbox with
its HTTPS Edge port. Sync fixtures only: Playwright runs its own loop, apart from the session's qasync loop."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from aep_console.services.web_sdk import ALLOY_VERSION

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "test-downloads"


@pytest.fixture(scope="session")
def alloy_js() -> bytes:
    """``dist/alloy.js`` of ``@adobe/alloy@ALLOY_VERSION``: ``npm pack`` once, then the cached file."""
    target = CACHE / f"alloy-{ALLOY_VERSION}.js"
    if not target.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("needs npm to fetch @adobe/alloy (the real Web SDK); install nodejs/npm")
        CACHE.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "npm_config_cache": str(CACHE / "npm"), "npm_config_update_notifier": "false"}
        try:
            done = subprocess.run([npm, "pack", f"@adobe/alloy@{ALLOY_VERSION}", "--pack-destination", str(CACHE)],
                                  capture_output=True, text=True, timeout=180, env=env, cwd=CACHE)
        except subprocess.TimeoutExpired:
            pytest.skip("npm pack @adobe/alloy timed out (no access to the npm registry?)")
        tgz = CACHE / f"adobe-alloy-{ALLOY_VERSION}.tgz"
        if done.returncode != 0 or not tgz.exists():
            pytest.skip(f"npm pack @adobe/alloy@{ALLOY_VERSION} failed (no access to the npm registry?): "
                        f"{done.stderr.strip()[-300:]}")
        with tarfile.open(tgz) as tar:
            member = tar.extractfile("package/dist/alloy.js")
            assert member is not None, "the alloy package has no dist/alloy.js"
            target.write_bytes(member.read())
    return target.read_bytes()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("needs Debian's chromium (packaging/linux/install-system-deps.sh installs it)")
    pytest.importorskip("playwright.sync_api", reason="needs the Python package playwright (the test extra)")
    return path


@pytest.fixture(scope="module")
def edge_sandbox(tmp_path_factory):
    from aep_console.sandbox.launcher import start_sandbox

    proc = start_sandbox(tmp_path_factory.mktemp("web-sdk-sandbox"), edge_tls_port=0)
    yield proc
    proc.stop()


# A static HTTPS server for the test pages, in a process of its own (never a thread of the test process). The
# page must come from a loopback address as the Edge host does: Chromium refuses a public page's requests to
# the loopback address space.
STATIC_SERVER = r"""
import functools, http.server, ssl, sys
folder, cert, key = sys.argv[1:4]
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@pytest.fixture(scope="module")
def page_server(tmp_path_factory, edge_sandbox):
    """(folder, port): files written to the folder are served at https://www.local.test/…"""
    import sys

    folder = tmp_path_factory.mktemp("pages")
    tls = edge_sandbox.data_dir / "tls"
    proc = subprocess.Popen([sys.executable, "-c", STATIC_SERVER, str(folder), str(tls / "edge-cert.pem"),
                             str(tls / "edge-key.pem")], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        yield folder, port
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def browser(chromium_path, edge_sandbox, page_server):
    """Chromium, headless, with edge.local.test on the sandbox's HTTPS port, www.local.test on the page server
    and every other name unresolvable (the machine is offline; alloy must not reach Adobe)."""
    from urllib.parse import urlsplit

    from playwright.sync_api import sync_playwright

    port = urlsplit(edge_sandbox.urls.edge_https).port
    args = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
            f"--host-resolver-rules=MAP edge.local.test 127.0.0.1:{port}, "
            f"MAP www.local.test 127.0.0.1:{page_server[1]}, MAP * ~NOTFOUND"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=args, headless=True)
        yield browser
        browser.close()
