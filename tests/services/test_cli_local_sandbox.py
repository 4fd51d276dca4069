"""The command-line twin on the built-in "Local sandbox" profile needs no --sandbox-url: it uses the
sandbox that serves the console's sandbox data, or starts one for the command and stops it after."""

from __future__ import annotations

import os
import subprocess
import sys

from aep_console.sandbox.launcher import running_sandbox, start_sandbox


def _profile_get(home) -> subprocess.CompletedProcess:
    env = dict(os.environ, AEP_CONSOLE_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "aep_console", "profile", "get", "--profile", "Local sandbox",
         "--namespace", "Email", "--id", "nobody@example.com"],
        capture_output=True, text=True, env=env, timeout=120,
    )


def test_cli_starts_a_sandbox_for_the_command_and_stops_it(app_home):
    result = _profile_get(app_home)
    assert result.returncode == 4, result.stderr  # an AEP answer: the sandbox was reached
    assert "started the local sandbox for this command" in result.stderr
    assert "no profile for Email:nobody@example.com" in result.stderr
    assert running_sandbox(app_home / "data" / "sandbox") is None  # stopped again


def test_cli_attaches_to_the_running_sandbox(app_home):
    proc = start_sandbox(app_home / "data" / "sandbox")
    try:
        result = _profile_get(app_home)
        assert result.returncode == 4, result.stderr
        assert "started the local sandbox" not in result.stderr
        assert "no profile for Email:nobody@example.com" in result.stderr
        assert proc.running and running_sandbox(proc.data_dir) == proc.urls
    finally:
        proc.stop()
