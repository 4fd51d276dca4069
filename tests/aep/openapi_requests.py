"""Validate the request bodies the client sent against Adobe's published OpenAPI specs
(../shared/aep-openapi): find the operation by host + method + path template, take its JSON
request-body schema (OpenAPI 3 ``requestBody`` or Swagger 2 ``in: body``) and validate with jsonschema.

Used through the ``on_exchange`` records: ``check_exchanges(shared_dir, exchanges)`` returns the
list of (exchange, problem) for bodies that break the spec, and how many bodies were checked.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import orjson
import yaml

# (service, base path in our URL layout, spec file, base path of the spec's own paths)
SPECS = [
    ("platform", "/data/foundation/schemaregistry", "schema-registry.yaml"),
    ("platform", "/data/foundation/catalog", "catalog.yaml"),
    ("platform", "/data/foundation/flowservice", "flow-service.yaml"),
    ("platform", "/data/foundation/export", "data-access.yaml"),
    ("platform", "/data/core", "identity-service.yaml"),
    ("platform", "/data/core", "profile.yaml"),
    ("streaming", "", "streaming-ingestion.yaml"),
]
SERVICE_PREFIX = {"platform": "/platform", "streaming": "/dcs"}


@dataclass
class Operation:
    spec: str
    template: str
    method: str
    schema: dict[str, Any] | None
    root: dict[str, Any]


@functools.cache
def _load(path: str) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text())


def _regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template.rstrip("/") or "/")
    return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "/?$")


def _body_schema(op: dict[str, Any]) -> dict[str, Any] | None:
    if "requestBody" in op:
        content = op["requestBody"].get("content", {})
        for ctype in ("application/json", *content):
            if ctype in content and "schema" in content[ctype]:
                return content[ctype]["schema"]
        return None
    for param in op.get("parameters", []):
        if param.get("in") == "body":
            return param.get("schema")
    return None


def _resolve_param(root: dict[str, Any], param: dict[str, Any]) -> dict[str, Any]:
    ref = param.get("$ref")
    if ref and ref.startswith("#/"):
        node: Any = root
        for key in ref[2:].split("/"):
            node = node[key]
        return node
    return param


def find_operation(shared: Path, service: str, method: str, path: str) -> Operation | None:
    best: Operation | None = None
    for svc, base, fname in SPECS:
        if svc != service or not path.startswith(base):
            continue
        root = _load(str(shared / "aep-openapi" / fname))
        rest = path[len(base):] or "/"
        candidates = []
        for template, ops in (root.get("paths") or {}).items():
            op = (ops or {}).get(method.lower())
            if op and _regex(template).match(rest):
                slash_mismatch = template.endswith("/") != rest.endswith("/")
                candidates.append((template.count("{"), slash_mismatch, template, op))
        if candidates:
            candidates.sort(key=lambda c: (c[0], c[1]))  # literal segments win over parameters
            _, _, template, op = candidates[0]
            op = {**op, "parameters": [_resolve_param(root, p) for p in op.get("parameters", [])]}
            best = Operation(fname, template, method.upper(), _body_schema(op), root)
            break
    return best


# Places where the published spec contradicts itself; the client follows the documented form.
KNOWN_SPEC_DEFECTS = [
    # createDescriptor types xdm:sourceVersion as string, but its own example, the identity descriptor
    # definition of the same file and every doc send the integer 1
    ("schema-registry.yaml", "/tenant/descriptors", "xdm:sourceVersion: 1 is not of type 'string'"),
    # JSON Patch "value" typed as string; an RFC 6902 value is any JSON (docs patch arrays/objects)
    ("schema-registry.yaml", "/tenant/", "/value: "),
    # Flow Service PATCH: the spec types the body as ONE PatchInstruction object with upper-case ops;
    # the Flow Service docs (update connections/dataflows) send an RFC 6902 array with lower-case ops
    ("flow-service.yaml", "/", "<root>: [{"),
]


def _is_known_defect(operation: Operation, message: str) -> bool:
    return any(operation.spec == spec and operation.template.startswith(tpl) and text in message
               for spec, tpl, text in KNOWN_SPEC_DEFECTS)


def validate_body(operation: Operation, body: Any) -> list[str]:
    if operation.schema is None:
        return []
    schema = {**operation.root, **operation.schema}  # local "#/…" refs resolve against the spec
    schema.pop("$schema", None)
    validator = jsonschema.Draft4Validator(schema)
    messages = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                for e in validator.iter_errors(body)]
    return [m for m in messages if not _is_known_defect(operation, m)]


def check_exchanges(shared: Path, exchanges: list, *, methods=("POST", "PUT", "PATCH")):
    """→ (problems, checked): problems are ``(method url, operation, message)``."""
    problems, checked = [], 0
    for ex in exchanges:
        if ex.method not in methods or ex.service not in SERVICE_PREFIX or not ex.request_body:
            continue
        path = urlsplit(ex.url).path  # still percent-encoded: an encoded $id stays one segment
        prefix = SERVICE_PREFIX[ex.service]
        path = path[path.index(prefix) + len(prefix):] if prefix in path else path
        op = find_operation(shared, ex.service, ex.method, path)
        if op is None or op.schema is None or "… [truncated" in ex.request_body[-200:]:
            continue
        try:
            body = orjson.loads(ex.request_body)
        except orjson.JSONDecodeError:
            problems.append((f"{ex.method} {ex.url}", op.template, "body is not JSON"))
            continue
        checked += 1
        for message in validate_body(op, body):
            problems.append((f"{ex.method} {path}", f"{op.spec} {op.template}", message))
    return problems, checked
