"""Reconcile after a send: records the streaming endpoint acknowledged but the platform failed
afterwards (with --no-validate, they land among the batch's failed records, as on AEP) are moved
into the dead-letter file with AEP's reason, and the summary and the exit code count them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .svc_records import write_members


def _send(sandbox, t, f, *extra):
    return subprocess.run(
        [sys.executable, "-m", "aep_console", "send", str(f), "--profile", "Local sandbox", "--sandbox-url",
         sandbox.urls.base, "--connection", t.connection_id, "--dataset", t.dataset_id, "--no-progress",
         "--no-validate", *extra], capture_output=True, text=True, timeout=180, env=dict(os.environ))


def _file(tmp_path, name, start):
    f = tmp_path / name
    write_members(f, 3, start=start)
    with open(f, "a") as fh:
        fh.write(json.dumps({"_exchangeinternal": {"loyaltyID": start + 99}}) + "\n")  # an integer: XDM wants text
    return f


def test_records_failed_after_acknowledgement_become_dead_letters(sandbox, tutorial, app_home, tmp_path):
    t = tutorial["members"]
    f = _file(tmp_path, "async.jsonl", 8_500_000)
    r = _send(sandbox, t, f, "--json")
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["state"] == "done" and out["accepted"] == 3 and out["failed"] == 1
    assert out["reconciled"]["moved"] == 1
    dead = [json.loads(x) for x in Path(out["dead_letter_path"]).read_text().splitlines()]
    assert len(dead) == 1 and dead[0]["index"] == 3 and dead[0]["line"] == 4
    assert "failed by AEP" in dead[0]["reason"] and "loyaltyID" in dead[0]["reason"]
    assert dead[0]["record"] == {"_exchangeinternal": {"loyaltyID": 8_500_099}}
    again = _send(sandbox, t, f, "--resume", "--json")  # a finished run: nothing is moved twice
    assert again.returncode == 0 and "nothing to resume" in again.stderr
    assert len(Path(out["dead_letter_path"]).read_text().splitlines()) == 1


def test_the_summary_names_them_and_no_reconcile_skips_it(sandbox, tutorial, app_home, tmp_path):
    t = tutorial["members"]
    r = _send(sandbox, t, _file(tmp_path, "summary.jsonl", 8_600_000))
    assert r.returncode == 1, r.stderr
    assert "3 accepted" in r.stdout and "1 refused by AEP" in r.stdout and "failed by AEP" in r.stdout
    assert "1 acknowledged record(s) failed by AEP afterwards" in r.stdout
    skipped = _send(sandbox, t, _file(tmp_path, "skipped.jsonl", 8_700_000), "--no-reconcile", "--json")
    assert skipped.returncode == 0 and json.loads(skipped.stdout)["reconciled"] is None


async def test_on_aep_it_waits_with_a_countdown_for_the_batches_to_close(sandbox, open_local_session, tutorial,
                                                                        app_home, tmp_path):
    from aep_console.services.bulk import BulkRun
    from aep_console.services.engine_types import EngineOptions
    from aep_console.services.reconcile import mark_start, reconcile_run

    f = _file(tmp_path, "wait.jsonl", 8_900_000)
    ticks: list[tuple[float, int]] = []
    async with open_local_session(sandbox) as session:
        run = BulkRun(session, f, tutorial["members"], options=EngineOptions(validate=False))
        mark_start(run)
        report = await run.start()
        result = await reconcile_run(session, run, wait=True, timeout=1.0, poll=0.2,
                                     on_wait=lambda left, n: ticks.append((left, n)))
    # the sandbox keeps a streaming batch open for 30 s: the wait runs out, and says so
    assert len(ticks) >= 3 and ticks[0][0] > ticks[-1][0] and all(n >= 1 for _, n in ticks)
    assert result.open_batches >= 1 and result.waited >= 1.0
    assert result.moved == 1  # the failed record is found in the open batch all the same
    result.apply(report)
    assert report.progress.accepted == 3 and report.progress.failed == 1
