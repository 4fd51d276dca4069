"""The command-line twin as a subprocess: exit codes, stderr, a SIGKILL mid-send and --resume, and a
canary client secret used through a full run (real Secret Service) that must appear nowhere on disk."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest

from aep_console.services.journal import Journal, run_key, runs_dir

from .svc_datalake import dataset_records
from .svc_records import loyalty_ids, member, write_members

CANARY = "canary-7Hq2-client-secret-never-on-disk"


def cli(*args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aep_console", *args], input=stdin, capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ))


def test_usage_and_profile_errors_go_to_stderr_with_exit_codes(app_home):
    r = cli("send")
    assert r.returncode == 2 and "usage" in r.stderr.lower() and r.stdout == ""
    r = cli("send", "nofile.jsonl", "--profile", "Nope", "--connection", "c", "--dataset", "d")
    assert r.returncode == 3 and "no connection profile named 'Nope'" in r.stderr
    r = cli("profiles", "list")
    assert r.returncode == 0 and r.stdout.startswith("Local sandbox\tlocal-sandbox")
    assert "keyring:" in r.stderr


@pytest.mark.parametrize("workers", [0, 1], ids=["one-process", "worker-process"])
def test_send_killed_with_sigkill_then_resumed_loses_nothing(sandbox, open_local_session, tutorial, app_home,
                                                            tmp_path, session_loop, workers):
    n, start = 60_000, 3_000_000 + workers * 100_000
    f = tmp_path / "members.jsonl"
    write_members(f, n, start=start)
    t = tutorial["members"]
    args = ["send", str(f), "--profile", "Local sandbox", "--sandbox-url", sandbox.urls.base,
            "--connection", t.connection_id, "--dataset", t.dataset_id, "--no-progress", "--concurrency", "4",
            "--workers", str(workers)]
    journal = runs_dir() / run_key(f, t.connection_id, t.dataset_id) / "journal.log"
    proc = subprocess.Popen([sys.executable, "-m", "aep_console", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text().count("\nok ") >= 3:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    state = Journal(journal).read()
    assert 0 < state.accepted < n and not state.complete
    again = cli(*args)
    assert again.returncode == 2 and "--resume" in again.stderr
    resumed = cli(*args, "--resume", "--json")
    assert resumed.returncode == 0, resumed.stderr
    out = json.loads(resumed.stdout)
    assert out["state"] == "done" and out["skipped"] == state.accepted
    assert out["accepted"] == n - state.accepted
    final = Journal(journal).read()
    assert final.complete and final.accepted == n

    async def lake():
        async with open_local_session(sandbox) as session:
            return await dataset_records(session, sandbox, t.dataset_id)

    expected = {member(i)["_exchangeinternal"]["loyaltyID"] for i in range(start, start + n)}
    ids = Counter(i for i in loyalty_ids(session_loop.run_until_complete(lake())) if i in expected)
    assert expected <= set(ids)
    assert sum(c - 1 for c in ids.values()) <= 4 * 2000  # at most the requests in flight at the kill


def test_canary_secret_through_a_full_run(secret_service, fresh_sandbox, app_home, tmp_path, session_loop):
    sb = fresh_sandbox(extra_args=["--client-secret", CANARY])
    outputs: list[str] = []

    def run(*args, stdin=None, ok=True):
        r = cli(*args, stdin=stdin)
        outputs.append(r.stdout + r.stderr)
        if ok:
            assert r.returncode == 0, r.stderr
        return r

    run("profiles", "add", "--name", "Canary", "--target", "local-sandbox", "--sandbox-url", sb.urls.base,
        "--org-id", sb.credentials.org_id, "--client-id", sb.credentials.client_id, stdin=CANARY + "\n")
    assert secret_service.get_password("aep-console", "Canary") == CANARY
    listed = run("profiles", "list")
    assert "Secret Service" in listed.stderr
    setup = json.loads(run("setup", "tutorial", "--profile", "Canary", "--prefix", f"C{uuid.uuid4().hex[:6]}",
                           "--json").stdout)
    assert setup["ok"], setup
    o = setup["outputs"]
    f = tmp_path / "m.jsonl"
    write_members(f, 500)
    with open(f, "a") as fh:
        fh.write('{"_exchangeinternal": {"loyaltyID": 7}}\n')
    sent = run("send", str(f), "--profile", "Canary", "--connection", o["connection_id"], "--dataset",
               o["profile_dataset_id"], "--flow-id", o["profile_flow_id"], ok=False)
    assert sent.returncode == 1 and "500 accepted" in sent.stdout and "1 invalid" in sent.stdout
    got = run("profile", "get", "--profile", "Canary", "--namespace", "Email", "--id", "member3@example.com",
              "--events", ok=False)
    assert got.returncode == 0, got.stderr
    found = json.loads(got.stdout)
    assert found["entity"]["_exchangeinternal"]["loyaltyID"] == "member3@example.com" and "events" in found
    export = tmp_path / "history-export.jsonl"
    run("history", "export", str(export))
    assert export.stat().st_size > 0
    curl = run("history", "curl", "1").stdout
    assert "${ACCESS_TOKEN}" in curl or "client_secret=***REDACTED***" in curl
    bad = run("setup", "dataset", "--profile", "Canary", "--name", "x", "--schema", "https://nope", ok=False)
    assert bad.returncode == 4
    crash = _crash_text_of_a_failing_session(sb, session_loop)
    # the canary is in the keyring and nowhere else
    haystacks = [p for p in app_home.rglob("*") if p.is_file()] + [export]
    leaks = [str(p) for p in haystacks if CANARY.encode() in p.read_bytes()]
    assert leaks == []
    assert not any(CANARY in text for text in outputs) and CANARY not in crash
    db = (app_home / "data" / "history.sqlite3").read_bytes()
    assert not re.search(rb"[Bb]earer (?!\*\*\*REDACTED\*\*\*|\$\{ACCESS_TOKEN\})[A-Za-z0-9._-]{8,}", db)


def _crash_text_of_a_failing_session(sb, loop) -> str:
    """The crash dialog's text for an exception out of a session that used the secret (if the GUI has it)."""
    try:
        from aep_console.ui.crash import crash_text
    except ImportError:
        return ""
    from aep_console.services.connect import open_session
    from aep_console.services.credentials import CredentialStore
    from aep_console.services.profiles import ProfileStore

    store = ProfileStore(credentials=CredentialStore())
    prof = store.get("Canary")
    prof.client_id = "someone-else"

    async def fail():
        async with open_session(prof, profiles=store, secret=CANARY) as session:
            await session.schemas.tenant_id()

    try:
        loop.run_until_complete(fail())
    except Exception as exc:
        return crash_text(type(exc), exc, exc.__traceback__)
    pytest.fail("expected the IMS to refuse an unknown client id")


