"""Adobe's Python SDK ``aepp`` runs the streaming tutorial against the sandbox, changed only in the three
settings that point it there (``tests/sandbox/aepp_tutorial.py``); then we check what the sandbox holds.

aepp has heavy dependencies (pandas, matplotlib, …), so it lives in a virtual environment of its own,
created by the session fixture and cached between runs under ``~/.cache/aep-console-tests/`` keyed by
aepp's version (``AEP_CONSOLE_TEST_CACHE`` moves it). The test skips, saying so, only when PyPI cannot
be reached to install it; any other failure to install fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .helpers import Platform

AEPP = "aepp==0.6.0"  # the 0.6 line of Adobe's SDK (check newer ones with `pip index versions aepp`)
DRIVER = Path(__file__).with_name("aepp_tutorial.py")
CACHE = Path(os.environ.get("AEP_CONSOLE_TEST_CACHE", Path.home() / ".cache" / "aep-console-tests"))
_OFFLINE = ("Could not find a version", "No matching distribution", "Failed to establish a new connection",
            "Temporary failure in name resolution", "Network is unreachable", "Max retries exceeded")


@pytest.fixture(scope="session")
def aepp_python() -> Path:
    """The Python of a virtual environment with aepp installed (made once, reused while aepp's version stays)."""
    home = CACHE / f"aepp-{AEPP.split('==')[1]}-venv"
    python = home / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    ready = home / ".installed"
    if ready.exists() and python.exists():
        return python
    home.parent.mkdir(parents=True, exist_ok=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(home)
    r = subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", AEPP],
                       capture_output=True, text=True, timeout=1200)
    if r.returncode != 0:
        if any(marker in r.stderr for marker in _OFFLINE):
            pytest.skip(f"PyPI is unreachable, so {AEPP} cannot be installed: {r.stderr.strip()[-300:]}")
        pytest.fail(f"installing {AEPP} into {home} failed:\n{r.stderr[-3000:]}")
    ready.write_text(AEPP)
    return python


def test_the_tutorial_through_aepp(aepp_python, fresh_sandbox, tmp_path):
    proc = fresh_sandbox()
    c = proc.credentials
    settings = {"ims": proc.urls.ims, "platform": proc.urls.platform, "streaming": proc.urls.streaming,
                "client_id": c.client_id, "client_secret": c.client_secret, "org_id": c.org_id,
                "sandbox": c.sandbox_name, "scopes": c.scopes, "prefix": "aepp"}
    (tmp_path / "settings.json").write_text(json.dumps(settings))
    r = subprocess.run([str(aepp_python), str(DRIVER), str(tmp_path / "settings.json"), str(tmp_path / "result.json")],
                       capture_output=True, text=True, timeout=600, cwd=tmp_path)
    result = json.loads((tmp_path / "result.json").read_text()) if (tmp_path / "result.json").exists() else {}
    assert r.returncode == 0, (result.get("error"), result.get("steps"), r.stderr[-3000:])
    assert result["aepp"].startswith("0.6")

    # what the sandbox holds after aepp's calls
    p = Platform(proc)
    try:
        assert result["tenant"] == "exchangeinternal"
        schema = p.get(f"/data/foundation/schemaregistry/tenant/schemas/{result['schema'].replace('/', '%2F').replace(':', '%3A')}",
                       headers={"Accept": "application/vnd.adobe.xed+json; version=1"}).json()
        assert "union" in schema["meta:immutableTags"]
        assert {a["$ref"] for a in schema["allOf"]} >= {result["field_group"], "https://ns.adobe.com/xdm/context/profile"}
        assert result["schema"] in result["schemas_after"] and result["descriptor"] in result["descriptors"]
        descriptor = p.get(f"/data/foundation/schemaregistry/tenant/descriptors/{result['descriptor']}",
                           headers={"Accept": "application/vnd.adobe.xdm+json"}).json()
        assert descriptor["xdm:isPrimary"] is True and descriptor["xdm:namespace"] == "Email"
        dataset = p.get(f"/data/foundation/catalog/dataSets/{result['dataset']}").json()[result["dataset"]]
        assert dataset["tags"]["unifiedProfile"] == ["enabled:true"]
        assert result["table_name"] == dataset["tags"]["adobe/pqs/table"] == ["aepp_loyalty_members"]
        flow = p.get(f"/data/foundation/flowservice/flows/{result['flow']}").json()["items"][0]
        assert flow["state"] == "enabled"
        p.proc.admin("datalake/flush", {"datasetId": result["dataset"]})
        batches = p.get("/data/foundation/catalog/batches", params={"dataSet": result["dataset"]}).json()
        assert sum(b["recordCount"] for b in batches.values()) == 4  # one record, then a batch of three
        last = p.get("/data/foundation/catalog/lastBatches", params={"dataSetId": result["dataset"]}).json()
        assert last[result["dataset"]]["lastBatchId"] in batches
        profile = next(iter(result["profile"].values()))
        assert profile["entity"]["_exchangeinternal"]["loyaltyLevel"] == "gold"
    finally:
        p.close()
