"""A file lock on each run folder: two sends (or resumes) of one file to one dataset never
interleave one journal; the lock goes with its process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from filelock import FileLock

from aep_console.services.bulk import BulkRun, RunBusy
from aep_console.services.engine_types import SendTarget
from aep_console.services.journal import run_key, runs_dir

from .svc_records import write_members


def test_a_second_run_of_the_same_file_is_refused_while_the_first_holds_the_folder(app_home, tmp_path):
    f = tmp_path / "m.jsonl"
    write_members(f, 3)
    target = SendTarget("conn", "ds", "https://ns.adobe.com/x/schemas/y", "ORG@AdobeOrg")
    first = BulkRun(None, f, target)
    with pytest.raises(RunBusy, match="another send of this file"):
        BulkRun(None, f, target, resume=True)
    first.close()
    BulkRun(None, f, target, restart=True).close()  # free again
    other = BulkRun(None, f, SendTarget("conn", "other-ds", target.schema_id, target.org_id))
    other.close()  # another dataset: another folder, never blocked


def test_send_resume_while_another_process_holds_the_run_is_a_usage_error(sandbox, tutorial, app_home, tmp_path):
    f = tmp_path / "m.jsonl"
    write_members(f, 3, start=8_400_000)
    t = tutorial["members"]
    folder = runs_dir() / run_key(f, t.connection_id, t.dataset_id)
    folder.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "aep_console", "send", str(f), "--profile", "Local sandbox", "--sandbox-url",
            sandbox.urls.base, "--connection", t.connection_id, "--dataset", t.dataset_id, "--no-progress"]
    with FileLock(folder / "run.lock", timeout=0):
        r = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert r.returncode == 2 and "another send of this file" in r.stderr, r.stderr
    assert not (folder / "journal.log").exists()  # nothing was written under the other's lock
    r = subprocess.run(args, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert r.returncode == 0, r.stderr
