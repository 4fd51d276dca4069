"""The bulk-send worker process (``services.bulk_process``): when the process that started it dies (the
window was killed), it cancels its run, which stays resumable, and exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter

import psutil

from aep_console.services.bulk import BulkRun
from aep_console.services.engine_types import DONE
from aep_console.services.journal import Journal, run_key, runs_dir
from aep_console.services.profiles import local_profile

from .svc_datalake import dataset_records
from .svc_records import loyalty_ids, member, write_members

# stands in for the window: starts the worker the way the window's controller does, then waits
WINDOW = textwrap.dedent("""
    import os, pickle, socket, subprocess, sys, time
    from multiprocessing.connection import Connection
    from aep_console.services.bulk_process import BulkJob
    from aep_console.services.engine_types import EngineOptions
    profile, target, path, secret = pickle.loads(bytes.fromhex(sys.argv[1]))
    mine, theirs = socket.socketpair()
    proc = subprocess.Popen([sys.executable, "-m", "aep_console.services.bulk_process", str(theirs.fileno())],
                            pass_fds=(theirs.fileno(),))
    theirs.close()
    conn = Connection(mine.detach())
    conn.send((BulkJob(profile, path, target, "new", EngineOptions(concurrency=2, max_batch_messages=300)),
               secret, 30))
    print(proc.pid, flush=True)
    while True:
        if conn.poll(0.05):
            conn.recv()
""")


def test_worker_ends_and_stays_resumable_when_the_window_is_killed(sandbox, open_local_session, tutorial, app_home,
                                                                   tmp_path, session_loop):
    import pickle

    n, start = 40_000, 7_000_000
    f = tmp_path / "members.jsonl"
    write_members(f, n, start=start)
    t = tutorial["members"]
    profile = local_profile(sandbox.urls.base)
    blob = pickle.dumps((profile, t, str(f), sandbox.credentials.client_secret)).hex()
    window = subprocess.Popen([sys.executable, "-c", WINDOW, blob], stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ))
    worker = psutil.Process(int(window.stdout.readline()))
    journal = runs_dir() / run_key(f, t.connection_id, t.dataset_id) / "journal.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (journal.exists() and journal.read_text().count("\nok ") >= 2):
        time.sleep(0.01)
    window.send_signal(signal.SIGKILL)
    window.wait()
    worker.wait(20)  # raises psutil.TimeoutExpired if the worker outlives the window
    state = Journal(journal).read()
    assert 0 < state.accepted < n and not state.complete  # cancelled, not finished, and resumable

    async def resume():
        async with open_local_session(sandbox) as session:
            report = await BulkRun(session, f, t, resume=True).start()
            return report, await dataset_records(session, sandbox, t.dataset_id)

    report, lake = session_loop.run_until_complete(resume())
    assert report.state == DONE and report.progress.skipped == state.accepted
    assert Journal(journal).read().accepted == n
    expected = {member(i)["_exchangeinternal"]["loyaltyID"] for i in range(start, start + n)}
    ids = Counter(i for i in loyalty_ids(lake) if i in expected)
    assert set(ids) == expected  # nothing lost
