"""`aep-sandbox --faults`: fault injection switched on from the command line (off by default)."""

from __future__ import annotations

import subprocess
import sys

import httpx


def test_faults_flag_switches_injection_on(fresh_sandbox):
    sandbox = fresh_sandbox(extra_args=["--faults", "error503=1,retryAfter=7,seed=3"])
    described = httpx.get(f"{sandbox.urls.base}/__sandbox/admin/faults", timeout=10).json()
    assert described["error503"] == 1.0 and described["retryAfter"] == 7 and described["enabled"]
    # every streaming request is refused with 503 + Retry-After, before the connection id is even looked at
    reply = httpx.post(f"{sandbox.urls.streaming}/collection/batch/{'0' * 64}", json={"messages": []}, timeout=10)
    assert reply.status_code == 503
    assert reply.headers["retry-after"] == "7"


def test_faults_are_off_by_default(fresh_sandbox):
    sandbox = fresh_sandbox()
    described = httpx.get(f"{sandbox.urls.base}/__sandbox/admin/faults", timeout=10).json()
    assert not described["enabled"]


def test_bad_faults_flag_is_refused_with_a_reason(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "aep_console.sandbox", "--data-dir", str(tmp_path), "--port", "0",
         "--faults", "error500=lots"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "error500 must be a number, found 'lots'" in result.stderr