def test_send_with_sync_validation_reports_the_record_and_path(sandbox, tutorial, app_home, tmp_path):
    f = tmp_path / "three.jsonl"
    write_members(f, 2, start=5_000_000)
    with open(f, "a") as fh:
        fh.write('{"_exchangeinternal": {"loyaltyID": 12345}}\n')
    t = tutorial["members"]
    r = cli("send", str(f), "--profile", "Local sandbox", "--sandbox-url", sandbox.urls.base, "--connection",
            t.connection_id, "--dataset", t.dataset_id, "--sync-validation", "--no-validate")
    assert r.returncode == 1, r.stderr
    assert "2 accepted, 1 refused" in r.stdout
    assert "record 2 (line 3)" in r.stderr and "$._exchangeinternal.loyaltyID" in r.stderr
    assert "expected type: String, found: Long" in r.stderr


def test_profiles_import_puts_the_secret_in_the_secret_service(secret_service, app_home, tmp_path):
    doc = {"CLIENT_ID": "imported-client", "CLIENT_SECRETS": [CANARY], "ORG_ID": "IMP0@AdobeOrg",
           "SCOPES": ["openid", "AdobeID"]}
    f = tmp_path / "oauth-credential.json"
    f.write_text(json.dumps(doc))
    r = cli("profiles", "import", str(f), "--name", "Imported", "--sandbox", "dev")
    assert r.returncode == 0, r.stderr
    assert "Secret Service" in r.stderr and "imported (org IMP0@AdobeOrg, sandbox dev)" in r.stdout
    assert secret_service.get_password("aep-console", "Imported") == CANARY
    assert not [p for p in app_home.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()]
    listed = cli("profiles", "list")
    assert "Imported\taep\tIMP0@AdobeOrg\tsandbox=dev" in listed.stdout
    gone = cli("profiles", "delete", "Imported")
    assert gone.returncode == 0 and secret_service.get_password("aep-console", "Imported") is None


def test_no_keyring_is_a_clear_error_and_session_secret_works(fresh_sandbox, app_home, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    sb = fresh_sandbox(extra_args=["--client-id", "no-ring-client", "--client-secret", CANARY])
    assert sb.credentials.client_id == "no-ring-client"
    add = ["profiles", "add", "--name", "NoRing", "--target", "local-sandbox", "--sandbox-url", sb.urls.base,
           "--org-id", sb.credentials.org_id, "--client-id", sb.credentials.client_id]
    r = cli(*add, stdin=CANARY + "\n")
    assert r.returncode == 3 and "No secure keyring available" in r.stderr and "session only" in r.stderr
    assert CANARY not in r.stderr and not (app_home / "config" / "profiles" / "noring.json").exists()
    assert cli(*add, "--no-secret").returncode == 0
    r = cli("setup", "profile-schema", "--profile", "NoRing", "--title", f"S {uuid.uuid4().hex[:6]}")
    assert r.returncode == 3 and "No secure keyring available" in r.stderr
    r = cli("setup", "profile-schema", "--profile", "NoRing", "--title", f"S {uuid.uuid4().hex[:6]}",
            "--session-secret", stdin=CANARY + "\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["schema_id"].startswith("https://ns.adobe.com/exchangeinternal/schemas/")


def test_a_broken_json_array_stops_with_exit_6_and_the_location(sandbox, tutorial, app_home, tmp_path):
    f = tmp_path / "cut.json"
    f.write_text('[{"_exchangeinternal": {"loyaltyID": "cut1@x.com"}},\n {"_exchangeinternal": {"loyaltyID": ')
    t = tutorial["members"]
    r = cli("send", str(f), "--profile", "Local sandbox", "--sandbox-url", sandbox.urls.base, "--connection",
            t.connection_id, "--dataset", t.dataset_id, "--no-progress")
    assert r.returncode == 6, r.stderr
    assert "1 accepted" in r.stdout
    assert "line 2, record 1" in r.stderr and "the file ends inside this record" in r.stderr
