"""Request history: real exchanges of an AEPSession, redacted, searchable, exportable, as curl."""

from __future__ import annotations

import json
import time

from aep_console.services.history import HistoryStore


async def test_history_records_redacts_searches_exports(sandbox, open_local_session, tmp_path):
    history = HistoryStore(tmp_path / "history.sqlite3")
    secret = sandbox.credentials.client_secret
    async with open_local_session(sandbox, history=history) as session:
        tenant = await session.schemas.tenant_id()
        await session.catalog.list_datasets(limit=5)
        token = await session.ims.get_token()
    assert tenant == "exchangeinternal"
    entries = history.search(limit=None, newest_first=False)
    assert [e.service for e in entries][:2] == ["ims", "platform"]
    ims = entries[0]
    assert ims.method == "POST" and ims.status == 200 and ims.profile == "Local sandbox"
    assert secret not in (ims.request_body or "") and "client_secret=***REDACTED***" in ims.request_body
    assert token not in (ims.response_body or "")
    stats = history.search("schemaregistry/stats")[0]
    assert stats.request_headers["authorization"] == "Bearer ***REDACTED***"
    assert stats.request_headers["x-api-key"] == "aep-sandbox-client"
    assert '"tenantId":"exchangeinternal"' in stats.response_body.replace(" ", "")
    assert history.count() == len(entries) and history.count(service="ims") == 1
    assert history.search("no-such-thing") == []
    curl = stats.as_curl()
    assert curl.startswith("curl -X GET '") and '-H "authorization: Bearer ${ACCESS_TOKEN}"' in curl
    assert token not in curl
    n = history.export(tmp_path / "h.jsonl")
    lines = (tmp_path / "h.jsonl").read_text().splitlines()
    assert n == len(lines) == len(entries) and json.loads(lines[0])["service"] == "ims"
    assert history.export(tmp_path / "h.json", service="platform") == len(entries) - 1
    assert len(json.loads((tmp_path / "h.json").read_text())) == len(entries) - 1
    for path in (tmp_path / "history.sqlite3", tmp_path / "h.jsonl", tmp_path / "h.json"):
        data = path.read_bytes()
        assert secret.encode() not in data and token.encode() not in data, path


def test_prune_keeps_the_newest(tmp_path):
    from aep_console.aep.transport import Exchange

    history = HistoryStore(tmp_path / "h.sqlite3", keep=10)
    for i in range(25):
        history.record(Exchange("platform", "GET", f"https://platform.adobe.io/x/{i}", {}, None, status=200))
    history.prune()
    urls = [e.url for e in history.search(limit=None)]
    assert len(urls) == 10 and urls[0].endswith("/24") and urls[-1].endswith("/15")
    history.add_secret("literal-secret-value")
    history.record(Exchange("platform", "POST", "https://platform.adobe.io/y", {}, '{"x":"literal-secret-value"}'))
    assert "literal-secret-value" not in history.search("platform.adobe.io/y")[0].request_body


def test_prune_by_age_besides_the_count(tmp_path):
    from aep_console.aep.transport import Exchange
    from aep_console.services.history import DEFAULT_MAX_AGE_DAYS, PRUNE_INTERVAL_S

    day = 86400.0
    now = time.time()
    path = tmp_path / "h.sqlite3"
    history = HistoryStore(path, max_age_days=None)  # no age limit: everything stays
    assert DEFAULT_MAX_AGE_DAYS == HistoryStore(tmp_path / "other.sqlite3").max_age_days == 30
    for age in (90, 31, 30.01, 29.9, 1, 0):
        history.record(Exchange("platform", "GET", f"https://platform.adobe.io/age/{age}", {}, None, status=200,
                                started_at=now - age * day))
    assert history.count() == 6 and history.prune() == 0
    history.close()

    reopened = HistoryStore(path)  # default 30 days, applied when the store opens
    ages = [e.url.rsplit("/", 1)[1] for e in reopened.search(limit=None)]
    assert ages == ["0", "1", "29.9"]
    reopened.max_age_days = 7  # a changed setting applies on the next prune
    assert reopened.prune() == 1 and reopened.count() == 2
    assert reopened.prune(max_age_days=0.5) == 1 and reopened.count() == 1  # 0 / None for the setting: no limit
    reopened.record(Exchange("platform", "GET", "https://platform.adobe.io/late", {}, None, started_at=now - 8 * day))
    assert reopened.count() == 2  # no prune on every insert …
    reopened._pruned_at -= PRUNE_INTERVAL_S  # … but an hour after the last one, the next insert prunes
    reopened.record(Exchange("platform", "GET", "https://platform.adobe.io/new", {}, None, started_at=now))
    assert [e.url.rsplit("/", 1)[1] for e in reopened.search(limit=None)] == ["new", "0"]
    reopened.close()

    both = HistoryStore(tmp_path / "both.sqlite3", keep=3, max_age_days=10)  # the cap and the age together
    for i, age in enumerate((20, 15, 5, 4, 3, 2, 1)):
        both.record(Exchange("platform", "GET", f"https://platform.adobe.io/n/{i}", {}, None,
                             started_at=now - age * day))
    assert both.prune() == 4
    assert [e.url[-1] for e in both.search(limit=None)] == ["6", "5", "4"]
    assert both.prune(now=now + 7.5 * day) == 1  # a week later the one 3 days old is 10.5 days old
    assert [e.url[-1] for e in both.search(limit=None)] == ["6", "5"]


async def test_copied_curl_runs_in_a_shell_with_the_token_expanded(sandbox, open_local_session, tmp_path):
    """The copied command, pasted into a shell with ACCESS_TOKEN set, authenticates: the header is
    there and the shell expands the placeholder (single quotes would send it verbatim: 401)."""
    import asyncio
    import os
    import shutil

    import pytest

    if not (shutil.which("curl") and shutil.which("bash")):
        pytest.skip("needs curl and bash")
    history = HistoryStore(tmp_path / "history.sqlite3")
    async with open_local_session(sandbox, history=history) as session:
        await session.schemas.stats()
        token = await session.ims.get_token()
    curl = history.search("schemaregistry/stats")[0].as_curl()

    async def status_with(value: str) -> str:
        env = dict(os.environ, ACCESS_TOKEN=value)
        proc = await asyncio.create_subprocess_exec(
            "bash", "-c", curl + " -s -o /dev/null -w '%{http_code}'", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
        return out.decode().strip()

    assert await status_with(token) == "200", curl
    assert await status_with("not-a-token") == "401", curl
