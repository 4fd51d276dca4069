"""Validate responses against Adobe's published OpenAPI specs in ../shared/aep-openapi.

    from contract import Contract        # tests/ is on sys.path under pytest (rootdir conftest)
    c = Contract.load(shared_dir / "aep-openapi" / "catalog.yaml")
    c.validate("GET", "/dataSets/5e30d7986c0cc218a85cee65", 200, body)

``path`` is relative to the spec's base (``/dataSets/…`` for catalog, ``/tenant/schemas/…`` for the
Schema Registry, ``/connections/…`` for Flow Service, ``/idnamespace/identities`` for Identity), with
any ``$id`` still URL-encoded. Works for Swagger 2.0 (schema-registry.yaml) and OpenAPI 3.0 (the others):
the response schema is found (exact status, then ``default``) and checked with jsonschema (draft 4,
``$ref``s resolved inside the spec file; ``nullable``/``x-nullable`` honoured).
``validate`` returns the schema it used, or None when the spec documents no body for that status.

Documented exceptions (where Adobe's spec is itself wrong or silent):
- null values: the specs never mark ``_page.next``, ``_links.next`` and similar as nullable though AEP
  (and the spec's own examples) return ``null``; properties whose value is null are dropped before
  validation (``keep_nulls=True`` to disable).
- a list response schema models one ``Accept`` form only (descriptors: the full ``xdm+json`` form);
  validate that form.
- statuses a spec does not list (gateway 401/403, most 404/409 bodies) are not an error unless
  ``strict_status=True``; the caller still asserts the AEP error shape itself.
- ``SPEC_FIXES`` patches the places where a spec contradicts its own examples / AEP:
  schema-registry.yaml types ``meta:createdDate`` (global field groups) as object, its examples and
  Adobe's XDM repo give a date string; it types ``xdm:sourceVersion`` as integer for lookups and string
  for creation, with integer examples everywhere (both accepted); flow-service.yaml types ``transformationSpecs`` of a flow spec as
  an object, Adobe's flow specs (and the spec's own ``transformations``) are arrays;
  identity-service.yaml spells the ``idType`` enum ``COOKIE, CROSS_DEVICE, …`` for GET and
  ``Cookie, Cross_device, …`` for POST responses — either spelling is accepted.
"""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_URI = "urn:aep-spec"


class ContractError(AssertionError):
    pass


def _nullable(node: Any) -> Any:
    """Honour ``nullable``/``x-nullable``; stringify keys (YAML reads ``200:`` as an int)."""
    if isinstance(node, dict):
        out = {str(k): _nullable(v) for k, v in node.items()}
        if out.get("nullable") is True or out.get("x-nullable") is True:
            t = out.get("type")
            if isinstance(t, str):
                out["type"] = [t, "null"]
            elif "type" not in out and "$ref" in out:
                out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


def _fix_property(spec: Any, name: str, fix) -> None:
    """Apply ``fix(schema) -> schema`` to every property called ``name`` anywhere in the spec."""
    if isinstance(spec, dict):
        props = spec.get("properties")
        if isinstance(props, dict) and isinstance(props.get(name), dict):
            props[name] = fix(props[name])
        for v in spec.values():
            _fix_property(v, name, fix)
    elif isinstance(spec, list):
        for v in spec:
            _fix_property(v, name, fix)


def _any_case_enum(schema: dict) -> dict:
    values = schema.get("enum") or []
    known = {
        "cookie": "COOKIE",
        "cross_device": "CROSS_DEVICE",
        "device": "Device",
        "email": "Email",
        "mobile": "MOBILE",
        "non_people": "Non_people",
        "phone": "Phone",
    }
    extra = [v for k, v in known.items() if any(str(x).lower() == k for x in values)]
    extra += [k.capitalize() for k in known if any(str(x).lower() == k for x in values)]
    return {**schema, "enum": list(dict.fromkeys([*values, *extra]))}


SPEC_FIXES = {
    "schema-registry.yaml": [
        ("meta:createdDate", lambda s: {**s, "type": ["object", "string"]}),
        ("xdm:sourceVersion", lambda s: {**s, "type": ["integer", "string"]}),
    ],
    "flow-service.yaml": [
        (
            "transformationSpecs",
            lambda s: {"anyOf": [s, {"type": "array", "items": s}]} if s.get("type") == "object" else s,
        )
    ],
    "identity-service.yaml": [("idType", lambda s: _any_case_enum(s) if "enum" in s else s)],
}


