"""Every official example (../shared/xdm) of a bundled class or field group validates against the
sandbox's own resolved schemas, fetched over HTTP (``xed-full``): field groups as the Registry resolves
them, classes through a tenant schema composed like tests/xdm does.

The example→schema tables and the documented upstream defects are tests/xdm's (test_xdm_examples.py),
loaded from that file so the two suites cannot drift apart."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from aep_console.xdm.names import to_platform_instance
from aep_console.xdm.validate import compile_validator

from .helpers import XED_FULL_V1, unique

pytestmark = pytest.mark.shared
SR = "/data/foundation/schemaregistry"
XDM_TESTS = Path(__file__).resolve().parents[1] / "xdm" / "test_xdm_examples.py"


def _tables():
    if not XDM_TESTS.is_file():
        pytest.skip(f"needs {XDM_TESTS} (the XDM example tables)")
    spec = importlib.util.spec_from_file_location("_xdm_example_tables", XDM_TESTS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cases() -> list[str]:
    root = Path(__file__).resolve().parents[2].parent / "shared" / "xdm" / "components"
    if not root.is_dir():
        return ["<absent>"]
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.example.*.json")
        if str(p.relative_to(root)).startswith(("classes/", "fieldgroups/"))
    )


@pytest.mark.parametrize("rel", _cases())
def test_official_example_against_sandbox(platform, shared_dir, rel):
    t = _tables()
    root = shared_dir / "xdm" / "components"
    if rel in t.SKIPPED:
        pytest.skip(t.SKIPPED[rel])
    example = root / rel
    official = json.loads(example.with_name(example.name.split(".example.")[0] + ".schema.json").read_text())
    instance = to_platform_instance(json.loads(example.read_text(encoding="utf-8")))
    if rel in t.WRAPPED:
        instance = {t.WRAPPED[rel]: instance}
    if rel.startswith("classes/"):
        ids = t.COMPOSED.get(rel, [official["$id"]])
        r = platform.post(
            f"{SR}/tenant/schemas",
            json={"title": unique("example"), "type": "object", "allOf": [{"$ref": i} for i in ids]},
        )
        assert r.status_code == 201, r.text
        url = f"{SR}/tenant/schemas/{quote(r.json()['$id'], safe='')}"
    else:
        url = f"{SR}/global/fieldgroups/{quote(official['$id'], safe='')}"
    resp = platform.get(url, headers={"Accept": XED_FULL_V1})
    assert resp.status_code == 200, f"{official['$id']} is not served by the sandbox: {resp.text}"
    resolved = resp.json()
    if rel.startswith("fieldgroups/"):
        resolved = {**resolved, "required": []}  # a field group's example is not a whole record
    found = {(v.pointer, v.keyword, v.message) for v in compile_validator(resolved).validate(instance)}
    assert found == t.KNOWN_DEFECTS.get(rel, set())
