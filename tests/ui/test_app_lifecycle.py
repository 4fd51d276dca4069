"""The real `aep-console` process: it starts the embedded sandbox (below its own CPU priority), and the
sandbox never outlives it, whether the console is asked to quit (SIGTERM) or dies outright (SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from aep_console.sandbox.launcher import running_sandbox


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_embedded_sandbox_ends_with_the_console(app_home, how):
    env = dict(os.environ, AEP_CONSOLE_HOME=str(app_home), QT_QPA_PLATFORM="offscreen")
    console = subprocess.Popen([sys.executable, "-m", "aep_console"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data = app_home / "data" / "sandbox"
    try:
        assert _wait(lambda: running_sandbox(data) is not None, 60), "the console did not start its sandbox"
        import json

        sandbox_pid = json.loads((data / "server.json").read_text())["pid"]
        # it works for the window, not against it: a lower CPU priority (threads: test_server.py)
        assert os.getpriority(os.PRIO_PROCESS, sandbox_pid) == max(os.getpriority(os.PRIO_PROCESS, 0), 10)
        console.send_signal(how)
        console.wait(30)
        if how == signal.SIGTERM:
            assert console.returncode == 0  # a clean quit, as from the menu
        assert _wait(lambda: not _pid_alive(sandbox_pid), 15), "the sandbox outlived the console"
        if how == signal.SIGTERM:
            assert not (data / "server.json").exists()
    finally:
        if console.poll() is None:
            console.kill()