def _drop_nulls(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_nulls(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_drop_nulls(v) for v in node]
    return node


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class Contract:
    def __init__(self, spec: dict, name: str = "spec") -> None:
        self.spec = _nullable(spec)
        self.name = name
        for prop, fix in SPEC_FIXES.get(name, ()):
            _fix_property(self.spec, prop, fix)
        self.swagger2 = str(spec.get("swagger", "")).startswith("2")
        self.registry = Registry().with_resource(
            SPEC_URI, Resource.from_contents(self.spec, default_specification=DRAFT4)
        )
        templates = []
        for tpl in self.spec.get("paths", {}):
            parts = tpl.strip("/").split("/") if tpl.strip("/") else []
            literals = sum(1 for p in parts if not p.startswith("{"))
            templates.append((tpl, parts, literals))
        self.templates = sorted(templates, key=lambda t: (-t[2], -len(t[1])))

    @classmethod
    @functools.cache
    def load(cls, path: Path | str) -> Contract:
        path = Path(path)
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)

    def match(self, path: str, method: str | None = None) -> str:
        """The path template for ``path`` (literal segments win; one that documents ``method`` first)."""
        parts = path.split("?")[0].strip("/").split("/") if path.strip("/") else []
        found = [
            tpl
            for tpl, tparts, _ in self.templates
            if len(tparts) == len(parts)
            and all(t.startswith("{") or t == p for t, p in zip(tparts, parts, strict=True))
        ]
        if not found:
            raise ContractError(f"{self.name}: no path template matches {path}")
        if method:
            for tpl in found:
                if method.lower() in self.spec["paths"][tpl]:
                    return tpl
        return found[0]

    def response_schema(self, method: str, path: str, status: int) -> tuple[str, str | None]:
        tpl = self.match(path, method)
        op = self.spec["paths"][tpl].get(method.lower())
        if op is None:
            raise ContractError(f"{self.name}: {method} is not documented for {tpl}")
        responses = op.get("responses", {})
        key = str(status) if str(status) in responses else "default"
        resp = responses.get(key)
        if resp is None:
            return tpl, "undocumented"
        base = f"#/paths/{_escape(tpl)}/{method.lower()}/responses/"
        if self.swagger2:
            if "schema" not in resp:
                return tpl, None
            return tpl, f"{base}{key}/schema"
        content = resp.get("content") or {}
        for media in content:
            if "json" in media and "schema" in content[media]:
                return tpl, f"{base}{key}/content/{_escape(media)}/schema"
        return tpl, None

    def validate(
        self,
        method: str,
        path: str,
        status: int,
        body: Any,
        *,
        keep_nulls: bool = False,
        strict_status: bool = False,
    ) -> str | None:
        tpl, pointer = self.response_schema(method, path, status)
        if pointer == "undocumented":
            if strict_status:
                raise ContractError(f"{self.name}: status {status} is not documented for {method} {tpl}")
            return None
        if pointer is None:
            return None
        schema = {"$ref": f"{SPEC_URI}{pointer}"}
        validator = jsonschema.Draft4Validator(schema, registry=self.registry)
        instance = body if keep_nulls else _drop_nulls(copy.deepcopy(body))
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            lines = [f"$/{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:10]]
            raise ContractError(
                f"{self.name}: {method} {path} → {status} does not match {pointer}:\n" + "\n".join(lines)
            )
        return pointer


def spec_path(platform_path: str, prefix: str) -> str:
    """``/data/foundation/catalog/dataSets/x`` with prefix ``/data/foundation/catalog`` → ``/dataSets/x``."""
    return re.sub(f"^{re.escape(prefix)}", "", platform_path)


def validate(spec_file: Path | str, method: str, path: str, status: int, body: Any, **kw: Any) -> str | None:
    """One-call form: ``validate(shared_dir / "aep-openapi" / "catalog.yaml", "GET", "/dataSets/x", 200, body)``."""
    return Contract.load(spec_file).validate(method, path, status, body, **kw)
