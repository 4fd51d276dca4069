"""Every record read is accounted for (accepted + dead-lettered = records read) and a run that
stops on bad input is never marked complete: issue 13's silent-loss findings through a real send."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from aep_console.services.journal import Journal, run_key, runs_dir


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aep_console", *args], capture_output=True, text=True,
                          timeout=180, env=dict(os.environ))


def _send(sandbox, t, f, *extra):
    return cli("send", str(f), "--profile", "Local sandbox", "--sandbox-url", sandbox.urls.base, "--connection",
               t.connection_id, "--dataset", t.dataset_id, "--no-progress", "--json",
               "--map", "email=_exchangeinternal.loyaltyID", "--map", "level=_exchangeinternal.loyaltyLevel",
               "--map", "note=person.name.middleName", *extra)


def _rows(n: int, start: int) -> list[bytes]:
    return [f"m{i}@csv.example,Gold,n{i}\n".encode() for i in range(start, start + n)]


def test_a_csv_with_an_oversized_field_sends_or_dead_letters_every_row(sandbox, tutorial, app_home, tmp_path):
    f = tmp_path / "long-field.csv"
    rows = [*_rows(5, 8_100_000), b"big@csv.example,Gold," + b"x" * 1_000_001 + b"\n", *_rows(5, 8_100_010)]
    f.write_bytes(b"email,level,note\n" + b"".join(rows))
    t = tutorial["members"]
    r = _send(sandbox, t, f)
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["state"] == "done" and out["accepted"] == 10 and out["unreadable"] == 1
    journal = Journal(runs_dir() / run_key(f, t.connection_id, t.dataset_id) / "journal.log").read()
    assert journal.complete and journal.accepted + journal.dead_lettered == 11
    dead = [json.loads(x) for x in Path(out["dead_letter_path"]).read_text().splitlines()]
    assert [d["line"] for d in dead] == [7] and "field longer than" in dead[0]["reason"]


def test_an_unclosed_quote_stops_the_run_located_and_resumable(sandbox, tutorial, app_home, tmp_path):
    f = tmp_path / "quote.csv"
    f.write_bytes(b"email,level,note\n" + b"".join(_rows(3, 8_200_000)) + b'q@csv.example,Gold,"open\n'
                  + b"".join(_rows(3, 8_200_010)))
    t = tutorial["members"]
    r = _send(sandbox, t, f)
    assert r.returncode == 6, r.stderr
    assert "line 5, record 3" in r.stderr and "not closed" in r.stderr
    out = json.loads(r.stdout)
    assert out["state"] == "aborted" and out["accepted"] == 3
    journal = Journal(runs_dir() / run_key(f, t.connection_id, t.dataset_id) / "journal.log").read()
    assert not journal.complete and journal.accepted == 3
    again = _send(sandbox, t, f, "--resume")
    assert again.returncode == 6 and "nothing to resume" not in again.stderr and "line 5" in again.stderr


def test_records_read_before_a_stop_are_all_accounted_for(sandbox, tutorial, app_home, tmp_path):
    from .svc_records import member

    f = tmp_path / "stops.json"
    f.write_text("[" + json.dumps(member(8_800_000)) + ",\n 42,\n {\"_exchangeinternal\": ")
    t = tutorial["members"]
    r = cli("send", str(f), "--profile", "Local sandbox", "--sandbox-url", sandbox.urls.base, "--connection",
            t.connection_id, "--dataset", t.dataset_id, "--no-progress", "--json")
    assert r.returncode == 6, r.stderr
    out = json.loads(r.stdout)
    assert out["accepted"] == 1 and out["unreadable"] == 1  # the '42' before the stop is dead-lettered
    dead = [json.loads(x) for x in Path(out["dead_letter_path"]).read_text().splitlines()]
    assert [d["line"] for d in dead] == [2] and "expected a JSON object" in dead[0]["reason"]
