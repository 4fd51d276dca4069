"""Request history: real exchanges of an AEPSession, redacted, searchable, exportable, as curl."""

from __future__ import annotations

import json

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
    assert curl.startswith("curl -X GET '") and "-H 'authorization: Bearer ${ACCESS_TOKEN}'" in curl
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
