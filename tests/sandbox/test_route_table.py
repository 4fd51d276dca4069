"""The documented surface, generated from Adobe's OpenAPI files: every path and method of the tutorial's
services, with and without a trailing slash, is routed: answered as AEP would, or 501 naming a feature the
sandbox does not model; never 404 "no such resource or API", 405, or a redirect (scripts/route_table.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import route_table

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def rows(shared_dir, sandbox):
    ops = route_table.documented_operations(shared_dir / "aep-openapi")
    with route_table.platform_client(sandbox) as client:
        return route_table.probe(client, ops)


def test_every_documented_call_is_routed(rows):
    assert len(rows) >= 2 * 140  # every spec read (146 documented calls in June 2026)
    missing = [f"{r.op.method} {r.op.path}{' (with /)' if r.slash else ''}: {r.status} {r.detail[:120]}"
               for r in rows if r.verdict == "missing"]
    assert missing == []


def test_unmodelled_calls_name_the_feature_in_aep_shape(rows):
    unmodelled = [r for r in rows if r.verdict == "501"]
    assert unmodelled, "the table lists what is not modelled"
    for r in unmodelled:
        assert "not modelled by the local sandbox: " in r.detail, r
        assert '"status":501' in r.detail and '"title":"Not Implemented"' in r.detail


def test_the_calls_a_streaming_user_touches_are_modelled(rows):
    modelled = {(r.op.method, r.op.path) for r in rows if r.verdict == "modelled" and r.slash}
    for call in [("DELETE", "/ups/access/entities"), ("GET", "/rpc/sampledata/{SCHEMA_ID}"),
                 ("GET", "/batches/{BATCH_ID}"), ("GET", "/lastBatches"), ("PATCH", "/v2/dataSets/{DATASET_ID}"),
                 ("POST", "/tenant/schemas"), ("PATCH", "/tenant/schemas/{SCHEMA_ID}")]:
        assert call in modelled, call


def test_the_script_prints_the_table(shared_dir):
    rows = [route_table.Row(route_table.Operation("catalog.yaml", "GET", "/x"), False, 501, "501",
                            '{"detail":"GET /x: not modelled by the local sandbox: things"}')]
    text = route_table.table(rows)
    assert "| catalog | 0 | 1 | 0 |" in text and "| GET /x |  | 501 | 501 | things |" in text
