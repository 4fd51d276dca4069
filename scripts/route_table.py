"""The documented surface of the tutorial's AEP services, probed on a real local sandbox.

    .venv/bin/python scripts/route_table.py [--specs ../shared/aep-openapi] [--all]

Walks Adobe's OpenAPI files (schema registry, catalog, flow service, streaming ingestion, profile,
identity, data access), sends every documented path and method to a sandbox it starts, with and without
a trailing slash, and prints one row per call: ``modelled`` (the sandbox answers it as AEP would: a
result, or an error about the request or the resource), ``501`` (an AEP-style problem naming a feature
the sandbox does not model) or ``missing`` (no route: 404 "no such resource or API", 405, or an error
that blames the path). ``--all`` prints every row, otherwise only the summary and what is not modelled.
Needs pyyaml (a test dependency). The route-table test (tests/sandbox/test_route_table.py) uses the
same functions and asserts that nothing is missing.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPECS = ROOT.parent / "shared" / "aep-openapi"
METHODS = ("get", "post", "put", "patch", "delete")

# spec file -> where its server URL lives on the sandbox
SPECS = {
    "schema-registry.yaml": "/platform/data/foundation/schemaregistry",
    "catalog.yaml": "/platform/data/foundation/catalog",
    "flow-service.yaml": "/platform/data/foundation/flowservice",
    "streaming-ingestion.yaml": "/dcs",
    "profile.yaml": "/platform/data/core",
    "identity-service.yaml": "/platform/data/core",
    "data-access.yaml": "/platform/data/foundation/export",
}
# answers that say "no such route" rather than something about the request or the resource
_MISSING = re.compile(r"no such resource or api|unknown resource type|unknown container|not allowed on", re.I)


@dataclass(frozen=True)
class Operation:
    spec: str
    method: str
    path: str  # as documented, relative to the spec's server

    def url_path(self, prefix: str, slash: bool) -> str:
        path = re.sub(r"\{CONTAINER_ID\}", "tenant", self.path)
        path = re.sub(r"\{[^}]+\}", "route-probe-id", path)
        path = prefix + path.rstrip("/") if path != "/" else prefix
        return path + "/" if slash else path


@dataclass(frozen=True)
class Row:
    op: Operation
    slash: bool
    status: int
    verdict: str  # modelled | 501 | missing
    detail: str


def documented_operations(spec_dir: Path = DEFAULT_SPECS) -> list[Operation]:
    ops = []
    for name in SPECS:
        doc = yaml.safe_load((spec_dir / name).read_text(encoding="utf-8"))
        for path, item in doc["paths"].items():
            ops += [Operation(name, m.upper(), path) for m in item if m in METHODS]
    return ops


def classify(status: int, text: str) -> tuple[str, str]:
    if status == 501:
        return "501", text
    if status in (301, 302, 307, 308):  # a redirect to the slash-less path: most clients drop a POST's body
        return "missing", f"redirect ({status})"
    if status == 405 or (status == 404 and _MISSING.search(text)):
        return "missing", text
    return "modelled", text


def probe(client: httpx.Client, ops: list[Operation]) -> list[Row]:
    rows = []
    for op in ops:
        for slash in (False, True):
            path = op.url_path(SPECS[op.spec], slash)
            body = {} if op.method in ("POST", "PUT", "PATCH") else None
            resp = client.request(op.method, path, json=body)
            verdict, text = classify(resp.status_code, resp.text)
            rows.append(Row(op, slash, resp.status_code, verdict, text[:300]))
    return rows


def platform_client(proc) -> httpx.Client:
    c = proc.credentials
    token = httpx.post(f"{proc.urls.ims}/ims/token/v3", data={
        "grant_type": "client_credentials", "client_id": c.client_id, "client_secret": c.client_secret,
        "scope": c.scopes}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "x-api-key": c.client_id, "x-gw-ims-org-id": c.org_id,
               "x-sandbox-name": c.sandbox_name}
    return httpx.Client(base_url=proc.urls.base, headers=headers, timeout=30)


def feature(row: Row) -> str:
    """The feature a 501 names (the text after "not modelled by the local sandbox: ")."""
    m = re.search(r"not modelled by the local sandbox: ([^\"]+)", row.detail)
    return m.group(1) if m else row.detail


def table(rows: list[Row], every_row: bool = False) -> str:
    counts = Counter(r.verdict for r in rows)
    ops = Counter((r.op.spec, r.verdict) for r in rows if not r.slash)
    lines = [f"{len(rows) // 2} documented calls, each probed with and without a trailing slash "
             f"({len(rows)} requests)", "",
             "| service | modelled | 501 | missing |", "| --- | ---: | ---: | ---: |"]
    for spec in SPECS:
        lines.append(f"| {spec.removesuffix('.yaml')} | {ops[spec, 'modelled']} | {ops[spec, '501']} "
                     f"| {ops[spec, 'missing']} |")
    lines += [f"| all {len(rows)} requests (each call with and without '/') | {counts['modelled']} | {counts['501']} "
              f"| {counts['missing']} |", ""]
    shown = rows if every_row else [r for r in rows if r.verdict != "modelled" and not r.slash]
    if shown:
        lines += ["| call | slash | status | verdict | feature or answer |", "| --- | --- | ---: | --- | --- |"]
        for r in shown:
            what = feature(r) if r.verdict == "501" else r.detail[:80].replace("|", "/")
            lines.append(f"| {r.op.method} {r.op.path} | {'/' if r.slash else ''} | {r.status} | {r.verdict} | {what} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS, help="folder of Adobe's OpenAPI files")
    parser.add_argument("--all", action="store_true", help="print every row, not only what is not modelled")
    args = parser.parse_args(argv)
    if not args.specs.is_dir():
        print(f"route_table: no OpenAPI folder at {args.specs} (use --specs)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from aep_console.sandbox.launcher import start_sandbox

    with tempfile.TemporaryDirectory() as tmp:
        proc = start_sandbox(Path(tmp) / "sandbox")
        try:
            with platform_client(proc) as client:
                rows = probe(client, documented_operations(args.specs))
        finally:
            proc.stop()
    print(table(rows, args.all))
    return 1 if any(r.verdict == "missing" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
