"""Property tests (hypothesis): any bytes given to a reader (JSON array, JSON Lines, CSV with a
mapping) or to profile import give records or located errors, never a traceback; and a send of any
such file accounts for every record it read (accepted + dead-lettered = read), never marking a run
complete that stopped on bad input."""

from __future__ import annotations

import json
import tempfile
import uuid
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aep_console.services.bulk import BulkRun
from aep_console.services.engine_types import ABORTED, DONE, EngineOptions
from aep_console.services.journal import Journal
from aep_console.services.profile_import import parse_import_file
from aep_console.services.profiles import ProfileError
from aep_console.services.sources import SourceError, detect_format, read_records

from .input_strategies import csv_mapping, damaged, json_values

EXT = {"jsonl": ".jsonl", "json": ".json", "csv": ".csv"}


def read_all(path: Path, fmt: str | None, mapping=None) -> tuple[list, SourceError | None]:
    """Every record of ``path``, checked: consecutive indexes, a line, either an entity that can be
    sent or a non-empty reason; and the located ``SourceError`` that stopped the reading, if any."""
    out: list = []
    try:
        for rec in read_records(path, fmt=fmt, mapping=mapping):
            assert rec.index == len(out) and rec.line >= 1
            assert (rec.entity is None) != (rec.error is None)
            if rec.error is None:
                assert isinstance(rec.entity, dict)
                orjson.dumps(rec.entity)  # nothing orjson cannot send (no integer beyond 64 bits)
            else:
                assert rec.error.strip()
            out.append(rec)
    except SourceError as exc:
        assert exc.path == path and exc.line is not None and exc.detail.strip(), exc
        return out, exc
    return out, None


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_bytes_give_records_or_located_errors(fmt, data):
    content = data.draw(damaged(fmt))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"input{EXT[fmt]}"
        path.write_bytes(content)
        try:
            detected = detect_format(path)
        except SourceError as exc:
            assert exc.line == 1 and fmt == "json"
            detected = None
        read_all(path, detected)
        read_all(path, fmt)  # the format forced, as --format does
        if fmt == "csv":
            read_all(path, fmt, csv_mapping(content))


_cred_keys = st.sampled_from(["CLIENT_ID", "CLIENT_SECRETS", "CLIENT_SECRET", "ORG_ID", "SCOPES", "API_KEY",
                              "TECHNICAL_ACCOUNT_ID", "project", "values", "name", "org", "workspace", "details",
                              "credentials", "oauth_server_to_server", "integration_type", "client_id",
                              "client_secrets", "ims_org_id", "key", "value", "enabled", "title"])
_cred_docs = st.recursive(json_values, lambda inner: st.dictionaries(_cred_keys, inner, max_size=5)
                          | st.lists(inner, max_size=3), max_leaves=15)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_cred_docs, raw=st.binary(max_size=100), use_raw=st.booleans())
def test_profile_import_of_anything_is_a_profile_or_a_profile_error(doc, raw, use_raw):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "credential.json"
        path.write_bytes(raw if use_raw else json.dumps(doc).encode())
        try:
            profile, secret = parse_import_file(path, name=None)
        except ProfileError as exc:
            assert str(path) in str(exc)
            return
        assert isinstance(profile.client_id, str) and isinstance(profile.org_id, str)
        assert secret is None or isinstance(secret, str)
        profile.validate()


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_a_send_of_any_file_accounts_for_every_record(fmt, sandbox, open_local_session, tutorial, app_home,
                                                       session_loop):
    target = tutorial["members"]
    folder = Path(tempfile.mkdtemp(prefix="prop-send-"))

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(content=damaged(fmt))
    def send(content):
        path = folder / f"{uuid.uuid4().hex}{EXT[fmt]}"
        path.write_bytes(content)
        read, stop = read_all(path, fmt)

        async def go():
            async with open_local_session(sandbox) as session:
                run = BulkRun(session, path, target, fmt=fmt, options=EngineOptions(validate=False))
                return run, await run.start()

        run, report = session_loop.run_until_complete(go())
        p = report.progress
        assert p.read == len(read)
        assert p.accepted + p.dead_lettered == len(read), report.summary()
        assert p.unreadable == sum(1 for r in read if r.error)
        journal = Journal(run.journal.path).read()
        assert journal.accepted + journal.dead_lettered == len(read)
        if stop is None:
            assert report.state == DONE and journal.complete
        else:
            assert report.state == ABORTED and report.error_kind == "input" and not journal.complete

    send()
