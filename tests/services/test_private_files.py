"""Files holding personal data (request history, dead letters, journals, exports, the log) are
created 0600 in 0700 folders, whatever the umask: checked after a real command-line send."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from .svc_records import write_members


def _mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_a_send_and_an_export_leave_only_private_files(sandbox, tutorial, app_home, tmp_path):
    f = tmp_path / "m.jsonl"
    write_members(f, 3, start=8_300_000)
    with open(f, "a") as fh:
        fh.write('{"_exchangeinternal": {"loyaltyID": 7}}\n')  # one dead letter
    t = tutorial["members"]
    old = os.umask(0o022)
    try:
        def run(*args):
            return subprocess.run([sys.executable, "-m", "aep_console", *args], capture_output=True, text=True,
                                  timeout=120, env=dict(os.environ))

        r = run("send", str(f), "--profile", "Local sandbox", "--sandbox-url", sandbox.urls.base, "--connection",
                t.connection_id, "--dataset", t.dataset_id, "--no-progress")
        assert r.returncode == 1, r.stderr
        export_dir = tmp_path / "exports"
        export_dir.mkdir()
        export = export_dir / "history.jsonl"
        assert run("history", "export", str(export)).returncode == 0
    finally:
        os.umask(old)
    data = app_home / "data"
    runs = list((data / "runs").iterdir())
    files = [data / "history.sqlite3", *runs[0].iterdir(), app_home / "logs" / "aep-console.log", export]
    assert {p.name for p in runs[0].iterdir()} >= {"journal.log", "deadletter.jsonl"}
    files += [p for p in data.glob("history.sqlite3-*")]  # -wal/-shm, while they exist
    assert {str(p): oct(_mode(p)) for p in files} == {str(p): "0o600" for p in files}
    folders = [data, data / "runs", runs[0], app_home / "logs", app_home / "config"]
    assert {str(p): oct(_mode(p)) for p in folders} == {str(p): "0o700" for p in folders}
    assert _mode(export_dir) == 0o755  # a folder the user chose is left as it is
