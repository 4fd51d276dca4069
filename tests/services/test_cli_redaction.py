"""The command line's exact-secret layer: a client secret that no pattern recognises (it is not in a
``client_secret=`` pair, not a bearer token, not a JWT) is masked wherever the command line writes
it — terminal, log file, history — once the session has used it. Through a real run, where the
secret was pasted by mistake as the dataset and connection ids, so AEP's error quotes it."""

from __future__ import annotations

import os
import subprocess
import sys

from aep_console.aep.redact import REDACTED, redact_text

CANARY = "canary-Zq81-never-in-any-file"


def test_a_secret_quoted_by_an_aep_error_is_masked_in_the_terminal_and_the_log(fresh_sandbox, app_home, tmp_path):
    assert redact_text(f"Dataset '{CANARY}' was not found") == f"Dataset '{CANARY}' was not found"  # no pattern
    sb = fresh_sandbox(extra_args=["--client-secret", CANARY])

    def cli(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "aep_console", *args], input=stdin, capture_output=True,
                              text=True, timeout=120, env=dict(os.environ))

    assert cli("profiles", "add", "--name", "Canary", "--target", "local-sandbox", "--sandbox-url", sb.urls.base,
               "--org-id", sb.credentials.org_id, "--client-id", sb.credentials.client_id,
               "--no-secret").returncode == 0
    f = tmp_path / "one.jsonl"
    f.write_text('{"a": 1}\n')
    r = cli("--log-level", "DEBUG", "send", str(f), "--profile", "Canary", "--session-secret", "--connection",
            CANARY, "--dataset", CANARY, stdin=CANARY + "\n")
    assert r.returncode == 4, r.stderr
    assert "was not found" in r.stderr and REDACTED in r.stderr
    log = (app_home / "logs" / "aep-console.log").read_text()
    assert "send failed (exit 4)" in log and REDACTED in log
    outputs = r.stdout + r.stderr + log
    assert CANARY not in outputs
    leaks = [str(p) for p in app_home.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()]
    assert leaks == []
