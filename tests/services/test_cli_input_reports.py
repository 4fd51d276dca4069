"""Issue 13's tracebacks and wrong reports of the command line, each reproduced through a real
``aep-console`` process: a clear message and the right exit code, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def cli(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aep_console", *args], input=stdin, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def no_traceback(r: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in r.stderr, r.stderr


SEND = ("--profile", "Local sandbox", "--sandbox-url", "http://127.0.0.1:9", "--connection", "c", "--dataset", "d")


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "the file is empty"),
    (b"null", "found 'null'"),
    ('[{"a": 1}]'.encode("utf-16"), "UTF-16; save it as UTF-8"),
])
def test_send_of_an_empty_null_or_utf16_json_file_is_exit_6_with_the_reason(app_home, tmp_path, content, expected):
    f = tmp_path / "input.json"
    f.write_bytes(content)
    r = cli("send", str(f), *SEND)
    no_traceback(r)
    assert r.returncode == 6 and expected in r.stderr and str(f) in r.stderr


def test_send_of_a_folder_says_it_is_a_folder(app_home, tmp_path):
    r = cli("send", str(tmp_path), *SEND)
    no_traceback(r)
    assert r.returncode == 6 and "is a folder, not a file" in r.stderr and "no such file" not in r.stderr


@pytest.mark.parametrize("spec", ["x=a:weird", "x=identityMap.Email[99999999999999999999].id", "x"])
def test_a_bad_map_is_a_usage_error(app_home, tmp_path, spec):
    f = tmp_path / "a.csv"
    f.write_text("x\n1\n")
    r = cli("send", str(f), *SEND, "--map", spec)
    no_traceback(r)
    assert r.returncode == 2 and "--map" in r.stderr


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize(("doc", "expected"), [
    (_nested(100_000), "nested too deeply"),
    ('{"project": {"org": [1], "workspace": 3}}', "no OAuth server-to-server credential"),
    ('{"project": {"org": {"ims_org_id": 7}}}', "project.org.ims_org_id must be text, found a number"),
    ('{"CLIENT_ID": NaN, "ORG_ID": "O@AdobeOrg"}', "NaN is not a JSON value"),
    ('{"CLIENT_ID": ["x"], "ORG_ID": "O@AdobeOrg"}', "CLIENT_ID must be text, found an array"),
    ('{"CLIENT_ID": "c", "ORG_ID": "O@AdobeOrg", "CLIENT_SECRETS": {"a": 1}}', "CLIENT_SECRETS must be a list"),
    ('{"values": [{"key": "API_KEY", "value": {"x": 1}}]}', "must be text"),
    ("[1, 2]", "expected a JSON object"),
])
def test_profiles_import_of_malformed_credential_files_is_a_clear_error(app_home, tmp_path, doc, expected):
    f = tmp_path / "credential.json"
    f.write_text(doc)
    r = cli("profiles", "import", str(f), "--name", "Bad")
    no_traceback(r)
    assert r.returncode == 3 and expected in r.stderr, r.stderr
    assert "stored" not in r.stderr + r.stdout
    assert not (app_home / "config" / "profiles" / "bad.json").exists()


def test_profiles_import_without_a_secret_does_not_claim_it_stored_one(app_home, tmp_path):
    f = tmp_path / "credential.json"
    f.write_text(json.dumps({"CLIENT_ID": "c", "ORG_ID": "O@AdobeOrg", "CLIENT_SECRETS": []}))
    r = cli("profiles", "import", str(f), "--name", "NoSecret",
            env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert r.returncode == 0, r.stderr
    assert "no client secret" in r.stderr and "stored in" not in r.stderr


def test_a_misnamed_keyring_backend_is_a_message_not_a_traceback(app_home, tmp_path):
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.Nope.Keyring"}
    r = cli("profiles", "list", env=env)
    no_traceback(r)
    assert r.returncode == 0 and "PYTHON_KEYRING_BACKEND='keyring.backends.Nope.Keyring' cannot be loaded" in r.stderr
    r = cli("profiles", "add", "--name", "X", "--org-id", "O@AdobeOrg", "--client-id", "c", stdin="s3cret\n",
            env=env)
    no_traceback(r)
    assert r.returncode == 3 and "cannot be loaded" in r.stderr


def test_profiles_delete_without_a_keyring_keeps_the_profile_and_its_secret_together(app_home):
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    assert cli("profiles", "add", "--name", "Kept", "--org-id", "O@AdobeOrg", "--client-id", "c", "--no-secret",
               env=env).returncode == 0
    saved = app_home / "config" / "profiles"
    assert any(saved.glob("*.json"))
    before = sorted(p.name for p in saved.glob("*.json"))
    r = cli("profiles", "delete", "Kept", env=env)
    no_traceback(r)
    assert r.returncode == 3 and "was kept" in r.stderr and "deleted" not in r.stdout
    assert sorted(p.name for p in saved.glob("*.json")) == before
    r = cli("profiles", "delete", "Kept", "--keep-secret", env=env)
    assert r.returncode == 0 and "deleted" in r.stdout
    assert len(list(saved.glob("*.json"))) == len(before) - 1
