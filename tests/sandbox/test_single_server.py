"""One sandbox server per data dir: a second one is refused, and others can find the running one."""

from __future__ import annotations

import subprocess
import sys

from aep_console.sandbox.launcher import attach_or_start, running_sandbox


def test_second_server_on_the_same_data_dir_is_refused(fresh_sandbox):
    first = fresh_sandbox()
    result = subprocess.run(
        [sys.executable, "-m", "aep_console.sandbox", "--data-dir", str(first.data_dir), "--port", "0"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 4
    assert f"another sandbox already serves {first.data_dir} (at {first.urls.base})" in result.stderr
    assert first.running


def test_running_sandbox_is_found_and_forgotten_when_it_stops(fresh_sandbox, tmp_path):
    assert running_sandbox(tmp_path / "nothing-here") is None
    proc = fresh_sandbox()
    assert running_sandbox(proc.data_dir) == proc.urls
    urls, started = attach_or_start(proc.data_dir)
    assert urls == proc.urls and started is None  # attached, not started twice
    proc.stop()
    assert not (proc.data_dir / "server.json").exists()
    assert running_sandbox(proc.data_dir) is None
