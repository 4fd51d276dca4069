"""Issue 13's sandbox findings: paging numbers beyond 64 bits answer 400, not 500; a client secret
loaded from a config file never appears in the start banner."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999999", "2147483648"])
@pytest.mark.parametrize("path", ["/data/foundation/catalog/batches", "/data/foundation/catalog/dataSets"])
def test_a_huge_start_or_limit_is_a_400(platform, path, value):
    for name in ("start", "limit"):
        r = platform.get(path, params={name: value})
        assert r.status_code == 400, (name, r.status_code, r.text[:200])
        assert f"'{name}' must be between 0 and" in r.json()["detail"]


def test_a_negative_schema_registry_start_is_a_400(platform):
    r = platform.get("/data/foundation/schemaregistry/tenant/schemas", params={"start": "-3"},
                     headers={"Accept": "application/vnd.adobe.xed-id+json"})
    assert r.status_code == 400 and "'start'" in r.text


def test_a_secret_from_a_config_file_is_not_in_the_banner(tmp_path):
    config = tmp_path / "sandbox.toml"
    config.write_text('[[orgs]]\norg_id = "CONF0000000000000000000@AdobeOrg"\ntenant_id = "conf"\n'
                      'client_id = "conf-client"\nclient_secret = "conf-secret-9XQ-never-printed"\n')
    proc = subprocess.Popen([sys.executable, "-m", "aep_console.sandbox", "--data-dir", str(tmp_path / "d"),
                             "--port", "0", "--config", str(config)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        lines = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "scopes" in line or not line:
                break
        text = "".join(lines)
        assert "conf-client" in text and "CONF0000000000000000000@AdobeOrg" in text, text + proc.stderr.read()
        assert "conf-secret-9XQ-never-printed" not in text and "not shown" in text
    finally:
        proc.terminate()
        proc.wait(10)
