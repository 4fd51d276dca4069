"""What of each AEP resource a set-up carries: the content a user designed, without what the
server adds (ids, versions, timestamps, org, sandbox, etags, inlet URLs). The same function
normalises the source's resources and the target's, so equal content compares equal.
"""

from __future__ import annotations

import re
from typing import Any

from ...aep.flow_service import STREAMING_CONNECTION_SPEC

# resource kinds, in the order a set-up is built
REGISTRY_KINDS = ("class", "datatype", "fieldgroup", "schema")
FLOW_KINDS = ("connection", "sourceConnection", "targetConnection", "flow")
KINDS = ("namespace", *REGISTRY_KINDS, "descriptor", "dataset", *FLOW_KINDS)
# kind → the Schema Registry's collection / the Flow Service's collection
REGISTRY_COLLECTION = {"class": "classes", "datatype": "datatypes", "fieldgroup": "fieldgroups", "schema": "schemas"}
FLOW_COLLECTION = {"connection": "connections", "sourceConnection": "sourceConnections",
                   "targetConnection": "targetConnections", "flow": "flows"}
_PATH_KIND = {"mixins": "fieldgroup", "fieldgroups": "fieldgroup", "datatypes": "datatype", "schemas": "schema",
              "classes": "class"}
# what a user designs; the registry computes the rest (meta:extends, meta:class, meta:xdmType, …)
REGISTRY_KEYS = ("title", "description", "type", "allOf", "definitions", "properties", "required",
                 "meta:intendedToExtend", "meta:status")


class PromoteError(ValueError):
    """A set-up cannot be read, planned or applied; the text says which resource and why."""


def registry_kind(resource_id: str, tenant: str) -> str | None:
    """``fieldgroup`` for ``https://ns.adobe.com/{tenant}/mixins/…`` or ``_{tenant}.mixins.…``; None for
    Adobe's own (global) resources and anything else."""
    m = re.match(rf"^https://ns\.adobe\.com/{re.escape(tenant)}/([a-z]+)/[^/]+$", resource_id) or re.match(
        rf"^_{re.escape(tenant)}\.([a-z]+)\.[^.]+$", resource_id)
    return _PATH_KIND.get(m.group(1)) if m else None


def tenant_refs(body: Any, tenant: str) -> list[str]:
    """Every string value of ``body`` that names a tenant registry resource, in order, once."""
    out: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and registry_kind(v, tenant) and v not in out:
            out.append(v)

    walk(body)
    return out


def normalise(kind: str, raw: dict[str, Any], *, source: bool = True) -> dict[str, Any]:
    """The designed content of one resource as the API returns it. ``source=False`` (a target's
    resource, only compared) accepts connections of any spec; their credentials are never kept."""
    if kind in REGISTRY_KINDS:
        return {k: raw[k] for k in REGISTRY_KEYS if k in raw}
    if kind == "descriptor":
        return {k: v for k, v in raw.items() if k == "@type" or k.startswith("xdm:")}
    if kind == "namespace":
        return {k: raw[k] for k in ("code", "name", "idType", "description") if raw.get(k) is not None}
    if kind == "dataset":
        out = {k: raw[k] for k in ("name", "description") if raw.get(k)}
        ref = raw.get("schemaRef") or {}
        out["schemaRef"] = {"id": ref.get("id"), "contentType": ref.get("contentType")}
        return out
    if kind == "connection":
        spec = (raw.get("connectionSpec") or {}).get("id")
        if spec != STREAMING_CONNECTION_SPEC:
            if not source:
                return {**_named(raw), "connectionSpec": raw.get("connectionSpec")}
            raise PromoteError(f"connection {raw.get('id')} ({raw.get('name')!r}) uses connection spec {spec}: "
                               "only streaming connections can be promoted (other connections carry credentials)")
        auth = raw.get("auth") or {}
        params = {k: v for k, v in (auth.get("params") or {}).items() if k not in ("inletId", "inletUrl")}
        return {**_named(raw), "connectionSpec": raw.get("connectionSpec"),
                "auth": {"specName": auth.get("specName"), "params": params}}
    if kind == "sourceConnection":
        return {**_named(raw), **{k: raw[k] for k in ("baseConnectionId", "data", "params", "connectionSpec")
                                  if raw.get(k) is not None}}
    if kind == "targetConnection":
        return {**_named(raw), **{k: raw[k] for k in ("data", "params", "connectionSpec") if raw.get(k) is not None}}
    if kind == "flow":
        return {**_named(raw), **{k: raw[k] for k in ("flowSpec", "sourceConnectionIds", "targetConnectionIds",
                                                       "transformations") if raw.get(k)}}
    raise PromoteError(f"unknown resource kind {kind!r}")


def _named(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: raw[k] for k in ("name", "description") if raw.get(k)}


def title_of(kind: str, body: dict[str, Any]) -> str:
    if kind in REGISTRY_KINDS:
        return str(body.get("title") or "")
    if kind == "namespace":
        return str(body.get("code") or "")
    if kind == "descriptor":
        return f"{body.get('@type')} {body.get('xdm:sourceProperty')}"
    return str(body.get("name") or "")


# --- field-level diff ------------------------------------------------------------------------------

ABSENT = "(absent)"


def field_diff(target: Any, source: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """``[(json_pointer, value_in_target, value_from_source)]`` for every leaf that differs.

    Hand-written rather than ``jsonpatch.make_patch``: a plan shows both sides of each field, which
    an RFC 6902 patch (the new value only) does not carry."""
    if isinstance(target, dict) and isinstance(source, dict):
        out: list[tuple[str, Any, Any]] = []
        for k in list(target) + [k for k in source if k not in target]:
            p = f"{path}/{_escape(k)}"
            if k not in source:
                out.append((p, target[k], ABSENT))
            elif k not in target:
                out.append((p, ABSENT, source[k]))
            else:
                out += field_diff(target[k], source[k], p)
        return out
    if isinstance(target, list) and isinstance(source, list) and len(target) == len(source):
        out = []
        for i, (t, s) in enumerate(zip(target, source, strict=True)):
            out += field_diff(t, s, f"{path}/{i}")
        return out
    return [] if target == source else [(path or "/", target, source)]


def _escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")
